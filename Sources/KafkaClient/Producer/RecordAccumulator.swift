import KafkaWire

/// The producer's buffer as a state machine: messages go in per partition, batches come out one
/// produce request per broker, and every message comes back out as exactly one delivery report.
///
/// Pure: no clock, no sockets. The owner (the producer) feeds it events with the time they
/// happened at and performs what it answers:
///
/// | event                                 | answer                                                   |
/// |---------------------------------------|----------------------------------------------------------|
/// | `append(_:partition:now:currentTimeMs:)` | accepted (an ID), "full", or rejected (too large, closed) |
/// | `ready(now:leaderOf:)`                | the brokers to drain, topics without a leader, when to look again |
/// | `drain(broker:now:leaderOf:)`         | one produce request's worth of batches for that broker   |
/// | `produceResponseReceived(_:for:now:)` | reports, retries (re-queued at the front), metadata to refresh |
/// | `requestFailed(_:error:now:)`         | the same, for a request that got no response             |
/// | `requestSent(_:now:)` (acks 0)        | success reports without offsets                          |
/// | `expireBatches(now:)`                 | `delivery.timeout.ms` reports                            |
/// | `beginFlush()` / `close()` / `abort()` | flush completions, closed, everything failed            |
/// | `producerIDRequest()` / `producerIDResponseReceived(_:)` | InitProducerId for idempotence        |
///
/// Ordering: a partition's batches leave in order. A failed batch goes back before every batch
/// appended after it. With idempotence, a retry is sent only as the partition's oldest batch in
/// flight, and the broker's sequence check turns any overtaking into a retry, so order holds
/// with up to 5 requests in flight. Without idempotence, order holds across retries only with
/// `maxInFlightPerPartition` 1 (a later batch may otherwise be written before an earlier one's retry).
///
/// Memory: every accepted message counts its upper-bound record size against `bufferMaxBytes`
/// and one against `bufferMaxMessages` from `append` until its report, in flight included, so a
/// producer that outruns the broker is told "full" rather than growing.
public struct RecordAccumulator: Sendable {
    private enum State: Sendable {
        /// Taking messages.
        case open
        /// `close()` was called: no new messages, everything buffered is sent at once.
        case closing
        /// Closed and empty.
        case closed
        /// A fatal error (fencing...): queued messages failed, nothing is sent; `closing` once
        /// `close()` was called.
        case failed(KafkaProducerError, closing: Bool)
    }

    /// The settings.
    public let configuration: AccumulatorConfiguration
    private var state: State = .open
    private var queues: [QueueKey: BatchQueue] = [:]
    /// The topic appended to last and its name's hash: a stream to one topic hashes its name once.
    private var lastTopic: (name: String, hash: Int)? = nil
    /// Every partition that has had a queue, in first-seen order: drain walks it round-robin.
    private var partitionOrder: [TopicPartition] = []
    /// Where the next drain for a broker starts in `partitionOrder`, so a full request does not
    /// always leave out the same partitions.
    private var drainStart: [Int32: Int] = [:]
    private var inFlight: [ProducerBatchID: ProducerBatch] = [:]
    private var inFlightCount: [TopicPartition: Int] = [:]
    /// Per partition, the brokers its batches in flight were sent to, with their counts: a new
    /// batch does not go to a new leader while batches are still out at the old one.
    private var inFlightBrokers: [TopicPartition: [Int32: Int]] = [:]
    /// Present when the producer is idempotent.
    public internal(set) var idempotence: IdempotentProducerState?
    private var nextMessageID: UInt64 = 0
    private var nextBatchID: UInt64 = 0
    private var nextFlushID: UInt64 = 0
    /// Flushes in progress: each completes when every message accepted before it is reported.
    private var pendingFlushes: [(id: FlushID, upTo: ProducerMessageID)] = []
    /// A caller was told "full" since the last accepted message: send everything now.
    private var bufferExhausted = false

    /// Bytes of messages accepted and not yet reported (upper-bound record sizes).
    public private(set) var bufferedBytes = 0
    /// Messages accepted and not yet reported.
    public private(set) var bufferedMessages = 0

