#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KafkaClient
import KafkaWire
import Logging
import SwafkacatCore

/// The cluster client behind the modes that talk to brokers: its configuration from the property map,
/// its log lines on stderr in librdkafka's `%level|time|tag|name| message` shape, and its errors
/// worded as kcat (librdkafka) words them.
struct ClientSession {
    let invocation: Invocation

    /// The client configuration from `-X`, `-F`, `-b`, `-d`: checked setting by setting already, so
    /// what can fail here is a rule across settings (a maximum below its minimum).
    func configuration() throws(KafkaClientError) -> ClientConfiguration {
        try ClientConfiguration(properties: invocation.settings.clientPropertyMap)
    }

    /// The producer's configuration: the client's settings, then every producer setting given with
    /// `-X`/`-F`/`-z` that the producer knows, over kcat's (librdkafka's) defaults where ours differ:
    /// the `consistent_random` partitioner (so a key lands where kcat puts it), no idempotence, and
    /// topics created on first use (librdkafka's producer asks for auto-creation).
    func producerConfiguration() throws(KafkaClientError) -> KafkaProducerConfiguration {
        try KafkaProducerConfiguration(properties: map(
            known: KafkaProducerConfiguration.properties.map { [$0.name] + $0.aliases },
            defaults: ["partitioner": "consistent_random", "enable.idempotence": "false", "allow.auto.create.topics": "true"]))
    }

    /// The consumer's configuration, over kcat's defaults: end-of-partition events on (kcat turns
    /// them on for `-C` and `-G`), read_committed and the eager `range,roundrobin` assignors
    /// (librdkafka's defaults). `-C` commits nothing.
    func consumerConfiguration(commits: Bool) throws(KafkaClientError) -> KafkaConsumerConfiguration {
        var defaults = ["enable.partition.eof": "true", "isolation.level": "read_committed",
                        "partition.assignment.strategy": "range,roundrobin"]
        if !commits { defaults["enable.auto.commit"] = "false" }
        var configuration = try KafkaConsumerConfiguration(properties: map(
            known: KafkaConsumerConfiguration.properties.map { [$0.name] + $0.aliases }, defaults: defaults))
        if !commits { configuration.enableAutoCommit = false }
        configuration.enablePartitionEOF = true
        return configuration
    }

    /// The client's property map plus the settings given explicitly that `known` names, then
    /// `defaults` for those not given.
    private func map(known: [[String]], defaults: [String: String]) -> [String: String] {
        let names = Set(known.joined())
        let settings = invocation.settings
        var map = settings.clientPropertyMap
        for (name, value) in settings.values where names.contains(name) && !SettingsCatalog.clientPropertyNames.contains(name) {
            map[name] = value
        }
        for (name, value) in defaults where !settings.isSet(name) && names.contains(name) { map[name] = value }
        return map
    }

    /// The client's logger: warnings and errors on stderr (none with `-q`, info too with `-v`); the
    /// client's `debug` contexts print at debug level whatever this level is, as librdkafka's do.
    func logger() -> Logger {
        let verbosity = invocation.verbosity
        let clientID = invocation.settings.value("client.id") ?? "swafkacat"
        var logger = Logger(label: "swafkacat") { _ in KcatLogHandler(name: "swafkacat#\(clientID)") }
        logger.logLevel = verbosity == 0 ? .critical : verbosity == 1 ? .warning : .info
        return logger
    }

    /// The deadline `-m` sets for the whole operation.
    var timeout: Duration { .seconds(invocation.metadataTimeoutSeconds) }

    /// librdkafka's wording of `error` (see `ErrorText.client`).
    static func text(_ error: KafkaClientError, unreachable: ErrorText.Local) -> String {
        ErrorText.client(error, unreachable: unreachable)
    }
}

/// Log lines as librdkafka prints them: `%7|1795344012.618|DEBUG|swafkacat#swafkacat| message`.
struct KcatLogHandler: LogHandler {
    let name: String
    var logLevel: Logger.Level = .warning
    var metadata: Logger.Metadata = [:]

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let (severity, tag): (Int, String) = switch event.level {
        case .trace, .debug: (7, "DEBUG")
        case .info: (6, "INFO")
        case .notice: (5, "NOTICE")
        case .warning: (4, "WARN")
        case .error: (3, "ERROR")
        case .critical: (2, "CRIT")
        }
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let millis = now.tv_nsec / 1_000_000
        let stamp = "\(now.tv_sec).\(millis < 100 ? (millis < 10 ? "00" : "0") : "")\(millis)"
        Output.error("%\(severity)|\(stamp)|\(tag)|\(name)| \(event.message)\n")
    }
}
