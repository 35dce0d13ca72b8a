// OffsetForLeaderEpoch (key 23): the end offset of a leader epoch, for log truncation after a
// leader change (followers, and consumers validating their position, KIP-320).
// Follows OffsetForLeaderEpochRequest.json and OffsetForLeaderEpochResponse.json.
//
// Version notes:
// - v1 adds LeaderEpoch to the response.
// - v2 adds CurrentLeaderEpoch to the request (fencing) and ThrottleTimeMs to the response.
// - v3 adds ReplicaId to the request (-2, the default, is a debug consumer; older followers send theirs).
// - v4 is the first flexible version.

/// Asks the leader for the end offset of the given epoch of each partition.
public struct OffsetForLeaderEpochRequest: KafkaRequest {
    public typealias Response = OffsetForLeaderEpochResponse
    public static let apiKey = ApiKey.offsetForLeaderEpoch
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "4+"

    /// The follower's broker ID, -1 for a consumer, or -2 (the default) for a debug consumer. // v3+
    public var replicaID: Int32 = -2
    /// Each topic to get end offsets for.
    public var topics: [OffsetForLeaderTopic] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request for `topics`.
    public init(replicaID: Int32 = -2, topics: [OffsetForLeaderTopic] = []) {
        self.replicaID = replicaID
        self.topics = topics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ReplicaId", &replicaID, versions: "3+", ignorable: true, default: -2)
        try v.field("Topics", &topics, versions: "0+")
    }

    /// One topic to get end offsets for.
    public struct OffsetForLeaderTopic: KafkaStruct {
        /// The topic name.
        public var topic: String = ""
        /// Each partition to get an end offset for.
        public var partitions: [OffsetForLeaderPartition] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Topic `topic` with its `partitions`.
        public init(topic: String = "", partitions: [OffsetForLeaderPartition] = []) {
            self.topic = topic
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Topic", &topic, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// One partition and the epoch to look up.
    public struct OffsetForLeaderPartition: KafkaStruct {
        /// The partition index.
        public var partition: Int32 = 0
        /// The caller's view of the current leader epoch, or -1: a larger one than the broker's gets
        /// UNKNOWN_LEADER_EPOCH, a smaller one FENCED_LEADER_EPOCH. // v2+
        public var currentLeaderEpoch: Int32 = -1
        /// The epoch whose end offset is wanted.
        public var leaderEpoch: Int32 = 0
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Partition `partition`, asking about `leaderEpoch`.
        public init(partition: Int32 = 0, currentLeaderEpoch: Int32 = -1, leaderEpoch: Int32 = 0) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.leaderEpoch = leaderEpoch
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Partition", &partition, versions: "0+")
            try v.field("CurrentLeaderEpoch", &currentLeaderEpoch, versions: "2+", ignorable: true, default: -1)
            try v.field("LeaderEpoch", &leaderEpoch, versions: "0+")
        }
    }
}

/// The leader's answer: the end offset of the asked epoch of each partition.
public struct OffsetForLeaderEpochResponse: KafkaResponse {
    public static let apiKey = ApiKey.offsetForLeaderEpoch
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "4+"

    /// How long the response was throttled for a quota violation, in ms. // v2+
    public var throttleTimeMs: Int32 = 0
    /// The result for each topic.
    public var topics: [OffsetForLeaderTopicResult] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `topics`.
    public init(throttleTimeMs: Int32 = 0, topics: [OffsetForLeaderTopicResult] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "2+", ignorable: true)
        try v.field("Topics", &topics, versions: "0+")
    }

    /// The outcome for one topic.
    public struct OffsetForLeaderTopicResult: KafkaStruct {
        /// The topic name.
        public var topic: String = ""
        /// The result for each partition.
        public var partitions: [EpochEndOffset] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Topic `topic` with its `partitions`.
        public init(topic: String = "", partitions: [EpochEndOffset] = []) {
            self.topic = topic
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Topic", &topic, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// The end offset of an epoch of one partition.
    public struct EpochEndOffset: KafkaStruct {
        /// The error code, or NONE.
        public var errorCode: ErrorCode = .none
        /// The partition index.
        public var partition: Int32 = 0
        /// The largest leader epoch not above the asked one, or -1. // v1+
        public var leaderEpoch: Int32 = -1
        /// The end offset of that epoch, or -1.
        public var endOffset: Int64 = -1
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A result with every field given.
        public init(errorCode: ErrorCode = .none, partition: Int32 = 0, leaderEpoch: Int32 = -1, endOffset: Int64 = -1) {
            self.errorCode = errorCode
            self.partition = partition
            self.leaderEpoch = leaderEpoch
            self.endOffset = endOffset
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("Partition", &partition, versions: "0+")
            try v.field("LeaderEpoch", &leaderEpoch, versions: "1+", ignorable: true, default: -1)
            try v.field("EndOffset", &endOffset, versions: "0+", default: -1)
        }
    }
}
