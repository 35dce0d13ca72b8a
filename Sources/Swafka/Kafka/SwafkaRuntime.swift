import Foundation
import KafkaClient
import KafkaWire
import Logging
import ServiceLifecycle
import Synchronization
import UnixSignals

/// A running Swafka process, the server (`swafka server`) or a worker (`swafka worker`), as a
/// swift-service-lifecycle `ServiceGroup`:
///
/// ```
/// services, in order:  KafkaProducer, KafkaConsumer per group, Listener per group
/// graceful shutdown (SIGTERM/SIGINT, or shutdown()), in reverse order:
///   1. each listener: its source stops delivering; its lanes finish the batches they hold
///      (in-flight controllers and jobs run to the end and are marked); it commits
///   2. each consumer: revokes (committing what is marked), leaves its group
///   3. the producer: sends everything buffered, waits for every delivery report
/// ```
/// A listener or consumer that ends by itself (a fenced member) shuts the whole group down
/// gracefully; a thrown error does too, and `run()` rethrows it. Cancelling the task running
/// `run()` is a crash for the framework's purposes: nothing more is marked or committed, so
/// whatever was in flight is delivered again to the next member.
public struct SwafkaRuntime: Sendable {
    /// The services' group.
    public let serviceGroup: ServiceGroup
    /// The process's producer (responders, jobs, dead letters).
    public let producer: KafkaProducer
    /// Each consumer group's consumer.
    public let consumers: [String: KafkaConsumer]
    /// Each consumer group's source (for tests and tools: `stop()` ends one listener).
    public let sources: [String: KafkaConsumerSource]

    /// Runs until a graceful shutdown has finished (or the first failure); see the type's summary.
    public func run() async throws {
        try await serviceGroup.run()
    }

    /// Starts a graceful shutdown, as SIGTERM does; `run()` returns once it is done.
    public func shutdown() async {
        await serviceGroup.triggerGracefulShutdown()
    }
}

extension BootedApp {
    /// `<app>_jobs`: the jobs topic to give `KafkaQueueWorker`s by default.
    public var defaultJobsTopic: String { "\(Topics.underscore(configuration.name))_jobs" }
    /// `<app>_workers`: the consumer group of worker processes.
    public var workersGroup: String { "\(Topics.underscore(configuration.name))_workers" }
    /// `<app>_dead_letters`: where jobs go after their last attempt.
    public var defaultDeadLetterTopic: String { "\(Topics.underscore(configuration.name))_dead_letters" }

    /// The jobs topics of every `KafkaQueueWorker` the routes use (defaults included), sorted.
    /// Workers picked only by callbacks are not known here: pass their topics to `makeWorker`.
    public var jobsTopics: [String] {
        Set(routes.routes.compactMap { ($0.worker as? KafkaQueueWorker)?.jobsTopic }).sorted()
    }

    /// Runs the server (`swafka server`): one consumer and listener per route group, inline
    /// performs and enqueues, until SIGTERM/SIGINT (by default) and a graceful shutdown.
    public func runServer(signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger? = nil) async throws {
        try await makeServer(signals: signals, logger: logger).run()
    }

    /// Runs a worker (`swafka worker`) over `jobsTopics` (nil: `self.jobsTopics`) until
    /// SIGTERM/SIGINT (by default) and a graceful shutdown; see `makeWorker`.
    public func runWorker(jobsTopics: [String]? = nil, concurrency: Int = 1, retryPolicy: RetryPolicy = RetryPolicy(),
                          deadLetterTopic: String? = nil, signals: [UnixSignal] = [.sigterm, .sigint],
                          logger: Logger? = nil) async throws {
        try await makeWorker(jobsTopics: jobsTopics, concurrency: concurrency, retryPolicy: retryPolicy,
                             deadLetterTopic: deadLetterTopic, signals: signals, logger: logger).run()
    }

    /// The server, ready to `run()`: a producer, and per route group a consumer subscribed to the
    /// group's topics with its listener. Throws `KafkaClientError.invalidConfiguration` for a bad
    /// client setting.
    public func makeServer(signals: [UnixSignal] = [.sigterm, .sigint], logger: Logger? = nil) throws -> SwafkaRuntime {
        let logger = logger ?? configuration.logger
        let producer = try makeProducer(logger: logger)
        let sink = KafkaProducerSink(producer: producer)
        var parts: [(group: String, consumer: KafkaConsumer, source: KafkaConsumerSource, listener: Listener)] = []
        for (group, topics) in routes.groups {
            let consumer = try KafkaConsumer(configuration: configuration.consumerConfiguration(group: group), logger: logger)
            try consumer.subscribe(topics: topics)
            let source = KafkaConsumerSource(consumer: consumer, group: group, monitor: configuration.monitor)
            parts.append((group, consumer, source, listener(group: group, source: source, sink: sink)))
        }
        return runtime(role: "server", producer: producer, parts: parts, signals: signals, logger: logger)
    }

