import COpenSSL

/// Why a TLS connection could not be set up or broke. Each case names the cause; none carries a
/// secret (key passwords and inline keys are never part of a message).
public enum TLSError: Error, Hashable, Sendable, CustomStringConvertible {
    /// A setting could not be used: a file that cannot be read, a key that does not decrypt or match
    /// its certificate. `setting` is the property name (`ssl.key.location`).
    case invalidConfiguration(setting: String, reason: String)
    /// The broker's certificate does not chain to a trusted CA (`ssl.ca.location`, or the system store).
    case untrustedCertificate(reason: String)
    /// The broker's certificate does not name `host` (`ssl.endpoint.identification.algorithm=https`).
    case hostnameMismatch(host: String)
    /// The broker's certificate (or one in its chain) has expired.
    case certificateExpired
    /// The broker's certificate (or one in its chain) is not valid yet.
    case certificateNotYetValid
    /// Another certificate verification failure (OpenSSL's X509_V_ERR code and text).
    case certificateRejected(code: Int, reason: String)
    /// The broker ended the handshake with an alert: `certificate required` when it wants a client
    /// certificate we did not give, `unknown ca` or `bad certificate` when it refused ours.
    case rejectedByPeer(alert: String)
    /// The bytes the peer sent are not TLS: most likely a plaintext listener.
    case notTLS(reason: String)
    /// The peer closed the connection before the handshake finished.
    case closedDuringHandshake
    /// The handshake did not finish within `socket.connection.setup.timeout.ms`; the peer may not speak TLS.
    case handshakeTimedOut(after: Duration)
    /// The handshake failed for another reason (OpenSSL's text).
    case handshakeFailed(reason: String)
    /// The encrypted stream broke after the handshake (a bad record, an alert from the peer).
    case protocolError(reason: String)

    /// Whether a new connection may succeed: only for failures of the transport itself, not of
    /// certificates, configuration or a peer that does not speak TLS.
    public var isRetriable: Bool {
        switch self {
        case .closedDuringHandshake, .handshakeTimedOut, .protocolError: true
        case .invalidConfiguration, .untrustedCertificate, .hostnameMismatch, .certificateExpired, .certificateNotYetValid,
             .certificateRejected, .rejectedByPeer, .notTLS, .handshakeFailed: false
        }
    }

    public var description: String {
        switch self {
        case let .invalidConfiguration(setting, reason): "\(setting): \(reason)"
        case let .untrustedCertificate(reason):
            "the broker's certificate is not trusted (\(reason)); check ssl.ca.location"
        case let .hostnameMismatch(host):
            "the broker's certificate does not match host \(host) (ssl.endpoint.identification.algorithm=https)"
        case .certificateExpired: "the broker's certificate has expired"
        case .certificateNotYetValid: "the broker's certificate is not valid yet"
        case let .certificateRejected(code, reason): "the broker's certificate was rejected: \(reason) (X509_V_ERR \(code))"
        case let .rejectedByPeer(alert): "the broker ended the TLS handshake with alert \"\(alert)\""
        case let .notTLS(reason): "the peer does not speak TLS (\(reason)); is this a plaintext listener?"
        case .closedDuringHandshake: "the peer closed the connection during the TLS handshake"
        case let .handshakeTimedOut(after):
            "the TLS handshake did not finish within \(after); is this a TLS listener?"
        case let .handshakeFailed(reason): "TLS handshake failed: \(reason)"
        case let .protocolError(reason): "TLS error: \(reason)"
        }
    }
}

/// OpenSSL's error queue, read into our errors.
enum OpenSSLErrors {
    /// The reason text of the oldest queued error ("wrong version number"), and its reason code; clears the queue.
    static func take() -> (reason: String, code: Int32)? {
        let error = ERR_get_error()
        ERR_clear_error()
        guard error != 0 else { return nil }
        let code = ERR_GET_REASON(error)
        if let text = ERR_reason_error_string(error) { return (String(cString: text), code) }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(error, &buffer, buffer.count)
        return (String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self), code)
    }

    /// A configuration error for `setting`, with OpenSSL's reason when it gave one.
    static func configuration(_ setting: String, _ what: String) -> TLSError {
        let reason = take().map { "\(what): \($0.reason)" } ?? what
        return .invalidConfiguration(setting: setting, reason: reason)
    }
}
