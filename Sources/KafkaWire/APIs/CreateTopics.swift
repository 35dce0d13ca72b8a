// CreateTopics (key 19): asks the controller to create topics.
// Follows CreateTopicsRequest.json and CreateTopicsResponse.json.
//
// Version notes:
// - v0 and v1 are deprecated. v1 adds validateOnly to the request and ErrorMessage to the response.
// - v2 adds ThrottleTimeMs to the response; from v3 the broker answers before throttling.
// - v4 lets NumPartitions and ReplicationFactor be -1 (broker defaults) without assignments (KIP-464).
// - v5 is the first flexible version; the response returns the topic's partitions, replication
//   factor and configs, plus a tagged TopicConfigErrorCode (KIP-525).
// - v6 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599).
// - v7 returns the new topic's ID.

/// Creates topics, with a partition count and replication factor or a manual assignment, and configs.
public struct CreateTopicsRequest: KafkaRequest {
    public typealias Response = CreateTopicsResponse
    public static let apiKey = ApiKey.createTopics
    public static let validVersions: ClosedRange<Int16> = 0...7
    public static let flexibleVersions: Versions = "5+"

    /// The topics to create.
    public var topics: [CreatableTopic] = []
    /// How long to wait for the creation before timing out, in ms.
    public var timeoutMs: Int32 = 60000
    /// If true, only check that the topics could be created as asked. // v1+
    public var validateOnly: Bool = false
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request creating `topics`.
    public init(topics: [CreatableTopic] = [], timeoutMs: Int32 = 60000, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMs = timeoutMs
        self.validateOnly = validateOnly
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Topics", &topics, versions: "0+")
        try v.field("timeoutMs", &timeoutMs, versions: "0+", default: 60000)
        try v.field("validateOnly", &validateOnly, versions: "1+")
    }

    /// One topic to create.
    public struct CreatableTopic: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// The number of partitions, or -1 with manual assignments or to use the broker default.
        public var numPartitions: Int32 = 0
        /// The replication factor, or -1 with manual assignments or to use the broker default.
        public var replicationFactor: Int16 = 0
        /// The manual partition assignment, or empty for automatic assignment.
        public var assignments: [CreatableReplicaAssignment] = []
        /// The topic configs to set.
        public var configs: [CreatableTopicConfig] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A topic with every field given.
        public init(name: String = "", numPartitions: Int32 = 0, replicationFactor: Int16 = 0,
                    assignments: [CreatableReplicaAssignment] = [], configs: [CreatableTopicConfig] = []) {
            self.name = name
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.assignments = assignments
            self.configs = configs
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("NumPartitions", &numPartitions, versions: "0+")
            try v.field("ReplicationFactor", &replicationFactor, versions: "0+")
            try v.field("Assignments", &assignments, versions: "0+")
            try v.field("Configs", &configs, versions: "0+")
        }
    }

    /// The replicas of one partition in a manual assignment.
    public struct CreatableReplicaAssignment: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The brokers to place the partition on, preferred leader first.
        public var brokerIDs: [Int32] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Partition `partitionIndex` on `brokerIDs`.
        public init(partitionIndex: Int32 = 0, brokerIDs: [Int32] = []) {
            self.partitionIndex = partitionIndex
            self.brokerIDs = brokerIDs
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("BrokerIds", &brokerIDs, versions: "0+")
        }
    }

    /// One topic config to set at creation.
    public struct CreatableTopicConfig: KafkaStruct {
        /// The config name.
        public var name: String = ""
        /// The config value.
        public var value: String? = ""
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The config `name` set to `value`.
        public init(name: String = "", value: String? = "") {
            self.name = name
            self.value = value
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Value", &value, versions: "0+", nullableVersions: "0+")
        }
    }
}

/// The controller's answer to CreateTopics: one result per topic.
public struct CreateTopicsResponse: KafkaResponse {
    public static let apiKey = ApiKey.createTopics
    public static let validVersions: ClosedRange<Int16> = 0...7
    public static let flexibleVersions: Versions = "5+"

    /// How long the response was throttled for a quota violation, in ms. // v2+
    public var throttleTimeMs: Int32 = 0
    /// The result for each topic.
    public var topics: [CreatableTopicResult] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `topics`.
    public init(throttleTimeMs: Int32 = 0, topics: [CreatableTopicResult] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "2+", ignorable: true)
        try v.field("Topics", &topics, versions: "0+")
    }

    /// The outcome for one topic.
    public struct CreatableTopicResult: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// The new topic's unique ID. // v7+
        public var topicID: KafkaUUID = .zero
        /// The error code, or NONE.
        public var errorCode: ErrorCode = .none
        /// The error message, or nil when there was no error. // v1+
        public var errorMessage: String? = ""
        /// Why the configs are missing from this result, when they are (tagged 0). // v5+
        public var topicConfigErrorCode: ErrorCode = .none
        /// The topic's partition count. // v5+
        public var numPartitions: Int32 = -1
        /// The topic's replication factor. // v5+
        public var replicationFactor: Int16 = -1
        /// The topic's configs. // v5+
        public var configs: [CreatableTopicConfigs]? = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A result with every field given.
        public init(name: String = "", topicID: KafkaUUID = .zero, errorCode: ErrorCode = .none, errorMessage: String? = "",
                    topicConfigErrorCode: ErrorCode = .none, numPartitions: Int32 = -1, replicationFactor: Int16 = -1,
                    configs: [CreatableTopicConfigs]? = []) {
            self.name = name
            self.topicID = topicID
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.topicConfigErrorCode = topicConfigErrorCode
            self.numPartitions = numPartitions
            self.replicationFactor = replicationFactor
            self.configs = configs
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("TopicId", &topicID, versions: "7+", ignorable: true)
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("ErrorMessage", &errorMessage, versions: "1+", nullableVersions: "0+", ignorable: true)
            try v.field("TopicConfigErrorCode", &topicConfigErrorCode, versions: "5+", tag: 0, taggedVersions: "5+",
                        ignorable: true)
            try v.field("NumPartitions", &numPartitions, versions: "5+", ignorable: true, default: -1)
            try v.field("ReplicationFactor", &replicationFactor, versions: "5+", ignorable: true, default: -1)
            try v.field("Configs", &configs, versions: "5+", nullableVersions: "5+", ignorable: true)
        }
    }

    /// One config of a created topic.
    public struct CreatableTopicConfigs: KafkaStruct {
        /// The config name. // v5+
        public var name: String = ""
        /// The config value. // v5+
        public var value: String? = ""
        /// True if the config is read-only. // v5+
        public var readOnly: Bool = false
        /// Where the value comes from (a ConfigSource number), or -1. // v5+
        public var configSource: Int8 = -1
        /// True if the config is sensitive. // v5+
        public var isSensitive: Bool = false
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A config with every field given.
        public init(name: String = "", value: String? = "", readOnly: Bool = false, configSource: Int8 = -1,
                    isSensitive: Bool = false) {
            self.name = name
            self.value = value
            self.readOnly = readOnly
            self.configSource = configSource
            self.isSensitive = isSensitive
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "5+")
            try v.field("Value", &value, versions: "5+", nullableVersions: "5+")
            try v.field("ReadOnly", &readOnly, versions: "5+")
            try v.field("ConfigSource", &configSource, versions: "5+", ignorable: true, default: -1)
            try v.field("IsSensitive", &isSensitive, versions: "5+")
        }
    }
}
