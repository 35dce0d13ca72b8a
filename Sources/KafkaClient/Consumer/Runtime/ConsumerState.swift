import KafkaWire
import Synchronization

/// Records of one fetched batch (or legacy entry) waiting for the application.
struct RecordChunk: Sendable {
    let partition: TopicPartition
    let records: FetchedRecords
    /// The first record to deliver (records before it were below the fetch offset).
    let start: Int
    /// The fetched bytes this chunk accounts for in the buffer bound.
    let bytes: Int
    /// The partition's epoch when it was fetched: a seek, revocation or loss bumps it.
    let epoch: UInt64

    var count: Int { records.count - start }
    var lastOffset: Int64 { records[records.count - 1].offset }
}

/// One queued item of a partition: records, or the point where the application reaches the end.
enum BufferItem: Sendable {
    case records(RecordChunk)
    case endOfPartition(Int64)
}

/// What the consumer keeps per assigned partition beyond the `OffsetTracker`'s offsets.
struct PartitionRuntime: Sendable {
    /// Bumped whenever buffered or handed-out records of the partition stop being valid.
    var epoch: UInt64
    var queue: [BufferItem] = []
    var head = 0
    /// Fetched bytes in `queue`.
    var bytes = 0
    /// No fetch before this instant (after an error).
    var backoffUntil: ContinuousClock.Instant?
    /// A larger per-partition fetch size, after a batch did not fit (brokers before KIP-74).
    var maxBytesOverride: Int32?
    /// Whether the partition is in the ready list.
    var isReady = false

    var hasItems: Bool { head < queue.count }

    mutating func popFirst() -> BufferItem? {
        guard head < queue.count else { return nil }
        let item = queue[head]
        head += 1
        if head == queue.count {
            queue.removeAll(keepingCapacity: true)
            head = 0
        } else if head >= 64 {
            queue.removeFirst(head)
            head = 0
        }
        return item
    }

    var first: BufferItem? { head < queue.count ? queue[head] : nil }
}

/// What an iterator last handed out, for `enable.auto.offset.store` at revocation and close.
@usableFromInline
final class IteratorProgress: Sendable {
    /// The offset of the last message handed out from the current chunk, or -1.
    @usableFromInline let lastReturned = Atomic<Int64>(-1)

    @usableFromInline init() {}
}

/// Work to do once the consumer's lock is released.
struct ConsumerEffects {
    var groupActions: [GroupMembershipStateMachine.Action] = []
    var wakeDriver = false
    var wakeGroup = false
    var resumeReaders: [CheckedContinuation<Void, Never>] = []
    var resumeEventReaders: [(CheckedContinuation<KafkaConsumerEvent?, Never>, KafkaConsumerEvent?)] = []
    var lookups: [PositionLookup] = []

    var isEmpty: Bool {
        groupActions.isEmpty && !wakeDriver && !wakeGroup && resumeReaders.isEmpty && resumeEventReaders.isEmpty && lookups.isEmpty
    }
}

/// How the application chose its partitions.
enum ConsumerMode: Sendable, Equatable {
    case none
    case assigned
    /// Group subscription: literal topics and regular expressions (librdkafka's `^` prefix).
    case subscribed(topics: [String], patterns: [String])
}

/// Everything the consumer's tasks share, behind one `Mutex` (lock, transition, unlock, then act).
struct ConsumerState: Sendable {
    enum Lifecycle: Sendable, Equatable {
        case idle
        case running
        /// Closing: no more messages; revoking, committing, leaving.
        case closing
        case closed
    }

    var lifecycle: Lifecycle = .idle
    var mode: ConsumerMode = .none
    var tracker: OffsetTracker
    var membership: GroupMembershipStateMachine?
    var autoCommit: AutoCommitPolicy
    var autoCommitInFlight = false
    /// How many times the group loop has stepped (tests check it does not spin).
    var groupLoopSteps = 0
    var partitions: [TopicPartition: PartitionRuntime] = [:]
    var ready: [TopicPartition] = []
    var readyHead = 0
    var totalBuffered = 0
    var nextEpoch: UInt64 = 1
    /// Per broker: its fetch session.
    var sessions: [Int32: FetchSessionStateMachine] = [:]
    var fetchesInFlight: Set<Int32> = []
    var brokerBackoff: [Int32: ContinuousClock.Instant] = [:]
    /// Lookups to perform, and those waiting out a backoff.
    var pendingLookups: [PositionLookup] = []
    var delayedLookups: [(notBefore: ContinuousClock.Instant, lookup: PositionLookup)] = []
    var readers: [UInt64: CheckedContinuation<Void, Never>] = [:]
    var nextReaderID: UInt64 = 0
    /// Per iterator: the partition and epoch of the chunk it is handing out, and its progress.
    var activeChunks: [UInt64: (partition: TopicPartition, epoch: UInt64, progress: IteratorProgress)] = [:]
    var heartbeatDeadline: ContinuousClock.Instant?
    var retryDeadline: ContinuousClock.Instant?
    var nextPatternRefresh: ContinuousClock.Instant?
    var failure: KafkaConsumerError?
    /// The largest fetched bytes buffered at once since the consumer started.
    var maxBufferedSeen = 0

