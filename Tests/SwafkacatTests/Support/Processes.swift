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
