import Glibc

/// A failed system call: which one, and the errno it set.
public struct SocketError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The call that failed (`connect`, `recv`, `getaddrinfo`, ...).
    public var operation: String
    /// The errno value (or the getaddrinfo error code for `getaddrinfo`).
    public var code: Int32

    /// An error for `operation` with `code`.
    public init(_ operation: String, code: Int32) {
        self.operation = operation
        self.code = code
    }

    /// `connect: Connection refused (errno 111)`.
    public var description: String {
        let text: String
        if operation == "getaddrinfo" {
            text = String(cString: gai_strerror(code))
        } else {
            text = String(cString: strerror(code))
        }
        return "\(operation): \(text) (\(operation == "getaddrinfo" ? "code" : "errno") \(code))"
    }
}

/// The outcome of a non-blocking call that may have to wait.
enum NonBlocking<T> {
    case done(T)
    case wouldBlock
}

/// Runs a system call that returns -1 and sets errno on failure, retrying on EINTR.
@inline(__always)
func systemCall<T: FixedWidthInteger>(_ operation: String, _ body: () -> T) throws(SocketError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let code = errno
        if code == EINTR { continue }
        throw SocketError(operation, code: code)
    }
}

/// Like `systemCall`, but EAGAIN/EWOULDBLOCK (and EINPROGRESS for connect) mean "try again later".
@inline(__always)
func nonBlockingCall<T: FixedWidthInteger>(_ operation: String, _ body: () -> T) throws(SocketError) -> NonBlocking<T> {
    while true {
        let result = body()
        if result != -1 { return .done(result) }
        let code = errno
        if code == EINTR { continue }
        if code == EAGAIN || code == EWOULDBLOCK || code == EINPROGRESS { return .wouldBlock }
        throw SocketError(operation, code: code)
    }
}

/// The current time on the monotonic clock, for deadlines.
@inline(__always)
func monotonicNow() -> ContinuousClock.Instant { ContinuousClock.now }
