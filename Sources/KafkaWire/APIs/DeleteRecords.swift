// DeleteRecords (key 21): moves partitions' log start offsets forward, deleting older records.
// Follows DeleteRecordsRequest.json and DeleteRecordsResponse.json.
//
// Version notes:
// - v1 has the same fields; from v1 the broker answers before throttling.
// - v2 is the first flexible version.

/// Deletes every record before the given offset of each partition; sent to the partition leaders.
public struct DeleteRecordsRequest: KafkaRequest {
    public typealias Response = DeleteRecordsResponse
    public static let apiKey = ApiKey.deleteRecords
    public static let validVersions: ClosedRange<Int16> = 0...2
    public static let flexibleVersions: Versions = "2+"

    /// Each topic to delete records from.
    public var topics: [DeleteRecordsTopic] = []
    /// How long to wait for the deletion to complete, in ms.
    public var timeoutMs: Int32 = 0
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request deleting records of `topics`.
    public init(topics: [DeleteRecordsTopic] = [], timeoutMs: Int32 = 0) {
        self.topics = topics
        self.timeoutMs = timeoutMs
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Topics", &topics, versions: "0+")
        try v.field("TimeoutMs", &timeoutMs, versions: "0+")
    }

    /// One topic to delete records from.
    public struct DeleteRecordsTopic: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// Each partition to delete records from.
        public var partitions: [DeleteRecordsPartition] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Topic `name` with its `partitions`.
        public init(name: String = "", partitions: [DeleteRecordsPartition] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// One partition and the offset before which its records go.
    public struct DeleteRecordsPartition: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The deletion offset: records below it are deleted (-1 means the high watermark).
        public var offset: Int64 = 0
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Partition `partitionIndex` truncated below `offset`.
        public init(partitionIndex: Int32 = 0, offset: Int64 = 0) {
            self.partitionIndex = partitionIndex
            self.offset = offset
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("Offset", &offset, versions: "0+")
        }
    }
}

/// The leader's answer to DeleteRecords: the new low watermark of each partition.
public struct DeleteRecordsResponse: KafkaResponse {
    public static let apiKey = ApiKey.deleteRecords
    public static let validVersions: ClosedRange<Int16> = 0...2
    public static let flexibleVersions: Versions = "2+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The result for each topic.
    public var topics: [DeleteRecordsTopicResult] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `topics`.
    public init(throttleTimeMs: Int32 = 0, topics: [DeleteRecordsTopicResult] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+")
        try v.field("Topics", &topics, versions: "0+")
    }

    /// The outcome for one topic.
    public struct DeleteRecordsTopicResult: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// The result for each partition.
        public var partitions: [DeleteRecordsPartitionResult] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Topic `name` with its `partitions`.
        public init(name: String = "", partitions: [DeleteRecordsPartitionResult] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// The outcome for one partition.
    public struct DeleteRecordsPartitionResult: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The partition's low watermark after the deletion.
        public var lowWatermark: Int64 = 0
        /// The deletion error, or NONE.
        public var errorCode: ErrorCode = .none
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A result with every field given.
        public init(partitionIndex: Int32 = 0, lowWatermark: Int64 = 0, errorCode: ErrorCode = .none) {
            self.partitionIndex = partitionIndex
            self.lowWatermark = lowWatermark
            self.errorCode = errorCode
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("LowWatermark", &lowWatermark, versions: "0+")
            try v.field("ErrorCode", &errorCode, versions: "0+")
        }
    }
}
