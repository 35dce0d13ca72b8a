// SaslAuthenticate (key 36): one round of SASL tokens, wrapped in Kafka framing.
// Follows SaslAuthenticateRequest.json and SaslAuthenticateResponse.json.
//
// Version notes:
// - v1 adds SessionLifetimeMs to the response (KIP-368 re-authentication); the request is unchanged.
// - v2 is the first flexible version.
//
// The auth bytes carry passwords and tokens, so neither message prints them: `description`,
// `debugDescription` and the reflection mirror show only their length.

/// Carries the client's SASL token for the mechanism agreed in SaslHandshake.
public struct SaslAuthenticateRequest: KafkaRequest {
    public typealias Response = SaslAuthenticateResponse
    public static let apiKey = ApiKey.saslAuthenticate
    public static let validVersions: ClosedRange<Int16> = 0...2
    public static let flexibleVersions: Versions = "2+"

    /// The client's SASL token, as the mechanism defines it. Secret: never logged.
    public var authBytes: ByteSlice = ByteSlice()
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request carrying the token `authBytes`.
    public init(authBytes: ByteSlice = ByteSlice()) {
        self.authBytes = authBytes
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("AuthBytes", &authBytes, versions: "0+")
    }
}

/// The broker's SASL token (a challenge or the final message), or the reason authentication failed.
public struct SaslAuthenticateResponse: KafkaResponse {
    public static let apiKey = ApiKey.saslAuthenticate
    public static let validVersions: ClosedRange<Int16> = 0...2
    public static let flexibleVersions: Versions = "2+"

    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// The error message, or nil when there was no error.
    public var errorMessage: String? = ""
    /// The broker's SASL token, as the mechanism defines it. Secret: never logged.
    public var authBytes: ByteSlice = ByteSlice()
    /// After this many ms the session must be re-authenticated on the same connection; 0 for no limit. // v1+
    public var sessionLifetimeMs: Int64 = 0
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response with every field given.
    public init(errorCode: ErrorCode = .none, errorMessage: String? = "", authBytes: ByteSlice = ByteSlice(),
                sessionLifetimeMs: Int64 = 0) {
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.authBytes = authBytes
        self.sessionLifetimeMs = sessionLifetimeMs
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("ErrorMessage", &errorMessage, versions: "0+", nullableVersions: "0+")
        try v.field("AuthBytes", &authBytes, versions: "0+")
        try v.field("SessionLifetimeMs", &sessionLifetimeMs, versions: "1+", ignorable: true)
    }
}

// Without these, `print`, string interpolation and `dump` would fall back to reflection
// and show the auth bytes in hex (ByteSlice's own description).

extension SaslAuthenticateRequest: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The request with its auth bytes replaced by their length.
    public var description: String {
        "SaslAuthenticateRequest(authBytes: <\(authBytes.count) bytes redacted>)"
    }
    /// Same as `description`: the auth bytes stay hidden.
    public var debugDescription: String { description }
    /// A mirror that shows the auth bytes' length only.
    public var customMirror: Mirror {
        Mirror(self, children: ["authBytes": "<\(authBytes.count) bytes redacted>",
                                "unknownTaggedFields": "<\(unknownTaggedFields.count) fields>"],
               displayStyle: .struct)
    }
}

extension SaslAuthenticateResponse: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The response with its auth bytes replaced by their length.
    public var description: String {
        "SaslAuthenticateResponse(errorCode: \(errorCode), errorMessage: \(errorMessage.map { "\"\($0)\"" } ?? "nil"), "
            + "authBytes: <\(authBytes.count) bytes redacted>, sessionLifetimeMs: \(sessionLifetimeMs))"
    }
    /// Same as `description`: the auth bytes stay hidden.
    public var debugDescription: String { description }
    /// A mirror that shows the auth bytes' length only.
    public var customMirror: Mirror {
        Mirror(self, children: ["errorCode": errorCode, "errorMessage": errorMessage as Any,
                                "authBytes": "<\(authBytes.count) bytes redacted>",
                                "sessionLifetimeMs": sessionLifetimeMs,
                                "unknownTaggedFields": "<\(unknownTaggedFields.count) fields>"],
               displayStyle: .struct)
    }
}
