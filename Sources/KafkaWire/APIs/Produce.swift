// Produce (key 0): a producer appends record batches to partition leaders.
// Follows ProduceRequest.json and ProduceResponse.json.
//
// Version notes:
// - v1 adds ThrottleTimeMs to the response; v2 adds LogAppendTimeMs.
// - v3 adds TransactionalId to the request and needs message format v2 (record batches).
// - v4 may answer KAFKA_STORAGE_ERROR; v5 adds LogStartOffset; v6 changes nothing on the wire;
//   v7 allows zstd (KIP-110).
// - v8 adds RecordErrors and ErrorMessage to the response (KIP-467).
// - v9 is the first flexible version.
// - v10 adds the tagged CurrentLeader (per partition, tag 0) and NodeEndpoints (top level, tag 0)
//   to the response (KIP-951); v11 may answer TRANSACTION_ABORTABLE (KIP-890).
// - Records stay raw bytes here: record batches are decoded by the records layer.

/// Appends records to partitions; with `acks` 0 the broker sends no response at all.
public struct ProduceRequest: KafkaRequest {
    public typealias Response = ProduceResponse
    public static let apiKey = ApiKey.produce
    public static let validVersions: ClosedRange<Int16> = 0...11
    public static let flexibleVersions: Versions = "9+"

    /// The transactional ID, or nil when the producer is not transactional. // v3+
    public var transactionalID: String? = nil
    /// Acknowledgments required before answering: 0 none, 1 the leader only, -1 the full ISR.
    public var acks: Int16 = 0
    /// How long to wait for the acknowledgments, in ms.
    public var timeoutMs: Int32 = 0
    /// Each topic to produce to.
    public var topicData: [TopicProduceData] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request appending `topicData`.
    public init(transactionalID: String? = nil, acks: Int16 = 0, timeoutMs: Int32 = 0, topicData: [TopicProduceData] = []) {
        self.transactionalID = transactionalID
        self.acks = acks
        self.timeoutMs = timeoutMs
        self.topicData = topicData
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("TransactionalId", &transactionalID, versions: "3+", nullableVersions: "3+", default: nil)
        try v.field("Acks", &acks, versions: "0+")
        try v.field("TimeoutMs", &timeoutMs, versions: "0+")
        try v.field("TopicData", &topicData, versions: "0+")
    }

    /// The records for one topic.
    public struct TopicProduceData: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// Each partition to produce to.
        public var partitionData: [PartitionProduceData] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The records for the partitions of topic `name`.
        public init(name: String = "", partitionData: [PartitionProduceData] = []) {
            self.name = name
            self.partitionData = partitionData
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("PartitionData", &partitionData, versions: "0+")
        }
    }

    /// The records for one partition.
    public struct PartitionProduceData: KafkaStruct {
        /// The partition index.
        public var index: Int32 = 0
        /// The encoded record batches (or, before v3, message set) to append.
        public var records: ByteSlice? = nil
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// `records` for partition `index`.
        public init(index: Int32 = 0, records: ByteSlice? = nil) {
            self.index = index
            self.records = records
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Index", &index, versions: "0+")
            try v.records("Records", &records, versions: "0+", nullableVersions: "0+")
        }
    }
}

/// Where each partition's records were appended, or why they were not.
public struct ProduceResponse: KafkaResponse {
    public static let apiKey = ApiKey.produce
    public static let validVersions: ClosedRange<Int16> = 0...11
    public static let flexibleVersions: Versions = "9+"

    /// Each topic produced to.
    public var responses: [TopicProduceResponse] = []
    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// Endpoints of the new leaders named in NOT_LEADER_OR_FOLLOWER partition errors. // v10+, tag 0
    public var nodeEndpoints: [NodeEndpoint] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response for `responses`.
    public init(responses: [TopicProduceResponse] = [], throttleTimeMs: Int32 = 0, nodeEndpoints: [NodeEndpoint] = []) {
        self.responses = responses
        self.throttleTimeMs = throttleTimeMs
        self.nodeEndpoints = nodeEndpoints
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Responses", &responses, versions: "0+")
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("NodeEndpoints", &nodeEndpoints, versions: "10+", tag: 0, taggedVersions: "10+")
    }

