import Foundation
import Synchronization

/// What a finished process printed, and its exit status.
struct ProcessResult: Sendable, Equatable {
    var stdout: [UInt8]
    var stderr: String
    var status: Int32

    var stdoutText: String { String(decoding: stdout, as: UTF8.self) }
}

/// Runs a program with stdin from /dev/null (or `input`), killing it after `timeout`.
func runProcess(_ executable: String, _ arguments: [String], input: [UInt8]? = nil, environment: [String: String]? = nil,
                timeout: Duration = .seconds(30)) throws -> ProcessResult {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if let environment { process.environment = environment }
    let stdout = Pipe()
    let stderr = Pipe()
    process.standardOutput = stdout
    process.standardError = stderr
    let stdin = Pipe()
    process.standardInput = input == nil ? FileHandle.nullDevice : stdin
    try process.run()
    if let input {
        stdin.fileHandleForWriting.write(Data(input))
        try stdin.fileHandleForWriting.close()
    }
    // Read both pipes on their own threads so a full pipe cannot stall the child.
    let outData = Collected()
    let errData = Collected()
    let group = DispatchGroup()
    for (pipe, sink) in [(stdout, outData), (stderr, errData)] {
        group.enter()
        DispatchQueue.global().async {
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            sink.data.withLock { $0 = data }
            group.leave()
        }
    }
    let seconds = Double(timeout.components.seconds)
    if group.wait(timeout: .now() + seconds) == .timedOut {
        process.terminate()
        group.wait()
    }
    process.waitUntilExit()
    return ProcessResult(stdout: outData.data.withLock { [UInt8]($0) },
                         stderr: errData.data.withLock { String(decoding: $0, as: UTF8.self) },
                         status: process.terminationStatus)
}

/// Bytes read from a pipe on another thread.
final class Collected: Sendable {
    let data = Mutex(Data())
}

/// Where the package's built products are: the directory of the running test bundle.
enum BuiltProducts {
    static var directory: URL {
        var url = URL(fileURLWithPath: ProcessInfo.processInfo.arguments[0]).resolvingSymlinksInPath()
        // On Linux the runner is <products>/<Package>PackageTests.xctest; on macOS the bundle's executable is deeper.
        while url.pathComponents.count > 1 && !FileManager.default.fileExists(atPath: url.appendingPathComponent("swafkacat").path) {
            url.deleteLastPathComponent()
        }
        return url
    }

    static var swafkacat: String { directory.appendingPathComponent("swafkacat").path }
}

#if canImport(Glibc)
import Glibc

/// A child process started with posix_spawn with no signal blocked and SIGINT, SIGTERM and SIGPIPE
/// at their default actions. (Foundation's Process hands the child the mask of the spawning
/// thread, and test threads block most signals: a child could then never see a SIGINT.)
struct SpawnedProcess {
    let pid: pid_t
    /// Our end of the child's stdin (nil when it reads /dev/null).
    let input: FileHandle?
    let output: FileHandle
    let errors: FileHandle

    init(_ executable: String, _ arguments: [String], withInput: Bool) throws {
        let stdinPipe = Pipe()
        let stdoutPipe = Pipe()
        let stderrPipe = Pipe()
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if withInput {
            posix_spawn_file_actions_adddup2(&actions, stdinPipe.fileHandleForReading.fileDescriptor, 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_adddup2(&actions, stdoutPipe.fileHandleForWriting.fileDescriptor, 1)
        posix_spawn_file_actions_adddup2(&actions, stderrPipe.fileHandleForWriting.fileDescriptor, 2)
        for descriptor in [stdinPipe.fileHandleForWriting.fileDescriptor, stdoutPipe.fileHandleForReading.fileDescriptor,
                           stderrPipe.fileHandleForReading.fileDescriptor] {
            posix_spawn_file_actions_addclose(&actions, descriptor)
        }
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var none = sigset_t()
        sigemptyset(&none)
        posix_spawnattr_setsigmask(&attributes, &none)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for number in [SIGINT, SIGTERM, SIGPIPE] { sigaddset(&defaults, number) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid = pid_t()
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EINVAL) }
        self.pid = pid
        try stdinPipe.fileHandleForReading.close()
        try stdoutPipe.fileHandleForWriting.close()
        try stderrPipe.fileHandleForWriting.close()
        if withInput {
            input = stdinPipe.fileHandleForWriting
        } else {
            try stdinPipe.fileHandleForWriting.close()
            input = nil
        }
        output = stdoutPipe.fileHandleForReading
        errors = stderrPipe.fileHandleForReading
    }

    /// Sends `number` to the child.
    func signal(_ number: Int32) { kill(pid, number) }

    /// Waits for the child: its exit status (128 + the signal when a signal ended it).
    func wait() -> Int32 {
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let signal = status & 0x7f
        return signal == 0 ? (status >> 8) & 0xff : 128 + signal
    }
}
#endif
