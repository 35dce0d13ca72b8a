import KafkaClient

/// Consumes one group's source and runs its batches, one lane per partition: batches of a
/// partition run in order, different partitions run concurrently (Karafka's listener per group).
///
/// Lanes are child tasks of `run()`. A revocation finishes the revoked lanes, waits until their
/// in-flight batches are done and marked, then commits, before the source may hand the
/// partitions to another member.
public struct Listener: Sendable {
    /// The consumer group.
    public let group: String
    /// Where the batches come from.
    public let source: any MessageSource
    /// What runs them.
    public let processor: Processor

    /// A listener of `group` over `source`.
    public init(group: String, source: any MessageSource, processor: Processor) {
        self.group = group
        self.source = source
        self.processor = processor
    }

    /// Runs until the source closes; then waits for every lane and commits.
    public func run() async throws {
        let (finished, finishedLane) = AsyncStream.makeStream(of: TopicPartition.self)
        var finishedLanes = finished.makeAsyncIterator()
        try await withThrowingTaskGroup(of: Void.self) { lanes in
            var open: [TopicPartition: AsyncStream<MessageBatch>.Continuation] = [:]
            while let event = try await source.next() {
                switch event {
                case let .batch(batch):
                    let tp = batch.topicPartition
                    if open[tp] == nil {
                        let (stream, continuation) = AsyncStream.makeStream(of: MessageBatch.self)
                        open[tp] = continuation
                        lanes.addTask { [source, processor] in
                            defer { finishedLane.yield(tp) }
                            for await batch in stream {
                                if let next = await processor.process(batch) {
                                    try await source.markAsConsumed(tp, nextOffset: next)
                                }
                            }
                        }
                    }
                    open[tp]?.yield(batch)
                case let .assigned(partitions):
                    notice(partitions, change: "assigned")
                case let .revoked(partitions):
                    var waiting = Set<TopicPartition>()
                    for tp in partitions {
                        if let lane = open.removeValue(forKey: tp) {
                            lane.finish()
                            waiting.insert(tp)
                        }
                    }
                    while !waiting.isEmpty, let done = await finishedLanes.next() { waiting.remove(done) }
                    try await source.commit()
                    notice(partitions, change: "revoked")
                }
            }
            for lane in open.values { lane.finish() }
            try await lanes.waitForAll()
        }
        finishedLane.finish()
        try await source.commit()
    }

    private func notice(_ partitions: [TopicPartition], change: String) {
        processor.monitor.notice("Listener", NoticeOptions(.rebalance, count: partitions.count, extra: [
            "group": group, "change": change, "partitions": partitions.map(\.description).joined(separator: ","),
        ]))
    }
}
