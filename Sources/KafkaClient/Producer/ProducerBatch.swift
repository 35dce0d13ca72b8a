import KafkaWire

/// Identifies one batch while the producer holds it. Split batches get new IDs.
public struct ProducerBatchID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// Assigned in increasing order from 0.
    public let rawValue: UInt64

    /// Wraps a raw ID.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "batch \(rawValue)" }
}

/// A message as the accumulator buffers it: the record's contents, its ID, label and size.
public struct BufferedRecord: Sendable {
    /// The message's ID.
    public let messageID: ProducerMessageID
    /// The record key.
    public let key: ByteSlice?
    /// The record value.
    public let value: ByteSlice?
    /// The record headers, in order.
    public let headers: [ProducerMessage.Header]
    /// The create timestamp, in milliseconds since the Unix epoch.
    public let timestampMs: Int64
    /// The caller's label.
    public let label: (any Sendable)?
    /// `ProducerMessage.recordSizeUpperBound`: what this record counts against every byte limit.
    public let sizeUpperBound: Int
}

/// The producer ID, epoch and base sequence written into an idempotent batch's header.
public struct BatchSequence: Hashable, Sendable, CustomStringConvertible {
    /// The producer's ID and epoch when the sequence was assigned.
    public var producerIDAndEpoch: ProducerIDAndEpoch
    /// The sequence number of the batch's first record.
    public var baseSequence: Int32

    /// A sequence for a batch.
    public init(producerIDAndEpoch: ProducerIDAndEpoch, baseSequence: Int32) {
        self.producerIDAndEpoch = producerIDAndEpoch
        self.baseSequence = baseSequence
    }

    public var description: String { "\(producerIDAndEpoch) seq \(baseSequence)" }
}

/// A producer ID and its epoch, from InitProducerId.
public struct ProducerIDAndEpoch: Hashable, Sendable, CustomStringConvertible {
    /// The producer ID; -1 when none is held.
    public var producerID: Int64
    /// The epoch; -1 when none is held.
    public var epoch: Int16

    /// An ID and epoch.
    public init(producerID: Int64, epoch: Int16) {
        self.producerID = producerID
        self.epoch = epoch
    }

    /// No producer ID: what a batch carries without idempotence (RecordBatch's -1 sentinels).
    public static let none = ProducerIDAndEpoch(producerID: -1, epoch: -1)

    /// Whether this is a real producer ID.
    public var isValid: Bool { producerID >= 0 }

    public var description: String { "producer \(producerID) epoch \(epoch)" }
}

/// Records of one partition that go out together as one v2 record batch.
///
/// The batch keeps its records, not their bytes: the request builder encodes it when it is sent,
/// so the sequence (assigned when the batch is drained, and rewritten after an epoch bump) and the
/// compression are decided at the last moment, and a batch the broker finds too large can be split.
public struct ProducerBatch: Sendable {
    /// The batch's ID.
    public let id: ProducerBatchID
    /// Where the batch goes.
    public let topicPartition: TopicPartition
    /// The records, in the order they were appended.
    public internal(set) var records: [BufferedRecord]
    /// The batch header plus every record's upper-bound size.
    public internal(set) var sizeUpperBound: Int
    /// The producer ID, epoch and base sequence, for an idempotent producer once drained.
    public internal(set) var sequence: BatchSequence?
    /// How many times the batch has been sent.
    public internal(set) var attempts: Int = 0
    /// When the batch was created: linger and `delivery.timeout.ms` count from here.
    let createdAt: ContinuousClock.Instant
    /// A retried batch is not sent again before this.
    var retryNotBefore: ContinuousClock.Instant?
    /// No more records go in (it was full, or it has been sent).
    var isSealed = false
    /// Why the last attempt failed.
    var lastError: KafkaProducerError?
    /// The broker the batch was last sent to (while it is in flight).
    var broker: Int32?

    /// The size of a v2 batch header (RecordBatch.headerSize): the overhead of a batch of any size.
    public static let headerSize = 61

    init(id: ProducerBatchID, topicPartition: TopicPartition, createdAt: ContinuousClock.Instant, capacity: Int) {
        self.id = id
        self.topicPartition = topicPartition
        self.createdAt = createdAt
        self.records = []
        self.records.reserveCapacity(capacity)
        self.sizeUpperBound = Self.headerSize
    }

    /// The ID of the first record: batches of a partition are kept in this order.
    var firstMessageID: ProducerMessageID { records[0].messageID }

    /// The number of records.
    public var recordCount: Int { records.count }
}

/// A first-in first-out queue of batches with O(1) push and pop at both ends in the common case
/// (an array and a head index); an out-of-order insertion (a split batch) shifts elements.
struct BatchQueue: Sendable {
    private var storage: [ProducerBatch] = []
    private var head = 0
    /// The partition with a topic string of the queue's own, which its new batches (and so their
    /// delivery reports) carry: the producer's side keeps retaining the caller's string per
    /// message, the reporting side this one, so one refcount is not contended by every core.
    var topicPartition: TopicPartition? = nil
    /// How many records the batch last taken from the front had: a new batch reserves room for
    /// half as many again.
    private(set) var lastBatchCount = 0

    var isEmpty: Bool { head == storage.count }
    var count: Int { storage.count - head }
    var first: ProducerBatch? { isEmpty ? nil : storage[head] }
    var last: ProducerBatch? { isEmpty ? nil : storage[storage.count - 1] }

    mutating func append(_ batch: ProducerBatch) { storage.append(batch) }

    /// Changes the newest batch in place.
    mutating func updateLast<R>(_ body: (inout ProducerBatch) -> R) -> R {
        body(&storage[storage.count - 1])
    }

    /// Changes the oldest batch in place.
    mutating func updateFirst<R>(_ body: (inout ProducerBatch) -> R) -> R {
        body(&storage[head])
    }

    mutating func popFirst() -> ProducerBatch? {
        guard head < storage.count else { return nil }
        let batch = storage[head]
        lastBatchCount = batch.records.count
        head += 1
        if head == storage.count {
            storage.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 && head * 2 >= storage.count {
            storage.removeFirst(head)
            head = 0
        }
        return batch
    }

    /// Puts a batch that has to be sent again back in its place: before every batch whose first
    /// record is newer. Retried batches are older than every batch never sent, so this is
    /// normally the front; with several retries in one partition it keeps their original order.
    mutating func reinsert(_ batch: ProducerBatch) {
        var index = head
        while index < storage.count && storage[index].firstMessageID < batch.firstMessageID { index += 1 }
        if index == head && head > 0 {
            head -= 1
            storage[head] = batch
        } else {
            storage.insert(batch, at: index)
        }
    }

    /// Removes and returns every batch, oldest first.
    mutating func removeAll() -> [ProducerBatch] {
        let rest = Array(storage[head...])
        storage.removeAll()
        head = 0
        return rest
    }

    /// The batches, oldest first.
    var elements: ArraySlice<ProducerBatch> { storage[head...] }
}
