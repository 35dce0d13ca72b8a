import KafkaClient
import KafkaWire
import Logging
import Metrics
import MetricsTestKit
import Swafka
import Synchronization
import Testing

final class OrderController: Controller {
    static let journal = Journal()
    override func perform() async throws {
        // Uneven work so a lane that did not serialize would reorder.
        try await Task.sleep(for: .milliseconds(Int(params.offset % 3)))
        Self.journal.write("\(params.partition):\(params.offset)")
    }
}

/// A source replaying a script of events, recording marks and commits.
final class ScriptedSource: MessageSource {
    private let state: Mutex<(events: [SourceEvent], marks: [String], commits: Int)>
    init(_ events: [SourceEvent]) { state = Mutex((events, [], 0)) }
    var marks: [String] { state.withLock { $0.marks } }
    var commits: Int { state.withLock { $0.commits } }
    func next() async throws -> SourceEvent? { state.withLock { $0.events.isEmpty ? nil : $0.events.removeFirst() } }
    func markAsConsumed(_ tp: TopicPartition, nextOffset: Int64) async throws {
        state.withLock { $0.marks.append("\(tp)@\(nextOffset)") }
    }
    func commit() async throws { state.withLock { $0.commits += 1 } }
}

@Suite struct MonitorAndListenerTests {
    @Test func inlineProcessingKeepsPerPartitionOrder() async throws {
        let monitor = RecordingMonitor()
        let app = try bootApp(monitor: monitor) { Route("orders", controller: OrderController.self) }
        var events: [SourceEvent] = [.assigned([.init("orders", 0), .init("orders", 1)])]
        for batch in 0..<5 {
            for partition: Int32 in [0, 1] {
                let messages = (0..<4).map { i in message("orders", "{}", partition: partition, offset: Int64(batch * 4 + i)) }
                events.append(.batch(MessageBatch(.init("orders", partition), messages: messages)))
            }
        }
        events.append(.revoked([.init("orders", 1)]))
        let source = ScriptedSource(events)
        try await app.listener(group: "g", source: source, sink: RecordingSink()).run()

        let lines = OrderController.journal.all
        for partition in ["0", "1"] {
            let offsets = lines.filter { $0.hasPrefix(partition + ":") }.compactMap { Int($0.split(separator: ":")[1]) }
            #expect(offsets == Array(0..<20))
        }
        #expect(source.marks.filter { $0.hasPrefix("orders-0@") }.last == "orders-0@20")
        #expect(source.marks.filter { $0.hasPrefix("orders-1@") }.last == "orders-1@20")
        #expect(source.commits == 2, "one commit on revocation, one at the end")
        #expect(monitor.notices.filter { $0.options.event == .rebalance }.map { $0.options.extra["change"] }
                == ["assigned", "revoked"])
        #expect(monitor.events.filter { $0 == .perform }.count == 40)
    }

    @Test func loggingMonitorCountsPerTopic() {
        let metrics = TestMetrics()
        let monitor = LoggingMonitor(logger: Logger(label: "test"), metricsFactory: metrics)
        monitor.notice("C", NoticeOptions(.consume, topic: "a", count: 3))
        monitor.notice("C", NoticeOptions(.consume, topic: "a", count: 2))
        monitor.notice("C", NoticeOptions(.perform, topic: "b"))
        monitor.noticeError("C", Boom())
        #expect(metrics.counterTotal(label: "swafka_messages_total", dimensions: [("event", "consume"), ("topic", "a")]) == 5)
        #expect(metrics.counterTotal(label: "swafka_events_total", dimensions: [("event", "perform"), ("topic", "b")]) == 1)
        #expect(metrics.counterTotal(label: "swafka_errors_total", dimensions: [("caller", "C")]) == 1)
    }

    /// Karafka's NewRelic example, in Swift: forward errors to the APM, keep the default behaviour.
    struct APMMonitor: Monitor {
        let reported: Journal
        let base: LoggingMonitor
        func notice(_ caller: String, _ options: NoticeOptions) { base.notice(caller, options) }
        func noticeError(_ caller: String, _ error: any Error) {
            reported.write("\(caller): \(error)")   // NewRelic.noticeError(error) in a real app
            base.noticeError(caller, error)
        }
    }

    @Test func replacementMonitorSeesErrors() async throws {
        let reported = Journal()
        var app = SwafkaApp(environment: Environment(variables: [:]))
        app.setup { config in
            config.name = "apm"
            config.kafkaHosts = ["localhost:9092"]
            config.monitor = APMMonitor(reported: reported, base: LoggingMonitor(metricsFactory: TestMetrics()))
        }
        app.routes { Route("jobs", controller: MarkingController.self) }
        let booted = try app.boot()
        _ = await booted.processor(sink: RecordingSink()).process(.init(.init("jobs", 0), messages: [message("jobs", #"{"fail": 1}"#)]))
        #expect(reported.all == ["MarkingController: boom"])
    }
}

@Suite struct ServerTests {
    final class Sources: Sendable {
        let made = Mutex<[String: ScriptedSource]>([:])
    }

    @Test func oneListenerPerGroupRunsConcurrently() async throws {
        let monitor = RecordingMonitor()
        let app = try bootApp(monitor: monitor) {
            RouteGroup("billing") {
                Route("invoices", controller: UsersController.self)
                Route("payments", controller: UsersController.self)
            }
            Route("audit", consumer: AuditConsumer.self)
        }
        let sources = Sources()
        let server = SwafkaServer(app: app, sink: RecordingSink()) { group, topics in
            let events = topics.map { SourceEvent.batch(MessageBatch(.init($0, 0), messages: [message($0, "{}")])) }
            let source = ScriptedSource(events)
            sources.made.withLock { $0["\(group):\(topics.joined(separator: ","))"] = source }
            return source
        }
        try await server.run()
        let made = sources.made.withLock { $0 }
        #expect(Set(made.keys) == ["billing:invoices,payments", "example_app_audit:audit"])
        #expect(made["billing:invoices,payments"]?.marks.sorted() == ["invoices-0@1", "payments-0@1"])
        #expect(made.values.allSatisfy { $0.commits == 1 })
    }
}