    // Events: buffered only once someone iterates `events`.
    var eventsObserved = false
    var events: [KafkaConsumerEvent] = []
    var eventHead = 0
    var eventReaders: [UInt64: CheckedContinuation<KafkaConsumerEvent?, Never>] = [:]
    static let maxBufferedEvents = 10_000

    init(configuration: KafkaConsumerConfiguration, now: ContinuousClock.Instant) {
        tracker = OffsetTracker(resetPolicy: configuration.autoOffsetReset, isolationLevel: configuration.isolationLevel,
                                commitSource: .marked)
        membership = configuration.membership.map(GroupMembershipStateMachine.init(configuration:))
        // Without group.id there is nowhere to commit: no automatic commits (enable.auto.commit
        // defaults to true, and each would fail with an error event).
        let autoCommits = configuration.enableAutoCommit && configuration.groupID != nil
        autoCommit = AutoCommitPolicy(interval: autoCommits ? configuration.autoCommitInterval : nil,
                                      threshold: autoCommits ? configuration.autoCommitThreshold : nil,
                                      now: now)
    }

    var isDelivering: Bool { lifecycle == .running || lifecycle == .idle }

    // MARK: - Partitions

    /// Starts tracking `added` partitions from `start`; returns the lookups they need.
    mutating func addPartitions(_ added: [TopicPartition], from start: StartPosition, effects: inout ConsumerEffects) {
        for tp in added where partitions[tp] == nil {
            partitions[tp] = PartitionRuntime(epoch: nextEpoch)
            nextEpoch += 1
        }
        effects.lookups += tracker.assign(added, from: start)
        effects.wakeDriver = true
    }

    /// Drops what is buffered for `targets` and makes records handed out for them stale.
    mutating func invalidate(_ targets: [TopicPartition]) {
        for tp in targets {
            guard var runtime = partitions[tp] else { continue }
            totalBuffered -= runtime.bytes
            runtime.bytes = 0
            runtime.queue.removeAll()
            runtime.head = 0
            runtime.epoch = nextEpoch
            nextEpoch += 1
            partitions[tp] = runtime
        }
    }

    /// Marks, for `enable.auto.offset.store`, what the iterators handed out of `targets`.
    mutating func storeHandedOut(of targets: Set<TopicPartition>?) {
        for (_, active) in activeChunks where targets?.contains(active.partition) ?? true {
            guard partitions[active.partition]?.epoch == active.epoch else { continue }
            let offset = active.progress.lastReturned.load(ordering: .relaxed)
            if offset >= 0, tracker.markProcessed(active.partition, offset: offset) { autoCommit.marked() }
        }
    }

    /// Stops tracking `removed` partitions (revoked, lost or unassigned).
    mutating func removePartitions(_ removed: [TopicPartition]) {
        invalidate(removed)
        // Fetch sessions forget them with their next request, which leaves them out.
        for tp in removed { partitions[tp] = nil }
    }

    // MARK: - Buffer

    /// Appends fetched chunks (and an end marker) for `partition`.
    mutating func enqueue(_ items: [BufferItem], bytes: Int, for partition: TopicPartition, effects: inout ConsumerEffects) {
        guard !items.isEmpty, var runtime = partitions[partition] else { return }
        runtime.queue.append(contentsOf: items)
        runtime.bytes += bytes
        totalBuffered += bytes
        maxBufferedSeen = max(maxBufferedSeen, totalBuffered)
        if !runtime.isReady {
            runtime.isReady = true
            ready.append(partition)
        }
        partitions[partition] = runtime
        effects.resumeReaders += readers.values
        readers.removeAll()
    }

