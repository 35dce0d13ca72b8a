import KafkaClient
import Synchronization

/// The `MessageSource` of a `KafkaConsumer` subscribed to one route group's topics.
///
/// - **Batches**: the consumer's per-partition batches (`batches(maxMessages:)`), as `MessageBatch`es.
/// - **Marks**: `markAsConsumed` is the consumer's `markAsProcessed` (`enable.auto.offset.store` is
///   off: only what the framework marks is committed), committed by the consumer's auto-commit
///   (`offset_commit_interval` / `offset_commit_threshold`), on revocation, and at shutdown.
/// - **Rebalances**: assigned, revoked and lost partitions become `SourceEvent`s. A revocation is
///   answered (`KafkaConsumerRevocation.complete()`) only when the listener asks for the next
///   event, that is after it drained the revoked lanes and committed.
///
/// Ordering: each `next()` that has nothing stashed races the batch iterator, the event iterator
/// and `stop()` in one task group and keeps everything they returned; batches are delivered
/// before events of the same round. A batch taken before a revocation invalidated its partition
/// is therefore always delivered before that revocation (so its lane is drained and marked before
/// the commit), never after it.
public final class KafkaConsumerSource: MessageSource {
    /// The consumer read from.
    public let consumer: KafkaConsumer
    /// The group, for monitor notices.
    public let group: String
    private let monitor: any Monitor
    private let stopSignal = OneShotSignal()
    private let state: Mutex<State>

    private struct State {
        var batches: KafkaConsumerBatches.AsyncIterator?
        var events: KafkaConsumerEvents.AsyncIterator?
        var stash: [SourceEvent] = []
        var stashHead = 0
        var revocations: [KafkaConsumerRevocation] = []
        var ended = false
    }

    /// A source over `consumer` (already subscribed, or to be), taking batches of at most `maxBatch` messages.
    public init(consumer: KafkaConsumer, group: String, monitor: any Monitor, maxBatch: Int = 10_000) {
        self.consumer = consumer
        self.group = group
        self.monitor = monitor
        // The events iterator is made now: from then on the consumer keeps events and waits for
        // revocations to be answered.
        state = Mutex(State(batches: consumer.batches(maxMessages: maxBatch).makeAsyncIterator(),
                            events: consumer.events.makeAsyncIterator()))
    }

    /// Ends the source: `next()` returns nil from now on (also a `next()` waiting now). Batches not
    /// delivered yet are not marked, so the group delivers them again.
    public func stop() {
        stopSignal.set()
    }

    /// Whether `stop()` was called.
    public var isStopped: Bool { stopSignal.isSet }

    /// Sleeps for `duration`, or less when stopped or cancelled; true when it slept the whole time.
    public func sleep(for duration: Duration) async -> Bool {
        await stopSignal.sleep(for: duration)
    }

    public func next() async throws -> SourceEvent? {
        // The listener asks again: it is done with what it had, revocations included.
        let (answered, stashed) = state.withLock { state -> ([KafkaConsumerRevocation], SourceEvent??) in
            let answered = state.revocations
            state.revocations = []
            if stopSignal.isSet || state.ended { return (answered, .some(nil)) }
            if state.stashHead < state.stash.count {
                defer {
                    state.stashHead += 1
                    if state.stashHead == state.stash.count { state.stash = []; state.stashHead = 0 }
                }
                return (answered, .some(state.stash[state.stashHead]))
            }
            return (answered, nil)
        }
        for revocation in answered { revocation.complete() }
        if let stashed { return stashed }
        while true {
            let found = try await round()
            let first = state.withLock { state -> SourceEvent?? in
                if stopSignal.isSet || state.ended { return .some(nil) }
                guard let first = found.first else { return nil }
                state.stash.append(contentsOf: found.dropFirst())
                return .some(first)
            }
            if let first { return first }
        }
    }

    private enum Outcome: Sendable {
        case batch(KafkaConsumerBatch?, KafkaConsumerBatches.AsyncIterator)
        case event(KafkaConsumerEvent?, KafkaConsumerEvents.AsyncIterator)
        case stopped
    }

