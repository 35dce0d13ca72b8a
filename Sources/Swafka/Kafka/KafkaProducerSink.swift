import KafkaClient

/// The `MessageSink` of a `KafkaProducer`: responders, jobs and dead letters go through it.
///
/// `.sync` buffers every message in order and waits for each delivery report, throwing the first
/// failure (`KafkaProducerError`); `.async` buffers them and returns, failures reaching the
/// monitor through the producer's instrumentation (see `SwafkaRuntime`). Both wait only while the
/// producer's buffer is full, at most `max.block.ms` (the app's `producerTimeout`).
public struct KafkaProducerSink: MessageSink {
    /// The producer.
    public let producer: KafkaProducer

    /// A sink over `producer` (whose `run()` must be running).
    public init(producer: KafkaProducer) {
        self.producer = producer
    }

    public func send(_ messages: [ProducerMessage], mode: DeliveryMode) async throws {
        switch mode {
        case .sync:
            let handles = try await producer.produceManyAsync(messages)
            for handle in handles { _ = try await handle.delivered() }
        case .async:
            for message in messages { try await producer.enqueue(message) }
        }
    }
}
