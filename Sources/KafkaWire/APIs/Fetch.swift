// Fetch (key 1): consumers and follower replicas read record batches from partition leaders.
// Follows FetchRequest.json and FetchResponse.json.
//
// Version notes:
// - v1 adds ThrottleTimeMs to the response; v2 needs message format v1.
// - v3 adds MaxBytes, and partitions are served in request order.
// - v4 adds IsolationLevel, LastStableOffset and AbortedTransactions (transactions; message format v2).
// - v5 adds LogStartOffset; v6 may answer KAFKA_STORAGE_ERROR.
// - v7 adds incremental fetch sessions: SessionId, SessionEpoch, ForgottenTopicsData, top-level ErrorCode.
// - v8 throttles after answering; v9 adds CurrentLeaderEpoch (KIP-320); v10 allows zstd (KIP-110).
// - v11 adds RackId and PreferredReadReplica (fetch from followers, KIP-392).
// - v12 is the first flexible version. It adds LastFetchedEpoch, the tagged ClusterId (request tag 0)
//   and, per response partition, the tagged DivergingEpoch (0), CurrentLeader (1) and SnapshotId (2).
// - v13 names topics by TopicId instead of name (KIP-516); v14 may answer OFFSET_MOVED_TO_TIERED_STORAGE.
// - v15 replaces ReplicaId with the tagged ReplicaState (tag 1: replica ID and epoch, KIP-903).
// - v16 adds the tagged NodeEndpoints (response tag 0, KIP-951).
// - v17 adds the tagged ReplicaDirectoryId (request partition tag 0, KIP-853); the response is unchanged.
// - Records stay raw bytes here: record batches are decoded by the records layer.

/// Asks for records from a set of partitions, starting at given offsets.
public struct FetchRequest: KafkaRequest {
    public typealias Response = FetchResponse
    public static let apiKey = ApiKey.fetch
    public static let validVersions: ClosedRange<Int16> = 0...17
    public static let flexibleVersions: Versions = "12+"

