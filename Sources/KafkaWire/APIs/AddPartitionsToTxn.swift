// AddPartitionsToTxn (key 24): registers partitions with an ongoing transaction.
// Follows AddPartitionsToTxnRequest.json and AddPartitionsToTxnResponse.json.
//
// Version notes:
// - v1 has the same fields; from v1 the broker answers before throttling. v2 may answer PRODUCER_FENCED.
// - v3 is the first flexible version.
// - v4 batches several transactions (Transactions, ResultsByTransaction), adds VerifyOnly and a
//   top-level ErrorCode. The single-transaction fields (V3AndBelow...) exist only up to v3:
//   clients send v3 and below, brokers (KIP-890 verification) send v4 and above.
// - v5 may answer TRANSACTION_ABORTABLE (KIP-890).

/// Adds partitions to a transaction before the producer writes to them.
public struct AddPartitionsToTxnRequest: KafkaRequest {
    public typealias Response = AddPartitionsToTxnResponse
    public static let apiKey = ApiKey.addPartitionsToTxn
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "3+"

    /// The transactions to add partitions to. // v4+
    public var transactions: [AddPartitionsToTxnTransaction] = []
    /// The transactional ID of the one transaction. // v0-3
    public var v3AndBelowTransactionalID: String = ""
    /// The producer ID in use by the transactional ID. // v0-3
    public var v3AndBelowProducerID: Int64 = 0
    /// The epoch of the producer ID. // v0-3
    public var v3AndBelowProducerEpoch: Int16 = 0
    /// The partitions to add to the transaction. // v0-3
    public var v3AndBelowTopics: [AddPartitionsToTxnTopic] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request with every field given: `transactions` for v4+, the `v3AndBelow` fields for v0-3.
    public init(transactions: [AddPartitionsToTxnTransaction] = [], v3AndBelowTransactionalID: String = "",
                v3AndBelowProducerID: Int64 = 0, v3AndBelowProducerEpoch: Int16 = 0,
                v3AndBelowTopics: [AddPartitionsToTxnTopic] = []) {
        self.transactions = transactions
        self.v3AndBelowTransactionalID = v3AndBelowTransactionalID
        self.v3AndBelowProducerID = v3AndBelowProducerID
        self.v3AndBelowProducerEpoch = v3AndBelowProducerEpoch
        self.v3AndBelowTopics = v3AndBelowTopics
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Transactions", &transactions, versions: "4+")
        try v.field("V3AndBelowTransactionalId", &v3AndBelowTransactionalID, versions: "0-3")
        try v.field("V3AndBelowProducerId", &v3AndBelowProducerID, versions: "0-3")
        try v.field("V3AndBelowProducerEpoch", &v3AndBelowProducerEpoch, versions: "0-3")
        try v.field("V3AndBelowTopics", &v3AndBelowTopics, versions: "0-3")
    }

    /// One transaction and the partitions to add to it.
    public struct AddPartitionsToTxnTransaction: KafkaStruct {
        /// The transactional ID. // v4+
        public var transactionalID: String = ""
        /// The producer ID in use by the transactional ID. // v4+
        public var producerID: Int64 = 0
        /// The epoch of the producer ID. // v4+
        public var producerEpoch: Int16 = 0
        /// If true, only check whether the partitions are already in the transaction. // v4+
        public var verifyOnly: Bool = false
        /// The partitions to add to the transaction. // v4+
        public var topics: [AddPartitionsToTxnTopic] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A transaction with every field given.
        public init(transactionalID: String = "", producerID: Int64 = 0, producerEpoch: Int16 = 0,
                    verifyOnly: Bool = false, topics: [AddPartitionsToTxnTopic] = []) {
            self.transactionalID = transactionalID
            self.producerID = producerID
            self.producerEpoch = producerEpoch
            self.verifyOnly = verifyOnly
            self.topics = topics
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("TransactionalId", &transactionalID, versions: "4+")
            try v.field("ProducerId", &producerID, versions: "4+")
            try v.field("ProducerEpoch", &producerEpoch, versions: "4+")
            try v.field("VerifyOnly", &verifyOnly, versions: "4+")
            try v.field("Topics", &topics, versions: "4+")
        }
    }

    /// A topic and the partitions of it to add (a common struct of the request spec).
    public struct AddPartitionsToTxnTopic: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// The partition indexes to add.
        public var partitions: [Int32] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Topic `name` with `partitions`.
        public init(name: String = "", partitions: [Int32] = []) {
            self.name = name
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }
}

/// The coordinator's answer: an error code per partition, grouped by transaction from v4.
public struct AddPartitionsToTxnResponse: KafkaResponse {
    public static let apiKey = ApiKey.addPartitionsToTxn
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "3+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The top-level error code, or NONE. // v4+
    public var errorCode: ErrorCode = .none
    /// The results of each transaction. // v4+
    public var resultsByTransaction: [AddPartitionsToTxnResult] = []
    /// The results for each topic of the one transaction. // v0-3
    public var resultsByTopicV3AndBelow: [AddPartitionsToTxnTopicResult] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response with every field given: `errorCode` and `resultsByTransaction` for v4+,
    /// `resultsByTopicV3AndBelow` for v0-3.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none,
                resultsByTransaction: [AddPartitionsToTxnResult] = [],
                resultsByTopicV3AndBelow: [AddPartitionsToTxnTopicResult] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.resultsByTransaction = resultsByTransaction
        self.resultsByTopicV3AndBelow = resultsByTopicV3AndBelow
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+")
        try v.field("ErrorCode", &errorCode, versions: "4+", ignorable: true)
        try v.field("ResultsByTransaction", &resultsByTransaction, versions: "4+")
        try v.field("ResultsByTopicV3AndBelow", &resultsByTopicV3AndBelow, versions: "0-3")
    }

    /// The results of one transaction.
    public struct AddPartitionsToTxnResult: KafkaStruct {
        /// The transactional ID. // v4+
        public var transactionalID: String = ""
        /// The results for each topic. // v4+
        public var topicResults: [AddPartitionsToTxnTopicResult] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The results of `transactionalID`.
        public init(transactionalID: String = "", topicResults: [AddPartitionsToTxnTopicResult] = []) {
            self.transactionalID = transactionalID
            self.topicResults = topicResults
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("TransactionalId", &transactionalID, versions: "4+")
            try v.field("TopicResults", &topicResults, versions: "4+")
        }
    }

    /// The results for one topic (a common struct of the response spec).
    public struct AddPartitionsToTxnTopicResult: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// The result for each partition.
        public var resultsByPartition: [AddPartitionsToTxnPartitionResult] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Topic `name` with its partition results.
        public init(name: String = "", resultsByPartition: [AddPartitionsToTxnPartitionResult] = []) {
            self.name = name
            self.resultsByPartition = resultsByPartition
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("ResultsByPartition", &resultsByPartition, versions: "0+")
        }
    }

    /// The result for one partition (a common struct of the response spec).
    public struct AddPartitionsToTxnPartitionResult: KafkaStruct {
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The partition's error code, or NONE.
        public var partitionErrorCode: ErrorCode = .none
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The result for `partitionIndex`.
        public init(partitionIndex: Int32 = 0, partitionErrorCode: ErrorCode = .none) {
            self.partitionIndex = partitionIndex
            self.partitionErrorCode = partitionErrorCode
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("PartitionErrorCode", &partitionErrorCode, versions: "0+")
        }
    }
}
