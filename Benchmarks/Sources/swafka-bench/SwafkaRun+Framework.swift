// The framework's overhead (issue 7), compiled with SWAFKA_FRAMEWORK (see Benchmarks/Package.swift).
//
// One process, one topic, alternating runs: the raw `KafkaConsumer` (a fresh group subscribed to
// the topic, `for try await` over `consumer.messages`, counting) and the Swafka server (a fresh
// group, one route, an inline controller whose perform only counts: routing, a controller per
// message, callbacks, the monitor's notices and counters, lanes, marks and commits). Each run's
// clock starts at its first message (so the group join, 3 s on Tansu, is not measured) and stops
// at the N-th. The line printed has both rates and their ratio (framework / raw) per repetition.
// SWAFKA_BENCH_ROUTE=consumer routes to a batch consumer instead (Karafka 2's `consume(messages)`);
// SWAFKA_BENCH_MONITOR=none replaces the default monitor with one that does nothing.
#if SWAFKA_FRAMEWORK
import KafkaClient
import KafkaWire
import Logging
import Swafka
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Messages the benchmark's controller has seen, and when the first and the N-th arrived.
final class FrameworkCount: Sendable {
    static let shared = FrameworkCount()
    let count = Atomic<Int>(0)
    let target = Atomic<Int>(0)
    let times = Mutex<(first: Snapshot?, last: Snapshot?)>((nil, nil))
    let done = Mutex<CheckedContinuation<Void, Never>?>(nil)

    func reset(target: Int) {
        count.store(0, ordering: .relaxed)
        self.target.store(target, ordering: .relaxed)
        times.withLock { $0 = (nil, nil) }
    }

    /// Counts one message; returns true for the N-th.
    @inline(__always)
    func tick() {
        let now = count.add(1, ordering: .relaxed).newValue
        if now == 1 { times.withLock { $0.first = Snapshot.now() } }
        if now == target.load(ordering: .relaxed) {
            times.withLock { $0.last = Snapshot.now() }
            done.withLock { $0.take() }?.resume()
        }
    }

    func wait() async {
        await withCheckedContinuation { continuation in
            let finished = done.withLock { waiter -> Bool in
                if count.load(ordering: .relaxed) >= target.load(ordering: .relaxed) { return true }
                waiter = continuation
                return false
            }
            if finished { continuation.resume() }
        }
    }
}

/// The controller measured: an empty perform (the count is how the run knows it is done).
final class BenchController: Controller {
    override func perform() async throws { FrameworkCount.shared.tick() }
}

/// The batch consumer variant (`SWAFKA_BENCH_ROUTE=consumer`): Karafka 2's model, one instance per batch.
final class BenchConsumer: BatchConsumer {
    override func consume(_ messages: [Params]) async throws {
        for _ in messages { FrameworkCount.shared.tick() }
    }
}

/// `SWAFKA_BENCH_MONITOR=none`: a monitor that does nothing, to see what the default one costs.
struct SilentMonitor: Monitor {
    func notice(_ caller: String, _ options: NoticeOptions) {}
    func noticeError(_ caller: String, _ error: any Error) {}
}

extension SwafkaRun {
    struct Rate {
        var messages: Int
        var seconds: Double
        var cpu: Double
        var rate: Double { Double(messages) / seconds }
    }