    /// An empty accumulator. The configuration is assumed valid (`AccumulatorConfiguration.validate()`).
    public init(configuration: AccumulatorConfiguration) {
        self.configuration = configuration
        self.idempotence = configuration.idempotence ? IdempotentProducerState() : nil
    }

    // MARK: Appending

    /// What became of a message handed to `append`.
    public enum AppendResult: Sendable {
        /// Buffered under this ID. `batchFull`: a batch filled up, so there is something to send now.
        case appended(ProducerMessageID, batchFull: Bool)
        /// The buffer has no room: wait for reports to free some, or fail (`bufferFullPolicy`).
        case bufferFull
        /// The message can never be accepted (too large, producer closed or failed).
        case rejected(KafkaProducerError)
    }

    /// Buffers `message` for `partition` (chosen by `PartitionRouter`). `currentTimeMs` is the
    /// wall-clock time in milliseconds since the Unix epoch, the record's timestamp when the
    /// message has none; `now` is for linger and delivery timeouts.
    public mutating func append(_ message: ProducerMessage, partition: Int32, now: ContinuousClock.Instant,
                                currentTimeMs: Int64) -> AppendResult {
        append(message, label: message.label, partition: partition, now: now, currentTimeMs: currentTimeMs)
    }

    /// `append` with `label` in place of the message's own (the producer's delivery promise),
    /// so the message need not be copied to change it.
    mutating func append(_ message: ProducerMessage, label: (any Sendable)?, partition: Int32,
                         now: ContinuousClock.Instant, currentTimeMs: Int64) -> AppendResult {
        switch state {
        case .open: break
        case .closing, .closed: return .rejected(.closed)
        case let .failed(error, _): return .rejected(.fatal(error))
        }
        let size = message.recordSizeUpperBound
        let alone = size.addingSaturated(ProducerBatch.headerSize)
        if alone > configuration.messageMaxBytes {
            return .rejected(.messageTooLarge(size: alone, setting: "message.max.bytes", limit: configuration.messageMaxBytes))
        }
        if alone > configuration.maxRequestSize {
            return .rejected(.messageTooLarge(size: alone, setting: "max.request.size", limit: configuration.maxRequestSize))
        }
        if size > configuration.bufferMaxBytes {
            return .rejected(.messageTooLarge(size: size, setting: "buffer.memory", limit: configuration.bufferMaxBytes))
        }
        guard bufferedMessages < configuration.bufferMaxMessages,
              bufferedBytes <= configuration.bufferMaxBytes - size else {
            bufferExhausted = true
            return .bufferFull
        }

        let id = ProducerMessageID(rawValue: nextMessageID)
        nextMessageID += 1
        let record = BufferedRecord(messageID: id, key: message.key, value: message.value, headers: message.headers,
                                    timestampMs: message.timestampMs ?? currentTimeMs, label: label,
                                    sizeUpperBound: size)
        let topicPartition = TopicPartition(message.topic, partition)
        let topicHash: Int
        if let last = lastTopic, last.name == message.topic {
            topicHash = last.hash
        } else {
            topicHash = message.topic.hashValue
            lastTopic = (message.topic, topicHash)
        }
        let newBatch = NewBatch(id: ProducerBatchID(rawValue: nextBatchID), topicPartition: topicPartition, createdAt: now,
                                capacity: min(configuration.batchMaxMessages, 64))
        // One hash lookup per message: the default runs only for a partition seen for the first time.
        var firstSeen = false
        let (filled, usedNewBatch) = Self.appendRecord(
            record, to: &queues[QueueKey(topicPartition, topicHash: topicHash), default: {
                firstSeen = true
                var queue = BatchQueue()
                queue.topicPartition = TopicPartition(String(decoding: Array(topicPartition.topic.utf8), as: UTF8.self),
                                                      topicPartition.partition)
                return queue
            }()],
            newBatch: newBatch, limit: configuration.effectiveBatchSize, maxCount: configuration.batchMaxMessages)
        if firstSeen { partitionOrder.append(topicPartition) }
        if usedNewBatch { nextBatchID += 1 }
        bufferedBytes += size
        bufferedMessages += 1
        bufferExhausted = false
        return .appended(id, batchFull: filled)
    }

