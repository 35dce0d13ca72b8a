import KafkaClient
import Synchronization

/// Consumes one group's source and runs its batches, one lane per partition: batches of a
/// partition run in order, different partitions run concurrently (Karafka's listener per group).
///
/// Lanes are child tasks of `run()`. A revocation finishes the revoked lanes, waits until their
/// in-flight batches are done and marked, then commits, before the source may hand the
/// partitions to another member. A lane holding `maxQueuedBatches` batches pauses its partition
/// at the source until it has caught up, so a slow controller holds the consumer's buffer bound.
/// A batch that could not be finished (an enqueue failed, a batch consumer threw) is delivered
/// again from the failed message after a backoff (Karafka 2's pause-and-retry), and what the lane
/// still held past it is dropped.
public struct Listener: Sendable {
    /// The consumer group.
    public let group: String
    /// Where the batches come from.
    public let source: any MessageSource
    /// Where rebalances and redeliveries are reported.
    public let monitor: any Monitor
    /// Runs one batch; returns the offset to mark next (one past the last message handled), or
    /// nil when none was handled. Less than the batch's end means "failed there".
    public let handle: @Sendable (MessageBatch) async -> Int64?
    /// Batches a lane may hold before its partition is paused.
    public var maxQueuedBatches = 4
    /// The first wait before a failed batch is delivered again (doubling, up to `maxRetryBackoff`).
    public var retryBackoff: Duration = .milliseconds(500)
    /// The longest wait before a failed batch is delivered again.
    public var maxRetryBackoff: Duration = .seconds(5)

    /// A listener of `group` over `source`, running batches through `processor`.
    public init(group: String, source: any MessageSource, processor: Processor) {
        self.init(group: group, source: source, monitor: processor.monitor, handle: processor.process)
    }

    /// A listener of `group` over `source`, running batches through `handle` (the worker's job lanes).
    public init(group: String, source: any MessageSource, monitor: any Monitor,
                handle: @escaping @Sendable (MessageBatch) async -> Int64?) {
        self.group = group
        self.source = source
        self.monitor = monitor
        self.handle = handle
    }

    /// Runs until the source closes; then waits for every lane and commits.
    public func run() async throws {
        let (finished, finishedLane) = AsyncStream.makeStream(of: TopicPartition.self)
        var finishedLanes = finished.makeAsyncIterator()
        let queued = QueuedBatches()
        try await withThrowingTaskGroup(of: Void.self) { lanes in
            var open: [TopicPartition: AsyncStream<MessageBatch>.Continuation] = [:]
            /// Finishes the lanes of `partitions` and waits until they have handled what they held.
            func drain(_ partitions: [TopicPartition]) async {
                var waiting = Set<TopicPartition>()
                for tp in partitions {
                    if let lane = open.removeValue(forKey: tp) {
                        lane.finish()
                        waiting.insert(tp)
                    }
                }
                while !waiting.isEmpty, let done = await finishedLanes.next() { waiting.remove(done) }
                queued.forget(partitions)
            }
            while let event = try await source.next() {
                switch event {
                case let .batch(batch):
                    let tp = batch.topicPartition
                    if open[tp] == nil {
                        let (stream, continuation) = AsyncStream.makeStream(of: MessageBatch.self)
                        open[tp] = continuation
                        lanes.addTask { [self] in
                            defer { finishedLane.yield(tp) }
                            try await runLane(tp, stream, queued: queued)
                        }
                    }
                    if queued.add(tp, limit: maxQueuedBatches) { source.pause([tp]) }
                    open[tp]?.yield(batch)
                case let .assigned(partitions):
                    notice(partitions, change: "assigned")
                case let .revoked(partitions):
                    await drain(partitions)
                    try await source.commit()
                    notice(partitions, change: "revoked")
                case let .lost(partitions):
                    await drain(partitions)
                    notice(partitions, change: "lost")
                }
            }
            for lane in open.values { lane.finish() }
            try await lanes.waitForAll()
        }
        finishedLane.finish()
        try await source.commit()
    }

    /// One partition's batches, in order.
    private func runLane(_ tp: TopicPartition, _ stream: AsyncStream<MessageBatch>, queued: QueuedBatches) async throws {
        // After a failure at offset F the source redelivers from F; batches still queued past F are stale.
        var redeliveryFrom: Int64?
        var failures = 0
        for await delivered in stream {
            if queued.remove(tp) { source.resume([tp]) }
            var batch = delivered
            if let from = redeliveryFrom {
                guard let first = batch.messages.first, first.offset <= from else { continue }
                batch.messages.removeAll { $0.offset < from }
                redeliveryFrom = nil
            }
            guard let first = batch.messages.first, let last = batch.messages.last else { continue }
            let next = await handle(batch)
            if let next { try await source.markAsConsumed(tp, nextOffset: next) }
            guard next != last.offset + 1 else {
                failures = 0
                continue
            }
            let failedAt = next ?? first.offset
            failures += 1
            var wait = retryBackoff
            for _ in 1..<failures where wait < maxRetryBackoff { wait *= 2 }
            wait = min(wait, maxRetryBackoff)
            monitor.notice("Listener", NoticeOptions(.retry, topic: tp.topic, partition: tp.partition, offset: failedAt,
                                                     extra: ["group": group, "after": "\(wait)"]))
            try? await Task.sleep(for: wait)
            source.seek(tp, to: failedAt)
            redeliveryFrom = failedAt
        }
    }

    private func notice(_ partitions: [TopicPartition], change: String) {
        monitor.notice("Listener", NoticeOptions(.rebalance, count: partitions.count, extra: [
            "group": group, "change": change, "partitions": partitions.map(\.description).joined(separator: ","),
        ]))
    }
}

/// How many batches each lane holds, and which partitions the listener paused for it.
final class QueuedBatches: Sendable {
    private let state = Mutex<(counts: [TopicPartition: Int], paused: Set<TopicPartition>)>(([:], []))

    /// One more batch for `tp`; true when the partition should be paused now.
    func add(_ tp: TopicPartition, limit: Int) -> Bool {
        state.withLock { state in
            state.counts[tp, default: 0] += 1
            guard state.counts[tp, default: 0] >= limit, !state.paused.contains(tp) else { return false }
            state.paused.insert(tp)
            return true
        }
    }

    /// The lane took a batch of `tp`; true when it took the last one queued and the partition was
    /// paused: resume it (the lane refills while it works on this batch).
    func remove(_ tp: TopicPartition) -> Bool {
        state.withLock { state in
            state.counts[tp, default: 1] -= 1
            guard state.counts[tp, default: 0] <= 0, state.paused.contains(tp) else { return false }
            state.paused.remove(tp)
            return true
        }
    }

    /// Drops what is known of `partitions` (revoked or lost: the source forgets their pauses too).
    func forget(_ partitions: [TopicPartition]) {
        state.withLock { state in
            for tp in partitions {
                state.counts[tp] = nil
                state.paused.remove(tp)
            }
        }
    }
}
