// OffsetCommit (key 8): a consumer stores the offsets it has processed with its group coordinator.
// Follows OffsetCommitRequest.json and OffsetCommitResponse.json.
//
// Version notes:
// - v1 adds GenerationIdOrMemberEpoch, MemberId and a per-partition CommitTimestamp (v1 only).
// - v2 adds RetentionTimeMs (v2-4) and drops CommitTimestamp; v3 adds ThrottleTimeMs to the response.
// - v4 throttles after answering; v5 drops RetentionTimeMs (the broker's config decides).
// - v6 adds CommittedLeaderEpoch; v7 adds GroupInstanceId (static membership, KIP-345).
// - v8 is the first flexible version; v9 is v8 usable with the consumer group protocol (KIP-848).

/// Commits offsets for a group: sent by a member (or a standalone consumer) to the group coordinator.
public struct OffsetCommitRequest: KafkaRequest {
    public typealias Response = OffsetCommitResponse
    public static let apiKey = ApiKey.offsetCommit
    public static let validVersions: ClosedRange<Int16> = 0...9
    public static let flexibleVersions: Versions = "8+"

    /// The unique group identifier.
    public var groupID: String = ""
    /// The generation of the group (classic protocol) or the member epoch (consumer protocol). // v1+
    public var generationIDOrMemberEpoch: Int32 = -1
    /// The member ID assigned by the group coordinator. // v1+
    public var memberID: String = ""
    /// The static member id given by the user, or nil. // v7+
    public var groupInstanceID: String? = nil
    /// How long the broker keeps the offsets, in ms; -1 for the broker's default. // v2-4
    public var retentionTimeMs: Int64 = -1
    /// The topics to commit offsets for.
    public var topics: [OffsetCommitRequestTopic] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A commit of `topics` for `groupID`.
    public init(groupID: String = "", generationIDOrMemberEpoch: Int32 = -1, memberID: String = "",
                groupInstanceID: String? = nil, retentionTimeMs: Int64 = -1, topics: [OffsetCommitRequestTopic] = []) {
        self.groupID = groupID
        self.generationIDOrMemberEpoch = generationIDOrMemberEpoch
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.retentionTimeMs = retentionTimeMs
        self.topics = topics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("GroupId", &groupID, versions: "0+")
        try v.field("GenerationIdOrMemberEpoch", &generationIDOrMemberEpoch, versions: "1+", ignorable: true, default: -1)
        try v.field("MemberId", &memberID, versions: "1+", ignorable: true)
        try v.field("GroupInstanceId", &groupInstanceID, versions: "7+", nullableVersions: "7+", default: nil)
        try v.field("RetentionTimeMs", &retentionTimeMs, versions: "2-4", ignorable: true, default: -1)
        try v.field("Topics", &topics, versions: "0+")
    }

    /// The offsets to commit for one topic.
    public struct OffsetCommitRequestTopic: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// Each partition to commit offsets for.
        public var partitions: [OffsetCommitRequestPartition] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The commits for the partitions of topic `name`.
        public init(name: String = "", partitions: [OffsetCommitRequestPartition] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// The offset to commit for one partition.
    public struct OffsetCommitRequestPartition: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The message offset to be committed.
        public var committedOffset: Int64 = 0
        /// The leader epoch of this partition, or -1. // v6+
        public var committedLeaderEpoch: Int32 = -1
        /// The timestamp of the commit, or -1. // v1
        public var commitTimestamp: Int64 = -1
        /// Metadata the client wants to keep with the offset, or nil.
        public var committedMetadata: String? = ""
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A commit of `committedOffset` for partition `partitionIndex`.
        public init(partitionIndex: Int32 = 0, committedOffset: Int64 = 0, committedLeaderEpoch: Int32 = -1,
                    commitTimestamp: Int64 = -1, committedMetadata: String? = "") {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.commitTimestamp = commitTimestamp
            self.committedMetadata = committedMetadata
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("CommittedOffset", &committedOffset, versions: "0+")
            try v.field("CommittedLeaderEpoch", &committedLeaderEpoch, versions: "6+", ignorable: true, default: -1)
            try v.field("CommitTimestamp", &commitTimestamp, versions: "1", default: -1)
            try v.field("CommittedMetadata", &committedMetadata, versions: "0+", nullableVersions: "0+")
        }
    }
}

/// The coordinator's answer to an offset commit: one error code per partition.
public struct OffsetCommitResponse: KafkaResponse {
    public static let apiKey = ApiKey.offsetCommit
    public static let validVersions: ClosedRange<Int16> = 0...9
    public static let flexibleVersions: Versions = "8+"

    /// How long the response was throttled for a quota violation, in ms. // v3+
    public var throttleTimeMs: Int32 = 0
    /// The responses for each topic.
    public var topics: [OffsetCommitResponseTopic] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `topics`.
    public init(throttleTimeMs: Int32 = 0, topics: [OffsetCommitResponseTopic] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "3+", ignorable: true)
        try v.field("Topics", &topics, versions: "0+")
    }

    /// The commit results for one topic.
    public struct OffsetCommitResponseTopic: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// The responses for each partition in the topic.
        public var partitions: [OffsetCommitResponsePartition] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The results for the partitions of topic `name`.
        public init(name: String = "", partitions: [OffsetCommitResponsePartition] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// The commit result for one partition.
    public struct OffsetCommitResponsePartition: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The error code, or NONE.
        public var errorCode: ErrorCode = .none
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The result `errorCode` for partition `partitionIndex`.
        public init(partitionIndex: Int32 = 0, errorCode: ErrorCode = .none) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("ErrorCode", &errorCode, versions: "0+")
        }
    }
}