    /// Whether the newest batch of `topicPartition` is open and would take a record of `recordSize`
    /// bytes: the sticky partitioner stays on a partition while this holds.
    public func hasOpenBatch(_ topicPartition: TopicPartition, recordSize: Int) -> Bool {
        guard let batch = queues[QueueKey(topicPartition)]?.last, !batch.isSealed else { return false }
        return batch.records.count < configuration.batchMaxMessages
            && batch.sizeUpperBound <= configuration.effectiveBatchSize - recordSize
    }

    /// Whether the buffer would take a message of `recordSize` bytes now.
    public func hasRoom(forRecordSize recordSize: Int) -> Bool {
        bufferedMessages < configuration.bufferMaxMessages && bufferedBytes <= configuration.bufferMaxBytes - recordSize
    }

    /// Appends `record` to the queue's open batch, or to `newBatch` when there is none or it is
    /// full. Returns whether a batch filled up and whether `newBatch` was used.
    private struct NewBatch {
        var id: ProducerBatchID
        var topicPartition: TopicPartition
        var createdAt: ContinuousClock.Instant
        var capacity: Int
    }

    private static func appendRecord(_ record: BufferedRecord, to queue: inout BatchQueue, newBatch: NewBatch,
                                     limit: Int, maxCount: Int) -> (filled: Bool, usedNewBatch: Bool) {
        var filled = false
        if !queue.isEmpty {
            let appended = queue.updateLast { batch in
                guard !batch.isSealed else { return false }
                guard batch.records.count < maxCount, batch.sizeUpperBound <= limit - record.sizeUpperBound else {
                    // The record does not fit: the batch is full.
                    batch.isSealed = true
                    filled = true
                    return false
                }
                add(record, to: &batch, limit: limit, maxCount: maxCount, filled: &filled)
                return true
            }
            if appended { return (filled, false) }
        }
        // Room for half as many records again as the partition's last batch took (up to the batch's
        // limit): a steady stream fills each batch without growing its array through a dozen
        // doublings, each copying every record so far into freshly faulted-in memory.
        let capacity = max(newBatch.capacity, min(queue.lastBatchCount + queue.lastBatchCount / 2, maxCount))
        var batch = ProducerBatch(id: newBatch.id, topicPartition: queue.topicPartition ?? newBatch.topicPartition,
                                  createdAt: newBatch.createdAt, capacity: capacity)
        add(record, to: &batch, limit: limit, maxCount: maxCount, filled: &filled)
        queue.append(batch)
        return (filled, true)
    }

    private static func add(_ record: BufferedRecord, to batch: inout ProducerBatch, limit: Int, maxCount: Int,
                            filled: inout Bool) {
        batch.records.append(record)
        batch.sizeUpperBound += record.sizeUpperBound
        // Full when no record at all (36 bytes at least) could follow.
        if batch.records.count >= maxCount || batch.sizeUpperBound > limit - 36 {
            batch.isSealed = true
            filled = true
        }
    }

    // MARK: Ready and drain

    /// Which brokers have something to send, as Java's `RecordAccumulator.ready` answers.
    public struct ReadyCheck: Sendable, Equatable {
        /// Brokers leading a partition with a sendable batch: drain each.
        public var readyBrokers: Set<Int32> = []
        /// Topics with a queued batch for a partition without a known leader: refresh their metadata.
        public var unknownLeaderTopics: Set<String> = []
        /// When a batch next becomes sendable (linger, retry backoff) or expires; nil if never.
        public var nextCheck: ContinuousClock.Instant? = nil
    }