    /// The cluster ID if known, to validate metadata fetches before broker registration. // v12+, tag 0
    public var clusterID: String? = nil
    /// The broker ID of the follower, or -1 for a consumer. // v0-14
    public var replicaID: Int32 = -1
    /// The follower's replica ID and epoch. // v15+, tag 1
    public var replicaState: ReplicaState = ReplicaState()
    /// The longest the broker may wait for `minBytes`, in ms.
    public var maxWaitMs: Int32 = 0
    /// The fewest bytes the broker should accumulate before answering.
    public var minBytes: Int32 = 0
    /// The most bytes to return in all (not always honoured, see KIP-74). // v3+
    public var maxBytes: Int32 = Int32.max
    /// 0 (READ_UNCOMMITTED) returns every record; 1 (READ_COMMITTED) stops at the last stable offset
    /// and lists aborted transactions. // v4+
    public var isolationLevel: Int8 = 0
    /// The fetch session ID. // v7+
    public var sessionID: Int32 = 0
    /// The fetch session epoch, which orders the requests of a session. // v7+
    public var sessionEpoch: Int32 = -1
    /// The topics to fetch.
    public var topics: [FetchTopic] = []
    /// In an incremental fetch, the partitions to remove from the session. // v7+
    public var forgottenTopicsData: [ForgottenTopic] = []
    /// The rack of the consumer sending the request. // v11+
    public var rackID: String = ""
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request fetching `topics`.
    public init(
        clusterID: String? = nil, replicaID: Int32 = -1, replicaState: ReplicaState = ReplicaState(),
        maxWaitMs: Int32 = 0, minBytes: Int32 = 0, maxBytes: Int32 = Int32.max, isolationLevel: Int8 = 0,
        sessionID: Int32 = 0, sessionEpoch: Int32 = -1, topics: [FetchTopic] = [],
        forgottenTopicsData: [ForgottenTopic] = [], rackID: String = ""
    ) {
        self.clusterID = clusterID
        self.replicaID = replicaID
        self.replicaState = replicaState
        self.maxWaitMs = maxWaitMs
        self.minBytes = minBytes
        self.maxBytes = maxBytes
        self.isolationLevel = isolationLevel
        self.sessionID = sessionID
        self.sessionEpoch = sessionEpoch
        self.topics = topics
        self.forgottenTopicsData = forgottenTopicsData
        self.rackID = rackID
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ClusterId", &clusterID, versions: "12+", nullableVersions: "12+", tag: 0, taggedVersions: "12+",
                    ignorable: true, default: nil)
        try v.field("ReplicaId", &replicaID, versions: "0-14", default: -1)
        try v.field("ReplicaState", &replicaState, versions: "15+", tag: 1, taggedVersions: "15+")
        try v.field("MaxWaitMs", &maxWaitMs, versions: "0+")
        try v.field("MinBytes", &minBytes, versions: "0+")
        try v.field("MaxBytes", &maxBytes, versions: "3+", ignorable: true, default: Int32.max)
        try v.field("IsolationLevel", &isolationLevel, versions: "4+", ignorable: true)
        try v.field("SessionId", &sessionID, versions: "7+", ignorable: true)
        try v.field("SessionEpoch", &sessionEpoch, versions: "7+", ignorable: true, default: -1)
        try v.field("Topics", &topics, versions: "0+")
        try v.field("ForgottenTopicsData", &forgottenTopicsData, versions: "7+", ignorable: false)
        try v.field("RackId", &rackID, versions: "11+", ignorable: true)
    }

    /// The state of a follower replica that is fetching.
    public struct ReplicaState: KafkaStruct {
        /// The follower's replica ID, or -1 for a consumer.
        public var replicaID: Int32 = -1
        /// The follower's epoch, or -1 when not available.
        public var replicaEpoch: Int64 = -1
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Replica `replicaID` at `replicaEpoch`.
        public init(replicaID: Int32 = -1, replicaEpoch: Int64 = -1) {
            self.replicaID = replicaID
            self.replicaEpoch = replicaEpoch
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("ReplicaId", &replicaID, versions: "15+", default: -1)
            try v.field("ReplicaEpoch", &replicaEpoch, versions: "15+", default: -1)
        }
    }

    /// One topic to fetch, by name (v0-12) or by ID (v13+).
    public struct FetchTopic: KafkaStruct {
        /// The topic name. // v0-12
        public var topic: String = ""
        /// The topic ID. // v13+
        public var topicID: KafkaUUID = .zero
        /// The partitions to fetch.
        public var partitions: [FetchPartition] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The `partitions` of a topic named by `topic` (v0-12) or `topicID` (v13+).
        public init(topic: String = "", topicID: KafkaUUID = .zero, partitions: [FetchPartition] = []) {
            self.topic = topic
            self.topicID = topicID
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Topic", &topic, versions: "0-12", ignorable: true)
            try v.field("TopicId", &topicID, versions: "13+", ignorable: true)
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// One partition to fetch and where to start.
    public struct FetchPartition: KafkaStruct {
        /// The partition index.
        public var partition: Int32 = 0
        /// The leader epoch the requester knows, for fencing. // v9+
        public var currentLeaderEpoch: Int32 = -1
        /// The offset to fetch from.
        public var fetchOffset: Int64 = 0
        /// The epoch of the last fetched record, or -1 when there is none. // v12+
        public var lastFetchedEpoch: Int32 = -1
        /// The follower's earliest available offset; sent only by followers. // v5+
        public var logStartOffset: Int64 = -1
        /// The most bytes to return from this partition (not always honoured, see KIP-74).
        public var partitionMaxBytes: Int32 = 0
        /// The directory ID of the fetching follower. // v17+, tag 0
        public var replicaDirectoryID: KafkaUUID = .zero
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Partition `partition` from `fetchOffset`.
        public init(
            partition: Int32 = 0, currentLeaderEpoch: Int32 = -1, fetchOffset: Int64 = 0, lastFetchedEpoch: Int32 = -1,
            logStartOffset: Int64 = -1, partitionMaxBytes: Int32 = 0, replicaDirectoryID: KafkaUUID = .zero
        ) {
            self.partition = partition
            self.currentLeaderEpoch = currentLeaderEpoch
            self.fetchOffset = fetchOffset
            self.lastFetchedEpoch = lastFetchedEpoch
            self.logStartOffset = logStartOffset
            self.partitionMaxBytes = partitionMaxBytes
            self.replicaDirectoryID = replicaDirectoryID
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Partition", &partition, versions: "0+")
            try v.field("CurrentLeaderEpoch", &currentLeaderEpoch, versions: "9+", ignorable: true, default: -1)
            try v.field("FetchOffset", &fetchOffset, versions: "0+")
            try v.field("LastFetchedEpoch", &lastFetchedEpoch, versions: "12+", ignorable: false, default: -1)
            try v.field("LogStartOffset", &logStartOffset, versions: "5+", ignorable: true, default: -1)
            try v.field("PartitionMaxBytes", &partitionMaxBytes, versions: "0+")
            try v.field("ReplicaDirectoryId", &replicaDirectoryID, versions: "17+", tag: 0, taggedVersions: "17+",
                        ignorable: true)
        }
    }

    /// In an incremental fetch, partitions of one topic to remove from the session.
    public struct ForgottenTopic: KafkaStruct {
        /// The topic name. // v7-12
        public var topic: String = ""
        /// The topic ID. // v13+
        public var topicID: KafkaUUID = .zero
        /// The indexes of the partitions to forget.
        public var partitions: [Int32] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The `partitions` of a topic named by `topic` (v7-12) or `topicID` (v13+).
        public init(topic: String = "", topicID: KafkaUUID = .zero, partitions: [Int32] = []) {
            self.topic = topic
            self.topicID = topicID
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Topic", &topic, versions: "7-12", ignorable: true)
            try v.field("TopicId", &topicID, versions: "13+", ignorable: true)
            try v.field("Partitions", &partitions, versions: "7+")
        }
    }
}

/// The records of each fetched partition, with its offsets and any error.
public struct FetchResponse: KafkaResponse {
    public static let apiKey = ApiKey.fetch
    public static let validVersions: ClosedRange<Int16> = 0...17
    public static let flexibleVersions: Versions = "12+"

    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// The top-level error code. // v7+
    public var errorCode: ErrorCode = .none
    /// The fetch session ID, or 0 outside a fetch session. // v7+
    public var sessionID: Int32 = 0
    /// The fetched topics.
    public var responses: [FetchableTopicResponse] = []
    /// Endpoints of the new leaders named in NOT_LEADER_OR_FOLLOWER and FENCED_LEADER_EPOCH
    /// partition errors. // v16+, tag 0
    public var nodeEndpoints: [NodeEndpoint] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `responses`.
    public init(
        throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, sessionID: Int32 = 0,
        responses: [FetchableTopicResponse] = [], nodeEndpoints: [NodeEndpoint] = []
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.sessionID = sessionID
        self.responses = responses
        self.nodeEndpoints = nodeEndpoints
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("ErrorCode", &errorCode, versions: "7+", ignorable: true)
        try v.field("SessionId", &sessionID, versions: "7+", ignorable: false)
        try v.field("Responses", &responses, versions: "0+")
        try v.field("NodeEndpoints", &nodeEndpoints, versions: "16+", tag: 0, taggedVersions: "16+")
    }

    /// The fetched partitions of one topic, named by name (v0-12) or by ID (v13+).
    public struct FetchableTopicResponse: KafkaStruct {
        /// The topic name. // v0-12
        public var topic: String = ""
        /// The topic ID. // v13+
        public var topicID: KafkaUUID = .zero
        /// The fetched partitions.
        public var partitions: [PartitionData] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The `partitions` of a topic named by `topic` (v0-12) or `topicID` (v13+).
        public init(topic: String = "", topicID: KafkaUUID = .zero, partitions: [PartitionData] = []) {
            self.topic = topic
            self.topicID = topicID
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Topic", &topic, versions: "0-12", ignorable: true)
            try v.field("TopicId", &topicID, versions: "13+", ignorable: true)
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }

    /// One fetched partition: its offsets, any error, and its records.
    public struct PartitionData: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The fetch error, or NONE.
        public var errorCode: ErrorCode = .none
        /// The partition's high watermark.
        public var highWatermark: Int64 = 0
        /// The last stable offset: every transaction below it is decided. // v4+
        public var lastStableOffset: Int64 = -1
        /// The partition's log start offset. // v5+
        public var logStartOffset: Int64 = -1
        /// The largest epoch, and its end offset, after which the follower's log diverges. // v12+, tag 0
        public var divergingEpoch: EpochEndOffset = EpochEndOffset()
        /// The partition's current leader, sent when the fetch went to the wrong one. // v12+, tag 1
        public var currentLeader: LeaderIdAndEpoch = LeaderIdAndEpoch()
        /// The snapshot to fetch instead, when the fetch offset is below the log start offset. // v12+, tag 2
        public var snapshotID: SnapshotId = SnapshotId()
        /// The aborted transactions among the returned records, or nil. // v4+
        public var abortedTransactions: [AbortedTransaction]? = []
        /// The replica the consumer should fetch from next, or -1. // v11+
        public var preferredReadReplica: Int32 = -1
        /// The encoded record batches (or, before v4, message set), or nil.
        public var records: ByteSlice? = nil
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The result for partition `partitionIndex`.
        public init(
            partitionIndex: Int32 = 0, errorCode: ErrorCode = .none, highWatermark: Int64 = 0,
            lastStableOffset: Int64 = -1, logStartOffset: Int64 = -1, divergingEpoch: EpochEndOffset = EpochEndOffset(),
            currentLeader: LeaderIdAndEpoch = LeaderIdAndEpoch(), snapshotID: SnapshotId = SnapshotId(),
            abortedTransactions: [AbortedTransaction]? = [], preferredReadReplica: Int32 = -1, records: ByteSlice? = nil
        ) {
            self.partitionIndex = partitionIndex
            self.errorCode = errorCode
            self.highWatermark = highWatermark
            self.lastStableOffset = lastStableOffset
            self.logStartOffset = logStartOffset
            self.divergingEpoch = divergingEpoch
            self.currentLeader = currentLeader
            self.snapshotID = snapshotID
            self.abortedTransactions = abortedTransactions
            self.preferredReadReplica = preferredReadReplica
            self.records = records
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("HighWatermark", &highWatermark, versions: "0+")
            try v.field("LastStableOffset", &lastStableOffset, versions: "4+", ignorable: true, default: -1)
            try v.field("LogStartOffset", &logStartOffset, versions: "5+", ignorable: true, default: -1)
            try v.field("DivergingEpoch", &divergingEpoch, versions: "12+", tag: 0, taggedVersions: "12+")
            try v.field("CurrentLeader", &currentLeader, versions: "12+", tag: 1, taggedVersions: "12+")
            try v.field("SnapshotId", &snapshotID, versions: "12+", tag: 2, taggedVersions: "12+")
            try v.field("AbortedTransactions", &abortedTransactions, versions: "4+", nullableVersions: "4+", ignorable: true)
            try v.field("PreferredReadReplica", &preferredReadReplica, versions: "11+", ignorable: false, default: -1)
            try v.records("Records", &records, versions: "0+", nullableVersions: "0+")
        }
    }

    /// An epoch and the offset at which it ends.
    public struct EpochEndOffset: KafkaStruct {
        /// The epoch, or -1.
        public var epoch: Int32 = -1
        /// The epoch's end offset, or -1.
        public var endOffset: Int64 = -1
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// `epoch` ending at `endOffset`.
        public init(epoch: Int32 = -1, endOffset: Int64 = -1) {
            self.epoch = epoch
            self.endOffset = endOffset
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Epoch", &epoch, versions: "12+", default: -1)
            try v.field("EndOffset", &endOffset, versions: "12+", default: -1)
        }
    }

    /// A partition's current leader and its epoch.
    public struct LeaderIdAndEpoch: KafkaStruct {
        /// The leader's broker ID, or -1 when unknown.
        public var leaderID: Int32 = -1
        /// The latest known leader epoch, or -1.
        public var leaderEpoch: Int32 = -1
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Leader `leaderID` at `leaderEpoch`.
        public init(leaderID: Int32 = -1, leaderEpoch: Int32 = -1) {
            self.leaderID = leaderID
            self.leaderEpoch = leaderEpoch
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("LeaderId", &leaderID, versions: "12+", default: -1)
            try v.field("LeaderEpoch", &leaderEpoch, versions: "12+", default: -1)
        }
    }

    /// The end offset and epoch of a snapshot, for a FetchSnapshot request.
    public struct SnapshotId: KafkaStruct {
        /// The snapshot's end offset, or -1.
        public var endOffset: Int64 = -1
        /// The snapshot's epoch, or -1.
        public var epoch: Int32 = -1
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The snapshot ending at `endOffset` in `epoch`.
        public init(endOffset: Int64 = -1, epoch: Int32 = -1) {
            self.endOffset = endOffset
            self.epoch = epoch
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("EndOffset", &endOffset, versions: "0+", default: -1)
            try v.field("Epoch", &epoch, versions: "0+", default: -1)
        }
    }

    /// A transaction whose records, from `firstOffset` on, a READ_COMMITTED consumer must skip.
    public struct AbortedTransaction: KafkaStruct {
        /// The producer ID of the aborted transaction.
        public var producerID: Int64 = 0
        /// The first offset of the aborted transaction.
        public var firstOffset: Int64 = 0
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The transaction of `producerID` starting at `firstOffset`.
        public init(producerID: Int64 = 0, firstOffset: Int64 = 0) {
            self.producerID = producerID
            self.firstOffset = firstOffset
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("ProducerId", &producerID, versions: "4+")
            try v.field("FirstOffset", &firstOffset, versions: "4+")
        }
    }

    /// Where to reach a broker named as a new leader.
    public struct NodeEndpoint: KafkaStruct {
        /// The broker ID.
        public var nodeID: Int32 = 0
        /// The broker's host name.
        public var host: String = ""
        /// The broker's port.
        public var port: Int32 = 0
        /// The broker's rack, or nil when it has none.
        public var rack: String? = nil
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The broker `nodeID` at `host`:`port`.
        public init(nodeID: Int32 = 0, host: String = "", port: Int32 = 0, rack: String? = nil) {
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.rack = rack
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("NodeId", &nodeID, versions: "16+")
            try v.field("Host", &host, versions: "16+")
            try v.field("Port", &port, versions: "16+")
            try v.field("Rack", &rack, versions: "16+", nullableVersions: "16+", default: nil)
        }
    }
}
