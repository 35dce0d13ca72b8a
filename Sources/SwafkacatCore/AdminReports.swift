import KafkaClient
import KafkaWire

/// What swafkacat's admin extras print (`--create-topic`, `--delete-topic`, `--list-groups`): kcat has
/// no such modes, so the layout is swafkacat's own, in kcat's spirit (text like `-L`, one JSON object
/// per line with `-J`, errors with librdkafka's wording).
public enum AdminReports {
    /// One topic's outcome of `--create-topic` or `--delete-topic`.
    public struct TopicOutcome: Sendable, Equatable {
        /// The topic.
        public var topic: String
        /// The partition count the broker reported (create), if any.
        public var partitions: Int32?
        /// The replication factor the broker reported (create), if any.
        public var replicationFactor: Int16?
        /// The error text, nil on success.
        public var error: String?

        /// An outcome.
        public init(topic: String, partitions: Int32? = nil, replicationFactor: Int16? = nil, error: String? = nil) {
            self.topic = topic
            self.partitions = partitions
            self.replicationFactor = replicationFactor
            self.error = error
        }
    }

    /// `Created topic "t" (3 partitions, replication factor 1)` / `Deleted topic "t"`, or the JSON line.
    public static func topicLine(_ outcome: TopicOutcome, created: Bool, json: Bool) -> String? {
        if json {
            var writer = KcatJSONWriter()
            writer.openObject()
            writer.key("topic"); writer.string(outcome.topic)
            writer.key(created ? "created" : "deleted"); writer.boolean(outcome.error == nil)
            if let partitions = outcome.partitions { writer.key("partitions"); writer.integer(partitions) }
            if let factor = outcome.replicationFactor { writer.key("replication_factor"); writer.integer(factor) }
            if let error = outcome.error { writer.key("error"); writer.string(error) }
            writer.closeObject()
            return String(decoding: writer.bytes, as: UTF8.self) + "\n"
        }
        guard outcome.error == nil else { return nil }
        guard created else { return "Deleted topic \"\(outcome.topic)\"\n" }
        let details = [outcome.partitions.map { "\($0) partitions" }, outcome.replicationFactor.map { "replication factor \($0)" }]
            .compactMap { $0 }
        return "Created topic \"\(outcome.topic)\"" + (details.isEmpty ? "" : " (\(details.joined(separator: ", ")))") + "\n"
    }

    /// One group, as `--list-groups` prints it.
    public struct Group: Sendable, Equatable {
        /// A member and its assignment.
        public struct Member: Sendable, Equatable {
            /// The member id.
            public var memberID: String
            /// The static instance id, if any.
            public var instanceID: String?
            /// Its `client.id`.
            public var clientID: String
            /// The host it connected from.
            public var host: String
            /// Its partitions (nil when the assignment is not a consumer-protocol one).
            public var assignment: [TopicPartition]?

            /// A member.
            public init(memberID: String, instanceID: String? = nil, clientID: String, host: String, assignment: [TopicPartition]?) {
                self.memberID = memberID
                self.instanceID = instanceID
                self.clientID = clientID
                self.host = host
                self.assignment = assignment
            }
        }

        /// A committed offset and how far behind it is.
        public struct Offset: Sendable, Equatable {
            /// The partition.
            public var partition: TopicPartition
            /// The committed offset.
            public var committed: Int64
            /// The partition's end offset, if known.
            public var end: Int64?
            /// `end - committed`, if known.
            public var lag: Int64?
            /// Why the end offset is unknown.
            public var error: String?

            /// An offset line.
            public init(partition: TopicPartition, committed: Int64, end: Int64?, lag: Int64?, error: String? = nil) {
                self.partition = partition
                self.committed = committed
                self.end = end
                self.lag = lag
                self.error = error
            }
        }

