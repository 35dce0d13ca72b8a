import Foundation
import KafkaClient
import KafkaWire
import Synchronization
import Testing

/// Helpers for the consumer's live tests: topics, test data written by kcat (librdkafka), and
/// Swafka consumers that read until they have what they expect.
enum ConsumerTests {
    static var kcat: String? { ProcessInfo.processInfo.environment["SWAFKA_TESTBED_KCAT"] }
    static var python: String? { ProcessInfo.processInfo.environment["SWAFKA_TESTBED_PYTHON"] }

    /// A consumer configuration for `bootstrap` with the test defaults (Tansu's JoinGroup waits
    /// half the session timeout, so sessions are 6 s).
    static func configuration(_ bootstrap: String, group: String? = nil, _ extra: [String: String] = [:]) throws
        -> KafkaConsumerConfiguration {
        var properties = ["bootstrap.servers": bootstrap, "client.id": "swafka-consumer-it", "request.timeout.ms": "30000",
                          "default.api.timeout.ms": "60000", "retry.backoff.ms": "50", "session.timeout.ms": "6000",
                          "heartbeat.interval.ms": "500", "auto.offset.reset": "earliest", "fetch.max.wait.ms": "200"]
        if let group { properties["group.id"] = group }
        properties.merge(extra) { _, new in new }
        if let debug = ProcessInfo.processInfo.environment["SWAFKA_IT_DEBUG"] { properties["debug"] = debug }
        return try KafkaConsumerConfiguration(properties: properties)
    }

    /// Creates `topic` with `partitions` partitions and waits until every partition has a leader.
    static func createTopic(_ bootstrap: String, _ topic: String, partitions: Int) async throws {
        if bootstrap == TestBed.mock, let control = ProcessInfo.processInfo.environment["SWAFKA_MOCK_CONTROL"] {
            // The mock has no CreateTopics: its control protocol creates topics (one replica).
            let replies = try ControlConnection.send(["topic create \(topic) \(partitions) 1"], to: control)
            guard replies.first?.hasPrefix("ok") == true else { throw MockCommandFailed(command: "topic create", reply: replies.first ?? "") }
            return
        }
        let admin = try KafkaAdminClient(configuration: ClusterScenarios.configuration(bootstrap))
        do {
            _ = try await admin.createTopic(NewTopic(name: topic, partitions: Int32(partitions), replicationFactor: 1))
            _ = try await ClusterScenarios.waitForTopic(admin, topic, partitions: partitions)
        } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()
    }

    /// Writes `lines` (`key:value`, one message each) to `partition` with kcat (librdkafka),
    /// compressed with `codec`; `extra` adds kcat arguments (`-H name=value` headers...).
    static func produce(_ bootstrap: String, topic: String, partition: Int32, lines: [String], codec: String = "none",
                        extra: [String] = []) throws {
        guard let kcat else { throw TestBedMissing(name: "SWAFKA_TESTBED_KCAT") }
        let input = lines.joined(separator: "\n") + "\n"
        let result = try run(kcat, ["-b", bootstrap, "-P", "-t", topic, "-p", String(partition), "-K", ":", "-z", codec,
                                    "-X", "linger.ms=20", "-X", "allow.auto.create.topics=false"] + extra, input: input)
        guard result.status == 0 else { throw ProcessFailed(command: "kcat -P", status: result.status, output: result.output) }
    }

    /// Runs a program to completion with `input` on stdin; returns its exit status and stderr+stdout.
    static func run(_ path: String, _ arguments: [String], input: String = "", environment: [String: String]? = nil) throws
        -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
        let stdin = Pipe()
        let output = Pipe()
        process.standardInput = stdin
        process.standardOutput = output
        process.standardError = output
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Reads messages until `count` have arrived (or `timeout` passes) and returns them.
    static func read(_ consumer: KafkaConsumer, count: Int, timeout: Duration = .seconds(60)) async throws -> [KafkaConsumerMessage] {
        try await withThrowingTaskGroup(of: [KafkaConsumerMessage]?.self) { group in
            group.addTask {
                var messages: [KafkaConsumerMessage] = []
                for try await message in consumer.messages {
                    messages.append(message)
                    if messages.count >= count { break }
                }
                return messages
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let messages = first else {
                Issue.record("timed out after \(timeout) waiting for \(count) messages")
                return []
            }
            return messages
        }
    }

    /// `body`'s result, or nil (with an issue recorded) if it takes longer than `timeout`.
    static func withTimeout<T: Sendable>(_ timeout: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
        try await withThrowingTaskGroup(of: T?.self) { group in
            group.addTask { try await body() }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let value = first else {
                Issue.record("timed out after \(timeout)")
                return nil
            }
            return value
        }
    }

    static func text(_ slice: ByteSlice?) -> String? {
        slice.map { String(decoding: $0.withUnsafeBytes { Array($0) }, as: UTF8.self) }
    }

    /// Runs `body` with a running consumer, closing it afterwards.
    static func withConsumer<T: Sendable>(_ configuration: KafkaConsumerConfiguration,
                                          _ body: (KafkaConsumer) async throws -> T) async throws -> T {
        try await withKafkaConsumer(configuration: configuration, logger: ClusterScenarios.logger) { consumer in try await body(consumer) }
    }
}

struct ProcessFailed: Error, CustomStringConvertible {
    let command: String
    let status: Int32
    let output: String
    var description: String { "\(command) exited \(status): \(output.suffix(2000))" }
}

/// Collects events in the background.
final class EventLog: Sendable {
    private let events = Mutex<[KafkaConsumerEvent]>([])

    var all: [KafkaConsumerEvent] { events.withLock { $0 } }

    func append(_ event: KafkaConsumerEvent) { events.withLock { $0.append(event) } }

    /// Consumes `consumer.events` until it ends; completes revocations at once.
    func collect(_ consumer: KafkaConsumer) async {
        for await event in consumer.events {
            if case let .partitionsRevoked(revocation) = event { revocation.complete() }
            append(event)
        }
    }
}
