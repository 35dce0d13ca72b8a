import KafkaWire

/// What `-L` prints: the cluster's brokers and the topics asked for, from one Metadata answer.
public struct MetadataListing: Sendable, Equatable {
    /// A broker.
    public struct Broker: Sendable, Equatable {
        /// The node id.
        public var id: Int32
        /// The advertised host.
        public var host: String
        /// The advertised port.
        public var port: Int32

        /// A broker.
        public init(id: Int32, host: String, port: Int32) {
            self.id = id
            self.host = host
            self.port = port
        }
    }

    /// A partition.
    public struct Partition: Sendable, Equatable {
        /// The partition index.
        public var id: Int32
        /// The leader's node id (-1 when there is none).
        public var leader: Int32
        /// The replicas' node ids.
        public var replicas: [Int32]
        /// The in-sync replicas' node ids.
        public var isrs: [Int32]
        /// The partition's error, if any.
        public var error: ErrorCode

        /// A partition.
        public init(id: Int32, leader: Int32, replicas: [Int32], isrs: [Int32], error: ErrorCode = .none) {
            self.id = id
            self.leader = leader
            self.replicas = replicas
            self.isrs = isrs
            self.error = error
        }
    }

    /// A topic.
    public struct Topic: Sendable, Equatable {
        /// The topic's name.
        public var name: String
        /// The topic's error, if any.
        public var error: ErrorCode
        /// Its partitions in the order the broker sent them.
        public var partitions: [Partition]

        /// A topic.
        public init(name: String, error: ErrorCode = .none, partitions: [Partition]) {
            self.name = name
            self.error = error
            self.partitions = partitions
        }
    }

    /// The broker that answered: its id, and its name as librdkafka writes it (`host:port/id`).
    public var originatingBrokerID: Int32
    /// `host:port/id` (`host:port/bootstrap` when the answer came before the id was known).
    public var originatingBrokerName: String
    /// The topic asked for with `-t`, nil for all.
    public var queriedTopic: String?
    /// The controller's node id (-1 when unknown).
    public var controllerID: Int32
    /// The brokers in the order of the answer.
    public var brokers: [Broker]
    /// The topics in the order of the answer.
    public var topics: [Topic]

    /// A listing.
    public init(originatingBrokerID: Int32, originatingBrokerName: String, queriedTopic: String?, controllerID: Int32,
                brokers: [Broker], topics: [Topic]) {
        self.originatingBrokerID = originatingBrokerID
        self.originatingBrokerName = originatingBrokerName
        self.queriedTopic = queriedTopic
        self.controllerID = controllerID
        self.brokers = brokers
        self.topics = topics
    }

    /// A listing from a Metadata response (topics with a null name, possible from v12 on, are skipped).
    public init(_ response: MetadataResponse, originatingBrokerID: Int32, originatingBrokerName: String, queriedTopic: String?) {
        self.init(
            originatingBrokerID: originatingBrokerID, originatingBrokerName: originatingBrokerName, queriedTopic: queriedTopic,
            controllerID: response.controllerID,
            brokers: response.brokers.map { Broker(id: $0.nodeID, host: $0.host, port: $0.port) },
            topics: response.topics.compactMap { topic in
                guard let name = topic.name else { return nil }
                return Topic(name: name, error: topic.errorCode, partitions: topic.partitions.map {
                    Partition(id: $0.partitionIndex, leader: $0.leaderID, replicas: $0.replicaNodes, isrs: $0.isrNodes, error: $0.errorCode)
                })
            })
    }

    /// kcat's `-L` text.
    public var text: String {
        var out = "Metadata for \(queriedTopic ?? "all topics") (from broker \(originatingBrokerID): \(originatingBrokerName)):\n"
        out += " \(brokers.count) brokers:\n"
        for broker in brokers {
            out += "  broker \(broker.id) at \(broker.host):\(broker.port)\(broker.id == controllerID ? " (controller)" : "")\n"
        }
        out += " \(topics.count) topics:\n"
        for topic in topics {
            out += "  topic \"\(topic.name)\" with \(topic.partitions.count) partitions:"
            if topic.error.isError {
                out += " \(ErrorText.broker(topic.error))"
                if topic.error == .leaderNotAvailable { out += " (try again)" }
            }
            out += "\n"
            for partition in topic.partitions {
                out += "    partition \(partition.id), leader \(partition.leader), replicas: "
                out += partition.replicas.map(String.init).joined(separator: ",")
                out += ", isrs: " + partition.isrs.map(String.init).joined(separator: ",")
                out += partition.error.isError ? ", \(ErrorText.broker(partition.error))\n" : "\n"
            }
        }
        return out
    }