    /// The next partition with buffered items, round robin.
    mutating func nextReadyPartition() -> TopicPartition? {
        while readyHead < ready.count {
            let tp = ready[readyHead]
            readyHead += 1
            if readyHead >= 64 || readyHead == ready.count {
                ready.removeFirst(readyHead)
                readyHead = 0
            }
            guard var runtime = partitions[tp] else { continue }
            runtime.isReady = false
            partitions[tp] = runtime
            guard runtime.hasItems, !(tracker[tp]?.isPaused ?? true) else { continue }
            return tp
        }
        return nil
    }

    mutating func requeue(_ tp: TopicPartition) {
        guard var runtime = partitions[tp], runtime.hasItems, !runtime.isReady else { return }
        runtime.isReady = true
        partitions[tp] = runtime
        ready.append(tp)
    }

    /// Takes up to `limit` records of one partition (whole chunks, at least one), emitting end
    /// markers met on the way. nil when nothing is buffered.
    mutating func take(limit: Int, enablePartitionEOF: Bool, effects: inout ConsumerEffects) -> [RecordChunk]? {
        while let tp = nextReadyPartition() {
            guard var runtime = partitions[tp] else { continue }
            var chunks: [RecordChunk] = []
            var taken = 0
            while let item = runtime.first {
                if case let .records(chunk) = item {
                    if !chunks.isEmpty && taken + chunk.count > limit { break }
                    _ = runtime.popFirst()
                    runtime.bytes -= chunk.bytes
                    totalBuffered -= chunk.bytes
                    chunks.append(chunk)
                    taken += chunk.count
                } else if case let .endOfPartition(offset) = item {
                    // The end is reached once the records before it are handed out.
                    guard chunks.isEmpty else { break }
                    _ = runtime.popFirst()
                    if enablePartitionEOF { emit(.endOfPartition(tp, offset: offset), effects: &effects) }
                }
            }
            // An end marker right behind the last chunk handed out is reached with it (the
            // application may never ask again).
            if !chunks.isEmpty, case let .endOfPartition(offset)? = runtime.first {
                _ = runtime.popFirst()
                if enablePartitionEOF { emit(.endOfPartition(tp, offset: offset), effects: &effects) }
            }
            partitions[tp] = runtime
            requeue(tp)
            if let last = chunks.last {
                tracker.delivered(tp, through: last.lastOffset)
                // Room in the buffer may let the planner fetch again.
                effects.wakeDriver = true
                return chunks
            }
        }
        return nil
    }

    // MARK: - Events

    mutating func emit(_ event: KafkaConsumerEvent, effects: inout ConsumerEffects) {
        guard eventsObserved else { return }
        if let (id, reader) = eventReaders.first {
            eventReaders[id] = nil
            effects.resumeEventReaders.append((reader, event))
            return
        }
        events.append(event)
        if events.count - eventHead > Self.maxBufferedEvents {
            // Nobody reads them: keep the newest (a dropped revocation completes by itself).
            eventHead += 1
        }
        if eventHead > 1024 {
            events.removeFirst(eventHead)
            eventHead = 0
        }
    }

    mutating func nextEvent() -> KafkaConsumerEvent? {
        guard eventHead < events.count else { return nil }
        let event = events[eventHead]
        eventHead += 1
        if eventHead == events.count {
            events.removeAll()
            eventHead = 0
        }
        return event
    }

    /// Ends every waiting reader (messages and events).
    mutating func releaseReaders(effects: inout ConsumerEffects) {
        effects.resumeReaders += readers.values
        readers.removeAll()
        if lifecycle == .closed {
            for (_, reader) in eventReaders { effects.resumeEventReaders.append((reader, nil)) }
            eventReaders.removeAll()
        }
    }

    // MARK: - Group timers

    /// Applies the membership's timer actions to our deadlines; returns the others.
    mutating func absorbTimers(_ actions: [GroupMembershipStateMachine.Action], now: ContinuousClock.Instant)
        -> [GroupMembershipStateMachine.Action] {
        var rest: [GroupMembershipStateMachine.Action] = []
        for action in actions {
            switch action {
            case let .scheduleHeartbeat(after): heartbeatDeadline = now + after
            case let .scheduleRetry(after): retryDeadline = now + after
            default: rest.append(action)
            }
        }
        return rest
    }
}
