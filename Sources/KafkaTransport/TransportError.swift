import KafkaSecurity
import KafkaWire

/// Why a connection or a request on it failed.
public enum TransportError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The host name did not resolve.
    case resolutionFailed(BrokerAddress, SocketError)
    /// No resolved address accepted the connection.
    case connectFailed(BrokerAddress, SocketError)
    /// Connecting took longer than `socket.connection.setup.timeout.ms`.
    case connectTimedOut(BrokerAddress, after: Duration)
    /// The request got no response within `request.timeout.ms`; the connection is closed,
    /// because the response may still arrive and the stream's state is unknown.
    case requestTimedOut(api: ApiKey, correlationID: Int32, after: Duration)
    /// The connection closed or broke (by the peer, an I/O error, or `close()`) before the response arrived.
    case connectionClosed(BrokerAddress, reason: String)
    /// A frame's size prefix was negative or above the maximum.
    case invalidFrameSize(Int, maximum: Int)
    /// A response carried a correlation id that is not the oldest request in flight.
    case correlationMismatch(expected: Int32, received: Int32)
    /// A response's header or body did not decode; `payloadPrefix` holds its first bytes for bug reports.
    case malformedResponse(api: ApiKey, version: Int16, correlationID: Int32, error: WireDecodingError, payloadPrefix: ByteSlice)
    /// A request could not be encoded at the negotiated version.
    case encodingFailed(api: ApiKey, version: Int16, error: WireEncodingError)
    /// The broker does not offer the API, or no version both sides support.
    case unsupportedVersion(api: ApiKey, ours: ClosedRange<Int16>, theirs: ClosedRange<Int16>?)
    /// TLS failed: the handshake (an untrusted, expired or misnamed certificate, a peer that does
    /// not speak TLS or refused our certificate) or the encrypted stream after it.
    case tlsFailed(BrokerAddress, TLSError)
    /// Version negotiation or authentication answered with a Kafka error.
    case handshakeFailed(BrokerAddress, ErrorCode, String?)
    /// SASL authentication (or KIP-368 re-authentication) with `mechanism` failed: the broker rejected the
    /// credentials or the mechanism, or the exchange broke its rules. Never retried: the same credentials
    /// would fail again. Carries no secret (see `SaslError`).
    case authenticationFailed(BrokerAddress, mechanism: String, SaslError)
    /// The connection has been closed by its owner; no new requests are accepted.
    case shutDown
    /// The caller's task was cancelled while waiting.
    case cancelled

    /// Whether the same request may succeed on a new connection or after a metadata refresh.
    public var isRetriable: Bool {
        switch self {
        case .resolutionFailed, .connectFailed, .connectTimedOut, .requestTimedOut, .connectionClosed,
             .invalidFrameSize, .correlationMismatch: true
        case .malformedResponse, .encodingFailed, .unsupportedVersion, .handshakeFailed, .authenticationFailed, .shutDown, .cancelled: false
        case let .tlsFailed(_, error): error.isRetriable
        }
    }

    /// The Kafka error code of an authentication failure (SASL_AUTHENTICATION_FAILED,
    /// UNSUPPORTED_SASL_MECHANISM, ILLEGAL_SASL_STATE...), nil for other failures.
    public var saslErrorCode: ErrorCode? {
        if case let .authenticationFailed(_, _, error) = self { return error.errorCode }
        return nil
    }

    public var description: String {
        switch self {
        case let .resolutionFailed(address, error): "cannot resolve \(address): \(error)"
        case let .connectFailed(address, error): "cannot connect to \(address): \(error)"
        case let .connectTimedOut(address, after): "connecting to \(address) timed out after \(after)"
        case let .requestTimedOut(api, correlationID, after):
            "\(api.name) request (correlation id \(correlationID)) got no response within \(after)"
        case let .connectionClosed(address, reason): "connection to \(address) closed: \(reason)"
        case let .invalidFrameSize(size, maximum): "frame size \(size) is outside 0...\(maximum)"
        case let .correlationMismatch(expected, received):
            "response correlation id \(received) does not match the oldest request in flight (\(expected))"
        case let .malformedResponse(api, version, correlationID, error, prefix):
            "malformed \(api.name) v\(version) response (correlation id \(correlationID)): \(error); first bytes: \(prefix.hexString)"
        case let .encodingFailed(api, version, error): "cannot encode \(api.name) v\(version): \(error)"
        case let .unsupportedVersion(api, ours, theirs):
            if let theirs {
                "\(api.name): no common version (we support \(ours.lowerBound)-\(ours.upperBound), the broker \(theirs.lowerBound)-\(theirs.upperBound))"
            } else {
                "\(api.name): the broker does not offer this API (we support \(ours.lowerBound)-\(ours.upperBound))"
            }
        case let .tlsFailed(address, error): "TLS with \(address): \(error)"
        case let .handshakeFailed(address, code, message): "handshake with \(address) failed: \(code)\(message.map { ": \($0)" } ?? "")"
        case let .authenticationFailed(address, mechanism, error):
            "\(mechanism) authentication with \(address) failed: \(error)"
        case .shutDown: "the connection has been shut down"
        case .cancelled: "the request was cancelled"
        }
    }
}
