import KafkaClient
import Logging

/// How responders hand messages to the producer.
public enum DeliveryMode: Sendable, Hashable {
    /// Wait for the broker's acknowledgement of every message before `respond` returns.
    case sync
    /// Hand the messages to the producer and return; failures reach the monitor.
    case async
}

/// The app's settings, filled in by `SwafkaApp.setup` (Karafka's `setup do |config| ... end`).
///
/// Durations are `Duration`s; the defaults are Kafka's (session 45 s, heartbeat 3 s, auto-commit
/// every 5 s). `validate()` runs at boot and names the first bad setting.
public struct Configuration: Sendable {
    /// The application's name: required; it prefixes the default consumer group of every route.
    public var name: String = ""
    /// Bootstrap brokers as `host:port`; one is enough, the rest of the cluster is discovered.
    public var kafkaHosts: [String] = []
    /// How long the group coordinator waits for a heartbeat before evicting a member.
    public var sessionTimeout: Duration = .seconds(45)
    /// How often consumed offsets are committed.
    public var offsetCommitInterval: Duration = .seconds(5)
    /// Commit as soon as this many messages were marked since the last commit (0: by interval only).
    public var offsetCommitThreshold: Int = 0
    /// How often a member heartbeats; must be below the session timeout.
    public var heartbeatInterval: Duration = .seconds(3)
    /// PEM path of the CA certificate (`ssl.ca.location`; see `clientSecurityProperties`).
    public var sslCACert: String?
    /// PEM path of the client certificate (needs `sslClientKey`; `ssl.certificate.location`).
    public var sslClientCert: String?
    /// PEM path of the client key (needs `sslClientCert`; `ssl.key.location`).
    public var sslClientKey: String?
    /// Karafka's `connection_pool.size`: how many producers responders share. Kept for
    /// compatibility and validated, but the running app has one `KafkaProducer`, which is safe to
    /// share between any number of tasks (it batches their messages), so there is no pool to size.
    public var producerPoolSize: Int = 5
    /// Karafka's `connection_pool.timeout`: how long a responder may wait for the producer. It is
    /// the producer's `max.block.ms`: how long a send waits for room in a full buffer before it fails.
    public var producerTimeout: Duration = .seconds(5)
    /// Extra consumer properties (librdkafka's names, e.g. `fetch.max.wait.ms`), applied after
    /// the settings above; checked at boot.
    public var consumerProperties: [String: String] = [:]
    /// Extra producer properties (librdkafka's names, e.g. `acks`, `linger.ms`), applied after
    /// the settings above; checked at boot.
    public var producerProperties: [String: String] = [:]
    /// Whether routes run `perform` in the server process by default instead of enqueuing it.
    public var inline: Bool = true
    /// How responders deliver: wait for acknowledgements, or not.
    public var deliveryMode: DeliveryMode = .sync
    /// Where instrumentation goes; replace it with your own monitor.
    public var monitor: any Monitor = LoggingMonitor()
    /// The framework's logger.
    public var logger: Logger = Logger(label: "swafka")

    /// Defaults everywhere; `name` and `kafkaHosts` must still be set.
    public init() {}

    /// Throws `ConfigurationError` naming the first missing or invalid setting.
    public func validate() throws(ConfigurationError) {
        if name.isEmpty { throw .missing("name") }
        if let bad = name.unicodeScalars.first(where: { !Topics.isLegal($0) }) {
            throw .invalid("name", "character \"\(bad)\" is not allowed; use [A-Za-z0-9._-]")
        }
        if kafkaHosts.isEmpty { throw .missing("kafka.hosts") }
        for host in kafkaHosts where !Self.isHostPort(host) {
            throw .invalid("kafka.hosts", "\"\(host)\" is not host:port")
        }
        if sessionTimeout <= .zero { throw .invalid("session_timeout", "must be positive") }
        if heartbeatInterval <= .zero { throw .invalid("heartbeat_interval", "must be positive") }
        if heartbeatInterval >= sessionTimeout {
            throw .invalid("heartbeat_interval", "must be below session_timeout")
        }
        if offsetCommitInterval <= .zero { throw .invalid("offset_commit_interval", "must be positive") }
        if offsetCommitThreshold < 0 { throw .invalid("offset_commit_threshold", "must not be negative") }
        if producerPoolSize < 1 { throw .invalid("connection_pool.size", "must be at least 1") }
        if producerTimeout <= .zero { throw .invalid("connection_pool.timeout", "must be positive") }
        do {
            _ = try consumerConfiguration(group: "swafka")
        } catch {
            throw .invalid("consumer_properties", "\(error)")
        }
        do {
            _ = try producerConfiguration()
        } catch {
            throw .invalid("producer_properties", "\(error)")
        }
        if (sslClientCert == nil) != (sslClientKey == nil) {
            throw .invalid(sslClientCert == nil ? "ssl.client_cert" : "ssl.client_cert_key",
                           "client certificate and key go together")
        }
    }

