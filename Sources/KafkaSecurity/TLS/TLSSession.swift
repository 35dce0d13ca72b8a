import COpenSSL
import Glibc

/// One TLS connection as a pure state machine: ciphertext in and out, plaintext in and out, no I/O.
///
/// The owner moves bytes: what arrives from the socket goes to `receiveCiphertext`, what
/// `pendingCiphertext` holds goes to the socket (then `ciphertextSent`). OpenSSL sits behind a BIO
/// pair whose buffers are bounded, so a socket that does not drain makes `write` take nothing more
/// (backpressure), and nothing here ever blocks.
///
/// ```
/// handshaking ──advanceHandshake()──► established ──close()──► closed
///      │                                   │
///      └──────────── failed(TLSError) ◄────┘ (read/write errors)
/// ```
///
/// `@unchecked Sendable`: an `SSL` object must not be used from two threads at once. The owner
/// serializes every call (the transport keeps the session inside its connection's `Mutex`).
public final class TLSSession: @unchecked Sendable {
    /// Where the session is.
    public enum State: Hashable, Sendable {
        /// The handshake has not finished: call `advanceHandshake()` after each arrival of ciphertext.
        case handshaking
        /// Application data flows.
        case established
        /// `close()` was called, or the peer sent close_notify.
        case closed
        /// A fatal error; the connection must be dropped.
        case failed(TLSError)
    }

    /// What `read(into:)` produced.
    public enum ReadResult: Hashable, Sendable {
        /// This many plaintext bytes were written to the buffer.
        case plaintext(Int)
        /// Nothing more until more ciphertext arrives.
        case needsCiphertext
        /// The peer closed the TLS stream (close_notify).
        case closedByPeer
    }

    /// The session's state.
    public private(set) var state: State = .handshaking
    /// The host name the client verifies and sends as SNI (nil on the server side).
    public let host: String?
    /// Ciphertext bytes received so far (to tell "the peer sent nothing" from "it sent garbage").
    public private(set) var ciphertextReceived = 0

    let context: TLSContext
    let ssl: OpaquePointer
    /// Our end of the BIO pair; OpenSSL's end belongs to `ssl`.
    let network: OpaquePointer

    /// The BIO pair's buffer in each direction: bounds the ciphertext waiting for the socket, and
    /// how much received ciphertext is taken before it is decrypted.
    public static let bufferSize = 256 * 1024

