// Typed SASL failures. No case carries a password, a token or a proof: descriptions are safe to log.

import KafkaWire

/// Why SASL authentication failed, from the mechanism or from the broker.
public enum SaslError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The broker does not enable the requested mechanism; `enabled` lists the ones it does.
    case unsupportedMechanism(requested: String, enabled: [String])
    /// The broker rejected the credentials (SASL_AUTHENTICATION_FAILED), with its message.
    case authenticationFailed(brokerMessage: String?)
    /// The broker saw a SASL request out of order (ILLEGAL_SASL_STATE).
    case illegalState(brokerMessage: String?)
    /// Any other error code on SaslHandshake or SaslAuthenticate.
    case brokerError(ErrorCode, brokerMessage: String?)
    /// A credential the mechanism cannot encode (say, a NUL in a PLAIN username); names the field only.
    case invalidCredential(field: String, reason: String)
    /// The server's message does not follow the mechanism's grammar.
    case malformedServerMessage(mechanism: String, reason: String)
    /// SCRAM: the server's nonce does not start with the client's nonce.
    case serverNonceMismatch
    /// SCRAM: the server asked for fewer PBKDF2 iterations than the configured minimum.
    case iterationCountTooLow(Int, minimum: Int)
    /// SCRAM: the server asked for more PBKDF2 iterations than the configured maximum (a cheap DoS otherwise).
    case iterationCountTooHigh(Int, maximum: Int)
    /// SCRAM: the server's signature is wrong: it does not know the password, or someone is in the middle.
    case serverSignatureMismatch
    /// The server reported an error inside the mechanism (SCRAM `e=`, an OAUTHBEARER error document).
    case serverReportedError(mechanism: String, message: String)
    /// The server sent a challenge after the mechanism had finished, or the broker ended the exchange early.
    case unexpectedMessage(mechanism: String, reason: String)
    /// OAUTHBEARER: the token provider failed; its error's description is not repeated (it may hold secrets).
    case tokenUnavailable(reason: String)
    /// A crypto primitive failed.
    case crypto(CryptoError)

    /// A one-line reason, free of credentials.
    public var description: String {
        switch self {
        case let .unsupportedMechanism(requested, enabled):
            "SASL mechanism \(requested) is not enabled on the broker; it offers: "
                + (enabled.isEmpty ? "none" : enabled.joined(separator: ", "))
        case let .authenticationFailed(message):
            "SASL authentication failed" + (message.map { ": \($0)" } ?? "")
        case let .illegalState(message):
            "illegal SASL state" + (message.map { ": \($0)" } ?? "")
        case let .brokerError(code, message):
            "SASL error \(code)" + (message.map { ": \($0)" } ?? "")
        case let .invalidCredential(field, reason):
            "invalid SASL \(field): \(reason)"
        case let .malformedServerMessage(mechanism, reason):
            "malformed \(mechanism) server message: \(reason)"
        case .serverNonceMismatch:
            "SCRAM server nonce does not extend the client nonce"
        case let .iterationCountTooLow(count, minimum):
            "SCRAM iteration count \(count) is below the minimum \(minimum)"
        case let .iterationCountTooHigh(count, maximum):
            "SCRAM iteration count \(count) is above the maximum \(maximum)"
        case .serverSignatureMismatch:
            "SCRAM server signature does not verify"
        case let .serverReportedError(mechanism, message):
            "\(mechanism) server error: \(message)"
        case let .unexpectedMessage(mechanism, reason):
            "unexpected \(mechanism) message: \(reason)"
        case let .tokenUnavailable(reason):
            "OAUTHBEARER token unavailable: \(reason)"
        case let .crypto(error):
            "crypto failure: \(error)"
        }
    }
}

extension SaslError {
    /// The Kafka error code this failure corresponds to: the broker's own code when it sent one, else
    /// SASL_AUTHENTICATION_FAILED for a client-side failure of the exchange (as Kafka's Java client reports a
    /// bad server signature or a malformed challenge as a SaslAuthenticationException).
    public var errorCode: ErrorCode {
        switch self {
        case .unsupportedMechanism: .unsupportedSaslMechanism
        case .illegalState: .illegalSaslState
        case let .brokerError(code, _): code
        case .authenticationFailed, .invalidCredential, .malformedServerMessage, .serverNonceMismatch,
             .iterationCountTooLow, .iterationCountTooHigh, .serverSignatureMismatch, .serverReportedError,
             .unexpectedMessage, .tokenUnavailable, .crypto: .saslAuthenticationFailed
        }
    }
}
