import KafkaClient
import KafkaWire
import Swafka
import Synchronization

/// A monitor that remembers every notice and error, in order.
final class RecordingMonitor: Monitor {
    private let state = Mutex<(notices: [(String, NoticeOptions)], errors: [(String, String)])>(([], []))

    var notices: [(caller: String, options: NoticeOptions)] { state.withLock { $0.notices.map { ($0.0, $0.1) } } }
    var events: [MonitorEvent] { notices.map(\.options.event) }
    var errors: [(caller: String, error: String)] { state.withLock { $0.errors.map { ($0.0, $0.1) } } }

    func notice(_ caller: String, _ options: NoticeOptions) { state.withLock { $0.notices.append((caller, options)) } }
    func noticeError(_ caller: String, _ error: any Error) {
        state.withLock { $0.errors.append((caller, String(describing: error))) }
    }
}

/// Shared, thread-safe notes tests' controllers write to (controllers are made by the framework,
/// so they report through a global box keyed by the test's own id).
final class Journal: Sendable {
    private let lines = Mutex<[String]>([])
    func write(_ line: String) { lines.withLock { $0.append(line) } }
    var all: [String] { lines.withLock { $0 } }
}

/// A booted app with `routes`, inline by default, monitored by `monitor`.
func bootApp(name: String = "ExampleApp", inline: Bool = true, monitor: RecordingMonitor = RecordingMonitor(),
             defaultWorker: (any Worker)? = nil, @RoutesBuilder _ routes: () -> [Route]) throws -> BootedApp {
    var app = SwafkaApp(environment: Environment(variables: [:]))
    app.setup { config in
        config.name = name
        config.kafkaHosts = ["localhost:9092"]
        config.inline = inline
        config.monitor = monitor
    }
    app.routeDefaults.worker = defaultWorker
    app.routes(routes)
    return try app.boot()
}

func message(_ topic: String, _ payload: String?, partition: Int32 = 0, offset: Int64 = 0) -> InboundMessage {
    InboundMessage(topic: topic, partition: partition, offset: offset, payload: payload.map { ByteSlice($0) })
}

struct Boom: Error, CustomStringConvertible {
    var description: String { "boom" }
}
