// OffsetFetch (key 9): a consumer asks its group coordinator for the offsets its group has committed.
// Follows OffsetFetchRequest.json and OffsetFetchResponse.json.
//
// Version notes:
// - v1 reads offsets from the __consumer_offsets topic instead of ZooKeeper (same layout as v0).
// - v2 allows null Topics (every topic) and adds a top-level ErrorCode to the response.
// - v3 adds ThrottleTimeMs; v4 throttles after answering; v5 adds CommittedLeaderEpoch.
// - v6 is the first flexible version; v7 adds RequireStable.
// - v8 batches groups: Groups replaces GroupId/Topics, and the response answers per group.
// - v9 adds MemberId and MemberEpoch per group for the consumer group protocol (KIP-848).

/// Asks for the committed offsets of one group (v0-7) or several (v8+).
public struct OffsetFetchRequest: KafkaRequest {
    public typealias Response = OffsetFetchResponse
    public static let apiKey = ApiKey.offsetFetch
    public static let validVersions: ClosedRange<Int16> = 0...9
    public static let flexibleVersions: Versions = "6+"

    /// The group to fetch offsets for. // v0-7
    public var groupID: String = ""
    /// The topics to fetch offsets for; nil (v2+) for every topic. // v0-7
    public var topics: [OffsetFetchRequestTopic]? = []
    /// The groups to fetch offsets for. // v8+
    public var groups: [OffsetFetchRequestGroup] = []
    /// Whether the broker should answer UNSTABLE_OFFSET_COMMIT rather than return offsets of pending transactions. // v7+
    public var requireStable: Bool = false
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A fetch of `topics` for `groupID` (v0-7), or of `groups` (v8+).
    public init(groupID: String = "", topics: [OffsetFetchRequestTopic]? = [], groups: [OffsetFetchRequestGroup] = [],
                requireStable: Bool = false) {
        self.groupID = groupID
        self.topics = topics
        self.groups = groups
        self.requireStable = requireStable
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("GroupId", &groupID, versions: "0-7")
        try v.field("Topics", &topics, versions: "0-7", nullableVersions: "2-7")
        try v.field("Groups", &groups, versions: "8+")
        try v.field("RequireStable", &requireStable, versions: "7+")
    }

    /// The partitions of one topic to fetch offsets for (v0-7).
    public struct OffsetFetchRequestTopic: KafkaStruct {
        /// The topic name. // v0-7
        public var name: String = ""
        /// The partition indexes to fetch offsets for. // v0-7
        public var partitionIndexes: [Int32] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The partitions `partitionIndexes` of topic `name`.
        public init(name: String = "", partitionIndexes: [Int32] = []) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0-7")
            try v.field("PartitionIndexes", &partitionIndexes, versions: "0-7")
        }
    }

    /// One group to fetch offsets for (v8+).
    public struct OffsetFetchRequestGroup: KafkaStruct {
        /// The group ID. // v8+
        public var groupID: String = ""
        /// The member ID assigned by the coordinator under the consumer protocol (KIP-848), or nil. // v9+
        public var memberID: String? = nil
        /// The member epoch under the consumer protocol (KIP-848), or -1. // v9+
        public var memberEpoch: Int32 = -1
        /// The topics to fetch offsets for, or nil for every topic. // v8+
        public var topics: [OffsetFetchRequestTopics]? = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A fetch of `topics` (nil: every topic) for `groupID`.
        public init(groupID: String = "", memberID: String? = nil, memberEpoch: Int32 = -1,
                    topics: [OffsetFetchRequestTopics]? = []) {
            self.groupID = groupID
            self.memberID = memberID
            self.memberEpoch = memberEpoch
            self.topics = topics
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("GroupId", &groupID, versions: "8+")
            try v.field("MemberId", &memberID, versions: "9+", nullableVersions: "9+", ignorable: true, default: nil)
            try v.field("MemberEpoch", &memberEpoch, versions: "9+", ignorable: true, default: -1)
            try v.field("Topics", &topics, versions: "8+", nullableVersions: "8+")
        }
    }

    /// The partitions of one topic to fetch offsets for, within a group (v8+).
    public struct OffsetFetchRequestTopics: KafkaStruct {
        /// The topic name. // v8+
        public var name: String = ""
        /// The partition indexes to fetch offsets for. // v8+
        public var partitionIndexes: [Int32] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The partitions `partitionIndexes` of topic `name`.
        public init(name: String = "", partitionIndexes: [Int32] = []) {
            self.name = name
            self.partitionIndexes = partitionIndexes
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "8+")
            try v.field("PartitionIndexes", &partitionIndexes, versions: "8+")
        }
    }
}

/// The committed offsets of the requested group (v0-7) or groups (v8+).
public struct OffsetFetchResponse: KafkaResponse {
    public static let apiKey = ApiKey.offsetFetch
    public static let validVersions: ClosedRange<Int16> = 0...9
    public static let flexibleVersions: Versions = "6+"

