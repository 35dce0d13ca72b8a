import KafkaWire

/// One record as the consumer hands it to the application.
///
/// Key, value and header values are slices of the fetched bytes (no copy): keeping a message
/// keeps its fetch response's buffer alive.
public struct KafkaConsumerMessage: Sendable, Hashable {
    /// The topic and partition it was read from.
    public var topicPartition: TopicPartition
    /// Its offset in the partition.
    public var offset: Int64
    /// Milliseconds since the Unix epoch, or -1 when the record has none (message format 0).
    public var timestamp: Int64
    /// Whose clock the timestamp is, nil at message format 0.
    public var timestampType: TimestampType?
    /// The key; nil for a null key.
    public var key: ByteSlice?
    /// The value; nil for a null value (a tombstone).
    public var value: ByteSlice?
    /// The headers (none before message format 2).
    public var headers: [RecordHeader]
    /// The leader epoch of the batch that carried it, or nil.
    public var leaderEpoch: Int32?

    /// The topic.
    public var topic: String { topicPartition.topic }
    /// The partition.
    public var partition: Int32 { topicPartition.partition }

    /// A message with the given fields.
    public init(topicPartition: TopicPartition, offset: Int64, timestamp: Int64 = -1, timestampType: TimestampType? = nil,
                key: ByteSlice? = nil, value: ByteSlice?, headers: [RecordHeader] = [], leaderEpoch: Int32? = nil) {
        self.topicPartition = topicPartition
        self.offset = offset
        self.timestamp = timestamp
        self.timestampType = timestampType
        self.key = key
        self.value = value
        self.headers = headers
        self.leaderEpoch = leaderEpoch
    }

    @inlinable
    init(_ record: FetchedRecord, _ partition: TopicPartition) {
        topicPartition = partition
        offset = record.offset
        timestamp = record.timestamp
        timestampType = record.timestampType
        key = record.key
        value = record.value
        headers = record.headers
        let epoch = record.batch.partitionLeaderEpoch
        leaderEpoch = epoch >= 0 ? epoch : nil
    }
}

/// Consecutive messages of one partition, in offset order: what `KafkaConsumer.batches` yields.
public struct KafkaConsumerBatch: Sendable, RandomAccessCollection {
    /// The partition they come from.
    public let topicPartition: TopicPartition
    /// The messages.
    public let messages: [KafkaConsumerMessage]

    public var startIndex: Int { messages.startIndex }
    public var endIndex: Int { messages.endIndex }
    public subscript(position: Int) -> KafkaConsumerMessage { messages[position] }

    /// The first message's offset.
    public var firstOffset: Int64? { messages.first?.offset }
    /// The last message's offset.
    public var lastOffset: Int64? { messages.last?.offset }
}

/// What the consumer reports besides messages: rebalances, ends of partitions, errors.
public enum KafkaConsumerEvent: Sendable {
    /// The group gave us these partitions (possibly none, after a rebalance that changed nothing
    /// for us). Their positions are the committed offsets, or `auto.offset.reset`.
    case partitionsAssigned([TopicPartition])
    /// These partitions are being taken away. No more of their messages will be delivered. Commit
    /// what was processed (or mark it: with `enable.auto.commit` the consumer commits the marks),
    /// then call `complete()`; the group waits for that (at most the rebalance timeout), and a
    /// revocation nobody keeps completes by itself.
    case partitionsRevoked(KafkaConsumerRevocation)
    /// These partitions were lost: another member may own them already, so commits for them would
    /// be refused. Messages processed since the last commit may be delivered again elsewhere.
    case partitionsLost([TopicPartition])
    /// The application reached the end of the partition (`enable.partition.eof`): the next offset
    /// is `offset`, the high watermark (the last stable offset in read_committed).
    case endOfPartition(TopicPartition, offset: Int64)
    /// Offsets were committed (automatically, on revocation or close, or by `commitAsync`).
    case offsetsCommitted([TopicPartition: CommitOffset])
    /// Something went wrong that the consumer cannot fix by itself (it keeps running unless the
    /// error says it stopped).
    case error(KafkaConsumerError)
}

/// A revocation in progress: the application's chance to commit before the partitions go.
///
/// Call `complete()` when done (committing, or marking with `enable.auto.commit` on). Dropping the
/// last reference completes it too, so an event the application ignores never blocks the group.
public final class KafkaConsumerRevocation: Sendable {
    /// The partitions being revoked.
    public let partitions: [TopicPartition]
    /// Signalled on completion; the consumer waits on it (and holds no reference to `self`, so
    /// dropping the event completes it).
    let completion: WakeSignal

    init(partitions: [TopicPartition], completion: WakeSignal) {
        self.partitions = partitions
        self.completion = completion
    }

    /// The application is done with the revoked partitions.
    public func complete() {
        completion.signal()
    }

    deinit { completion.signal() }
}

/// What can go wrong while consuming.
public enum KafkaConsumerError: Error, Sendable, CustomStringConvertible {
    /// `auto.offset.reset=none` and these partitions have no valid offset (no commit, or out of
    /// range): they wait for a `seek`.
    case noValidOffset([TopicPartition])
    /// Fetching a partition failed with an error that retrying will not fix (authorization...); the
    /// partition is tried again after `fetch.error.backoff.ms`.
    case fetchFailed(TopicPartition, KafkaClientError)
    /// A batch at `offset` could not be decoded (CRC, compression, lengths): the partition is
    /// paused there; `seek` past it (or resume to retry).
    case corruptRecords(TopicPartition, offset: Int64, WireDecodingError)
    /// Looking up a position (committed offset, ListOffsets) failed after its retries; it is tried again.
    case positionLookupFailed([TopicPartition], KafkaClientError)
    /// A commit failed.
    case commitFailed([TopicPartition: CommitOffset], KafkaClientError)
    /// The group membership stopped for good (fenced static member, authorization): the consumer stops.
    case groupFailed(GroupMembershipError)
    /// Subscribing or assigning needs `group.id`.
    case groupIDRequired
    /// A subscription pattern is not a valid regular expression.
    case invalidPattern(String)
    /// Manual assignment and group subscription cannot be mixed.
    case modeConflict(String)
    /// The consumer is closed (or was never run).
    case closed

    public var description: String {
        switch self {
        case let .noValidOffset(partitions): "no valid offset for \(partitions) (auto.offset.reset=none): seek to resume"
        case let .fetchFailed(partition, error): "fetching \(partition) failed: \(error)"
        case let .corruptRecords(partition, offset, error): "corrupt records in \(partition) at offset \(offset): \(error)"
        case let .positionLookupFailed(partitions, error): "looking up the position of \(partitions) failed: \(error)"
        case let .commitFailed(offsets, error):
            "committing \(offsets.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: ",")) failed: \(error)"
        case let .groupFailed(error): "the group membership failed: \(error)"
        case .groupIDRequired: "group.id is required to subscribe and to commit"
        case let .invalidPattern(pattern): "\"\(pattern)\" is not a valid regular expression"
        case let .modeConflict(reason): reason
        case .closed: "the consumer is closed"
        }
    }
}