    /// The consumer configuration of `group`: the hosts, session and heartbeat, commits every
    /// `offsetCommitInterval` or `offsetCommitThreshold` marks of what the framework marked (not
    /// what was merely delivered), new groups from the earliest offset (Karafka's
    /// `start_from_beginning`), then `consumerProperties`.
    public func consumerConfiguration(group: String) throws -> KafkaConsumerConfiguration {
        var properties = [
            "bootstrap.servers": kafkaHosts.joined(separator: ","),
            "client.id": name,
            "group.id": group,
            "session.timeout.ms": String(Self.milliseconds(sessionTimeout)),
            "heartbeat.interval.ms": String(Self.milliseconds(heartbeatInterval)),
            "enable.auto.commit": "true",
            "auto.commit.interval.ms": String(Self.milliseconds(offsetCommitInterval)),
            "offset.commit.threshold": String(offsetCommitThreshold),
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "earliest",
        ]
        properties.merge(consumerProperties) { _, new in new }
        return try KafkaConsumerConfiguration(properties: properties)
    }

    /// The producer configuration: the hosts, `max.block.ms` = `producerTimeout`, then `producerProperties`.
    public func producerConfiguration() throws -> KafkaProducerConfiguration {
        var properties = [
            "bootstrap.servers": kafkaHosts.joined(separator: ","),
            "client.id": name,
            "max.block.ms": String(Self.milliseconds(producerTimeout)),
        ]
        properties.merge(producerProperties) { _, new in new }
        return try KafkaProducerConfiguration(properties: properties)
    }

    static func milliseconds(_ duration: Duration) -> Int64 {
        let (seconds, attoseconds) = duration.components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }

    private static func isHostPort(_ value: String) -> Bool {
        guard let colon = value.lastIndex(of: ":") else { return false }
        let host = value[..<colon], port = value[value.index(after: colon)...]
        guard !host.isEmpty, let number = UInt16(port), number > 0 else { return false }
        return true
    }
}

/// A setting that is missing or invalid, found at boot.
public enum ConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A required setting was not set.
    case missing(String)
    /// A setting has a value it may not have: the setting, then why.
    case invalid(String, String)
    /// The app was used before `setup` ran.
    case notSetUp

    /// The setting at fault, when there is one.
    public var setting: String? {
        switch self {
        case let .missing(name), let .invalid(name, _): name
        case .notSetUp: nil
        }
    }

    public var description: String {
        switch self {
        case let .missing(name): "configuration: \(name) is required"
        case let .invalid(name, why): "configuration: \(name) is invalid: \(why)"
        case .notSetUp: "configuration: setup has not run"
        }
    }
}

/// Where the app runs and where its configuration lives (Karafka's KARAFKA_ENV and KARAFKA_BOOT_FILE).
public struct Environment: Sendable, Hashable {
    /// `SWAFKA_ENV`, or `development` when unset or empty.
    public var name: String
    /// `SWAFKA_BOOT_FILE`: a configuration file for the app to read in `setup`, when set.
    public var bootFile: String?

    /// The environment read from `variables` (the process environment by default).
    public init(variables: [String: String]) {
        let env = variables["SWAFKA_ENV"] ?? ""
        name = env.isEmpty ? "development" : env
        let boot = variables["SWAFKA_BOOT_FILE"] ?? ""
        bootFile = boot.isEmpty ? nil : boot
    }

    /// Whether this is the `production` environment.
    public var isProduction: Bool { name == "production" }
    /// Whether this is the `test` environment.
    public var isTest: Bool { name == "test" }
    /// Whether this is the `development` environment.
    public var isDevelopment: Bool { name == "development" }
}

/// Code that runs once after setup and before the routes are drawn: Karafka's `config/initializers`.
public protocol Configurator: Sendable {
    /// Adjusts anything the app needs, with the validated configuration in hand.
    func configure(_ configuration: inout Configuration, environment: Environment) throws
}