    /// A worker process, ready to `run()`: a consumer of `jobsTopics` (nil: `self.jobsTopics`) in
    /// group `workersGroup`, running each job through a `JobRunner` with `retryPolicy`, dead
    /// letters to `deadLetterTopic` (nil: `defaultDeadLetterTopic`).
    ///
    /// A job message is marked only after its outcome was acknowledged by the broker: done, its
    /// retry re-enqueued on the topic it came from (with attempt + 1 and a not-before time), or its
    /// dead letter produced. A retry waiting for its not-before time pauses its partition (no
    /// polling) until then. Jobs of one partition run in order; `concurrency` bounds the jobs
    /// running at once across partitions (so at most the jobs topics' partition count is useful).
    public func makeWorker(jobsTopics: [String]? = nil, concurrency: Int = 1, retryPolicy: RetryPolicy = RetryPolicy(),
                           deadLetterTopic: String? = nil, signals: [UnixSignal] = [.sigterm, .sigint],
                           logger: Logger? = nil) throws -> SwafkaRuntime {
        let logger = logger ?? configuration.logger
        let topics = jobsTopics ?? self.jobsTopics
        guard !topics.isEmpty else { throw ConfigurationError.invalid("worker", "no route uses a KafkaQueueWorker: no jobs topic to consume") }
        for topic in topics {
            if let why = Topics.problem(with: topic) { throw ConfigurationError.invalid("worker", "jobs topic \"\(topic)\" \(why)") }
        }
        let producer = try makeProducer(logger: logger)
        let sink = KafkaProducerSink(producer: producer)
        let group = workersGroup
        let consumer = try KafkaConsumer(configuration: configuration.consumerConfiguration(group: group), logger: logger)
        try consumer.subscribe(topics: topics)
        let source = KafkaConsumerSource(consumer: consumer, group: group, monitor: configuration.monitor)
        let lanes = JobLanes(runner: jobRunner(sink: sink, retryPolicy: retryPolicy,
                                               deadLetterTopic: deadLetterTopic ?? defaultDeadLetterTopic),
                             source: source, slots: JobSlots(max(1, concurrency)))
        let listener = Listener(group: group, source: source, monitor: configuration.monitor, handle: lanes.handle)
        return runtime(role: "worker", producer: producer, parts: [(group, consumer, source, listener)],
                       signals: signals, logger: logger)
    }

    private func makeProducer(logger: Logger) throws -> KafkaProducer {
        let monitor = configuration.monitor
        return try KafkaProducer(configuration: configuration.producerConfiguration(), logger: logger) { event in
            switch event {
            case let .deliveryReport(report):
                if let error = report.error { monitor.noticeError("KafkaProducer", error) }
            case let .fatalError(error):
                monitor.noticeError("KafkaProducer", error)
            case .messageProduced, .bufferFull, .batchSent, .retryScheduled:
                break
            }
        }
    }

    private func runtime(role: String, producer: KafkaProducer,
                         parts: [(group: String, consumer: KafkaConsumer, source: KafkaConsumerSource, listener: Listener)],
                         signals: [UnixSignal], logger: Logger) -> SwafkaRuntime {
        typealias Config = ServiceGroupConfiguration.ServiceConfiguration
        var services = [Config(service: producer, successTerminationBehavior: .gracefullyShutdownGroup,
                               failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "producer")]
        for part in parts {
            services.append(Config(service: part.consumer, successTerminationBehavior: .gracefullyShutdownGroup,
                                   failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "consumer(\(part.group))"))
        }
        for part in parts {
            services.append(Config(service: ListenerService(listener: part.listener, source: part.source, role: role),
                                   successTerminationBehavior: .gracefullyShutdownGroup,
                                   failureTerminationBehavior: .gracefullyShutdownGroup, serviceName: "listener(\(part.group))"))
        }
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: services, gracefulShutdownSignals: signals, logger: logger))
        return SwafkaRuntime(serviceGroup: group, producer: producer,
                             consumers: Dictionary(parts.map { ($0.group, $0.consumer) }, uniquingKeysWith: { a, _ in a }),
                             sources: Dictionary(parts.map { ($0.group, $0.source) }, uniquingKeysWith: { a, _ in a }))
    }
}

