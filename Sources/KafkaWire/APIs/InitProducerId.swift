// InitProducerId (key 22): obtains a producer ID and epoch, for idempotence or a transactional ID.
// Follows InitProducerIdRequest.json and InitProducerIdResponse.json.
//
// Version notes:
// - v1 has the same fields; from v1 the broker answers before throttling.
// - v2 is the first flexible version.
// - v3 adds ProducerId and ProducerEpoch to the request, so a producer can resume after
//   INVALID_PRODUCER_EPOCH (KIP-360).
// - v4 may answer PRODUCER_FENCED; v5 may answer TRANSACTION_ABORTABLE (KIP-890).

/// Asks for a producer ID and epoch; a transactional producer sends it to its transaction coordinator.
public struct InitProducerIdRequest: KafkaRequest {
    public typealias Response = InitProducerIdResponse
    public static let apiKey = ApiKey.initProducerId
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "2+"

    /// The transactional ID, or nil for a producer that is only idempotent.
    public var transactionalID: String? = ""
    /// How long the coordinator waits before aborting an idle transaction, in ms (transactional producers only).
    public var transactionTimeoutMs: Int32 = 0
    /// The producer ID held so far, or -1; lets the coordinator tell a retry from a reused transactional ID. // v3+
    public var producerID: Int64 = -1
    /// The producer's current epoch, or -1; checked against the coordinator's. // v3+
    public var producerEpoch: Int16 = -1
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request with every field given.
    public init(transactionalID: String? = "", transactionTimeoutMs: Int32 = 0, producerID: Int64 = -1,
                producerEpoch: Int16 = -1) {
        self.transactionalID = transactionalID
        self.transactionTimeoutMs = transactionTimeoutMs
        self.producerID = producerID
        self.producerEpoch = producerEpoch
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("TransactionalId", &transactionalID, versions: "0+", nullableVersions: "0+")
        try v.field("TransactionTimeoutMs", &transactionTimeoutMs, versions: "0+")
        try v.field("ProducerId", &producerID, versions: "3+", default: -1)
        try v.field("ProducerEpoch", &producerEpoch, versions: "3+", default: -1)
    }
}

/// The producer ID and epoch to use, or why none was given.
public struct InitProducerIdResponse: KafkaResponse {
    public static let apiKey = ApiKey.initProducerId
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "2+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// The producer ID to use, or -1.
    public var producerID: Int64 = -1
    /// The epoch to use with the producer ID.
    public var producerEpoch: Int16 = 0
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response with every field given.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, producerID: Int64 = -1, producerEpoch: Int16 = 0) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.producerID = producerID
        self.producerEpoch = producerEpoch
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+", ignorable: true)
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("ProducerId", &producerID, versions: "0+", default: -1)
        try v.field("ProducerEpoch", &producerEpoch, versions: "0+")
    }
}
