// AddOffsetsToTxn (key 25): ties a consumer group's offset commits to a transaction.
// Follows AddOffsetsToTxnRequest.json and AddOffsetsToTxnResponse.json.
//
// Version notes:
// - v1 has the same fields; from v1 the broker answers before throttling. v2 may answer PRODUCER_FENCED.
// - v3 is the first flexible version.
// - v4 may answer TRANSACTION_ABORTABLE (KIP-890).

/// Tells the transaction coordinator that the transaction will commit offsets of a group.
public struct AddOffsetsToTxnRequest: KafkaRequest {
    public typealias Response = AddOffsetsToTxnResponse
    public static let apiKey = ApiKey.addOffsetsToTxn
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "3+"

    /// The transactional ID.
    public var transactionalID: String = ""
    /// The producer ID in use by the transactional ID.
    public var producerID: Int64 = 0
    /// The epoch of the producer ID.
    public var producerEpoch: Int16 = 0
    /// The group whose offsets the transaction will commit.
    public var groupID: String = ""
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request with every field given.
    public init(transactionalID: String = "", producerID: Int64 = 0, producerEpoch: Int16 = 0, groupID: String = "") {
        self.transactionalID = transactionalID
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.groupID = groupID
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("TransactionalId", &transactionalID, versions: "0+")
        try v.field("ProducerId", &producerID, versions: "0+")
        try v.field("ProducerEpoch", &producerEpoch, versions: "0+")
        try v.field("GroupId", &groupID, versions: "0+")
    }
}

/// The transaction coordinator's answer to AddOffsetsToTxn.
public struct AddOffsetsToTxnResponse: KafkaResponse {
    public static let apiKey = ApiKey.addOffsetsToTxn
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "3+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `errorCode`.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+")
        try v.field("ErrorCode", &errorCode, versions: "0+")
    }
}
