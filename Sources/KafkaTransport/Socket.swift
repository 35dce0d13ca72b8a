import CTransport
import Glibc

/// A host and port, as found in `bootstrap.servers` and in Metadata responses.
public struct BrokerAddress: Hashable, Sendable, CustomStringConvertible {
    /// A host name, IPv4 address or IPv6 address (without brackets).
    public var host: String
    /// The TCP port.
    public var port: Int

    /// An address.
    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `host:port`, `[v6]:port`; nil when malformed or the port is out of range.
    public init?(parsing text: String) {
        let trimmed = text.trimmingSpaces
        if trimmed.hasPrefix("["), let close = trimmed.firstIndex(of: "]") {
            let host = String(trimmed[trimmed.index(after: trimmed.startIndex)..<close])
            let rest = trimmed[trimmed.index(after: close)...]
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port), !host.isEmpty else { return nil }
            self.init(host: host, port: port)
            return
        }
        guard let colon = trimmed.lastIndex(of: ":"), let port = Int(trimmed[trimmed.index(after: colon)...]),
              (1...65535).contains(port) else { return nil }
        let host = String(trimmed[..<colon])
        guard !host.isEmpty, !host.contains(":") else { return nil }
        self.init(host: host, port: port)
    }

    /// `host:port`, with brackets around IPv6 literals.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}

/// A resolved socket address (IPv4 or IPv6), copied out of getaddrinfo's list.
struct ResolvedAddress: Sendable {
    let family: Int32
    let storage: [UInt8]

    var description: String {
        var host = [CChar](repeating: 0, count: Int(NI_MAXHOST))
        let ok = storage.withUnsafeBytes { raw in
            getnameinfo(raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(storage.count),
                        &host, socklen_t(host.count), nil, 0, NI_NUMERICHOST)
        }
        guard ok == 0 else { return "?" }
        let end = host.firstIndex(of: 0) ?? host.endIndex
        return String(decoding: host[..<end].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}

/// Resolves `address` with getaddrinfo, IPv4 and IPv6, TCP only. Blocking: call off the event loop.
func resolve(_ address: BrokerAddress) throws(SocketError) -> [ResolvedAddress] {
    var hints = addrinfo()
    hints.ai_family = AF_UNSPEC
    hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
    hints.ai_protocol = Int32(IPPROTO_TCP)
    hints.ai_flags = AI_ADDRCONFIG
    var list: UnsafeMutablePointer<addrinfo>? = nil
    let code = getaddrinfo(address.host, String(address.port), &hints, &list)
    if code == EAI_SYSTEM { throw SocketError("getaddrinfo", code: errno) }
    guard code == 0 else { throw SocketError("getaddrinfo", code: code) }
    defer { freeaddrinfo(list) }
    var results: [ResolvedAddress] = []
    var node = list
    while let entry = node {
        if let addr = entry.pointee.ai_addr, entry.pointee.ai_family == AF_INET || entry.pointee.ai_family == AF_INET6 {
            let bytes = [UInt8](UnsafeRawBufferPointer(start: addr, count: Int(entry.pointee.ai_addrlen)))
            results.append(ResolvedAddress(family: entry.pointee.ai_family, storage: bytes))
        }
        node = entry.pointee.ai_next
    }
    if results.isEmpty { throw SocketError("getaddrinfo", code: EAI_NONAME) }
    return results
}

/// An owned, non-blocking TCP socket. Closed exactly once, by `close()`.
struct TCPSocket: Sendable {
    let fd: Int32

    /// Creates a non-blocking, close-on-exec TCP socket for `family` with the given options.
    static func open(family: Int32, options: SocketOptions) throws(SocketError) -> TCPSocket {
        let type = Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue)
        let fd = try systemCall("socket") { socket(family, type, Int32(IPPROTO_TCP)) }
        let sock = TCPSocket(fd: fd)
        do {
            if options.noDelay { try sock.setOption(Int32(IPPROTO_TCP), TCP_NODELAY, 1, "setsockopt(TCP_NODELAY)") }
            if let size = options.sendBufferSize { try sock.setOption(SOL_SOCKET, SO_SNDBUF, Int32(clamping: size), "setsockopt(SO_SNDBUF)") }
            if let size = options.receiveBufferSize { try sock.setOption(SOL_SOCKET, SO_RCVBUF, Int32(clamping: size), "setsockopt(SO_RCVBUF)") }
            if options.keepAlive { try sock.setOption(SOL_SOCKET, SO_KEEPALIVE, 1, "setsockopt(SO_KEEPALIVE)") }
        } catch {
            sock.close()
            throw error
        }
        return sock
    }

    func setOption(_ level: Int32, _ name: Int32, _ value: Int32, _ operation: String) throws(SocketError) {
        var v = value
        _ = try systemCall(operation) { setsockopt(fd, level, name, &v, socklen_t(MemoryLayout<Int32>.size)) }
    }

    /// Starts a non-blocking connect; `.wouldBlock` means wait for writability, then call `connectResult()`.
    func startConnect(to address: ResolvedAddress) throws(SocketError) -> NonBlocking<Void> {
        let result = try nonBlockingCall("connect") {
            address.storage.withUnsafeBytes { raw in
                connect(fd, raw.baseAddress?.assumingMemoryBound(to: sockaddr.self), socklen_t(address.storage.count))
            }
        }
        switch result {
        case .done: return .done(())
        case .wouldBlock: return .wouldBlock
        }
    }

    /// The outcome of a connect that was in progress: nil when connected, else the error.
    func connectResult() -> SocketError? {
        var code: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        if getsockopt(fd, SOL_SOCKET, SO_ERROR, &code, &length) == -1 { return SocketError("getsockopt(SO_ERROR)", code: errno) }
        return code == 0 ? nil : SocketError("connect", code: code)
    }

    /// Sends what it can of `bytes` without blocking; returns the count sent (0 when it would block).
    func send(_ bytes: UnsafeRawBufferPointer) throws(SocketError) -> Int {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return 0 }
        switch try nonBlockingCall("send", { Glibc.send(fd, base, bytes.count, Int32(MSG_NOSIGNAL)) }) {
        case let .done(sent): return sent
        case .wouldBlock: return 0
        }
    }

    /// Receives into `buffer` without blocking: the count read, 0 at end of stream, nil when it would block.
    func receive(into buffer: UnsafeMutableRawBufferPointer) throws(SocketError) -> Int? {
        guard let base = buffer.baseAddress else { return nil }
        switch try nonBlockingCall("recv", { recv(fd, base, buffer.count, 0) }) {
        case let .done(count): return count
        case .wouldBlock: return nil
        }
    }

    /// Closes the descriptor. EINTR on close must not be retried on Linux (the fd is gone either way).
    func close() {
        _ = Glibc.close(fd)
    }
}

/// Socket options applied to every broker connection.
public struct SocketOptions: Sendable, Equatable {
    /// Disable Nagle's algorithm (`socket.nagle.disable`): requests go out at once.
    public var noDelay: Bool = true
    /// SO_SNDBUF in bytes (`socket.send.buffer.bytes`); nil keeps the system default.
    public var sendBufferSize: Int? = nil
    /// SO_RCVBUF in bytes (`socket.receive.buffer.bytes`); nil keeps the system default.
    public var receiveBufferSize: Int? = nil
    /// SO_KEEPALIVE (`socket.keepalive.enable`).
    public var keepAlive: Bool = false

    /// Default options: TCP_NODELAY on, system buffer sizes.
    public init() {}
}
