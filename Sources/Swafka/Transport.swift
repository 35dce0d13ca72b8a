import KafkaClient
import KafkaWire
import Synchronization

/// Where the framework's outgoing messages go: responders' results, jobs, dead letters.
///
/// The `KafkaProducer` adapter is a few lines: `.sync` sends each message and awaits its delivery
/// report (throwing the first failure), `.async` hands them to the producer and returns.
public protocol MessageSink: Sendable {
    /// Delivers `messages`, in order, waiting for acknowledgements when `mode` is `.sync`.
    func send(_ messages: [ProducerMessage], mode: DeliveryMode) async throws
}

/// What a message source reports: batches, and changes of the partitions it owns.
public enum SourceEvent: Sendable, Hashable {
    /// Messages of one partition, in offset order.
    case batch(MessageBatch)
    /// The group gave us these partitions.
    case assigned([TopicPartition])
    /// These partitions are being taken away: finish their work and commit.
    case revoked([TopicPartition])
    /// These partitions are gone already (the session expired, a new generation): finish their
    /// work, but no commit for them is possible any more; their uncommitted messages go elsewhere.
    case lost([TopicPartition])
}

/// Where a listener's messages come from: one consumer-group membership.
///
/// The `KafkaConsumer` adapter subscribes to the group's topics, turns each fetched partition's
/// records into a `MessageBatch` (`InboundMessage(_:record:)`), forwards assignment callbacks as
/// `.assigned`/`.revoked`, and maps `markAsConsumed` to the consumer's offset marking (committed
/// by its auto-commit policy every `offsetCommitInterval` or `offsetCommitThreshold` marks).
public protocol MessageSource: Sendable {
    /// The next event; nil once the source is closed.
    func next() async throws -> SourceEvent?
    /// Everything in `topicPartition` before `nextOffset` has been processed.
    func markAsConsumed(_ topicPartition: TopicPartition, nextOffset: Int64) async throws
    /// Commits what has been marked (on revocation and shutdown).
    func commit() async throws
    /// Stops fetching `partitions` until `resume` (backpressure, a job's not-before time).
    /// Batches already delivered still arrive.
    func pause(_ partitions: [TopicPartition])
    /// Fetches `partitions` again.
    func resume(_ partitions: [TopicPartition])
    /// Delivers `topicPartition` again from `offset` (after a batch failed there). Batches already
    /// delivered past it still arrive; the listener drops them.
    func seek(_ topicPartition: TopicPartition, to offset: Int64)
}

extension MessageSource {
    /// Sources without flow control (tests) ignore pauses.
    public func pause(_ partitions: [TopicPartition]) {}
    /// Sources without flow control ignore resumes.
    public func resume(_ partitions: [TopicPartition]) {}
    /// Sources that cannot rewind ignore seeks: the failed messages are not redelivered.
    public func seek(_ topicPartition: TopicPartition, to offset: Int64) {}
}

/// A sink that keeps what it is sent: for tests, `SwafkaTesting`, and dry runs.
public final class RecordingSink: MessageSink {
    private let state = Mutex<(messages: [ProducerMessage], failure: (any Error & Sendable)?)>(([], nil))

    /// An empty sink.
    public init() {}

    /// Everything sent so far, in order.
    public var messages: [ProducerMessage] { state.withLock { $0.messages } }

    /// The payloads sent to `topic`, in order.
    public func payloads(for topic: String) -> [[UInt8]] {
        messages.filter { $0.topic == topic }.map { $0.value?.array ?? [] }
    }

    /// Makes every later `send` throw `error` (nil: succeed again).
    public func failNextSends(with error: (any Error & Sendable)?) { state.withLock { $0.failure = error } }

    /// Forgets what was sent.
    public func reset() { state.withLock { $0.messages = [] } }

    public func send(_ messages: [ProducerMessage], mode: DeliveryMode) async throws {
        try state.withLock { state in
            if let failure = state.failure { throw failure }
            state.messages.append(contentsOf: messages)
        }
    }
}
