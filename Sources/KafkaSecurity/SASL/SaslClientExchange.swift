// The Kafka side of SASL (KIP-43, KIP-152, KIP-368) as a socket-free state machine:
//
//   start                          -> sendHandshake(SaslHandshake v1, mechanism name)
//   handshake OK                   -> sendAuthenticate(mechanism's first message)
//   handshake UNSUPPORTED_SASL_... -> failed(.unsupportedMechanism(requested, enabled: broker's list))
//   authenticate OK, more to say   -> sendAuthenticate(next message)
//   authenticate OK, mechanism done-> authenticated(session)   (session lifetime from v1+, KIP-368)
//   authenticate error             -> failed(mapped error, with the broker's message)
//
// The owner (BrokerConnection's `.authenticate` step) encodes each request at the negotiated version, sends it,
// and feeds the decoded response back. Re-authentication runs a fresh exchange on the same connection.

import KafkaWire

/// An authenticated SASL session: which mechanism, and how long the broker lets it live.
public struct SaslSession: Hashable, Sendable, CustomStringConvertible {
    /// The mechanism used (`SCRAM-SHA-512`).
    public var mechanism: String
    /// The broker's session lifetime (SaslAuthenticate v1+ `SessionLifetimeMs`); nil when it sets none.
    public var sessionLifetime: Duration?

    /// A session over `mechanism`, valid for `sessionLifetime`.
    public init(mechanism: String, sessionLifetime: Duration?) {
        self.mechanism = mechanism
        self.sessionLifetime = sessionLifetime
    }

    /// When to re-authenticate (KIP-368): like Kafka's Java client, at 85–95% of the lifetime, `jitter`
    /// (0...1, clamped) choosing where. Nil when the broker set no lifetime.
    public func reauthenticationDelay(jitter: Double) -> Duration? {
        guard let sessionLifetime else { return nil }
        let fraction = 0.85 + 0.10 * min(max(jitter.isNaN ? 0 : jitter, 0), 1)
        return sessionLifetime * fraction
    }

    /// `SCRAM-SHA-512 session, lifetime 3600000 ms`.
    public var description: String {
        "\(mechanism) session" + (sessionLifetime.map { ", lifetime \($0)" } ?? ", no lifetime")
    }
}

/// SaslHandshake followed by SaslAuthenticate rounds, driving one `SaslClientMechanism`.
public struct SaslClientExchange: Sendable, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// The SaslHandshake version to send: v1, so that tokens travel in SaslAuthenticate (v0 is the legacy,
    /// unframed path this client does not implement).
    public static let handshakeVersion: Int16 = 1

    /// What the owner does next.
    public enum Action: Equatable, Sendable, CustomStringConvertible, CustomReflectable {
        /// Send this SaslHandshake at `SaslClientExchange.handshakeVersion`.
        case sendHandshake(SaslHandshakeRequest)
        /// Send this SaslAuthenticate (its bytes are secret; the request's description hides them).
        case sendAuthenticate(SaslAuthenticateRequest)
        /// Authentication succeeded.
        case authenticated(SaslSession)
        /// Authentication failed; close the connection and report the error.
        case failed(SaslError)

        /// Redacted by construction: SaslAuthenticateRequest hides its bytes.
        public var description: String {
            switch self {
            case let .sendHandshake(request): "sendHandshake(\(request.mechanism))"
            case let .sendAuthenticate(request): "sendAuthenticate(\(request))"
            case let .authenticated(session): "authenticated(\(session))"
            case let .failed(error): "failed(\(error))"
            }
        }
        /// A mirror that shows only `description`.
        public var customMirror: Mirror { Mirror(self, children: ["action": description]) }
    }

    private enum State: Hashable, Sendable { case initial, awaitingHandshake, awaitingAuthenticate, authenticated, failed }

    private var mechanism: any SaslClientMechanism
    private var state: State = .initial

    /// An exchange for `mechanism` (fresh: mechanisms are single-use).
    public init(mechanism: any SaslClientMechanism) {
        self.mechanism = mechanism
    }

    /// The mechanism's name.
    public var mechanismName: String { mechanism.name }

    /// Opens the exchange.
    public mutating func start() -> Action {
        guard case .initial = state else { return fail(unexpected("start called twice")) }
        state = .awaitingHandshake
        return .sendHandshake(SaslHandshakeRequest(mechanism: mechanism.name))
    }

    /// The broker answered the handshake.
    public mutating func handshakeResponseReceived(_ response: SaslHandshakeResponse) -> Action {
        guard case .awaitingHandshake = state else { return fail(unexpected("SaslHandshake response out of order")) }
        switch response.errorCode {
        case .none:
            return mechanismAction(mechanism.start(), sessionLifetimeMs: 0)
        case .unsupportedSaslMechanism:
            return fail(.unsupportedMechanism(requested: mechanism.name, enabled: response.mechanisms))
        case .illegalSaslState:
            return fail(.illegalState(brokerMessage: nil))
        default:
            return fail(.brokerError(response.errorCode, brokerMessage: nil))
        }
    }

    /// The broker answered a SaslAuthenticate.
    public mutating func authenticateResponseReceived(_ response: SaslAuthenticateResponse) -> Action {
        guard case .awaitingAuthenticate = state else {
            return fail(unexpected("SaslAuthenticate response out of order"))
        }
        let message = response.errorMessage.flatMap { $0.isEmpty ? nil : $0 }
        switch response.errorCode {
        case .none:
            return mechanismAction(mechanism.serverMessageReceived(response.authBytes.array),
                                   sessionLifetimeMs: response.sessionLifetimeMs)
        case .saslAuthenticationFailed:
            return fail(.authenticationFailed(brokerMessage: message))
        case .illegalSaslState:
            return fail(.illegalState(brokerMessage: message))
        case .unsupportedSaslMechanism:
            return fail(.unsupportedMechanism(requested: mechanism.name, enabled: []))
        default:
            return fail(.brokerError(response.errorCode, brokerMessage: message))
        }
    }

    private mutating func mechanismAction(_ action: SaslMechanismAction, sessionLifetimeMs: Int64) -> Action {
        switch action {
        case let .send(bytes):
            state = .awaitingAuthenticate
            return .sendAuthenticate(SaslAuthenticateRequest(authBytes: ByteSlice(bytes)))
        case .complete:
            state = .authenticated
            let lifetime: Duration? = sessionLifetimeMs > 0 ? .milliseconds(sessionLifetimeMs) : nil
            return .authenticated(SaslSession(mechanism: mechanism.name, sessionLifetime: lifetime))
        case let .fail(error):
            return fail(error)
        }
    }

    private func unexpected(_ reason: String) -> SaslError {
        .unexpectedMessage(mechanism: mechanism.name, reason: reason)
    }

    private mutating func fail(_ error: SaslError) -> Action {
        state = .failed
        return .failed(error)
    }

    /// The mechanism's name and the exchange's state (never the mechanism itself, which may hold secrets).
    public var description: String { "SaslClientExchange(\(mechanism.name), state: \(state))" }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror without secrets.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
