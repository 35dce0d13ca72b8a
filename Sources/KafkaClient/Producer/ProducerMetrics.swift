import Metrics

/// The producer's swift-metrics instruments, made once per producer (every one with a `client_id`
/// dimension), updated in bulk after each transition rather than per message.
///
/// - `swafka_producer_messages_total`: messages accepted by `produceAsync`.
/// - `swafka_producer_delivered_total` / `swafka_producer_errors_total`: delivery reports, acknowledged / failed.
/// - `swafka_producer_bytes_total`: encoded (compressed) batch bytes sent.
/// - `swafka_producer_batches_total`: batches sent (retries included).
/// - `swafka_producer_retries_total`: batches scheduled for another attempt.
/// - `swafka_producer_buffer_full_total`: produce calls that found the buffer full.
/// - `swafka_producer_queued_messages` / `swafka_producer_queued_bytes` (gauges): messages and
///   upper-bound bytes held by the producer until their reports, in flight included.
struct ProducerMetrics: Sendable {
    let messages: Counter
    let delivered: Counter
    let errors: Counter
    let bytes: Counter
    let batches: Counter
    let retries: Counter
    let bufferFull: Counter
    let queuedMessages: Gauge
    let queuedBytes: Gauge

    init(clientID: String) {
        let dimensions = [("client_id", clientID)]
        messages = Counter(label: "swafka_producer_messages_total", dimensions: dimensions)
        delivered = Counter(label: "swafka_producer_delivered_total", dimensions: dimensions)
        errors = Counter(label: "swafka_producer_errors_total", dimensions: dimensions)
        bytes = Counter(label: "swafka_producer_bytes_total", dimensions: dimensions)
        batches = Counter(label: "swafka_producer_batches_total", dimensions: dimensions)
        retries = Counter(label: "swafka_producer_retries_total", dimensions: dimensions)
        bufferFull = Counter(label: "swafka_producer_buffer_full_total", dimensions: dimensions)
        queuedMessages = Gauge(label: "swafka_producer_queued_messages", dimensions: dimensions)
        queuedBytes = Gauge(label: "swafka_producer_queued_bytes", dimensions: dimensions)
    }

    func accepted() { messages.increment() }

    func reported(delivered count: Int, failed: Int) {
        if count > 0 { delivered.increment(by: count) }
        if failed > 0 { errors.increment(by: failed) }
    }

    func sent(batches count: Int, bytes size: Int) {
        batches.increment(by: count)
        bytes.increment(by: size)
    }

    func retried(_ count: Int) { retries.increment(by: count) }

    func bufferWasFull() { bufferFull.increment() }

    func queued(messages: Int, bytes: Int) {
        queuedMessages.record(messages)
        queuedBytes.record(bytes)
    }
}
