import KafkaClient
import KafkaWire
import Swafka
import Synchronization
import Testing

/// Fails once, after marking its first two messages, on the first batch it sees.
final class FailOnceConsumer: BatchConsumer {
    static let journal = Journal()
    static let failed = Mutex(false)
    override func consume(_ messages: [Params]) async throws {
        for params in messages {
            if params.offset == 2, Self.failed.withLock({ done in defer { done = true }; return !done }) { throw Boom() }
            Self.journal.write("\(params.offset)")
            markAsConsumed(params)
        }
    }
}

final class SlowController: Controller {
    static let journal = Journal()
    override func perform() async throws {
        try await Task.sleep(for: .milliseconds(2))
        Self.journal.write("\(params.offset)")
    }
}

/// A source over an in-memory partition log: `seek` rewinds delivery; it ends once `until` is marked.
final class LogSource: MessageSource {
    private struct State {
        var script: [SourceEvent]
        var log: [InboundMessage]
        var marks: [Int64] = []
        var calls: [String] = []
    }
    private let state: Mutex<State>
    private let until: Int64

    init(script: [SourceEvent], log: [InboundMessage], until: Int64) {
        state = Mutex(State(script: script, log: log))
        self.until = until
    }

    var marks: [Int64] { state.withLock { $0.marks } }
    var calls: [String] { state.withLock { $0.calls } }

    func next() async throws -> SourceEvent? {
        while true {
            let event = state.withLock { state -> SourceEvent?? in
                if !state.script.isEmpty { return .some(state.script.removeFirst()) }
                if state.marks.last == until { return .some(nil) }
                return nil
            }
            if let event { return event }
            try await Task.sleep(for: .milliseconds(5))
        }
    }

    func markAsConsumed(_ tp: TopicPartition, nextOffset: Int64) async throws { state.withLock { $0.marks.append(nextOffset) } }
    func commit() async throws {}
    func pause(_ partitions: [TopicPartition]) { state.withLock { $0.calls.append("pause") } }
    func resume(_ partitions: [TopicPartition]) { state.withLock { $0.calls.append("resume") } }
    func seek(_ tp: TopicPartition, to offset: Int64) {
        state.withLock { state in
            state.calls.append("seek \(offset)")
            state.script.append(.batch(MessageBatch(tp, messages: state.log.filter { $0.offset >= offset })))
        }
    }
}

@Suite struct ListenerFlowTests {
    /// Karafka 2's retry: a batch consumer that throws is given the batch again from the first
    /// message it did not mark; what the lane held past it is dropped, nothing is handled twice.
    @Test func aFailedBatchIsRedeliveredFromTheFailure() async throws {
        let app = try bootApp { Route("logs", consumer: FailOnceConsumer.self) }
        let log = (0..<7).map { message("logs", "{}", offset: Int64($0)) }
        let tp = TopicPartition("logs", 0)
        let source = LogSource(script: [.batch(MessageBatch(tp, messages: Array(log[0..<5]))),
                                        .batch(MessageBatch(tp, messages: Array(log[5...])))],
                               log: log, until: 7)
        var listener = app.listener(group: "g", source: source, sink: RecordingSink())
        listener.retryBackoff = .milliseconds(1)
        try await listener.run()
        #expect(FailOnceConsumer.journal.all == ["0", "1", "2", "3", "4", "5", "6"])
        #expect(source.marks == [2, 7])
        #expect(source.calls.contains("seek 2"))
    }

    /// A lane holding `maxQueuedBatches` pauses its partition, and resumes it once it caught up.
    @Test func aBusyLanePausesItsPartition() async throws {
        let app = try bootApp { Route("slow", controller: SlowController.self) }
        let tp = TopicPartition("slow", 0)
        let batches = (0..<6).map { b in
            SourceEvent.batch(MessageBatch(tp, messages: (0..<5).map { message("slow", "{}", offset: Int64(b * 5 + $0)) }))
        }
        let source = LogSource(script: batches, log: [], until: 30)
        var listener = app.listener(group: "g", source: source, sink: RecordingSink())
        listener.maxQueuedBatches = 2
        try await listener.run()
        #expect(SlowController.journal.all == (0..<30).map(String.init))
        #expect(source.calls.first == "pause")
        #expect(source.calls.filter { $0 == "pause" }.count == source.calls.filter { $0 == "resume" }.count)
    }
}