    init(context: TLSContext, host: String?) throws(TLSError) {
        ERR_clear_error()
        guard let ssl = SSL_new(context.context) else {
            throw OpenSSLErrors.configuration("security.protocol", "cannot create a TLS session")
        }
        var inner: OpaquePointer? = nil
        var outer: OpaquePointer? = nil
        guard BIO_new_bio_pair(&inner, Self.bufferSize, &outer, Self.bufferSize) == 1, let inner, let outer else {
            SSL_free(ssl)
            throw OpenSSLErrors.configuration("security.protocol", "cannot create a BIO pair")
        }
        SSL_set_bio(ssl, inner, inner)  // ssl owns `inner` now (one reference, used for both directions)
        self.ssl = ssl
        self.network = outer
        self.context = context
        self.host = host
        if context.isServer {
            SSL_set_accept_state(ssl)
            return
        }
        SSL_set_connect_state(ssl)
        guard let host else { return }
        let configuration = context.configuration
        let isAddress = Self.isIPAddress(host)
        // SNI carries host names only (RFC 6066 forbids IP literals).
        if !isAddress && swafka_ssl_set_sni(ssl, host) != 1 {
            throw OpenSSLErrors.configuration("bootstrap.servers", "cannot send \(host) as the TLS server name")
        }
        SSL_set_verify(ssl, configuration.verifiesCertificate ? SSL_VERIFY_PEER : SSL_VERIFY_NONE, nil)
        if configuration.verifiesCertificate && configuration.verifiesHostname {
            let ok = isAddress ? X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host) : SSL_set1_host(ssl, host)
            guard ok == 1 else {
                throw OpenSSLErrors.configuration("ssl.endpoint.identification.algorithm", "cannot verify host \(host)")
            }
        }
    }

    deinit {
        SSL_free(ssl)
        BIO_free(network)
    }

    static func isIPAddress(_ host: String) -> Bool {
        var buffer = [UInt8](repeating: 0, count: 16)
        return inet_pton(AF_INET, host, &buffer) == 1 || inet_pton(AF_INET6, host, &buffer) == 1
    }

    // MARK: Ciphertext

    /// Takes what fits of `bytes` (ciphertext from the peer); returns the count taken. When it is
    /// less than `bytes.count`, `read(into:)` (or `advanceHandshake()`) must consume some first.
    public func receiveCiphertext(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        let written = BIO_write(network, base, Int32(clamping: bytes.count))
        guard written > 0 else { return 0 }
        ciphertextReceived += Int(written)
        return Int(written)
    }

    /// The peer closed its side of the stream (end of file on the socket).
    public func ciphertextEnded() {
        _ = BIO_ctrl(network, BIO_C_SHUTDOWN_WR, 0, nil)
    }

    /// The number of ciphertext bytes waiting for the socket.
    public var pendingCiphertextCount: Int { Int(swafka_bio_pending(network)) }

    /// A view of (some of) the ciphertext waiting for the socket, valid until the next call on the
    /// session; report what was sent with `ciphertextSent`. Empty when nothing waits.
    public func pendingCiphertext() -> UnsafeRawBufferPointer {
        var pointer: UnsafeMutablePointer<CChar>? = nil
        let count = BIO_nread0(network, &pointer)
        guard count > 0, let pointer else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: Int(count))
    }

    /// `count` bytes of `pendingCiphertext()` went to the socket.
    public func ciphertextSent(_ count: Int) {
        guard count > 0 else { return }
        var pointer: UnsafeMutablePointer<CChar>? = nil
        _ = BIO_nread(network, &pointer, Int32(clamping: count))
    }

    /// All ciphertext waiting, as an array (tests, and peers that copy anyway).
    public func takeCiphertext() -> [UInt8] {
        var out: [UInt8] = []
        while true {
            let chunk = pendingCiphertext()
            if chunk.isEmpty { return out }
            out.append(contentsOf: chunk)
            ciphertextSent(chunk.count)
        }
    }

    // MARK: Handshake

    /// Runs the handshake as far as the ciphertext received allows; returns the new state.
    /// Throws (and moves to `failed`) with the cause: an untrusted or expired certificate, a host
    /// name mismatch, an alert from the peer, bytes that are not TLS.
    @discardableResult
    public func advanceHandshake() throws(TLSError) -> State {
        switch state {
        case .established, .closed: return state
        case let .failed(error): throw error
        case .handshaking: break
        }
        ERR_clear_error()
        let result = SSL_do_handshake(ssl)
        if result == 1 {
            state = .established
            return state
        }
        let code = SSL_get_error(ssl, result)
        if code == SSL_ERROR_WANT_READ || code == SSL_ERROR_WANT_WRITE {
            return state
        }
        let error = handshakeError(code)
        state = .failed(error)
        throw error
    }

    private func handshakeError(_ code: Int32) -> TLSError {
        let queued = OpenSSLErrors.take()
        if !context.isServer {
            let verify = SSL_get_verify_result(ssl)
            if verify != X509_V_OK { return Self.verificationError(Int32(verify), host: host ?? "") }
        }
        if let (reason, reasonCode) = queued {
            // Alerts from the peer are reported as SSL_AD_REASON_OFFSET + the alert number.
            if reasonCode >= SSL_AD_REASON_OFFSET { return .rejectedByPeer(alert: Self.alertName(reason)) }
            if [SSL_R_WRONG_VERSION_NUMBER, SSL_R_PACKET_LENGTH_TOO_LONG, SSL_R_UNKNOWN_PROTOCOL,
                SSL_R_RECORD_LENGTH_MISMATCH, SSL_R_HTTP_REQUEST, SSL_R_HTTPS_PROXY_REQUEST].contains(reasonCode) {
                return .notTLS(reason: reason)
            }
            if reasonCode == SSL_R_UNEXPECTED_EOF_WHILE_READING { return .closedDuringHandshake }
            return .handshakeFailed(reason: reason)
        }
        if code == SSL_ERROR_ZERO_RETURN || code == SSL_ERROR_SYSCALL { return .closedDuringHandshake }
        return .handshakeFailed(reason: "SSL_do_handshake error \(code)")
    }

    /// "tlsv13 alert certificate required" → "certificate required". (OpenSSL 3.0's
    /// SSL_alert_desc_string_long does not know TLS 1.3's alerts; its error reasons do.)
    static func alertName(_ reason: String) -> String {
        for prefix in ["tlsv13 alert ", "tlsv1 alert ", "sslv3 alert ", "ssl/tls alert "] where reason.hasPrefix(prefix) {
            return String(reason.dropFirst(prefix.count))
        }
        return reason
    }

    static func verificationError(_ verify: Int32, host: String) -> TLSError {
        switch verify {
        case X509_V_ERR_HOSTNAME_MISMATCH, X509_V_ERR_IP_ADDRESS_MISMATCH: return .hostnameMismatch(host: host)
        case X509_V_ERR_CERT_HAS_EXPIRED: return .certificateExpired
        case X509_V_ERR_CERT_NOT_YET_VALID: return .certificateNotYetValid
        case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY,
             X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT,
             X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, X509_V_ERR_CERT_UNTRUSTED:
            return .untrustedCertificate(reason: String(cString: X509_verify_cert_error_string(Int(verify))))
        default:
            return .certificateRejected(code: Int(verify), reason: String(cString: X509_verify_cert_error_string(Int(verify))))
        }
    }

    // MARK: Application data

    /// Encrypts what fits of `plaintext`; returns the count taken (0 when the outgoing buffer is
    /// full: send `pendingCiphertext()` first). After a 0, retry with the same bytes.
    public func write(_ plaintext: UnsafeRawBufferPointer) throws(TLSError) -> Int {
        guard case .established = state else {
            if case let .failed(error) = state { throw error }
            throw .protocolError(reason: "write before the handshake finished or after close")
        }
        guard let base = plaintext.baseAddress, plaintext.count > 0 else { return 0 }
        ERR_clear_error()
        let result = SSL_write(ssl, base, Int32(clamping: plaintext.count))
        if result > 0 { return Int(result) }
        let code = SSL_get_error(ssl, result)
        if code == SSL_ERROR_WANT_WRITE || code == SSL_ERROR_WANT_READ { return 0 }
        let error = streamError(code)
        state = .failed(error)
        throw error
    }

    /// Decrypts into `buffer` what the received ciphertext holds.
    public func read(into buffer: UnsafeMutableRawBufferPointer) throws(TLSError) -> ReadResult {
        switch state {
        case .established: break
        case .closed: return .closedByPeer
        case let .failed(error): throw error
        case .handshaking: throw .protocolError(reason: "read before the handshake finished")
        }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return .needsCiphertext }
        ERR_clear_error()
        let result = SSL_read(ssl, base, Int32(clamping: buffer.count))
        if result > 0 { return .plaintext(Int(result)) }
        let code = SSL_get_error(ssl, result)
        switch code {
        case SSL_ERROR_WANT_READ, SSL_ERROR_WANT_WRITE: return .needsCiphertext
        case SSL_ERROR_ZERO_RETURN:
            state = .closed
            return .closedByPeer
        default:
            let error = streamError(code)
            state = .failed(error)
            throw error
        }
    }

    private func streamError(_ code: Int32) -> TLSError {
        if let (reason, reasonCode) = OpenSSLErrors.take() {
            if reasonCode >= SSL_AD_REASON_OFFSET {
                // TLS 1.3 finishes the client's handshake before the server checks the client's
                // certificate: its refusal ("certificate required") arrives as the first read.
                return .rejectedByPeer(alert: Self.alertName(reason))
            }
            return .protocolError(reason: reason)
        }
        if code == SSL_ERROR_SYSCALL { return .protocolError(reason: "the stream ended without close_notify") }
        return .protocolError(reason: "OpenSSL error \(code)")
    }

    /// Queues a close_notify (send `pendingCiphertext()` afterwards if the socket is still open).
    public func close() {
        guard case .established = state else {
            if case .handshaking = state { state = .closed }
            return
        }
        ERR_clear_error()
        _ = SSL_shutdown(ssl)
        ERR_clear_error()
        state = .closed
    }

    /// The negotiated protocol (`TLSv1.3`), once established.
    public var negotiatedVersion: String? {
        guard case .established = state, let text = SSL_get_version(ssl) else { return nil }
        return String(cString: text)
    }
}
