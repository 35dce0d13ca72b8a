import KafkaClient
import KafkaWire
import Swafka

/// Feeds messages to a booted app's routes in-process and records what responders produced,
/// without a broker (the spirit of karafka-testing's `karafka.produce` / `karafka.consumer_for`).
///
/// ```swift
/// let harness = try SwafkaTestHarness(app)
/// try await harness.consume("users_created", json: #"{"id": 1}"#)
/// #expect(harness.produced(to: "users_notified").count == 1)
/// ```
/// Routes that are not inline enqueue on their worker as in production; `performJobs()` then runs
/// the enqueued jobs of an `InMemoryWorker` through a `JobRunner` with the same sink.
public final class SwafkaTestHarness: Sendable {
    /// The booted app.
    public let app: BootedApp
    /// Everything responders (and dead letters) sent.
    public let sink: RecordingSink
    private let processor: Processor

    /// A harness over `app` (booted here, so a bad route fails the test).
    public convenience init(_ app: SwafkaApp) throws {
        try self.init(booted: app.boot())
    }

    /// A harness over an already booted app.
    public init(booted app: BootedApp, sink: RecordingSink = RecordingSink()) {
        self.app = app
        self.sink = sink
        self.processor = app.processor(sink: sink)
    }

    /// Runs `payloads` through `topic`'s route as one batch of `partition`, at offsets from
    /// `firstOffset`. Returns the offset the server would mark next.
    @discardableResult
    public func consume(_ topic: String, payloads: [[UInt8]?], partition: Int32 = 0, firstOffset: Int64 = 0,
                        key: String? = nil, headers: [RecordHeader] = []) async -> Int64? {
        let messages = payloads.enumerated().map { index, payload in
            InboundMessage(topic: topic, partition: partition, offset: firstOffset + Int64(index),
                           key: key.map { ByteSlice($0) }, payload: payload.map { ByteSlice($0) }, headers: headers)
        }
        return await processor.process(MessageBatch(TopicPartition(topic, partition), messages: messages))
    }

    /// Runs one JSON (or any UTF-8) payload through `topic`'s route.
    @discardableResult
    public func consume(_ topic: String, json: String, partition: Int32 = 0, offset: Int64 = 0) async -> Int64? {
        await consume(topic, payloads: [Array(json.utf8)], partition: partition, firstOffset: offset)
    }

    /// The messages sent to `topic`, in order.
    public func produced(to topic: String) -> [ProducerMessage] { sink.messages.filter { $0.topic == topic } }

    /// The payloads sent to `topic`, parsed by `parser` (JSON by default).
    public func producedValues(to topic: String, parser: any Parser = JSONParser()) throws -> [ParamValue] {
        try produced(to: topic).map { try parser.parse($0.value ?? ByteSlice()) }
    }

    /// Runs the jobs queued on `worker` until it is empty, retries included.
    @discardableResult
    public func performJobs(on worker: InMemoryWorker, retryPolicy: RetryPolicy = RetryPolicy(),
                            nowMs: Int64 = 0) async throws -> [JobOutcome] {
        try await worker.drain(with: app.jobRunner(sink: sink, retryPolicy: retryPolicy), nowMs: nowMs)
    }
}