    /// Which brokers have a sendable batch at `now`. A batch is sendable when it is full, when
    /// its linger has passed, when a flush or close is in progress, when the buffer is exhausted,
    /// or (a retry) when its backoff has passed; and when its partition may take another request.
    public func ready(now: ContinuousClock.Instant, leaderOf: (TopicPartition) -> Int32?) -> ReadyCheck {
        var check = ReadyCheck()
        var sendEverything = bufferExhausted || !pendingFlushes.isEmpty
        switch state {
        case .open: break
        case .closing: sendEverything = true
        case .closed, .failed: return check
        }
        let canSequence = idempotence?.isReady ?? true
        for (key, queue) in queues {
            let topicPartition = key.topicPartition
            guard let first = queue.first else { continue }
            check.nextCheck = Self.earliest(check.nextCheck, first.createdAt + configuration.deliveryTimeout)
            guard let leader = leaderOf(topicPartition) else {
                check.unknownLeaderTopics.insert(topicPartition.topic)
                continue
            }
            guard canSequence, mayDrain(topicPartition, first, to: leader) else { continue }
            if let notBefore = first.retryNotBefore {
                if notBefore > now {
                    check.nextCheck = Self.earliest(check.nextCheck, notBefore)
                } else {
                    check.readyBrokers.insert(leader)
                }
                continue
            }
            let lingerEnd = first.createdAt + configuration.linger
            if sendEverything || first.isSealed || queue.count > 1 || lingerEnd <= now {
                check.readyBrokers.insert(leader)
            } else {
                check.nextCheck = Self.earliest(check.nextCheck, lingerEnd)
            }
        }
        return check
    }

    /// One produce request's worth of batches for `broker`: the oldest batch of each partition it
    /// leads that may be sent now, up to `maxRequestSize` bytes (always at least one batch).
    /// Batches leave the queue, get their sequence (idempotence) and count as in flight until
    /// their outcome comes back. Call it for the brokers `ready` named: it also takes batches
    /// that are not full yet, as a request is going to that broker anyway.
    public mutating func drain(broker: Int32, now: ContinuousClock.Instant,
                               leaderOf: (TopicPartition) -> Int32?) -> ProduceRequestPlan? {
        switch state {
        case .open, .closing: break
        case .closed, .failed: return nil
        }
        if let idempotence, !idempotence.isReady { return nil }
        let count = partitionOrder.count
        guard count > 0 else { return nil }
        let start = (drainStart[broker] ?? 0) % count
        var batches: [ProducerBatch] = []
        var size = 0
        var visited = 0
        while visited < count {
            let topicPartition = partitionOrder[(start + visited) % count]
            visited += 1
            let key = QueueKey(topicPartition)
            guard leaderOf(topicPartition) == broker, let first = queues[key]?.first else { continue }
            if let notBefore = first.retryNotBefore, notBefore > now { continue }
            guard mayDrain(topicPartition, first, to: broker) else { continue }
            if !batches.isEmpty && size > configuration.maxRequestSize - first.sizeUpperBound { break }
            guard var batch = queues[key]?.popFirst() else { continue }
            batch.isSealed = true
            batch.broker = broker
            inFlightBrokers[topicPartition, default: [:]][broker, default: 0] += 1
            batch.retryNotBefore = nil
            batch.attempts += 1
            if batch.sequence == nil {
                batch.sequence = idempotence?.assignSequence(topicPartition, batchID: batch.id,
                                                             recordCount: batch.recordCount)
            }
            size += batch.sizeUpperBound
            inFlight[batch.id] = batch
            inFlightCount[topicPartition, default: 0] += 1
            batches.append(batch)
        }
        drainStart[broker] = (start + visited) % count
        return batches.isEmpty ? nil : ProduceRequestPlan(broker: broker, batches: batches)
    }

    /// Whether the head batch of a partition may go out to `broker`: under the partition's
    /// in-flight limit, allowed by the idempotence rules, and, for a batch never sent, only when
    /// no batch of the partition is still in flight at another broker (the leader moved): else it
    /// could be appended at the new leader before an older batch that the old leader refuses and
    /// that is retried there (with idempotence the broker would refuse it as out of order, costing
    /// a round trip; without, the partition would be reordered).
    private func mayDrain(_ topicPartition: TopicPartition, _ head: ProducerBatch, to broker: Int32) -> Bool {
        if inFlightCount[topicPartition, default: 0] >= configuration.maxInFlightPerPartition { return false }
        if head.sequence == nil && head.attempts == 0, let brokers = inFlightBrokers[topicPartition],
           brokers.keys.contains(where: { $0 != broker }) {
            return false
        }
        if let idempotence, idempotence.shouldStopDrain(topicPartition, headSequence: head.sequence) { return false }
        return true
    }

