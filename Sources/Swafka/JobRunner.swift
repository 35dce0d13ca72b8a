import KafkaClient
import KafkaWire
import Synchronization

/// What became of one job run.
public enum JobOutcome: Sendable {
    /// Perform succeeded.
    case completed
    /// Perform failed; this job (attempt + 1, with its not-before time) must be enqueued again.
    case retry(EncodedJob, after: Duration)
    /// Perform failed for the last time; this message goes to the dead-letter topic.
    case deadLettered(ProducerMessage)
    /// The job could not even be decoded; this dead letter carries its bytes.
    case rejected(ProducerMessage, reason: String)
}

/// Runs jobs in a worker process (`swafka worker`): decode with the route's interchanger, rebuild
/// params, perform; on failure `afterFailure`, then retry with backoff or dead-letter.
public struct JobRunner: Sendable {
    /// The validated routes.
    public let routes: RoutingTable
    /// Where responders and dead letters go.
    public let sink: any MessageSink
    /// How responders deliver.
    public let deliveryMode: DeliveryMode
    /// Where instrumentation goes.
    public let monitor: any Monitor
    /// When failed jobs run again.
    public let retryPolicy: RetryPolicy
    /// Where jobs go after their last attempt.
    public let deadLetterTopic: String

    /// A runner over `routes`.
    public init(routes: RoutingTable, sink: any MessageSink, deliveryMode: DeliveryMode, monitor: any Monitor,
                retryPolicy: RetryPolicy, deadLetterTopic: String) {
        self.routes = routes
        self.sink = sink
        self.deliveryMode = deliveryMode
        self.monitor = monitor
        self.retryPolicy = retryPolicy
        self.deadLetterTopic = deadLetterTopic
    }

    /// Runs `job` once; `nowMs` (ms since the epoch) sets a retry's not-before time.
    public func run(_ job: EncodedJob, nowMs: Int64) async -> JobOutcome {
        guard let route = routes[job.route], case let .controller(name, make) = route.handler else {
            return reject(job, ProcessingError.unknownJobRoute(job.route))
        }
        let envelope: JobEnvelope
        do {
            envelope = try route.interchanger.decode(job.bytes)
        } catch {
            return reject(job, error)
        }
        let controller = make()
        controller.params = Params(envelope.message, parser: route.parser, overrides: envelope.overrides)
        controller.worker = route.worker
        controller.attempt = envelope.attempt
        controller.context = ProcessingContext(route: route, sink: sink, deliveryMode: deliveryMode, monitor: monitor)
        let options = NoticeOptions(.perform, topic: envelope.message.topic, partition: envelope.message.partition,
                                    offset: envelope.message.offset, extra: ["attempt": String(envelope.attempt)])
        do {
            try await controller.perform()
            monitor.notice(name, options)
            return .completed
        } catch {
            monitor.noticeError(name, error)
            await controller.afterFailure(error)
            return outcome(afterFailureOf: envelope, error: error, interchanger: route.interchanger, nowMs: nowMs)
        }
    }

    /// Runs `job` and carries out the outcome: a retry is enqueued on `requeue`, a dead letter is
    /// produced (sync). Throws only when that hand-off fails, so the caller must not mark the job done.
    public func process(_ job: EncodedJob, requeue: any Worker, nowMs: Int64) async throws -> JobOutcome {
        let outcome = await run(job, nowMs: nowMs)
        switch outcome {
        case .completed: break
        case let .retry(next, _): try await requeue.enqueue(next, sink: sink)
        case let .deadLettered(message), let .rejected(message, _): try await sink.send([message], mode: .sync)
        }
        return outcome
    }

    /// The retry or dead letter after `envelope`'s attempt failed with `error`: pure, given the time.
    public func outcome(afterFailureOf envelope: JobEnvelope, error: any Error, interchanger: any Interchanger,
                        nowMs: Int64) -> JobOutcome {
        let reason = String(describing: error)
        switch retryPolicy.decision(afterFailedAttempt: envelope.attempt) {
        case let .retry(delay):
            var next = envelope
            next.attempt += 1
            next.headers["last-error"] = reason
            next.notBeforeMs = nowMs + Self.milliseconds(delay)
            do {
                return .retry(try EncodedJob(next, interchanger: interchanger), after: delay)
            } catch {
                return .deadLettered(DeadLetter.message(for: envelope, error: "\(reason); re-encoding: \(error)",
                                                        topic: deadLetterTopic))
            }
        case .deadLetter:
            return .deadLettered(DeadLetter.message(for: envelope, error: reason, topic: deadLetterTopic))
        }
    }

    private func reject(_ job: EncodedJob, _ error: any Error) -> JobOutcome {
        monitor.noticeError("JobRunner", error)
        var message = job.producerMessage(jobsTopic: deadLetterTopic)
        message.headers.append(.init(DeadLetter.Header.error, .init(String(describing: error))))
        return .rejected(message, reason: String(describing: error))
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}

/// A worker whose queue is memory: for development and tests. Nothing survives a crash; use
/// `KafkaQueueWorker` for durability.
public final class InMemoryWorker: Worker {
    public let name: String
    private let queue = Mutex<[EncodedJob]>([])

    /// An empty worker named `name`.
    public init(name: String = "in_memory") { self.name = name }

    /// The jobs waiting, oldest first.
    public var pending: [EncodedJob] { queue.withLock { $0 } }

    public func enqueue(_ job: EncodedJob) async throws { queue.withLock { $0.append(job) } }

    /// Runs jobs (retries included, not-before times ignored: the clock is the caller's) until the
    /// queue is empty or `limit` runs were made. Returns every outcome in order.
    @discardableResult
    public func drain(with runner: JobRunner, nowMs: Int64 = 0, limit: Int = 1_000) async throws -> [JobOutcome] {
        var outcomes: [JobOutcome] = []
        while outcomes.count < limit, let job = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
            outcomes.append(try await runner.process(job, requeue: self, nowMs: nowMs))
        }
        return outcomes
    }
}
