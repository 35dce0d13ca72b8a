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
