import KafkaWire

/// How many acknowledgments a produce request waits for.
public enum Acks: Int16, Sendable, CaseIterable, CustomStringConvertible {
    /// None: the broker does not answer; offsets are unknown and nothing is retried.
    case none = 0
    /// The leader's own write.
    case leader = 1
    /// Every in-sync replica (`acks=all`, `-1`): required by idempotence.
    case all = -1

    public var description: String { self == .all ? "all" : "\(rawValue)" }
}

/// What `produceAsync` does when the buffer is full.
public enum BufferFullPolicy: Sendable, Hashable {
    /// Wait up to this long for room, then fail with `bufferFull` (Java's `max.block.ms`).
    case wait(timeout: Duration)
    /// Fail at once with `bufferFull` (librdkafka's `QUEUE_FULL`).
    case failFast
}

/// The batching, buffering, retry and ordering settings of the record accumulator.
///
/// Defaults follow librdkafka where it and the Java client differ on batching (large batches and
/// a short linger are what makes a C producer fast), and the Java client on delivery semantics
/// (idempotence on, `acks=all`, retries bounded by `delivery.timeout.ms`).
public struct AccumulatorConfiguration: Sendable, Hashable {
    /// How long a batch waits for more records before it is sent (`linger.ms`).
    public var linger: Duration = .milliseconds(5)
    /// A batch is full at this many bytes (`batch.size`), counting each record's upper-bound size
    /// and the 61-byte header; capped by `messageMaxBytes`.
    public var batchSize: Int = 1_000_000
    /// A batch is full at this many records (librdkafka's `batch.num.messages`).
    public var batchMaxMessages: Int = 10_000
    /// The most batch bytes one produce request carries (`max.request.size`); a message that
    /// cannot fit in a request alone is rejected.
    public var maxRequestSize: Int = 1_048_576
    /// The largest record batch the broker takes (`message.max.bytes`); a message whose batch of
    /// one would exceed it is rejected.
    public var messageMaxBytes: Int = 1_000_000
    /// The most bytes buffered, queued or in flight (`buffer.memory`, librdkafka's `queue.buffering.max.kbytes`).
    public var bufferMaxBytes: Int = 1 << 30
    /// The most messages buffered, queued or in flight (`queue.buffering.max.messages`).
    public var bufferMaxMessages: Int = 100_000
    /// What produce does when the buffer is full (for the producer; the accumulator only says "full").
    public var bufferFullPolicy: BufferFullPolicy = .wait(timeout: .seconds(60))
    /// How long a message may take from `append` to its acknowledgment, retries included
    /// (`delivery.timeout.ms`).
    public var deliveryTimeout: Duration = .seconds(120)
    /// How many times a failed batch is sent again (`retries`); `delivery.timeout.ms` bounds them too.
    public var retries: Int = .max
    /// The wait before the first retry of a batch (`retry.backoff.ms`); it doubles per attempt.
    public var retryBackoff: Duration = .milliseconds(100)
    /// The longest wait between retries (`retry.backoff.max.ms`).
    public var retryBackoffMax: Duration = .seconds(1)
    /// The most batches of one partition in flight at once.
    ///
    /// With idempotence the broker keeps the last 5 batches of each producer and partition to
    /// detect duplicates, so at most 5. Without idempotence, more than 1 with retries can reorder a
    /// partition (a batch retried after the next one was written): set 1 where order matters.
    public var maxInFlightPerPartition: Int = 5
    /// Idempotent production (`enable.idempotence`): producer ID, epoch and sequence numbers.
    public var idempotence: Bool = true
    /// Acknowledgments each request waits for.
    public var acks: Acks = .all

    /// The defaults.
    public init() {}

    /// The largest a batch grows before it is full.
    public var effectiveBatchSize: Int { max(ProducerBatch.headerSize + 1, min(batchSize, messageMaxBytes)) }

    /// The delay before retry `attempt` (1 for the first retry): `retryBackoff` doubling, capped.
    func backoff(beforeRetry attempt: Int) -> Duration {
        var delay = retryBackoff
        var remaining = max(attempt - 1, 0)
        while remaining > 0 && delay < retryBackoffMax {
            delay = delay * 2
            remaining -= 1
        }
        return min(delay, max(retryBackoff, retryBackoffMax))
    }

    /// Checks the settings against each other, naming the setting at fault.
    public func validate() throws(AccumulatorConfigurationError) {
        func require(_ condition: Bool, _ setting: String, _ reason: String) throws(AccumulatorConfigurationError) {
            if !condition { throw AccumulatorConfigurationError(setting: setting, reason: reason) }
        }
        try require(linger >= .zero, "linger.ms", "must not be negative")
        try require(batchSize > ProducerBatch.headerSize, "batch.size", "must exceed the 61-byte batch header")
        try require(batchMaxMessages >= 1, "batch.num.messages", "must be at least 1")
        try require(maxRequestSize > ProducerBatch.headerSize, "max.request.size", "must exceed the 61-byte batch header")
        try require(messageMaxBytes > ProducerBatch.headerSize, "message.max.bytes", "must exceed the 61-byte batch header")
        try require(bufferMaxBytes >= 1, "buffer.memory", "must be positive")
        try require(bufferMaxMessages >= 1, "queue.buffering.max.messages", "must be positive")
        try require(deliveryTimeout > .zero, "delivery.timeout.ms", "must be positive")
        try require(retries >= 0, "retries", "must not be negative")
        try require(retryBackoff >= .zero && retryBackoffMax >= .zero, "retry.backoff.ms", "must not be negative")
        try require(maxInFlightPerPartition >= 1, "max.in.flight.requests.per.connection", "must be at least 1")
        if idempotence {
            // As the Java client requires: the broker deduplicates only the last 5 batches, and only
            // a full-ISR acknowledgment makes a sequence durable.
            try require(maxInFlightPerPartition <= 5, "max.in.flight.requests.per.connection",
                        "must be at most 5 with enable.idempotence")
            try require(acks == .all, "acks", "must be all with enable.idempotence")
            try require(retries >= 1, "retries", "must be at least 1 with enable.idempotence")
        }
    }
}

/// A setting of `AccumulatorConfiguration` that is out of range or contradicts another.
public struct AccumulatorConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The setting, by its Kafka property name.
    public let setting: String
    /// What is wrong.
    public let reason: String

    public var description: String { "invalid configuration: \(setting): \(reason)" }
}
