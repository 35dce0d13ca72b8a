import Logging
import Metrics
import Synchronization

/// What happened: the instrumentation events a monitor is told about.
public enum MonitorEvent: String, Sendable, Hashable, CaseIterable {
    /// A batch of messages was consumed from a partition (before routing).
    case consume = "consume"
    /// A controller's perform was enqueued for a worker.
    case performEnqueued = "perform_enqueued"
    /// A controller's perform (or a batch consumer's consume) ran to completion.
    case perform = "perform"
    /// A responder's messages were validated and delivered.
    case responded = "responded"
    /// A rebalance changed the partitions a group owns.
    case rebalance = "rebalance"
    /// Scheduling was aborted by a `beforeEnqueue` callback.
    case aborted = "aborted"
    /// A batch failed part-way and is delivered again from the failed message after a backoff.
    case retry = "retry"
    /// A worker's job failed and was re-enqueued for a later attempt.
    case jobRetried = "job_retried"
    /// A worker's job failed for the last time and went to the dead-letter topic.
    case deadLettered = "dead_lettered"
    /// A server or worker started (`extra["role"]`) or shut down.
    case lifecycle = "lifecycle"
}

/// The facts of one notice: the event and where it happened.
public struct NoticeOptions: Sendable, Hashable {
    /// What happened.
    public var event: MonitorEvent
    /// The topic concerned, if any.
    public var topic: String?
    /// The partition concerned, if any.
    public var partition: Int32?
    /// The offset concerned, if any.
    public var offset: Int64?
    /// How many messages (for `consume` and `responded`).
    public var count: Int?
    /// Anything else worth logging (worker name, responder topics, group).
    public var extra: [String: String]

    /// Options for `event`.
    public init(_ event: MonitorEvent, topic: String? = nil, partition: Int32? = nil, offset: Int64? = nil,
                count: Int? = nil, extra: [String: String] = [:]) {
        self.event = event
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.count = count
        self.extra = extra
    }
}

/// Receives the framework's instrumentation (Karafka's `Monitor`): replace the default with your
/// own to report to an APM, or wrap it to add to what it does.
///
/// Karafka's NewRelic example is a few lines: forward errors, keep the default logging.
/// ```swift
/// struct NewRelicMonitor: Monitor {
///     let logging = LoggingMonitor()
///     func notice(_ caller: String, _ options: NoticeOptions) { logging.notice(caller, options) }
///     func noticeError(_ caller: String, _ error: any Error) {
///         NewRelic.noticeError(error)             // the APM's own call
///         logging.noticeError(caller, error)
///     }
/// }
/// app.setup { $0.monitor = NewRelicMonitor() }
/// ```
public protocol Monitor: Sendable {
    /// `caller` (the type that noticed, e.g. the controller's name) reports an event.
    func notice(_ caller: String, _ options: NoticeOptions)
    /// `caller` reports a failure.
    func noticeError(_ caller: String, _ error: any Error)
}

/// The default monitor: one log line per event through swift-log, and swift-metrics counters
/// per topic (`swafka_events_total{event,topic}`, `swafka_messages_total{event,topic}`,
/// `swafka_errors_total{caller}`).
public struct LoggingMonitor: Monitor {
    /// Where the lines go.
    public var logger: Logger
    /// The metrics backend; nil uses the process's bootstrapped one (as it is when a counter is
    /// first used: counters are made once per label, event and topic, then kept).
    public var metricsFactory: (any MetricsFactory)? {
        didSet { counters = CounterCache() }
    }
    private var counters = CounterCache()

    /// A monitor logging to `logger`, counting into `metricsFactory` (default: the global one).
    public init(logger: Logger = Logger(label: "swafka.monitor"), metricsFactory: (any MetricsFactory)? = nil) {
        self.logger = logger
        self.metricsFactory = metricsFactory
    }

    public func notice(_ caller: String, _ options: NoticeOptions) {
        if logger.logLevel <= .info { log(caller, options) }
        let topic = options.topic ?? ""
        counters.counter(.events, options.event, topic, make: makeCounter).increment()
        if let count = options.count, count > 0 {
            counters.counter(.messages, options.event, topic, make: makeCounter).increment(by: count)
        }
    }

    private func makeCounter(_ label: String, _ event: MonitorEvent, _ topic: String) -> Counter {
        counter(label, [("event", event.rawValue), ("topic", topic)])
    }

    /// The line, built only when the level lets it through (a notice per message is the hot path).
    private func log(_ caller: String, _ options: NoticeOptions) {
        var metadata: Logger.Metadata = ["caller": "\(caller)"]
        if let topic = options.topic { metadata["topic"] = "\(topic)" }
        if let partition = options.partition { metadata["partition"] = "\(partition)" }
        if let offset = options.offset { metadata["offset"] = "\(offset)" }
        if let count = options.count { metadata["count"] = "\(count)" }
        for (key, value) in options.extra { metadata[key] = "\(value)" }
        logger.info("\(options.event.rawValue)", metadata: metadata)
    }

    public func noticeError(_ caller: String, _ error: any Error) {
        logger.error("\(String(describing: error))", metadata: ["caller": "\(caller)"])
        counter("swafka_errors_total", [("caller", caller)]).increment()
    }

    private func counter(_ label: String, _ dimensions: [(String, String)]) -> Counter {
        if let metricsFactory {
            Counter(label: label, dimensions: dimensions, factory: metricsFactory)
        } else {
            Counter(label: label, dimensions: dimensions)
        }
    }
}

/// The default monitor's counters, made once per label, event and topic (a notice per message
/// must not build a `Counter` and its dimensions each time).
final class CounterCache: Sendable {
    enum Label: String, Sendable {
        case events = "swafka_events_total"
        case messages = "swafka_messages_total"
    }

    private struct Key: Hashable {
        var label: Label
        var event: MonitorEvent
        var topic: String
    }

    private let counters = Mutex<[Key: Counter]>([:])

    func counter(_ label: Label, _ event: MonitorEvent, _ topic: String,
                 make: (String, MonitorEvent, String) -> Counter) -> Counter {
        let key = Key(label: label, event: event, topic: topic)
        if let counter = counters.withLock({ $0[key] }) { return counter }
        let counter = make(label.rawValue, event, topic)
        return counters.withLock { counters in
            if let existing = counters[key] { return existing }
            counters[key] = counter
            return counter
        }
    }
}
