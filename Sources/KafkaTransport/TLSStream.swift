import KafkaSecurity

/// A connection's TLS layer: the session (OpenSSL behind a BIO pair, no I/O) between the framing
/// and the socket.
///
/// Outgoing frames are encrypted into the session's bounded buffer and its ciphertext written to
/// the socket; received ciphertext is decrypted into the loop's plaintext chunk and fed to the
/// `FrameDecoder`. The connection owns it inside its `Mutex`, which serializes every call.
struct TLSStream: Sendable {
    let session: TLSSession
    /// The TCP connect finished and the handshake runs (the state machine is still `connecting`).
    var tcpConnected = false

    var isHandshaking: Bool { tcpConnected && session.state == .handshaking }
}

/// Why writing to a connection failed.
enum StreamWriteError: Error, CustomStringConvertible {
    case socket(SocketError)
    case tls(TLSError)

    var description: String {
        switch self {
        case let .socket(error): "\(error)"
        case let .tls(error): "\(error)"
        }
    }
}

/// Where `OutgoingBuffer` writes: the socket itself, or the TLS session in front of it.
protocol ByteSink {
    associatedtype Failure: Error
    /// Takes what it can of `bytes` without blocking; 0 when it can take nothing now.
    func send(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> Int
}

extension TCPSocket: ByteSink {}

/// Encrypts into the session; its ciphertext goes to the socket when the session's buffer is full
/// (and by `drain()` at the end of a flush), so large writes cost one syscall per buffer, not per record.
struct TLSSink: ByteSink {
    let socket: TCPSocket
    let session: TLSSession

    func send(_ bytes: UnsafeRawBufferPointer) throws(StreamWriteError) -> Int {
        let taken = try encrypt(bytes)
        if taken > 0 { return taken }
        // The session's buffer is full: make room, and try once more if the socket took some.
        let before = session.pendingCiphertextCount
        _ = try drain()
        return session.pendingCiphertextCount < before ? try encrypt(bytes) : 0
    }

    private func encrypt(_ bytes: UnsafeRawBufferPointer) throws(StreamWriteError) -> Int {
        do { return try session.write(bytes) } catch { throw .tls(error) }
    }

    /// Writes the session's ciphertext until the socket would block; true when none is left.
    func drain() throws(StreamWriteError) -> Bool {
        while true {
            let pending = session.pendingCiphertext()
            if pending.isEmpty { return true }
            let sent: Int
            do { sent = try socket.send(pending) } catch { throw .socket(error) }
            session.ciphertextSent(sent)
            if sent < pending.count { return false }
        }
    }
}

extension BrokerConnection.Core {
    /// Decrypts `chunk` (ciphertext from the socket) and feeds the plaintext to the frame decoder,
    /// taking it in pieces when the session's buffer is fuller than the chunk. Returns true when the
    /// peer closed the TLS stream (close_notify).
    mutating func feedCiphertext(_ chunk: UnsafeRawBufferPointer, session: TLSSession, scratch: UnsafeMutableRawBufferPointer,
                                 emit: ([UInt8]) throws -> Void) throws -> Bool {
        var rest = chunk
        while true {
            let taken = session.receiveCiphertext(rest)
            rest = UnsafeRawBufferPointer(rebasing: rest[taken...])
            var produced = false
            decrypting: while true {
                switch try session.read(into: scratch) {
                case let .plaintext(count):
                    try decoder.feed(UnsafeRawBufferPointer(rebasing: scratch[0..<count]), emit: emit)
                    produced = true
                case .needsCiphertext: break decrypting
                case .closedByPeer: return true
                }
            }
            if rest.isEmpty { return false }
            if taken == 0 && !produced { throw TLSError.protocolError(reason: "received ciphertext cannot be decrypted") }
        }
    }

    /// After a write failed: the TLS error the peer's last bytes hold (an alert such as TLS 1.3's
    /// "certificate required", sent just before it reset the connection), if any. Reads what the
    /// socket still has into a buffer of its own (the caller may not be the loop thread); the
    /// connection is failing, so any application data among it is dropped.
    mutating func tlsAlertBeforeReset() -> TLSError? {
        guard let tls, let socket, tls.session.state == .established else { return nil }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 16 * 1024, alignment: 16)
        defer { buffer.deallocate() }
        for _ in 0..<4 {
            let received = (try? socket.receive(into: buffer)) ?? nil
            guard let received, received > 0 else { break }
            _ = tls.session.receiveCiphertext(UnsafeRawBufferPointer(rebasing: buffer[0..<received]))
        }
        do throws(TLSError) {
            while case .plaintext = try tls.session.read(into: buffer) {}
            return nil
        } catch {
            return error
        }
    }
}
