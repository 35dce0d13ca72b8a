import KafkaWire
import Synchronization

/// The consumer's messages, one at a time (`KafkaConsumer.messages`).
///
/// The iterator takes one fetched batch at a time from the consumer's buffers (under its lock)
/// and hands its records out without locking; a seek, revocation or close is noticed through an
/// atomic counter checked per message. Asking for the next message says the previous ones were
/// processed (`enable.auto.offset.store`).
public struct KafkaConsumerMessages: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerMessage
    public typealias Failure = any Error

    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer, id: consumer.newReaderID())
    }

    /// Iterates the messages.
    public struct AsyncIterator: AsyncIteratorProtocol {
        @usableFromInline let consumer: KafkaConsumer
        @usableFromInline let id: UInt64
        @usableFromInline let progress = IteratorProgress()
        // The chunk being handed out, unpacked so the per-message path copies nothing.
        @usableFromInline var records: FetchedRecords?
        @usableFromInline var partition = TopicPartition("", 0)
        @usableFromInline var epoch: UInt64 = 0
        @usableFromInline var index = 0
        @usableFromInline var end = 0
        @usableFromInline var handedOut = 0
        @usableFromInline var seenInvalidations: UInt64 = 0

        init(consumer: KafkaConsumer, id: UInt64) {
            self.consumer = consumer
            self.id = id
        }

        /// The next message. Inlinable so the common case (the current chunk has more, nothing
        /// was invalidated) costs no async frame of its own in the caller's loop.
        @inlinable
        public mutating func next() async throws -> KafkaConsumerMessage? {
            if index < end, let records, consumer.invalidations.load(ordering: .relaxed) == seenInvalidations {
                let record = records[index]
                index += 1
                handedOut += 1
                progress.lastReturned.store(record.offset, ordering: .relaxed)
                return KafkaConsumerMessage(record, partition)
            }
            return try await nextSlowly()
        }

        /// The next message when the chunk is used up or may have become stale.
        @usableFromInline
        mutating func nextSlowly() async throws -> KafkaConsumerMessage? {
            while true {
                if index < end, let records {
                    if consumer.invalidations.load(ordering: .relaxed) != seenInvalidations {
                        guard let seen = consumer.revalidate(partition, epoch: epoch) else {
                            self.records = nil
                            end = 0
                            continue
                        }
                        seenInvalidations = seen
                    }
                    let record = records[index]
                    index += 1
                    handedOut += 1
                    progress.lastReturned.store(record.offset, ordering: .relaxed)
                    return KafkaConsumerMessage(record, partition)
                }
                let previous = records == nil ? nil
                    : HandedOut(partition: partition, epoch: epoch,
                                lastOffset: progress.lastReturned.load(ordering: .relaxed), count: handedOut)
                records = nil
                end = 0
                guard let taken = try await consumer.nextChunks(reader: id, previous: previous, limit: 1, progress: progress),
                      let chunk = taken.0.first else { return nil }
                records = chunk.records
                partition = chunk.partition
                epoch = chunk.epoch
                index = chunk.start
                end = chunk.records.count
                handedOut = 0
                seenInvalidations = taken.1
            }
        }
    }
}

/// The consumer's messages as per-partition batches (`KafkaConsumer.batches(maxMessages:)`).
/// Asking for the next batch says the previous one was processed (`enable.auto.offset.store`).
public struct KafkaConsumerBatches: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerBatch
    public typealias Failure = any Error

    let consumer: KafkaConsumer
    let maxMessages: Int

    public func makeAsyncIterator() -> AsyncIterator {
        AsyncIterator(consumer: consumer, id: consumer.newReaderID(), maxMessages: maxMessages)
    }

    /// Iterates the batches. Sendable, so a reader may move it between tasks (the framework's
    /// source races it against the events iterator); still one reader at a time.
    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let consumer: KafkaConsumer
        let id: UInt64
        let maxMessages: Int
        let progress = IteratorProgress()
        var previous: HandedOut?

        init(consumer: KafkaConsumer, id: UInt64, maxMessages: Int) {
            self.consumer = consumer
            self.id = id
            self.maxMessages = maxMessages
        }

        public mutating func next() async throws -> KafkaConsumerBatch? {
            while true {
                let handedOut = previous
                previous = nil
                guard let taken = try await consumer.nextChunks(reader: id, previous: handedOut, limit: maxMessages,
                                                                progress: progress),
                      let first = taken.0.first else { return nil }
                let chunks = taken.0
                var messages: [KafkaConsumerMessage] = []
                messages.reserveCapacity(chunks.reduce(0) { $0 + $1.count })
                for chunk in chunks {
                    for index in chunk.start..<chunk.records.count {
                        messages.append(KafkaConsumerMessage(chunk.records[index], chunk.partition))
                    }
                }
                guard let last = messages.last else { continue }
                progress.lastReturned.store(last.offset, ordering: .relaxed)
                previous = HandedOut(partition: first.partition, epoch: first.epoch, lastOffset: last.offset,
                                     count: messages.count)
                return KafkaConsumerBatch(topicPartition: first.partition, messages: messages)
            }
        }
    }
}

