// The client side of a SASL mechanism as a socket-free state machine: it starts with an initial response,
// then each server message (a challenge or the final message) comes in as an event and an action comes out.
// The Kafka exchange (SaslClientExchange) carries the bytes in SaslAuthenticate; tests drive it directly.

/// What a SASL mechanism asks its owner to do next.
public enum SaslMechanismAction: Hashable, Sendable {
    /// Send these bytes to the server (they may contain a password: never log them).
    case send([UInt8])
    /// The mechanism finished and, where it can, verified the server.
    case complete
    /// Authentication cannot succeed.
    case fail(SaslError)
}

extension SaslMechanismAction: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The action with any bytes replaced by their length.
    public var description: String {
        switch self {
        case let .send(bytes): "send(<\(bytes.count) bytes redacted>)"
        case .complete: "complete"
        case let .fail(error): "fail(\(error))"
        }
    }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror without the bytes.
    public var customMirror: Mirror { Mirror(self, children: ["action": description]) }
}

/// A client SASL mechanism: PLAIN, SCRAM-SHA-256/512, OAUTHBEARER.
public protocol SaslClientMechanism: Sendable {
    /// The IANA name sent in SaslHandshake (`SCRAM-SHA-512`).
    var name: String { get }
    /// The client's first message (every mechanism here is client-first).
    mutating func start() -> SaslMechanismAction
    /// The server's next message.
    mutating func serverMessageReceived(_ message: [UInt8]) -> SaslMechanismAction
}

/// A user name and password, for PLAIN and SCRAM. The password never appears in a description or a mirror.
public struct SaslCredentials: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// The user name (`sasl.username`).
    public var username: String
    /// The password (`sasl.password`). Secret.
    public var password: String

    /// Credentials for `username`.
    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// `SaslCredentials(username: "alice", password: <redacted>)`.
    public var description: String { "SaslCredentials(username: \"\(username)\", password: <redacted>)" }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror without the password.
    public var customMirror: Mirror {
        Mirror(self, children: ["username": username, "password": "<redacted>"], displayStyle: .struct)
    }
}

/// PLAIN (RFC 4616): one message, `authzid NUL authcid NUL passwd`, and no way to verify the server.
/// Only safe over TLS: the password crosses the wire as is.
public struct PlainMechanism: SaslClientMechanism, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    private enum State: Hashable, Sendable { case initial, sent, done, failed }

    /// `PLAIN`.
    public var name: String { "PLAIN" }
    private let credentials: SaslCredentials
    private let authorizationID: String
    private var state: State = .initial

    /// PLAIN for `credentials`, acting as `authorizationID` (empty: as the user itself, as Kafka expects).
    public init(credentials: SaslCredentials, authorizationID: String = "") {
        self.credentials = credentials
        self.authorizationID = authorizationID
    }

    public mutating func start() -> SaslMechanismAction {
        switch state {
        case .initial: break
        case .sent, .done, .failed:
            return fail(.unexpectedMessage(mechanism: name, reason: "start called twice"))
        }
        // RFC 4616: each part is 1*SAFE (UTF-8 without NUL); the authzid may be empty, the others not.
        for (field, value, mayBeEmpty) in [("authorization id", authorizationID, true),
                                           ("username", credentials.username, false),
                                           ("password", credentials.password, false)] {
            if value.utf8.contains(0) { return fail(.invalidCredential(field: field, reason: "contains NUL")) }
            if value.isEmpty, !mayBeEmpty { return fail(.invalidCredential(field: field, reason: "is empty")) }
        }
        state = .sent
        return .send(Array(authorizationID.utf8) + [0] + Array(credentials.username.utf8) + [0]
                     + Array(credentials.password.utf8))
    }

    public mutating func serverMessageReceived(_ message: [UInt8]) -> SaslMechanismAction {
        switch state {
        case .sent where message.isEmpty:
            // Kafka answers a good PLAIN login with an empty token and no error.
            state = .done
            return .complete
        case .sent:
            return fail(.unexpectedMessage(mechanism: name, reason: "server sent \(message.count) bytes; PLAIN has no challenge"))
        case .initial, .done, .failed:
            return fail(.unexpectedMessage(mechanism: name, reason: "server message outside the exchange"))
        }
    }

    private mutating func fail(_ error: SaslError) -> SaslMechanismAction {
        state = .failed
        return .fail(error)
    }

    /// `PlainMechanism(username: "alice")`.
    public var description: String { "PlainMechanism(username: \"\(credentials.username)\", state: \(state))" }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror without the password.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