/// One listener as a service: graceful shutdown stops its source, so it finishes what it holds,
/// commits and returns.
struct ListenerService: Service {
    let listener: Listener
    let source: KafkaConsumerSource
    let role: String

    func run() async throws {
        let notice = { (change: String) in
            listener.monitor.notice("SwafkaRuntime", NoticeOptions(.lifecycle, extra: [
                "role": role, "group": listener.group, "change": change,
            ]))
        }
        notice("started")
        try await withGracefulShutdownHandler {
            try await listener.run()
        } onGracefulShutdown: {
            source.stop()
        }
        notice("stopped")
    }
}

/// The worker's batch handler: each job message of a partition in order, through the runner.
struct JobLanes: Sendable {
    let runner: JobRunner
    let source: KafkaConsumerSource
    let slots: JobSlots

    /// Runs the batch's jobs; returns the offset after the last job whose outcome was
    /// acknowledged (nil: none), stopping at a failed hand-off or at shutdown.
    func handle(_ batch: MessageBatch) async -> Int64? {
        var next: Int64?
        let tp = batch.topicPartition
        for message in batch.messages {
            let job: EncodedJob
            do {
                job = try EncodedJob(jobMessage: message)
            } catch {
                // Not a job this framework wrote: kept as a dead letter, not retried.
                runner.monitor.noticeError("JobLanes", error)
                var letter = ProducerMessage(topic: runner.deadLetterTopic, value: message.payload, key: message.key,
                                             headers: message.headers.map { .init($0.key, $0.value) })
                letter.headers += [.init(DeadLetter.Header.sourceTopic, .init(tp.topic)),
                                   .init(DeadLetter.Header.sourcePartition, .init(String(tp.partition))),
                                   .init(DeadLetter.Header.sourceOffset, .init(String(message.offset))),
                                   .init(DeadLetter.Header.error, .init(String(describing: error)))]
                do {
                    try await runner.sink.send([letter], mode: .sync)
                } catch {
                    runner.monitor.noticeError("JobLanes", error)
                    return next
                }
                next = message.offset + 1
                continue
            }
            if let notBefore = job.notBeforeMs {
                let wait = notBefore - Self.nowMs()
                if wait > 0 {
                    // No polling: the partition is paused, this lane sleeps until the time (or shutdown).
                    source.pause([tp])
                    let slept = await source.sleep(for: .milliseconds(wait))
                    source.resume([tp])
                    guard slept else { return next }
                }
            }
            if source.isStopped { return next }
            await slots.acquire()
            let outcome: JobOutcome
            do {
                outcome = try await runner.process(job, requeue: KafkaQueueWorker(name: "requeue", jobsTopic: tp.topic),
                                                   nowMs: Self.nowMs())
            } catch {
                slots.release()
                runner.monitor.noticeError("JobLanes", error)
                return next
            }
            slots.release()
            switch outcome {
            case .completed:
                break
            case let .retry(retry, after):
                runner.monitor.notice("JobLanes", NoticeOptions(.jobRetried, topic: tp.topic, partition: tp.partition,
                                                                offset: message.offset, extra: [
                                                                    "route": job.route, "attempt": String(retry.attempt),
                                                                    "after": "\(after)",
                                                                ]))
            case .deadLettered, .rejected:
                runner.monitor.notice("JobLanes", NoticeOptions(.deadLettered, topic: tp.topic, partition: tp.partition,
                                                                offset: message.offset, extra: [
                                                                    "route": job.route, "attempt": String(job.attempt),
                                                                ]))
            }
            next = message.offset + 1
        }
        return next
    }

    static func nowMs() -> Int64 { Int64((Date().timeIntervalSince1970 * 1000).rounded()) }
}

/// At most `limit` jobs at once, across a worker's partitions.
final class JobSlots: Sendable {
    private let state: Mutex<(free: Int, waiters: [CheckedContinuation<Void, Never>])>

    init(_ limit: Int) { state = Mutex((limit, [])) }

    func acquire() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now = state.withLock { state -> Bool in
                if state.free > 0 {
                    state.free -= 1
                    return true
                }
                state.waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }

    func release() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if state.waiters.isEmpty {
                state.free += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        waiter?.resume()
    }
}
