import KafkaWire

/// A topic to create.
public struct NewTopic: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// The partition count; nil for the broker's default (needs CreateTopics v4+).
    public var partitions: Int32?
    /// The replication factor; nil for the broker's default (needs CreateTopics v4+).
    public var replicationFactor: Int16?
    /// Explicit replica placement, partition index to broker ids (then `partitions` and
    /// `replicationFactor` must be nil).
    public var replicaAssignment: [Int32: [Int32]]
    /// Topic configs (`cleanup.policy`, `retention.ms`...).
    public var configs: [String: String]

    /// A topic to create.
    public init(name: String, partitions: Int32? = nil, replicationFactor: Int16? = nil,
                replicaAssignment: [Int32: [Int32]] = [:], configs: [String: String] = [:]) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
        self.replicaAssignment = replicaAssignment
        self.configs = configs
    }
}

/// A topic the controller created (or, with `validateOnly`, would create).
public struct CreatedTopic: Sendable, Hashable {
    /// The topic name.
    public var name: String
    /// The new topic's ID (CreateTopics v7+).
    public var topicID: KafkaUUID?
    /// Its partition count (v5+).
    public var partitions: Int32?
    /// Its replication factor (v5+).
    public var replicationFactor: Int16?
    /// Its configs as the broker reports them (v5+).
    public var configs: [ConfigEntry]
}

/// An offset `listOffsets` found.
public struct ListedOffset: Sendable, Hashable {
    /// The offset; nil when no record matches (a timestamp after the last record).
    public var offset: Int64?
    /// The timestamp of the record at `offset`, when the broker says (v1+, timestamp lookups).
    public var timestamp: Int64?
    /// The leader epoch of the record at `offset` (v4+).
    public var leaderEpoch: Int32?

    /// An offset answer.
    public init(offset: Int64?, timestamp: Int64? = nil, leaderEpoch: Int32? = nil) {
        self.offset = offset
        self.timestamp = timestamp
        self.leaderEpoch = leaderEpoch
    }
}

/// An offset a consumer group committed.
public struct CommittedOffset: Sendable, Hashable {
    /// The next offset the group will read.
    public var offset: Int64
    /// The leader epoch of the last consumed record, when committed (OffsetFetch v5+).
    public var leaderEpoch: Int32?
    /// The metadata string committed with the offset.
    public var metadata: String?

    /// A committed offset.
    public init(offset: Int64, leaderEpoch: Int32? = nil, metadata: String? = nil) {
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
    }
}

/// How far a group is behind on one partition.
public struct PartitionLag: Sendable, Equatable {
    /// The group's committed offset.
    public var committed: Int64
    /// The partition's end offset, nil when it could not be looked up (`endOffsetError` says why).
    public var endOffset: Int64?
    /// `endOffset - committed` (never negative), nil without an end offset.
    public var lag: Int64?
    /// Why the end offset is missing.
    public var endOffsetError: KafkaClientError?
}

/// A group as ListGroups reports it.
public struct ListedGroup: Sendable, Hashable {
    /// The group id.
    public var groupID: String
    /// The protocol type (`consumer` for consumer groups; empty for simple groups that only commit).
    public var protocolType: String
    /// The state (`Stable`, `Empty`...), from brokers that report it (ListGroups v4+).
    public var state: String?
    /// The group type (`classic`, `consumer`...), from ListGroups v5+.
    public var type: String?
    /// The broker that coordinates it.
    public var coordinator: Int32
}

/// A group as its coordinator describes it.
public struct GroupDescription: Sendable, Hashable {
    /// The group id.
    public var groupID: String
    /// The state: `Stable`, `PreparingRebalance`, `CompletingRebalance`, `Empty` or `Dead`.
    public var state: String
    /// The protocol type (`consumer`).
    public var protocolType: String
    /// The chosen protocol (for consumer groups, the assignor: `range`, `cooperative-sticky`...).
    public var protocolName: String
    /// The members.
    public var members: [GroupMember]
    /// The coordinator's node id.
    public var coordinator: Int32
}

/// A member of a group.
public struct GroupMember: Sendable, Hashable {
    /// The member id the coordinator gave it.
    public var memberID: String
    /// Its static instance id, if it has one.
    public var groupInstanceID: String?
    /// The `client.id` it connected with.
    public var clientID: String
    /// The host it connected from.
    public var clientHost: String
    /// Its assigned partitions, decoded from the consumer protocol (nil for other protocol types, or
    /// when the assignment does not decode).
    public var assignment: [TopicPartition]?
    /// The raw protocol metadata (the subscription, for consumers).
    public var metadata: [UInt8]
    /// The raw assignment.
    public var rawAssignment: [UInt8]
}

