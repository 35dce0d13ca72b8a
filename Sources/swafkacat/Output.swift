#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization
import SwafkacatCore

/// A file descriptor with an optional buffer: stdout is buffered like C's stdio when it is not a
/// terminal (kcat's `-u` turns that off), stderr never is. Bytes go out as they are (payloads need not be UTF-8).
final class FileOutput: Sendable {
    private struct State {
        var buffer: [UInt8] = []
        var buffered: Bool
        var failed = false
    }

    let descriptor: Int32
    private let state: Mutex<State>
    private static let capacity = 64 * 1024

    init(descriptor: Int32, buffered: Bool) {
        self.descriptor = descriptor
        self.state = Mutex(State(buffered: buffered))
    }

    /// Appends `bytes`; false once a write has failed (a closed pipe).
    @discardableResult
    func write(_ bytes: some Collection<UInt8>) -> Bool {
        state.withLock { state in
            state.buffer.append(contentsOf: bytes)
            if !state.buffered || state.buffer.count >= Self.capacity { drain(&state) }
            return !state.failed
        }
    }

    /// Writes out what is buffered; false once a write has failed.
    @discardableResult
    func flush() -> Bool {
        state.withLock { state in
            drain(&state)
            return !state.failed
        }
    }

    /// Stops buffering (`-u`).
    func unbuffer() {
        state.withLock { state in
            state.buffered = false
            drain(&state)
        }
    }

    private func drain(_ state: inout State) {
        var written = 0
        while written < state.buffer.count && !state.failed {
            let result = state.buffer[written...].withUnsafeBytes { raw in
                #if canImport(Glibc)
                Glibc.write(descriptor, raw.baseAddress, raw.count)
                #else
                Darwin.write(descriptor, raw.baseAddress, raw.count)
                #endif
            }
            if result >= 0 {
                written += result
            } else if errno != EINTR {
                state.failed = true
            }
        }
        state.buffer.removeAll(keepingCapacity: true)
    }
}

/// swafkacat's stdout and stderr.
enum Output {
    static let standardOutput = FileOutput(descriptor: 1, buffered: isatty(1) != 1)
    static let standardError = FileOutput(descriptor: 2, buffered: false)

    /// Writes `bytes` to stdout; false when the write failed.
    @discardableResult
    static func write(_ bytes: [UInt8]) -> Bool { standardOutput.write(bytes) }

    /// Writes `text` to stdout.
    @discardableResult
    static func write(_ text: String) -> Bool { standardOutput.write(text.utf8) }

    /// Writes `text` to stderr (unbuffered, after flushing stdout, as kcat's output interleaves).
    static func error(_ text: String) {
        guard !text.isEmpty else { return }
        standardError.write(text.utf8)
    }

    /// Flushes stdout.
    @discardableResult
    static func flush() -> Bool { standardOutput.flush() }

    /// Makes stdout unbuffered (`-u`).
    static func unbuffer() { standardOutput.unbuffer() }

    /// Whether stdin is a terminal.
    static var stdinIsTerminal: Bool { isatty(STDIN_FILENO) == 1 }

    /// Flushes and exits with `status`.
    static func exit(_ status: Int32) -> Never {
        standardOutput.flush()
        #if canImport(Glibc)
        Glibc.exit(status)
        #else
        Darwin.exit(status)
        #endif
    }
}

/// Reads a whole file as text; the error is `strerror(errno)`, as kcat prints it.
func readTextFile(_ path: String) -> Result<String, CommandLineEnvironment.FileError> {
    readBinaryFile(path).map { String(decoding: $0, as: UTF8.self) }
}

/// Reads a whole file.
func readBinaryFile(_ path: String) -> Result<[UInt8], CommandLineEnvironment.FileError> {
    guard let file = fopen(path, "rb") else { return .failure(.init(String(cString: strerror(errno)))) }
    defer { fclose(file) }
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65536)
    while true {
        let count = chunk.withUnsafeMutableBufferPointer { fread($0.baseAddress, 1, $0.count, file) }
        if count > 0 { bytes += chunk[0..<count] }
        if count < chunk.count {
            if ferror(file) != 0 { return .failure(.init(String(cString: strerror(errno)))) }
            break
        }
    }
    return .success(bytes)
}
