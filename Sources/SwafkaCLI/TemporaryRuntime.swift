import Glibc
import KafkaClient
import KafkaWire
import Logging
import ServiceLifecycle
import Swafka

// TEMPORARY. A thin stand-in for the framework's runtime (branch fwrun: the KafkaProducer and
// KafkaConsumer adapters, the durable jobs-topic worker, graceful draining), so that `server`,
// `worker` and the example run end to end until that runtime is linked through
// `SwafkaRuntimeHooks`. Delete this file then and make `SwafkaRuntimeHooks.standard` return the
// real hooks. What it does NOT do, knowingly:
// - Shutdown closes the consumers at once: batches already handed to the listener still run, but
//   their offsets may not be committed (the consumer refuses marks after it closed), so they are
//   delivered again on the next start (at least once, never lost).
// - Revocations are not forwarded to the listener (`.revoked` is never yielded): the consumer's
//   auto-commit commits what was marked, and in-flight messages of a revoked partition may be
//   processed twice.
// - The worker runs one job at a time (`--concurrency` is ignored) and waits out a retry's
//   not-before time in place, holding up the jobs behind it, instead of pausing the partition.

/// The temporary runtime's hooks.
enum TemporaryRuntime {
    static let hooks = SwafkaRuntimeHooks(runServer: runServer, runWorker: runWorker)

    /// The consumer properties for `group`, from the app's configuration.
    static func consumerProperties(_ request: SwafkaRuntimeRequest, group: String) -> [String: String] {
        let c = request.app.configuration
        var properties = request.baseClientProperties
        properties["group.id"] = group
        properties["auto.offset.reset"] = "earliest"
        properties["session.timeout.ms"] = String(milliseconds(c.sessionTimeout))
        properties["heartbeat.interval.ms"] = String(milliseconds(c.heartbeatInterval))
        properties["auto.commit.interval.ms"] = String(milliseconds(c.offsetCommitInterval))
        if c.offsetCommitThreshold > 0 { properties["offset.commit.threshold"] = String(c.offsetCommitThreshold) }
        for (key, value) in request.clientProperties { properties[key] = value }
        return properties
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    /// Runs `body` with a producer connected to the request's sink; closes it (sending what is
    /// buffered) afterwards.
    static func withConnectedProducer(_ request: SwafkaRuntimeRequest, _ body: () async throws -> Void) async throws {
        let configuration = try KafkaProducerConfiguration(properties: request.baseClientProperties)
        try await withKafkaProducer(configuration: configuration) { producer in
            request.sink.connect(ProducerSink(producer: producer))
            defer { request.sink.disconnect() }
            try await body()
        }
    }

    static func runServer(_ request: SwafkaRuntimeRequest) async throws {
        try await withConnectedProducer(request) {
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                var consumers: [KafkaConsumer] = []
                for (group, topics) in request.app.routes.groups {
                    let configuration = try KafkaConsumerConfiguration(properties: consumerProperties(request, group: group))
                    let consumer = try KafkaConsumer(configuration: configuration)
                    consumers.append(consumer)
                    tasks.addTask { try await consumer.run() }
                    try consumer.subscribe(topics: topics)
                    let listener = request.app.listener(group: group, source: ConsumerSource(consumer: consumer),
                                                        sink: request.sink)
                    tasks.addTask { try await listener.run() }
                }
                tasks.addTask { [consumers] in
                    // Cancelled (throws) when a listener fails first; then the group is torn down anyway.
                    try await gracefulShutdown()
                    for consumer in consumers { await consumer.close() }
                }
                try await tasks.waitForAll()
            }
        }
    }

    static func runWorker(_ request: SwafkaRuntimeRequest) async throws {
        let jobsTopics = request.jobsTopics
        guard !jobsTopics.isEmpty else {
            throw SwafkaCLIError.invalidArgument("worker: no route uses a Kafka-backed worker, so there are no jobs to run")
        }
        let group = "\(Topics.underscore(request.app.configuration.name))_workers"
        let runner = request.app.jobRunner(sink: request.sink)
        let logger = Logger(label: "swafka.worker")
        try await withConnectedProducer(request) {
            let configuration = try KafkaConsumerConfiguration(properties: consumerProperties(request, group: group))
            let consumer = try KafkaConsumer(configuration: configuration)
            try await withThrowingTaskGroup(of: Void.self) { tasks in
                tasks.addTask { try await consumer.run() }
                try consumer.subscribe(topics: jobsTopics)
                tasks.addTask {
                    try await gracefulShutdown()
                    await consumer.close()
                }
                for try await message in consumer.messages {
                    let inbound = InboundMessage(consumed: message)
                    do {
                        let job = try EncodedJob(jobMessage: inbound)
                        if let notBefore = job.notBeforeMs {
                            let wait = notBefore - nowMs()
                            if wait > 0 { try await Task.sleep(for: .milliseconds(wait)) }
                        }
                        // Retries go back on the topic the job came from.
                        let requeue = KafkaQueueWorker(name: "retry", jobsTopic: message.topic, sink: request.sink)
                        _ = try await runner.process(job, requeue: requeue, nowMs: nowMs())
                    } catch let error as InterchangeError {
                        // Not a job at all (no route header): reported and skipped, never retried.
                        logger.error("skipping \(message.topicPartition)@\(message.offset): \(error)")
                    }
                    consumer.markAsProcessed(message)
                }
                tasks.cancelAll()
            }
        }
    }

    static func nowMs() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}

/// A `MessageSink` over a `KafkaProducer`: `.sync` waits for every delivery report and throws
/// the first failure; `.async` returns once the producer accepted the messages.
struct ProducerSink: MessageSink {
    let producer: KafkaProducer

    func send(_ messages: [ProducerMessage], mode: DeliveryMode) async throws {
        switch mode {
        case .sync:
            for report in try await producer.produceManySync(messages) {
                if let error = report.error { throw error }
            }
        case .async:
            _ = try await producer.produceManyAsync(messages)
        }
    }
}

/// A `MessageSource` over a subscribed `KafkaConsumer`: its per-partition batches, marks as the
/// consumer's marks (committed by its auto-commit). See the file's header for what it omits.
final class ConsumerSource: MessageSource {
    let consumer: KafkaConsumer
    private let batches: Batches

    /// The iterator, used only by the listener's own task (`next()` is never called concurrently).
    private final class Batches: @unchecked Sendable {
        var iterator: KafkaConsumerBatches.AsyncIterator
        init(_ iterator: KafkaConsumerBatches.AsyncIterator) { self.iterator = iterator }
    }

    init(consumer: KafkaConsumer) {
        self.consumer = consumer
        self.batches = Batches(consumer.batches(maxMessages: 500).makeAsyncIterator())
    }

    func next() async throws -> SourceEvent? {
        guard let batch = try await batches.iterator.next() else { return nil }
        return .batch(MessageBatch(batch.topicPartition, messages: batch.messages.map { InboundMessage(consumed: $0) }))
    }

    func markAsConsumed(_ topicPartition: TopicPartition, nextOffset: Int64) async throws {
        consumer.markAsProcessed(topicPartition, offset: nextOffset - 1)
    }

    func commit() async throws {
        do {
            try await consumer.commit()
        } catch .closed {
            // Shut down already: it committed what was marked when it closed.
        }
    }
}

extension InboundMessage {
    /// The framework's view of a consumed message.
    init(consumed message: KafkaConsumerMessage) {
        self.init(topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                  payload: message.value, headers: message.headers,
                  timestampMs: message.timestamp < 0 ? nil : message.timestamp,
                  receivedAtMs: TemporaryRuntime.nowMs())
    }
}
