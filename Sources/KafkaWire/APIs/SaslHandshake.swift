// SaslHandshake (key 17): the client names the SASL mechanism it wants to use.
// Follows SaslHandshakeRequest.json and SaslHandshakeResponse.json.
//
// Version notes:
// - v0 (deprecated) sends the SASL tokens as bare bytes after the handshake, outside Kafka framing.
// - v1 has the same fields; the tokens then travel in SaslAuthenticate requests.
// - No version is flexible: brokers cannot bump this API because clients up to 2.4 negotiate it wrongly.

/// Opens SASL authentication by naming the mechanism (`PLAIN`, `SCRAM-SHA-512`, `OAUTHBEARER`, ...).
public struct SaslHandshakeRequest: KafkaRequest {
    public typealias Response = SaslHandshakeResponse
    public static let apiKey = ApiKey.saslHandshake
    public static let validVersions: ClosedRange<Int16> = 0...1
    public static let flexibleVersions: Versions = "none"

    /// The SASL mechanism the client chose.
    public var mechanism: String = ""
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A handshake asking for `mechanism`.
    public init(mechanism: String = "") {
        self.mechanism = mechanism
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Mechanism", &mechanism, versions: "0+")
    }
}

/// The broker's answer to a handshake: an error when the mechanism is not enabled, and the ones that are.
public struct SaslHandshakeResponse: KafkaResponse {
    public static let apiKey = ApiKey.saslHandshake
    public static let validVersions: ClosedRange<Int16> = 0...1
    public static let flexibleVersions: Versions = "none"

    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// The mechanisms the broker has enabled.
    public var mechanisms: [String] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `errorCode` and the enabled `mechanisms`.
    public init(errorCode: ErrorCode = .none, mechanisms: [String] = []) {
        self.errorCode = errorCode
        self.mechanisms = mechanisms
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("Mechanisms", &mechanisms, versions: "0+")
    }
}