    /// One race of batches, events and stop; what it found, batches first.
    private func round() async throws -> [SourceEvent] {
        let iterators = state.withLock { state -> (KafkaConsumerBatches.AsyncIterator, KafkaConsumerEvents.AsyncIterator)? in
            guard let batches = state.batches, let events = state.events else { return nil }
            state.batches = nil
            state.events = nil
            return (batches, events)
        }
        guard let iterators else {
            throw KafkaConsumerError.modeConflict("a KafkaConsumerSource is read by one listener at a time")
        }
        let (batches, events) = iterators
        var found: [SourceEvent] = []
        var foundEvents: [SourceEvent] = []
        var ended = false
        var failure: (any Error)?
        await withTaskGroup(of: Result<Outcome, any Error>.self) { group in
            group.addTask {
                var iterator = batches
                do { return .success(.batch(try await iterator.next(), iterator)) } catch { return .failure(error) }
            }
            group.addTask {
                var iterator = events
                return .success(.event(await iterator.next(), iterator))
            }
            group.addTask { [stopSignal] in
                await stopSignal.wait()
                return .success(.stopped)
            }
            var first = true
            for await result in group {
                let wasFirst = first
                if first {
                    first = false
                    group.cancelAll()
                }
                switch result {
                case let .failure(error):
                    failure = error
                case let .success(.batch(batch, iterator)):
                    state.withLock { $0.batches = iterator }
                    if let batch {
                        found.append(.batch(MessageBatch(batch)))
                    } else if wasFirst {
                        ended = true  // The consumer closed.
                    }
                case let .success(.event(event, iterator)):
                    state.withLock { $0.events = iterator }
                    if let event {
                        if let converted = convert(event) { foundEvents.append(converted) }
                    } else if wasFirst {
                        ended = true  // Events end only when the consumer has closed.
                    }
                case .success(.stopped):
                    break
                }
            }
        }
        if let failure { throw failure }
        if ended { state.withLock { $0.ended = true } }
        return found + foundEvents
    }

    private func convert(_ event: KafkaConsumerEvent) -> SourceEvent? {
        switch event {
        case let .partitionsAssigned(partitions):
            return .assigned(partitions)
        case let .partitionsRevoked(revocation):
            state.withLock { $0.revocations.append(revocation) }
            return .revoked(revocation.partitions)
        case let .partitionsLost(partitions):
            return .lost(partitions)
        case .endOfPartition, .offsetsCommitted:
            return nil
        case let .error(error):
            monitor.noticeError("KafkaConsumerSource(\(group))", error)
            return nil
        }
    }

    public func markAsConsumed(_ topicPartition: TopicPartition, nextOffset: Int64) async throws {
        consumer.markAsProcessed(topicPartition, offset: nextOffset - 1)
    }

    /// Commits the marks. A failed commit is reported, not thrown: the marks stay, and the
    /// consumer commits them again (auto-commit, revocation, close); a partition already lost
    /// is redelivered to its new owner, which at-least-once allows.
    public func commit() async throws {
        do {
            try await consumer.commit()
        } catch {
            monitor.noticeError("KafkaConsumerSource(\(group))", error)
        }
    }

    public func pause(_ partitions: [TopicPartition]) { consumer.pause(partitions) }

    public func resume(_ partitions: [TopicPartition]) { consumer.resume(partitions) }

    public func seek(_ topicPartition: TopicPartition, to offset: Int64) { consumer.seek(topicPartition, to: offset) }
}

extension MessageBatch {
    /// The framework's view of a consumer batch.
    public init(_ batch: KafkaConsumerBatch) {
        self.init(batch.topicPartition, messages: batch.messages.map(InboundMessage.init))
    }
}

extension InboundMessage {
    /// The framework's view of a consumed message.
    public init(_ message: KafkaConsumerMessage) {
        self.init(topic: message.topic, partition: message.partition, offset: message.offset, key: message.key,
                  payload: message.value, headers: message.headers,
                  timestampMs: message.timestamp < 0 ? nil : message.timestamp)
    }
}