/// What an iterator handed out of its last chunk(s), reported when it asks for more.
struct HandedOut: Sendable {
    var partition: TopicPartition
    var epoch: UInt64
    /// The offset of the last message handed out, or -1 for none.
    var lastOffset: Int64
    var count: Int
}

/// The consumer's events (`KafkaConsumer.events`). Ends when the consumer has closed.
public struct KafkaConsumerEvents: AsyncSequence, Sendable {
    public typealias Element = KafkaConsumerEvent
    public typealias Failure = Never

    let consumer: KafkaConsumer

    public func makeAsyncIterator() -> AsyncIterator {
        consumer.state.withLock { $0.eventsObserved = true }
        return AsyncIterator(consumer: consumer, id: consumer.newReaderID())
    }

    /// Iterates the events. Sendable for the same reason as the batches' iterator.
    public struct AsyncIterator: AsyncIteratorProtocol, Sendable {
        let consumer: KafkaConsumer
        let id: UInt64

        public mutating func next() async -> KafkaConsumerEvent? {
            await consumer.nextEvent(reader: id)
        }
    }
}

extension KafkaConsumer {
    func newReaderID() -> UInt64 {
        state.withLock { state in
            state.nextReaderID += 1
            return state.nextReaderID
        }
    }

    /// Whether a chunk of `partition` taken at `epoch` may still be handed out; returns the
    /// invalidation count to compare against from now on, or nil when the chunk is stale.
    func revalidate(_ partition: TopicPartition, epoch: UInt64) -> UInt64? {
        state.withLock { state in
            guard state.isDelivering, state.partitions[partition]?.epoch == epoch else { return nil }
            return invalidations.load(ordering: .relaxed)
        }
    }

    enum TakeOutcome {
        case chunks([RecordChunk], seen: UInt64)
        case wait
        case end
        case failed(KafkaConsumerError)
    }

    /// The next chunks for reader `reader` (nil at the end), after recording what it handed out.
    func nextChunks(reader: UInt64, previous: HandedOut?, limit: Int, progress: IteratorProgress)
        async throws -> ([RecordChunk], UInt64)? {
        var previous = previous
        while true {
            if Task.isCancelled { return nil }
            let outcome: TakeOutcome = (try? update { state, effects in
                let now = ContinuousClock.now
                if let handed = previous {
                    previous = nil
                    state.activeChunks[reader] = nil
                    if configuration.enableAutoOffsetStore, handed.lastOffset >= 0,
                       state.partitions[handed.partition]?.epoch == handed.epoch,
                       state.tracker.markProcessed(handed.partition, offset: handed.lastOffset) {
                        // The first mark since the last commit starts the interval's timer (see markAsProcessed).
                        let firstMark = state.autoCommit.uncommittedCount == 0
                        state.autoCommit.marked(count: max(handed.count, 1))
                        if firstMark || state.autoCommit.isDue(now: now) { effects.wakeGroup = true }
                    }
                }
                if let failure = state.failure { return .failed(failure) }
                guard state.isDelivering else { return .end }
                if let membership = state.membership {
                    var machine = membership
                    effects.groupActions += state.absorbTimers(machine.polled(now: now), now: now)
                    state.membership = machine
                }
                guard let chunks = state.take(limit: limit, enablePartitionEOF: configuration.enablePartitionEOF,
                                              effects: &effects),
                      let first = chunks.first else { return .wait }
                progress.lastReturned.store(-1, ordering: .relaxed)
                state.activeChunks[reader] = (first.partition, first.epoch, progress)
                return .chunks(chunks, seen: invalidations.load(ordering: .relaxed))
            }) ?? .end
            switch outcome {
            case let .chunks(chunks, seen): return (chunks, seen)
            case .end: return nil
            case let .failed(error): throw error
            case .wait: await waitForData(reader: reader)
            }
        }
    }

    private func waitForData(reader: UInt64) async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if Task.isCancelled || !state.isDelivering || state.failure != nil || state.readyHead < state.ready.count {
                        return true
                    }
                    state.readers[reader] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.readers.removeValue(forKey: reader) }?.resume()
        }
    }

    func nextEvent(reader: UInt64) async -> KafkaConsumerEvent? {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<KafkaConsumerEvent?, Never>) in
                let answer = state.withLock { state -> KafkaConsumerEvent?? in
                    if let event = state.nextEvent() { return .some(event) }
                    if state.lifecycle == .closed || Task.isCancelled { return .some(nil) }
                    state.eventReaders[reader] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            state.withLock { $0.eventReaders.removeValue(forKey: reader) }?.resume(returning: nil)
        }
    }
}
