import Foundation
import Glibc
import Testing

/// A librdkafka mock cluster of one's own, for fault tests: taking brokers down, moving leaders and
/// injecting errors would disturb every other test sharing the test bed's mock, so each fault suite
/// starts the test bed's launcher (`.testbed/bin/mock_cluster`, or `SWAFKA_MOCK_CLUSTER_BIN`) itself
/// and stops it afterwards.
/// `@unchecked Sendable`: `process` is only started in `init` and terminated in `stop()`; Process is thread-safe for that.
final class PrivateMockCluster: @unchecked Sendable {
    let bootstrap: String
    let control: String
    private let process: Process

    /// The launcher binary, if the test bed is installed.
    static var binary: String? {
        if let path = ProcessInfo.processInfo.environment["SWAFKA_MOCK_CLUSTER_BIN"] { return path }
        // Tests/IntegrationTests/PrivateMockCluster.swift -> the package root.
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let path = root.appendingPathComponent(".testbed/bin/mock_cluster").path
        return FileManager.default.isExecutableFile(atPath: path) ? path : nil
    }

    /// Whether fault tests can run (or must, under SWAFKA_REQUIRE_INTEGRATION=1).
    static var isAvailable: Bool { binary != nil || TestBed.required }

    /// Starts `brokers` brokers with `topics` (`name:partitions:replication`) and waits until it is ready.
    init(brokers: Int = 3, topics: [String]) throws {
        guard let binary = Self.binary else { throw TestBedMissing(name: "SWAFKA_MOCK_CLUSTER_BIN (or .testbed/bin/mock_cluster)") }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["-b", String(brokers)] + topics
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
        var text = ""
        let reader = output.fileHandleForReading
        while !text.contains("ready\n") {
            let chunk = reader.availableData
            if chunk.isEmpty {
                process.terminate()
                throw MockStartFailed(output: text)
            }
            text += String(decoding: chunk, as: UTF8.self)
        }
        func field(_ name: String) -> String {
            text.split(separator: "\n").first { $0.hasPrefix(name + " ") }.map { String($0.dropFirst(name.count + 1)) } ?? ""
        }
        bootstrap = field("bootstrap")
        control = field("control")
    }

    /// Stops the cluster.
    func stop() {
        guard process.isRunning else { return }
        // The launcher's own shutdown first; SIGKILL after, because a child spawned from the test
        // runner may inherit a signal mask that blocks SIGTERM (seen here: terminate() left it running).
        _ = try? ControlConnection.send(["shutdown"], to: control)
        for _ in 0..<50 where process.isRunning { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    deinit { stop() }

    /// Sends control commands (see Scripts/testbed/README.md) and returns their replies; each must be `ok`.
    @discardableResult
    func command(_ lines: String...) throws -> [String] {
        let replies = try ControlConnection.send(lines, to: control)
        for (line, reply) in zip(lines, replies) where !reply.hasPrefix("ok") {
            throw MockCommandFailed(command: line, reply: reply)
        }
        return replies
    }
}

struct MockStartFailed: Error, CustomStringConvertible {
    let output: String
    var description: String { "mock_cluster did not start; it printed: \(output)" }
}

struct MockCommandFailed: Error, CustomStringConvertible {
    let command: String
    let reply: String
    var description: String { "mock command '\(command)' answered '\(reply)'" }
}

/// A blocking loopback client for the launcher's line protocol (test-only; one short exchange).
enum ControlConnection {
    static func send(_ lines: [String], to address: String) throws -> [String] {
        let parts = address.split(separator: ":")
        guard parts.count == 2, let port = UInt16(parts[1]) else { throw MockCommandFailed(command: "connect", reply: address) }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw MockCommandFailed(command: "socket", reply: "errno \(errno)") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr(String(parts[0]))
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw MockCommandFailed(command: "connect", reply: "errno \(errno)") }
        var replies: [String] = []
        var buffer = [UInt8](repeating: 0, count: 4096)
        var pending = ""
        for line in lines {
            let bytes = Array((line + "\n").utf8)
            guard Glibc.send(fd, bytes, bytes.count, Int32(MSG_NOSIGNAL)) == bytes.count else {
                throw MockCommandFailed(command: line, reply: "send failed")
            }
            while !pending.contains("\n") {
                let count = recv(fd, &buffer, buffer.count, 0)
                guard count > 0 else { throw MockCommandFailed(command: line, reply: "connection closed") }
                pending += String(decoding: buffer[0..<count], as: UTF8.self)
            }
            let end = pending.firstIndex(of: "\n")!
            replies.append(String(pending[..<end]).trimmingCharacters(in: .whitespacesAndNewlines))
            pending = String(pending[pending.index(after: end)...])
        }
        return replies
    }
}
