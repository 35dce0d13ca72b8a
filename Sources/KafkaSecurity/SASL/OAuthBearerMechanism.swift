// OAUTHBEARER (RFC 7628) as Kafka uses it (KIP-255, KIP-342 for extensions):
//
//   client-first = "n," ["a=" saslname] "," %x01 "auth=Bearer " token %x01 *(key "=" value %x01) %x01
//
// A good token gets an empty server message back. A bad one gets a JSON error document, to which the client
// answers a single %x01 so the server can end the exchange (RFC 7628 §3.2.3); the broker then fails the
// SaslAuthenticate with SASL_AUTHENTICATION_FAILED.
//
// Fetching and refreshing tokens is asynchronous and belongs to the connection: it asks the provider for a
// token before each (re-)authentication and re-authenticates before `OAuthBearerToken.expiresAt`.

/// A bearer token and when it stops being valid.
public struct OAuthBearerToken: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// The compact token (a JWT, usually). Secret.
    public var value: String
    /// When the token expires, in milliseconds since the Unix epoch (Kafka's `lifetimeMs`).
    public var expiresAtMilliseconds: Int64
    /// The principal the token names, for diagnostics.
    public var principalName: String?

    /// A token `value` valid until `expiresAtMilliseconds`.
    public init(value: String, expiresAtMilliseconds: Int64, principalName: String? = nil) {
        self.value = value
        self.expiresAtMilliseconds = expiresAtMilliseconds
        self.principalName = principalName
    }

    /// The token with its value redacted.
    public var description: String {
        "OAuthBearerToken(value: <redacted>, expiresAtMilliseconds: \(expiresAtMilliseconds), principalName: "
            + (principalName.map { "\"\($0)\"" } ?? "nil") + ")"
    }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror without the value.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

/// Supplies OAUTHBEARER tokens; called before every authentication and re-authentication.
public protocol OAuthBearerTokenProvider: Sendable {
    /// A currently valid token.
    func token() async throws -> OAuthBearerToken
}

/// A provider that always returns the same token (tests, short-lived tools).
public struct StaticOAuthBearerTokenProvider: OAuthBearerTokenProvider, CustomStringConvertible {
    private let fixed: OAuthBearerToken
    /// A provider of `token`.
    public init(_ token: OAuthBearerToken) { fixed = token }
    public func token() async throws -> OAuthBearerToken { fixed }
    /// Redacted.
    public var description: String { "StaticOAuthBearerTokenProvider(\(fixed))" }
}

/// The client side of OAUTHBEARER for one token.
public struct OAuthBearerMechanism: SaslClientMechanism, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    private enum State: Hashable, Sendable { case initial, sent, errorAcknowledged(String), done, failed }

    /// `OAUTHBEARER`.
    public var name: String { "OAUTHBEARER" }
    /// The token this exchange presents; its expiry tells the connection when to re-authenticate.
    public let token: OAuthBearerToken
    private let extensions: [String: String]
    private let authorizationID: String
    private var state: State = .initial

    /// OAUTHBEARER presenting `token`, with SASL `extensions` (KIP-342) and an optional authorization id.
    public init(token: OAuthBearerToken, extensions: [String: String] = [:], authorizationID: String = "") {
        self.token = token
        self.extensions = extensions
        self.authorizationID = authorizationID
    }

    /// RFC 6750 b64token: 1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"=".
    static func isValidToken(_ token: String) -> Bool {
        let bytes = Array(token.utf8)
        let body = bytes.prefix { $0 != UInt8(ascii: "=") }
        guard !body.isEmpty else { return false }
        let isBodyByte: (UInt8) -> Bool = { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                 UInt8(ascii: "~"), UInt8(ascii: "+"), UInt8(ascii: "/"): true
            default: false
            }
        }
        return body.allSatisfy(isBodyByte) && bytes.dropFirst(body.count).allSatisfy { $0 == UInt8(ascii: "=") }
    }

    public mutating func start() -> SaslMechanismAction {
        guard case .initial = state else {
            return fail(.unexpectedMessage(mechanism: name, reason: "start called twice"))
        }
        guard Self.isValidToken(token.value) else {
            return fail(.invalidCredential(field: "token", reason: "is not an RFC 6750 b64token"))
        }
        var message = "n,"
        if !authorizationID.isEmpty {
            guard !authorizationID.utf8.contains(0) else {
                return fail(.invalidCredential(field: "authorization id", reason: "contains NUL"))
            }
            message += "a=" + ScramMechanism.saslName(authorizationID)
        }
        message += ",\u{1}auth=Bearer \(token.value)\u{1}"
        for key in extensions.keys.sorted() {
            let value = extensions[key] ?? ""
            // RFC 7628 §3.1: key = 1*(ALPHA); value = *(VCHAR / SP / HTAB / CR / LF); "auth" is reserved.
            guard !key.isEmpty, key != "auth",
                  key.utf8.allSatisfy({ ($0 | 0x20) >= UInt8(ascii: "a") && ($0 | 0x20) <= UInt8(ascii: "z") }) else {
                return fail(.invalidCredential(field: "extension key", reason: "must be letters only and not auth"))
            }
            guard value.utf8.allSatisfy({ ($0 >= 0x21 && $0 <= 0x7E) || $0 == 0x20 || $0 == 0x09 || $0 == 0x0D
                                          || $0 == 0x0A }) else {
                return fail(.invalidCredential(field: "extension \(key)", reason: "has characters RFC 7628 forbids"))
            }
            message += "\(key)=\(value)\u{1}"
        }
        message += "\u{1}"
        state = .sent
        return .send(Array(message.utf8))
    }

    public mutating func serverMessageReceived(_ message: [UInt8]) -> SaslMechanismAction {
        switch state {
        case .sent where message.isEmpty:
            state = .done
            return .complete
        case .sent:
            // The server's error document (JSON: status, scope, openid-configuration). Acknowledge it.
            state = .errorAcknowledged(String(decoding: message.prefix(512), as: UTF8.self))
            return .send([0x01])
        case let .errorAcknowledged(document):
            return fail(.serverReportedError(mechanism: name, message: document))
        case .initial, .done, .failed:
            return fail(.unexpectedMessage(mechanism: name, reason: "server message outside the exchange"))
        }
    }

    /// The server's error document, once it rejected the token (the broker's error usually follows).
    public var serverErrorDocument: String? {
        if case let .errorAcknowledged(document) = state { return document }
        return nil
    }

    private mutating func fail(_ error: SaslError) -> SaslMechanismAction {
        state = .failed
        return .fail(error)
    }

    /// Redacted: shows the token's expiry and extension keys only.
    public var description: String {
        "OAuthBearerMechanism(token: \(token), extensions: \(extensions.keys.sorted()))"
    }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror without secrets.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
