// EndTxn (key 26): commits or aborts a transaction.
// Follows EndTxnRequest.json and EndTxnResponse.json.
//
// Version notes:
// - v1 has the same fields; from v1 the broker answers before throttling. v2 may answer PRODUCER_FENCED.
// - v3 is the first flexible version.
// - v4 may answer TRANSACTION_ABORTABLE (KIP-890).
// - v5 bumps the epoch on every transaction (KIP-890 part 2): the response carries the producer
//   ID and epoch to use next.

/// Asks the transaction coordinator to commit or abort the producer's transaction.
public struct EndTxnRequest: KafkaRequest {
    public typealias Response = EndTxnResponse
    public static let apiKey = ApiKey.endTxn
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "3+"

    /// The transactional ID of the transaction to end.
    public var transactionalID: String = ""
    /// The producer ID.
    public var producerID: Int64 = 0
    /// The producer's current epoch.
    public var producerEpoch: Int16 = 0
    /// True to commit the transaction, false to abort it.
    public var committed: Bool = false
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request with every field given.
    public init(transactionalID: String = "", producerID: Int64 = 0, producerEpoch: Int16 = 0, committed: Bool = false) {
        self.transactionalID = transactionalID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.committed = committed
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("TransactionalId", &transactionalID, versions: "0+")
        try v.field("ProducerId", &producerID, versions: "0+")
        try v.field("ProducerEpoch", &producerEpoch, versions: "0+")
        try v.field("Committed", &committed, versions: "0+")
    }
}

/// The transaction coordinator's answer to EndTxn.
public struct EndTxnResponse: KafkaResponse {
    public static let apiKey = ApiKey.endTxn
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "3+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// The producer ID to use next, or -1. // v5+
    public var producerID: Int64 = -1
    /// The producer epoch to use next, or -1. // v5+
    public var producerEpoch: Int16 = -1
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response with every field given.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, producerID: Int64 = -1, producerEpoch: Int16 = -1) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.producerID = producerID
        self.producerEpoch = producerEpoch
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+")
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("ProducerId", &producerID, versions: "5+", ignorable: true, default: -1)
        try v.field("ProducerEpoch", &producerEpoch, versions: "5+", ignorable: true, default: -1)
    }
}
