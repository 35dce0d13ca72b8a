import Foundation
import KafkaClient
import KafkaWire
import Logging
import Swafka
import Synchronization
import Testing

/// What the framework scenarios' controllers, responders and monitor saw, shared by every test of
/// the process; each scenario's topics carry its own id, so scenarios running at once never mix.
final class FrameworkLog: Sendable {
    static let shared = FrameworkLog()
    /// One id per test process: responder topics are class properties, so they cannot carry a
    /// per-scenario id of their own.
    static let runID = String(UUID().uuidString.prefix(8)).lowercased()

    struct Entry: Sendable {
        var topic: String
        var what: String
        var offset: Int64
        var attempt: Int
        var payload: [UInt8]
        var detail: String
    }

    private let entries = Mutex<[Entry]>([])

    func record(_ what: String, _ params: Params, attempt: Int = 1, detail: String = "") {
        let entry = Entry(topic: params.topic, what: what, offset: params.offset, attempt: attempt,
                          payload: params.message.payload?.array ?? [], detail: detail)
        entries.withLock { $0.append(entry) }
    }

    func entries(topic: String, _ what: String? = nil) -> [Entry] {
        entries.withLock { $0.filter { $0.topic == topic && (what == nil || $0.what == what) } }
    }
}

/// A monitor keeping every notice and error (and logging nothing).
final class RecordingMonitor: Monitor {
    private let state = Mutex<(notices: [(String, NoticeOptions)], errors: [(String, String)])>(([], []))

    func notice(_ caller: String, _ options: NoticeOptions) { state.withLock { $0.notices.append((caller, options)) } }
    func noticeError(_ caller: String, _ error: any Error) {
        state.withLock { $0.errors.append((caller, String(describing: error))) }
    }

    var notices: [NoticeOptions] { state.withLock { $0.notices.map(\.1) } }
    var errors: [String] { state.withLock { $0.errors.map(\.1) } }
    func count(_ event: MonitorEvent, topic: String? = nil) -> Int {
        notices.filter { $0.event == event && (topic == nil || $0.topic == topic) }.count
    }
}

enum Framework {
    static var logger: Logger {
        var logger = Logger(label: "swafka.framework-it")
        logger.logLevel = ProcessInfo.processInfo.environment["SWAFKA_IT_DEBUG"] != nil ? .debug : .critical
        return logger
    }

    /// A unique name for one scenario.
    static func name(_ scenario: String) -> String {
        "fw_\(FrameworkLog.runID)_\(scenario)_\(UUID().uuidString.prefix(6).lowercased())"
    }

    /// The settings every scenario uses: Tansu's JoinGroup waits half the session timeout, so 6 s.
    static func setup(_ name: String, _ bootstrap: String, monitor: any Monitor) -> (inout Configuration) -> Void {
        { config in
            config.name = name
            config.kafkaHosts = bootstrap.split(separator: ",").map(String.init)
            config.sessionTimeout = .seconds(6)
            config.heartbeatInterval = .milliseconds(500)
            config.offsetCommitInterval = .milliseconds(500)
            config.monitor = monitor
            config.logger = logger
            config.consumerProperties = ["fetch.max.wait.ms": "100", "retry.backoff.ms": "50"]
            config.producerProperties = ["linger.ms": "1"]
        }
    }

    static func createTopics(_ bootstrap: String, _ topics: [String], partitions: Int = 2) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for topic in topics {
                group.addTask { try await ConsumerTests.createTopic(bootstrap, topic, partitions: partitions) }
            }
            try await group.waitForAll()
        }
    }

    /// Produces `values` to `topic` (partition by key) and waits for the acknowledgements.
    static func produce(_ bootstrap: String, _ messages: [ProducerMessage]) async throws {
        try await produce(bootstrap, chunks: [messages])
    }

    /// Produces each chunk after the previous one was acknowledged (so each is its own record batch).
    static func produce(_ bootstrap: String, chunks: [[ProducerMessage]]) async throws {
        let configuration = try KafkaProducerConfiguration(properties: ["bootstrap.servers": bootstrap, "linger.ms": "1"])
        try await withKafkaProducer(configuration: configuration, logger: logger) { producer in
            for chunk in chunks { _ = try await producer.produceManySync(chunk) }
        }
    }

    static func json(_ topic: String, _ text: String, key: String? = nil) -> ProducerMessage {
        ProducerMessage(topic: topic, value: ByteSlice(text), key: key.map { ByteSlice($0) })
    }

    /// Every message of `topic`'s `partitions`, read from the start until none came for `idle`.
    static func readAll(_ bootstrap: String, _ topic: String, partitions: Int = 2,
                        idle: Duration = .milliseconds(1500)) async throws -> [KafkaConsumerMessage] {
        let configuration = try ConsumerTests.configuration(bootstrap)
        return try await ConsumerTests.withConsumer(configuration) { consumer in
            try consumer.assign((0..<partitions).map { TopicPartition(topic, Int32($0)) }, from: .earliest)
            let seen = Collected()
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await message in consumer.messages { seen.append(message) }
                    } catch {}
                }
                group.addTask {
                    var last = -1
                    while true {
                        try? await Task.sleep(for: idle)
                        let now = seen.count
                        if now == last { return }
                        last = now
                    }
                }
                await group.next()
                group.cancelAll()
            }
            return seen.all
        }
    }

    /// Waits (polling every 50 ms, at most `timeout`) until `condition` holds; records an issue if it never does.
    @discardableResult
    static func waitUntil(_ what: String, timeout: Duration = .seconds(60), _ condition: () -> Bool) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(50))
        }
        if condition() { return true }
        Issue.record("timed out after \(timeout) waiting for \(what)")
        return false
    }

    final class Collected: Sendable {
        private let messages = Mutex<[KafkaConsumerMessage]>([])
        func append(_ message: KafkaConsumerMessage) { messages.withLock { $0.append(message) } }
        var count: Int { messages.withLock { $0.count } }
        var all: [KafkaConsumerMessage] { messages.withLock { $0 } }
    }

    /// Runs `runtime` in a child task while `body` runs, then shuts it down gracefully and waits.
    @discardableResult
    static func running<T: Sendable>(_ runtimes: [SwafkaRuntime], _ body: () async throws -> T) async throws -> T {
        try await withThrowingTaskGroup(of: Void.self) { group in
            for runtime in runtimes { group.addTask { try await runtime.run() } }
            let result: Result<T, any Error>
            do { result = .success(try await body()) } catch { result = .failure(error) }
            for runtime in runtimes { await runtime.shutdown() }
            try await group.waitForAll()
            return try result.get()
        }
    }

    static func header(_ message: KafkaConsumerMessage, _ name: String) -> String? {
        message.headers.last { $0.key == name }?.value?.utf8String
    }
}