    /// The results for one topic.
    public struct TopicProduceResponse: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// Each partition produced to.
        public var partitionResponses: [PartitionProduceResponse] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The results for the partitions of topic `name`.
        public init(name: String = "", partitionResponses: [PartitionProduceResponse] = []) {
            self.name = name
            self.partitionResponses = partitionResponses
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("PartitionResponses", &partitionResponses, versions: "0+")
        }
    }

    /// The result for one partition.
    public struct PartitionProduceResponse: KafkaStruct {
        /// The partition index.
        public var index: Int32 = 0
        /// The error code, or NONE.
        public var errorCode: ErrorCode = .none
        /// The offset of the first appended record.
        public var baseOffset: Int64 = 0
        /// The broker's append time when the topic uses LogAppendTime, else -1. // v2+
        public var logAppendTimeMs: Int64 = -1
        /// The partition's log start offset. // v5+
        public var logStartOffset: Int64 = -1
        /// The records whose errors made the broker drop the batch. // v8+
        public var recordErrors: [BatchIndexAndErrorMessage] = []
        /// A message summarizing why the batch was dropped. // v8+
        public var errorMessage: String? = nil
        /// The partition's current leader, sent with NOT_LEADER_OR_FOLLOWER. // v10+, tag 0
        public var currentLeader: LeaderIdAndEpoch = LeaderIdAndEpoch()
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The result for partition `index`.
        public init(
            index: Int32 = 0, errorCode: ErrorCode = .none, baseOffset: Int64 = 0, logAppendTimeMs: Int64 = -1,
            logStartOffset: Int64 = -1, recordErrors: [BatchIndexAndErrorMessage] = [], errorMessage: String? = nil,
            currentLeader: LeaderIdAndEpoch = LeaderIdAndEpoch()
        ) {
            self.index = index
            self.errorCode = errorCode
            self.baseOffset = baseOffset
            self.logAppendTimeMs = logAppendTimeMs
            self.logStartOffset = logStartOffset
            self.recordErrors = recordErrors
            self.errorMessage = errorMessage
            self.currentLeader = currentLeader
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Index", &index, versions: "0+")
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("BaseOffset", &baseOffset, versions: "0+")
            try v.field("LogAppendTimeMs", &logAppendTimeMs, versions: "2+", ignorable: true, default: -1)
            try v.field("LogStartOffset", &logStartOffset, versions: "5+", ignorable: true, default: -1)
            try v.field("RecordErrors", &recordErrors, versions: "8+", ignorable: true)
            try v.field("ErrorMessage", &errorMessage, versions: "8+", nullableVersions: "8+", ignorable: true, default: nil)
            try v.field("CurrentLeader", &currentLeader, versions: "10+", tag: 0, taggedVersions: "10+")
        }
    }

    /// A record that made the broker drop its batch.
    public struct BatchIndexAndErrorMessage: KafkaStruct {
        /// The record's index in the batch.
        public var batchIndex: Int32 = 0
        /// Why the record was rejected, or nil.
        public var batchIndexErrorMessage: String? = nil
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The record at `batchIndex`, rejected for `batchIndexErrorMessage`.
        public init(batchIndex: Int32 = 0, batchIndexErrorMessage: String? = nil) {
            self.batchIndex = batchIndex
            self.batchIndexErrorMessage = batchIndexErrorMessage
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("BatchIndex", &batchIndex, versions: "8+")
            try v.field("BatchIndexErrorMessage", &batchIndexErrorMessage, versions: "8+", nullableVersions: "8+", default: nil)
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
            try v.field("LeaderId", &leaderID, versions: "10+", default: -1)
            try v.field("LeaderEpoch", &leaderEpoch, versions: "10+", default: -1)
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
            try v.field("NodeId", &nodeID, versions: "10+")
            try v.field("Host", &host, versions: "10+")
            try v.field("Port", &port, versions: "10+")
            try v.field("Rack", &rack, versions: "10+", nullableVersions: "10+", default: nil)
        }
    }
}