    static func framework(_ options: Options, repetitions: Int) async throws -> String {
        var raws: [Rate] = []
        var frameworks: [Rate] = []
        for repetition in 0..<repetitions {
            // Alternate who goes first, so neither always meets a warmer broker.
            if repetition % 2 == 0 {
                raws.append(try await rawRun(options, repetition))
                frameworks.append(try await frameworkRun(options, repetition))
            } else {
                frameworks.append(try await frameworkRun(options, repetition))
                raws.append(try await rawRun(options, repetition))
            }
        }
        let ratios = zip(frameworks, raws).map { $0.rate / $1.rate }
        func fixed(_ value: Double) -> String { String((value * 1000).rounded() / 1000) }
        func list(_ values: [Double]) -> String { "[" + values.map(fixed).joined(separator: ",") + "]" }
        return "{\"mode\":\"framework\",\"topic\":\"\(options.topic)\",\"messages\":\(options.messages),"
            + "\"raw_msgs_per_s\":\(list(raws.map(\.rate))),\"framework_msgs_per_s\":\(list(frameworks.map(\.rate))),"
            + "\"raw_cpu_s_per_m\":\(list(raws.map { $0.cpu * 1e6 / Double($0.messages) })),"
            + "\"framework_cpu_s_per_m\":\(list(frameworks.map { $0.cpu * 1e6 / Double($0.messages) })),"
            + "\"ratios\":\(list(ratios)),\"median_ratio\":\(fixed(ratios.sorted()[ratios.count / 2]))}"
    }

    static func properties(_ options: Options) -> [String: String] {
        var properties = ["session.timeout.ms": "6000", "heartbeat.interval.ms": "1000"]
        for (key, value) in options.extra { properties[key] = value }
        return properties
    }

    /// The raw consumer in a fresh group: messages one at a time, counted.
    static func rawRun(_ options: Options, _ repetition: Int) async throws -> Rate {
        var properties = properties(options)
        properties["bootstrap.servers"] = options.brokers
        properties["group.id"] = "swafka-bench-raw-\(getpid())-\(repetition)"
        properties["auto.offset.reset"] = "earliest"
        let configuration = try KafkaConsumerConfiguration(properties: properties)
        return try await withKafkaConsumer(configuration: configuration) { consumer in
            try consumer.subscribe(topics: [options.topic])
            var count = 0
            var first: Snapshot?
            var last = Snapshot.now()
            for try await _ in consumer.messages {
                count += 1
                if count == 1 { first = Snapshot.now() }
                if count == options.messages {
                    last = Snapshot.now()
                    break
                }
            }
            guard let first, count == options.messages else { throw ConsumerBenchError("raw run ended after \(count) messages") }
            // From the first message to the N-th: N - 1 messages in that interval.
            return Rate(messages: count - 1, seconds: last.wall - first.wall,
                        cpu: (last.user + last.system) - (first.user + first.system))
        }
    }

    /// The Swafka server in a fresh group: one inline route, an empty perform.
    static func frameworkRun(_ options: Options, _ repetition: Int) async throws -> Rate {
        FrameworkCount.shared.reset(target: options.messages)
        var app = SwafkaApp(environment: Environment(variables: [:]))
        var logger = Logger(label: "swafka-bench")
        logger.logLevel = .warning
        app.setup { config in
            config.name = "swafka_bench_\(getpid())_\(repetition)"
            config.kafkaHosts = options.brokers.split(separator: ",").map(String.init)
            config.sessionTimeout = .seconds(6)
            config.heartbeatInterval = .seconds(1)
            config.logger = logger
            // The default monitor (lines and counters); its lines are below the level, as in production.
            config.monitor = getenv("SWAFKA_BENCH_MONITOR").map { String(cString: $0) } == "none"
                ? SilentMonitor() : LoggingMonitor(logger: logger)
            config.consumerProperties = properties(options).filter { !["session.timeout.ms", "heartbeat.interval.ms"].contains($0.key) }
        }
        if getenv("SWAFKA_BENCH_ROUTE").map({ String(cString: $0) }) == "consumer" {
            app.routes { Route(options.topic, consumer: BenchConsumer.self) }
        } else {
            app.routes { Route(options.topic, controller: BenchController.self) }
        }
        let server = try app.boot().makeServer(signals: [], logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await server.run() }
            await FrameworkCount.shared.wait()
            await server.shutdown()
            try await group.waitForAll()
        }
        let (first, last) = FrameworkCount.shared.times.withLock { $0 }
        guard let first, let last else { throw ConsumerBenchError("framework run saw no message") }
        return Rate(messages: options.messages - 1, seconds: last.wall - first.wall,
                    cpu: (last.user + last.system) - (first.user + first.system))
    }
}
#endif