    /// kcat's `-L -J` object (one line, no newline after it, as kcat writes it).
    public var json: [UInt8] {
        var json = KcatJSONWriter()
        json.openObject()
        json.key("originating_broker")
        json.openObject()
        json.key("id"); json.integer(originatingBrokerID)
        json.key("name"); json.string(originatingBrokerName)
        json.closeObject()
        json.key("query")
        json.openObject()
        json.key("topic"); json.string(queriedTopic ?? "*")
        json.closeObject()
        json.key("controllerid"); json.integer(controllerID)
        json.key("brokers")
        json.openArray()
        for broker in brokers {
            json.openObject()
            json.key("id"); json.integer(broker.id)
            json.key("name"); json.string("\(broker.host):\(broker.port)")
            json.closeObject()
        }
        json.closeArray()
        json.key("topics")
        json.openArray()
        for topic in topics {
            json.openObject()
            json.key("topic"); json.string(topic.name)
            if topic.error.isError {
                json.key("error"); json.string(ErrorText.broker(topic.error))
            }
            json.key("partitions")
            json.openArray()
            for partition in topic.partitions {
                json.openObject()
                json.key("partition"); json.integer(partition.id)
                if partition.error.isError {
                    json.key("error"); json.string(ErrorText.broker(partition.error))
                }
                json.key("leader"); json.integer(partition.leader)
                for (name, ids) in [("replicas", partition.replicas), ("isrs", partition.isrs)] {
                    json.key(name)
                    json.openArray()
                    for id in ids {
                        json.openObject()
                        json.key("id"); json.integer(id)
                        json.closeObject()
                    }
                    json.closeArray()
                }
                json.closeObject()
            }
            json.closeArray()
            json.closeObject()
        }
        json.closeArray()
        json.closeObject()
        return json.bytes
    }
}

/// What `-Q` prints: one offset per queried partition, sorted by topic and partition.
public struct OffsetQueryResult: Sendable, Equatable {
    /// One answer.
    public struct Entry: Sendable, Equatable {
        /// The topic.
        public var topic: String
        /// The partition.
        public var partition: Int32
        /// The offset found (-1 when none, or on error).
        public var offset: Int64
        /// The error text (`Broker: Unknown topic or partition`), nil on success.
        public var error: String?

        /// An answer.
        public init(topic: String, partition: Int32, offset: Int64, error: String? = nil) {
            self.topic = topic
            self.partition = partition
            self.offset = offset
            self.error = error
        }
    }

    /// The answers, in any order (printing sorts them as librdkafka's list sort does).
    public var entries: [Entry]

    /// A result.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    var sorted: [Entry] {
        entries.sorted { ($0.topic.utf8.lexicographicallyPrecedes($1.topic.utf8)) || ($0.topic == $1.topic && $0.partition < $1.partition) }
    }

    /// kcat's text: `topic [partition] offset N`, with `: error` appended on failure.
    public var text: String {
        sorted.map { entry in
            "\(entry.topic) [\(entry.partition)] offset \(entry.offset)" + (entry.error.map { ": \($0)" } ?? "") + "\n"
        }.joined()
    }

    /// kcat's `-J` form: `{"topic":{"topic":"topic","0":{"partition":0,"offset":N},...},...}` (no newline).
    public var json: [UInt8] {
        var json = KcatJSONWriter()
        json.openObject()
        var lastTopic: String?
        for entry in sorted {
            if entry.topic != lastTopic {
                if lastTopic != nil { json.closeObject() }
                json.key(entry.topic)
                json.openObject()
                json.key("topic"); json.string(entry.topic)
                lastTopic = entry.topic
            }
            json.key(String(entry.partition))
            json.openObject()
            json.key("partition"); json.integer(entry.partition)
            json.key("offset"); json.integer(entry.offset)
            if let error = entry.error {
                json.key("error"); json.string(error)
            }
            json.closeObject()
        }
        if lastTopic != nil { json.closeObject() }
        json.closeObject()
        return json.bytes
    }
}
