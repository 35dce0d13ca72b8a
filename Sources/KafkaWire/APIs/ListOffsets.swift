// ListOffsets (key 2): the offset of each partition at a timestamp, or at its start or end.
// Follows ListOffsetsRequest.json and ListOffsetsResponse.json.
//
// Version notes:
// - v0 asks for up to MaxNumOffsets offsets per partition and gets back OldStyleOffsets.
// - v1 returns a single Timestamp and Offset per partition instead.
// - v2 adds IsolationLevel to the request and ThrottleTimeMs to the response; v3 throttles after answering.
// - v4 adds CurrentLeaderEpoch to the request and LeaderEpoch to the response (fencing, KIP-320).
// - v5 may answer OFFSET_NOT_AVAILABLE.
// - v6 is the first flexible version.
// - v7, v8 and v9 change no field: they allow the timestamps -3 (max timestamp, KIP-734),
//   -4 (local log start, KIP-405) and -5 (last tiered offset, KIP-1005).
// - v10 adds TimeoutMs for lookups that read remote storage (KIP-1075).

/// Asks for the offsets of partitions at timestamps (-1 latest, -2 earliest, and the other special values).
public struct ListOffsetsRequest: KafkaRequest {
    public typealias Response = ListOffsetsResponse
    public static let apiKey = ApiKey.listOffsets
    public static let validVersions: ClosedRange<Int16> = 0...10
    public static let flexibleVersions: Versions = "6+"

    /// The broker ID of the requester, or -1 for a consumer.
    public var replicaID: Int32 = 0
    /// 0 (READ_UNCOMMITTED) sees every record; 1 (READ_COMMITTED) sees only up to the last stable offset. // v2+
    public var isolationLevel: Int8 = 0
    /// Each topic in the request.
    public var topics: [ListOffsetsTopic] = []
    /// How long to wait for lookups that read remote (tiered) storage, in ms. // v10+
    public var timeoutMs: Int32 = 0
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request for the offsets of `topics`.
    public init(replicaID: Int32 = 0, isolationLevel: Int8 = 0, topics: [ListOffsetsTopic] = [], timeoutMs: Int32 = 0) {
        self.replicaID = replicaID
        self.isolationLevel = isolationLevel
        self.topics = topics
        self.timeoutMs = timeoutMs
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ReplicaId", &replicaID, versions: "0+")
        try v.field("IsolationLevel", &isolationLevel, versions: "2+")
        try v.field("Topics", &topics, versions: "0+")
        try v.field("TimeoutMs", &timeoutMs, versions: "10+", ignorable: true)
    }

    /// The partitions of one topic to look up.
    public struct ListOffsetsTopic: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// Each partition to look up.
        public var partitions: [ListOffsetsPartition] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The `partitions` of topic `name`.
        public init(name: String = "", partitions: [ListOffsetsPartition] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// One partition to look up.
    public struct ListOffsetsPartition: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The leader epoch the requester knows, for fencing. // v4+
        public var currentLeaderEpoch: Int32 = -1
        /// The timestamp to look up, or a special value (-1 latest, -2 earliest, ...).
        public var timestamp: Int64 = 0
        /// The most offsets to return. // v0
        public var maxNumOffsets: Int32 = 1
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Partition `partitionIndex` at `timestamp`.
        public init(partitionIndex: Int32 = 0, currentLeaderEpoch: Int32 = -1, timestamp: Int64 = 0, maxNumOffsets: Int32 = 1) {
            self.partitionIndex = partitionIndex
            self.currentLeaderEpoch = currentLeaderEpoch
            self.timestamp = timestamp
            self.maxNumOffsets = maxNumOffsets
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("CurrentLeaderEpoch", &currentLeaderEpoch, versions: "4+", ignorable: true, default: -1)
            try v.field("Timestamp", &timestamp, versions: "0+")
            try v.field("MaxNumOffsets", &maxNumOffsets, versions: "0", default: 1)
        }
    }
}

/// The offsets found for each requested partition.
public struct ListOffsetsResponse: KafkaResponse {
    public static let apiKey = ApiKey.listOffsets
    public static let validVersions: ClosedRange<Int16> = 0...10
    public static let flexibleVersions: Versions = "6+"

    /// How long the response was throttled for a quota violation, in ms. // v2+
    public var throttleTimeMs: Int32 = 0
    /// Each topic in the response.
    public var topics: [ListOffsetsTopicResponse] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `topics`.
    public init(throttleTimeMs: Int32 = 0, topics: [ListOffsetsTopicResponse] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "2+", ignorable: true)
        try v.field("Topics", &topics, versions: "0+")
    }

    /// The results for one topic.
    public struct ListOffsetsTopicResponse: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// Each partition in the response.
        public var partitions: [ListOffsetsPartitionResponse] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The results for the `partitions` of topic `name`.
        public init(name: String = "", partitions: [ListOffsetsPartitionResponse] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// The result for one partition.
    public struct ListOffsetsPartitionResponse: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The partition's error, or NONE.
        public var errorCode: ErrorCode = .none
        /// The offsets found. // v0
        public var oldStyleOffsets: [Int64] = []
        /// The timestamp of the returned offset, or -1. // v1+
        public var timestamp: Int64 = -1
        /// The returned offset, or -1. // v1+
        public var offset: Int64 = -1
        /// The leader epoch of the returned offset, or -1. // v4+
        public var leaderEpoch: Int32 = -1
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The result for partition `partitionIndex`.
        public init(
            partitionIndex: Int32 = 0, errorCode: ErrorCode = .none, oldStyleOffsets: [Int64] = [],
            timestamp: Int64 = -1, offset: Int64 = -1, leaderEpoch: Int32 = -1
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.oldStyleOffsets = oldStyleOffsets
            self.timestamp = timestamp
            self.offset = offset
            self.leaderEpoch = leaderEpoch
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("OldStyleOffsets", &oldStyleOffsets, versions: "0", ignorable: false)
            try v.field("Timestamp", &timestamp, versions: "1+", ignorable: false, default: -1)
            try v.field("Offset", &offset, versions: "1+", ignorable: false, default: -1)
            try v.field("LeaderEpoch", &leaderEpoch, versions: "4+", default: -1)
        }
    }
}