    // MARK: Queries

    /// Whether every accepted message has been reported.
    public var isEmpty: Bool { bufferedMessages == 0 }

    /// Whether `close()` has completed: nothing buffered and nothing accepted any more.
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    /// The fatal error that stopped the producer, if one did.
    public var fatalError: KafkaProducerError? {
        if case let .failed(error, _) = state { return error }
        return nil
    }

    /// Batches queued (not in flight) for `topicPartition`, oldest first.
    public func queuedBatches(_ topicPartition: TopicPartition) -> [ProducerBatch] {
        Array(queues[QueueKey(topicPartition)]?.elements ?? [])
    }

    /// Batches in flight, by ID.
    public var inFlightBatches: [ProducerBatchID: ProducerBatch] { inFlight }

    // MARK: Shared with the completion events

    static func earliest(_ a: ContinuousClock.Instant?, _ b: ContinuousClock.Instant) -> ContinuousClock.Instant {
        guard let a else { return b }
        return min(a, b)
    }

    /// The state machine's mutable parts, for the completion events in the other file.
    var stateIsFailed: Bool {
        if case .failed = state { return true }
        return false
    }

    mutating func removeInFlight(_ id: ProducerBatchID) -> ProducerBatch? {
        guard let batch = inFlight.removeValue(forKey: id) else { return nil }
        inFlightCount[batch.topicPartition, default: 1] -= 1
        if let broker = batch.broker {
            let left = inFlightBrokers[batch.topicPartition]?[broker].map { $0 - 1 } ?? 0
            inFlightBrokers[batch.topicPartition]?[broker] = left > 0 ? left : nil
            if inFlightBrokers[batch.topicPartition]?.isEmpty == true { inFlightBrokers[batch.topicPartition] = nil }
        }
        return batch
    }

    mutating func requeue(_ batch: ProducerBatch) {
        let key = QueueKey(batch.topicPartition)
        if queues[key] == nil { partitionOrder.append(batch.topicPartition) }
        queues[key, default: BatchQueue()].reinsert(batch)
    }

    mutating func release(_ record: BufferedRecord) {
        bufferedBytes -= record.sizeUpperBound
        bufferedMessages -= 1
    }

    mutating func releaseBytes(_ bytes: Int, messages: Int) {
        bufferedBytes -= bytes
        bufferedMessages -= messages
    }

    mutating func newBatchID() -> ProducerBatchID {
        defer { nextBatchID += 1 }
        return ProducerBatchID(rawValue: nextBatchID)
    }

    /// Removes every queued batch of every partition, oldest first per partition.
    mutating func removeAllQueued() -> [ProducerBatch] {
        var all: [ProducerBatch] = []
        for topicPartition in partitionOrder {
            all.append(contentsOf: queues[QueueKey(topicPartition)]?.removeAll() ?? [])
        }
        return all
    }

    /// Removes every batch in flight.
    mutating func removeAllInFlight() -> [ProducerBatch] {
        let all = inFlight.values.sorted { $0.id < $1.id }
        inFlight.removeAll()
        inFlightCount.removeAll()
        inFlightBrokers.removeAll()
        return all
    }

    /// Queued batches whose delivery timeout has passed, removed from their queues.
    mutating func removeExpired(now: ContinuousClock.Instant) -> [ProducerBatch] {
        var expired: [ProducerBatch] = []
        for topicPartition in partitionOrder {
            let key = QueueKey(topicPartition)
            while let first = queues[key]?.first, first.createdAt + configuration.deliveryTimeout <= now {
                if let batch = queues[key]?.popFirst() { expired.append(batch) }
            }
        }
        return expired
    }