        /// The group id.
        public var groupID: String
        /// `Stable`, `Empty`...
        public var state: String
        /// `consumer`, or empty for groups that only commit offsets.
        public var protocolType: String
        /// The assignor.
        public var protocolName: String
        /// The coordinator's node id.
        public var coordinator: Int32
        /// The members.
        public var members: [Member]
        /// The committed offsets, sorted.
        public var offsets: [Offset]
        /// Why the group could not be described (its other fields are then empty).
        public var error: String?

        /// A group.
        public init(groupID: String, state: String, protocolType: String, protocolName: String, coordinator: Int32,
                    members: [Member], offsets: [Offset], error: String? = nil) {
            self.groupID = groupID
            self.state = state
            self.protocolType = protocolType
            self.protocolName = protocolName
            self.coordinator = coordinator
            self.members = members
            self.offsets = offsets
            self.error = error
        }

        static func partitions(_ list: [TopicPartition]) -> String {
            list.sorted().map { "\($0.topic) [\($0.partition)]" }.joined(separator: ", ")
        }

        /// The text block: a header line, one line per member, one per committed offset.
        public var text: String {
            if let error { return "group \"\(groupID)\": \(error)\n" }
            var out = "group \"\(groupID)\" (\(protocolType.isEmpty ? "simple" : protocolType), \(state)"
            if !protocolName.isEmpty { out += ", protocol \(protocolName)" }
            out += ", coordinator \(coordinator)) with \(members.count) members:\n"
            for member in members {
                out += "  member \(member.memberID)"
                if let instance = member.instanceID { out += " (instance \(instance))" }
                out += ", client \(member.clientID), host \(member.host)"
                if let assignment = member.assignment { out += ": " + Self.partitions(assignment) }
                out += "\n"
            }
            out += " \(offsets.count) committed offsets:\n"
            for offset in offsets {
                out += "  \(offset.partition.topic) [\(offset.partition.partition)] offset \(offset.committed)"
                if let end = offset.end { out += ", end \(end)" }
                if let lag = offset.lag { out += ", lag \(lag)" }
                if let error = offset.error { out += ": \(error)" }
                out += "\n"
            }
            return out
        }

        /// The JSON line.
        public var json: String {
            var writer = KcatJSONWriter()
            writer.openObject()
            writer.key("group"); writer.string(groupID)
            if let error {
                writer.key("error"); writer.string(error)
                writer.closeObject()
                return String(decoding: writer.bytes, as: UTF8.self) + "\n"
            }
            writer.key("state"); writer.string(state)
            writer.key("protocol_type"); writer.string(protocolType)
            writer.key("protocol"); writer.string(protocolName)
            writer.key("coordinator"); writer.integer(coordinator)
            writer.key("members")
            writer.openArray()
            for member in members {
                writer.openObject()
                writer.key("member_id"); writer.string(member.memberID)
                if let instance = member.instanceID { writer.key("instance_id"); writer.string(instance) }
                writer.key("client_id"); writer.string(member.clientID)
                writer.key("host"); writer.string(member.host)
                if let assignment = member.assignment {
                    writer.key("assignment")
                    writer.openArray()
                    for partition in assignment.sorted() {
                        writer.openObject()
                        writer.key("topic"); writer.string(partition.topic)
                        writer.key("partition"); writer.integer(partition.partition)
                        writer.closeObject()
                    }
                    writer.closeArray()
                }
                writer.closeObject()
            }
            writer.closeArray()
            writer.key("offsets")
            writer.openArray()
            for offset in offsets {
                writer.openObject()
                writer.key("topic"); writer.string(offset.partition.topic)
                writer.key("partition"); writer.integer(offset.partition.partition)
                writer.key("offset"); writer.integer(offset.committed)
                if let end = offset.end { writer.key("end"); writer.integer(end) }
                if let lag = offset.lag { writer.key("lag"); writer.integer(lag) }
                if let error = offset.error { writer.key("error"); writer.string(error) }
                writer.closeObject()
            }
            writer.closeArray()
            writer.closeObject()
            return String(decoding: writer.bytes, as: UTF8.self) + "\n"
        }
    }
}
