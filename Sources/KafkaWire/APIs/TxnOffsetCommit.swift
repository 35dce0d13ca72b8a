// TxnOffsetCommit (key 28): commits consumer offsets as part of a transaction.
// Follows TxnOffsetCommitRequest.json and TxnOffsetCommitResponse.json.
//
// Version notes:
// - v1 has the same fields; from v1 the broker answers before throttling.
// - v2 adds CommittedLeaderEpoch to each partition.
// - v3 is the first flexible version; it adds GenerationId, MemberId and GroupInstanceId so the
//   group coordinator can fence zombie members (KIP-447), with the errors that go with them.
// - v4 may answer TRANSACTION_ABORTABLE (KIP-890).

/// Sent to the group coordinator: offsets that become visible only if the transaction commits.
public struct TxnOffsetCommitRequest: KafkaRequest {
    public typealias Response = TxnOffsetCommitResponse
    public static let apiKey = ApiKey.txnOffsetCommit
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "3+"

    /// The transactional ID.
    public var transactionalID: String = ""
    /// The group ID.
    public var groupID: String = ""
    /// The producer ID in use by the transactional ID.
    public var producerID: Int64 = 0
    /// The epoch of the producer ID.
    public var producerEpoch: Int16 = 0
    /// The consumer's group generation, or -1. // v3+
    public var generationID: Int32 = -1
    /// The member ID the group coordinator assigned. // v3+
    public var memberID: String = ""
    /// The static member ID given by the user, or nil. // v3+
    public var groupInstanceID: String? = nil
    /// Each topic to commit offsets for.
    public var topics: [TxnOffsetCommitRequestTopic] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request with every field given.
    public init(transactionalID: String = "", groupID: String = "", producerID: Int64 = 0, producerEpoch: Int16 = 0,
                generationID: Int32 = -1, memberID: String = "", groupInstanceID: String? = nil,
                topics: [TxnOffsetCommitRequestTopic] = []) {
        self.transactionalID = transactionalID
        self.groupID = groupID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.topics = topics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("TransactionalId", &transactionalID, versions: "0+")
        try v.field("GroupId", &groupID, versions: "0+")
        try v.field("ProducerId", &producerID, versions: "0+")
        try v.field("ProducerEpoch", &producerEpoch, versions: "0+")
        try v.field("GenerationId", &generationID, versions: "3+", default: -1)
        try v.field("MemberId", &memberID, versions: "3+")
        try v.field("GroupInstanceId", &groupInstanceID, versions: "3+", nullableVersions: "3+", default: nil)
        try v.field("Topics", &topics, versions: "0+")
    }

    /// One topic to commit offsets for.
    public struct TxnOffsetCommitRequestTopic: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// Each partition to commit an offset for.
        public var partitions: [TxnOffsetCommitRequestPartition] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Topic `name` with its `partitions`.
        public init(name: String = "", partitions: [TxnOffsetCommitRequestPartition] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// One partition's offset to commit.
    public struct TxnOffsetCommitRequestPartition: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The offset to commit: the next offset to consume.
        public var committedOffset: Int64 = 0
        /// The leader epoch of the last consumed record, or -1. // v2+
        public var committedLeaderEpoch: Int32 = -1
        /// Metadata the client keeps with the offset.
        public var committedMetadata: String? = ""
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A partition offset with every field given.
        public init(partitionIndex: Int32 = 0, committedOffset: Int64 = 0, committedLeaderEpoch: Int32 = -1,
                    committedMetadata: String? = "") {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.committedMetadata = committedMetadata
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("CommittedOffset", &committedOffset, versions: "0+")
            try v.field("CommittedLeaderEpoch", &committedLeaderEpoch, versions: "2+", ignorable: true, default: -1)
            try v.field("CommittedMetadata", &committedMetadata, versions: "0+", nullableVersions: "0+")
        }
    }
}

/// The group coordinator's answer to TxnOffsetCommit: an error code per partition.
public struct TxnOffsetCommitResponse: KafkaResponse {
    public static let apiKey = ApiKey.txnOffsetCommit
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "3+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The result for each topic.
    public var topics: [TxnOffsetCommitResponseTopic] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `topics`.
    public init(throttleTimeMs: Int32 = 0, topics: [TxnOffsetCommitResponseTopic] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+")
        try v.field("Topics", &topics, versions: "0+")
    }

    /// The outcome for one topic.
    public struct TxnOffsetCommitResponseTopic: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// The result for each partition.
        public var partitions: [TxnOffsetCommitResponsePartition] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Topic `name` with its `partitions`.
        public init(name: String = "", partitions: [TxnOffsetCommitResponsePartition] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// The outcome for one partition.
    public struct TxnOffsetCommitResponsePartition: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The error code, or NONE.
        public var errorCode: ErrorCode = .none
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The result for `partitionIndex`.
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