    /// Sets the sequences an epoch bump or a new producer ID rewrote, wherever the batches are.
    mutating func applySequenceRewrites(_ rewrites: [ProducerBatchID: BatchSequence]) {
        guard !rewrites.isEmpty else { return }
        for (id, sequence) in rewrites {
            inFlight[id]?.sequence = sequence
        }
        for topicPartition in partitionOrder {
            let key = QueueKey(topicPartition)
            guard let queue = queues[key], queue.elements.contains(where: { rewrites[$0.id] != nil }) else {
                continue
            }
            var rebuilt = BatchQueue()
            for var batch in queue.elements {
                if let sequence = rewrites[batch.id] { batch.sequence = sequence }
                rebuilt.append(batch)
            }
            queues[key] = rebuilt
        }
    }

    /// The smallest message ID not yet reported, nil when every message is.
    var oldestOutstandingMessageID: ProducerMessageID? {
        var oldest: ProducerMessageID?
        func consider(_ id: ProducerMessageID) {
            if let current = oldest, current <= id { return }
            oldest = id
        }
        for batch in inFlight.values { consider(batch.firstMessageID) }
        for queue in queues.values {
            if let first = queue.first { consider(first.firstMessageID) }
        }
        return oldest
    }

    /// Completes the flushes whose messages are all reported, and the close once everything is.
    mutating func settleFlushesAndClose(into actions: inout ProducerActions) {
        if !pendingFlushes.isEmpty {
            let oldest = oldestOutstandingMessageID
            pendingFlushes.removeAll { flush in
                guard oldest.map({ $0 > flush.upTo }) ?? true else { return false }
                actions.completedFlushes.append(flush.id)
                return true
            }
        }
        guard bufferedMessages == 0 else { return }
        switch state {
        case .closing, .failed(_, closing: true):
            state = .closed
            actions.closed = true
        case .open, .closed, .failed(_, closing: false):
            break
        }
    }

    /// Enters the failed state: every queued message fails with `error`.
    mutating func enterFatal(_ error: KafkaProducerError, into actions: inout ProducerActions) {
        switch state {
        case .open: state = .failed(error, closing: false)
        case .closing: state = .failed(error, closing: true)
        case .closed, .failed: return
        }
        actions.fatalError = error
        for batch in removeAllQueued() { failRecords(of: batch, with: .fatal(error), recordErrors: [:], into: &actions) }
    }

    /// Reports every record of `batch` as failed with `error` and frees its memory.
    mutating func failRecords(of batch: ProducerBatch, with error: KafkaProducerError,
                              recordErrors: [Int32: String?], into actions: inout ProducerActions) {
        // Not an exact reserveCapacity per batch: with several batches per response that would
        // reallocate (and copy every report) once per batch instead of growing geometrically.
        if actions.reports.isEmpty { actions.reports.reserveCapacity(batch.records.count) }
        for index in batch.records.indices {
            let record = batch.records[index]
            var recordError = error
            if !recordErrors.isEmpty, case let .broker(kafkaError, _) = error {
                // KIP-467: the broker names the records that made it drop the batch; the others
                // were dropped with them.
                let reason = recordErrors[Int32(index)].map { $0 ?? "rejected by the broker" }
                    ?? "not appended: another record of its batch was invalid"
                recordError = .broker(kafkaError, recordError: reason)
            }
            actions.reports.append(DeliveryReport(messageID: record.messageID, topic: batch.topicPartition.topic,
                                                  partition: batch.topicPartition.partition, label: record.label,
                                                  result: .failure(recordError)))
            release(record)
        }
    }

    // MARK: Flush and close

    /// Starts a flush: every batch is sendable at once until every message accepted so far has
    /// been reported; `ProducerActions.completedFlushes` then names it (here already when there
    /// is nothing to wait for).
    public mutating func beginFlush() -> (id: FlushID, actions: ProducerActions) {
        let id = FlushID(rawValue: nextFlushID)
        nextFlushID += 1
        var actions = ProducerActions()
        if nextMessageID > 0 {
            pendingFlushes.append((id, ProducerMessageID(rawValue: nextMessageID - 1)))
            settleFlushesAndClose(into: &actions)
        } else {
            actions.completedFlushes.append(id)
        }
        return (id, actions)
    }