/// What the cluster is made of.
public struct ClusterDescription: Sendable, Hashable {
    /// The cluster id.
    public var clusterID: String?
    /// The controller's node id, when the cluster names one.
    public var controllerID: Int32?
    /// The controller, when it is among `brokers`.
    public var controller: BrokerMetadata?
    /// The brokers, by node id.
    public var brokers: [BrokerMetadata]
}

/// Something with configs: a topic, a broker, a broker's loggers.
public struct ConfigResource: Sendable, Hashable, CustomStringConvertible {
    /// The resource type, as DescribeConfigs numbers them.
    public enum Kind: Int8, Sendable, Hashable {
        case topic = 2
        case broker = 4
        case brokerLogger = 8
    }

    /// The type.
    public var kind: Kind
    /// The topic name or the broker's node id.
    public var name: String

    /// The configs of topic `name`.
    public static func topic(_ name: String) -> ConfigResource { ConfigResource(kind: .topic, name: name) }
    /// The configs of broker `id`.
    public static func broker(_ id: Int32) -> ConfigResource { ConfigResource(kind: .broker, name: String(id)) }
    /// The log levels of broker `id`.
    public static func brokerLogger(_ id: Int32) -> ConfigResource { ConfigResource(kind: .brokerLogger, name: String(id)) }

    public var description: String {
        switch kind {
        case .topic: "topic \(name)"
        case .broker: "broker \(name)"
        case .brokerLogger: "broker \(name) loggers"
        }
    }
}

/// Where a config value comes from (DescribeConfigs' ConfigSource).
public struct ConfigSource: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    public var rawValue: Int8
    public init(rawValue: Int8) { self.rawValue = rawValue }

    public static let unknown = ConfigSource(rawValue: 0)
    public static let dynamicTopic = ConfigSource(rawValue: 1)
    public static let dynamicBroker = ConfigSource(rawValue: 2)
    public static let dynamicDefaultBroker = ConfigSource(rawValue: 3)
    public static let staticBroker = ConfigSource(rawValue: 4)
    public static let defaultConfig = ConfigSource(rawValue: 5)
    public static let dynamicBrokerLogger = ConfigSource(rawValue: 6)
    public static let clientMetrics = ConfigSource(rawValue: 7)
    public static let group = ConfigSource(rawValue: 8)

    public var description: String {
        let names = ["UNKNOWN", "DYNAMIC_TOPIC_CONFIG", "DYNAMIC_BROKER_CONFIG", "DYNAMIC_DEFAULT_BROKER_CONFIG",
                     "STATIC_BROKER_CONFIG", "DEFAULT_CONFIG", "DYNAMIC_BROKER_LOGGER_CONFIG", "CLIENT_METRICS_CONFIG",
                     "GROUP_CONFIG"]
        return rawValue >= 0 && Int(rawValue) < names.count ? names[Int(rawValue)] : "SOURCE_\(rawValue)"
    }
}

/// One config of a resource.
public struct ConfigEntry: Sendable, Hashable {
    /// The config name.
    public var name: String
    /// The value; nil for a sensitive value or one that is not set.
    public var value: String?
    /// Where the value comes from.
    public var source: ConfigSource
    /// Whether it is read-only.
    public var isReadOnly: Bool
    /// Whether it is a secret (its value is then nil).
    public var isSensitive: Bool
    /// Whether the value is the default.
    public var isDefault: Bool
    /// Other sources' values, most specific first (when asked for).
    public var synonyms: [ConfigSynonym]
    /// The config's documentation (DescribeConfigs v3+, when asked for).
    public var documentation: String?

    /// A config entry.
    public init(name: String, value: String?, source: ConfigSource = .unknown, isReadOnly: Bool = false,
                isSensitive: Bool = false, isDefault: Bool = false, synonyms: [ConfigSynonym] = [], documentation: String? = nil) {
        self.name = name
        self.value = value
        self.source = source
        self.isReadOnly = isReadOnly
        self.isSensitive = isSensitive
        self.isDefault = isDefault
        self.synonyms = synonyms
        self.documentation = documentation
    }
}

/// A config's value from one source.
public struct ConfigSynonym: Sendable, Hashable {
    /// The synonym's name (may differ from the config's: `log.retention.ms` for `retention.ms`).
    public var name: String
    /// Its value.
    public var value: String?
    /// Its source.
    public var source: ConfigSource
}