    /// How long the response was throttled for a quota violation, in ms. // v3+
    public var throttleTimeMs: Int32 = 0
    /// The responses per topic. // v0-7
    public var topics: [OffsetFetchResponseTopic] = []
    /// The top-level error code, or NONE. // v2-7
    public var errorCode: ErrorCode = .none
    /// The responses per group. // v8+
    public var groups: [OffsetFetchResponseGroup] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `topics` and `errorCode` (v0-7), or `groups` (v8+).
    public init(throttleTimeMs: Int32 = 0, topics: [OffsetFetchResponseTopic] = [], errorCode: ErrorCode = .none,
                groups: [OffsetFetchResponseGroup] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.topics = topics
        self.errorCode = errorCode
        self.groups = groups
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "3+", ignorable: true)
        try v.field("Topics", &topics, versions: "0-7")
        try v.field("ErrorCode", &errorCode, versions: "2-7", ignorable: true)
        try v.field("Groups", &groups, versions: "8+")
    }

    /// The committed offsets of one topic (v0-7).
    public struct OffsetFetchResponseTopic: KafkaStruct {
        /// The topic name. // v0-7
        public var name: String = ""
        /// The responses per partition. // v0-7
        public var partitions: [OffsetFetchResponsePartition] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The offsets of the partitions of topic `name`.
        public init(name: String = "", partitions: [OffsetFetchResponsePartition] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0-7")
            try v.field("Partitions", &partitions, versions: "0-7")
        }
    }

    /// The committed offset of one partition (v0-7).
    public struct OffsetFetchResponsePartition: KafkaStruct {
        /// The partition index. // v0-7
        public var partitionIndex: Int32 = 0
        /// The committed message offset, or -1 when none is committed. // v0-7
        public var committedOffset: Int64 = 0
        /// The leader epoch, or -1. // v5-7
        public var committedLeaderEpoch: Int32 = -1
        /// The metadata committed with the offset, or nil. // v0-7
        public var metadata: String? = ""
        /// The error code, or NONE. // v0-7
        public var errorCode: ErrorCode = .none
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The committed offset of partition `partitionIndex`.
        public init(partitionIndex: Int32 = 0, committedOffset: Int64 = 0, committedLeaderEpoch: Int32 = -1,
                    metadata: String? = "", errorCode: ErrorCode = .none) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.metadata = metadata
            self.errorCode = errorCode
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0-7")
            try v.field("CommittedOffset", &committedOffset, versions: "0-7")
            try v.field("CommittedLeaderEpoch", &committedLeaderEpoch, versions: "5-7", ignorable: true, default: -1)
            try v.field("Metadata", &metadata, versions: "0-7", nullableVersions: "0-7")
            try v.field("ErrorCode", &errorCode, versions: "0-7")
        }
    }

    /// The committed offsets of one group (v8+).
    public struct OffsetFetchResponseGroup: KafkaStruct {
        /// The group ID. // v8+
        public var groupID: String = ""
        /// The responses per topic. // v8+
        public var topics: [OffsetFetchResponseTopics] = []
        /// The group-level error code, or NONE. // v8+
        public var errorCode: ErrorCode = .none
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The offsets committed by `groupID`, or its `errorCode`.
        public init(groupID: String = "", topics: [OffsetFetchResponseTopics] = [], errorCode: ErrorCode = .none) {
            self.groupID = groupID
            self.topics = topics
            self.errorCode = errorCode
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("GroupId", &groupID, versions: "8+")
            try v.field("Topics", &topics, versions: "8+")
            try v.field("ErrorCode", &errorCode, versions: "8+")
        }
    }

    /// The committed offsets of one topic within a group (v8+).
    public struct OffsetFetchResponseTopics: KafkaStruct {
        /// The topic name. // v8+
        public var name: String = ""
        /// The responses per partition. // v8+
        public var partitions: [OffsetFetchResponsePartitions] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The offsets of the partitions of topic `name`.
        public init(name: String = "", partitions: [OffsetFetchResponsePartitions] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "8+")
            try v.field("Partitions", &partitions, versions: "8+")
        }
    }

    /// The committed offset of one partition within a group (v8+).
    public struct OffsetFetchResponsePartitions: KafkaStruct {
        /// The partition index. // v8+
        public var partitionIndex: Int32 = 0
        /// The committed message offset, or -1 when none is committed. // v8+
        public var committedOffset: Int64 = 0
        /// The leader epoch, or -1. // v8+
        public var committedLeaderEpoch: Int32 = -1
        /// The metadata committed with the offset, or nil. // v8+
        public var metadata: String? = ""
        /// The partition-level error code, or NONE. // v8+
        public var errorCode: ErrorCode = .none
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The committed offset of partition `partitionIndex`.
        public init(partitionIndex: Int32 = 0, committedOffset: Int64 = 0, committedLeaderEpoch: Int32 = -1,
                    metadata: String? = "", errorCode: ErrorCode = .none) {
            self.partitionIndex = partitionIndex
            self.committedOffset = committedOffset
            self.committedLeaderEpoch = committedLeaderEpoch
            self.metadata = metadata
            self.errorCode = errorCode
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "8+")
            try v.field("CommittedOffset", &committedOffset, versions: "8+")
            try v.field("CommittedLeaderEpoch", &committedLeaderEpoch, versions: "8+", ignorable: true, default: -1)
            try v.field("Metadata", &metadata, versions: "8+", nullableVersions: "8+")
            try v.field("ErrorCode", &errorCode, versions: "8+")
        }
    }
}