    /// Stops taking messages and sends everything buffered at once; `closed` comes once every
    /// message is reported.
    public mutating func close() -> ProducerActions {
        switch state {
        case .open: state = .closing
        case let .failed(error, _): state = .failed(error, closing: true)
        case .closing, .closed: break
        }
        var actions = ProducerActions()
        settleFlushesAndClose(into: &actions)
        return actions
    }

    /// Closes without waiting: every message still held, queued or in flight, fails with
    /// `aborted` now, and answers still to come for batches in flight are ignored.
    public mutating func abort() -> ProducerActions {
        var actions = ProducerActions()
        for batch in removeAllQueued() + removeAllInFlight() {
            failRecords(of: batch, with: .aborted, recordErrors: [:], into: &actions)
        }
        switch state {
        case .open, .closing, .failed:
            state = .closing
        case .closed:
            break
        }
        settleFlushesAndClose(into: &actions)
        return actions
    }
}

/// Identifies one `flush()`.
public struct FlushID: Hashable, Sendable {
    /// Assigned in increasing order.
    public let rawValue: UInt64
}

/// One produce request's worth of batches for one broker: at most one batch per partition, so a
/// response's partition result names its batch.
public struct ProduceRequestPlan: Sendable {
    /// The broker leading every partition in the plan.
    public let broker: Int32
    /// The batches, one per partition.
    public let batches: [ProducerBatch]

    /// The total of the batches' upper-bound sizes.
    public var sizeUpperBound: Int { batches.reduce(0) { $0 + $1.sizeUpperBound } }

    /// The topics in the plan.
    public var topics: Set<String> { Set(batches.map(\.topicPartition.topic)) }
}

/// What the owner does after an event: publish reports, refresh metadata, resume flushes.
public struct ProducerActions: Sendable {
    /// Delivery reports to publish, one per message that just ended.
    public var reports: [DeliveryReport] = []
    /// Topics whose metadata is stale (a partition lost its leader, a connection failed).
    public var refreshMetadata: Set<String> = []
    /// Flushes that completed.
    public var completedFlushes: [FlushID] = []
    /// Batches that go out again, for instrumentation.
    public var retries: [RetryScheduled] = []
    /// The close completed: every message was reported.
    public var closed = false
    /// The producer just failed fatally with this error.
    public var fatalError: KafkaProducerError?

    /// No actions.
    public init() {}

    /// Whether there is nothing to do.
    public var isEmpty: Bool {
        reports.isEmpty && refreshMetadata.isEmpty && completedFlushes.isEmpty && retries.isEmpty && !closed
            && fatalError == nil
    }
}

/// A batch scheduled to be sent again.
public struct RetryScheduled: Sendable, Equatable {
    /// The batch.
    public let batchID: ProducerBatchID
    /// Its partition.
    public let topicPartition: TopicPartition
    /// How many times it has been sent.
    public let attempts: Int
    /// Why the last attempt failed.
    public let error: KafkaProducerError
    /// When it may go out again.
    public let notBefore: ContinuousClock.Instant
}

/// A partition queue's key: the partition, with its topic name's hash computed once by the caller, so
/// that `append` (once per message) hashes two integers instead of running the hasher over the
/// whole topic name.
private struct QueueKey: Hashable, Sendable {
    let topicPartition: TopicPartition
    let topicHash: Int

    init(_ topicPartition: TopicPartition, topicHash: Int) {
        self.topicPartition = topicPartition
        self.topicHash = topicHash
    }

    init(_ topicPartition: TopicPartition) {
        self.init(topicPartition, topicHash: topicPartition.topic.hashValue)
    }

    static func == (lhs: QueueKey, rhs: QueueKey) -> Bool {
        lhs.topicHash == rhs.topicHash && lhs.topicPartition == rhs.topicPartition
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(topicHash)
        hasher.combine(topicPartition.partition)
    }
}
