import Foundation
import KafkaClient
import Swafka
import Synchronization

/// An app the `swafka` commands run. Swift loads no classes at run time, so the app's own
/// executable names its type once, and `swift run MyApp routes` (or `server`, `worker`, ...) works:
///
/// ```swift
/// @main
/// enum ShopApp: SwafkaApplication {
///     static func makeApp(_ context: SwafkaAppContext) throws -> SwafkaApp {
///         var app = SwafkaApp(environment: context.environment)
///         app.setup { config in
///             config.name = "shop"
///             config.kafkaHosts = [context.settings["kafka.hosts"] ?? "127.0.0.1:9092"]
///         }
///         app.routeDefaults.worker = context.kafkaQueueWorker(jobsTopic: "shop_jobs")
///         app.routes { Route("orders", controller: OrdersController.self) }
///         return app
///     }
///     static func main() async { await SwafkaCommand.main(app: ShopApp.self) }
/// }
/// ```
public protocol SwafkaApplication: SendableMetatype {
    /// Builds the app: setup, configurators, routes. Called once per command, before `boot()`.
    static func makeApp(_ context: SwafkaAppContext) throws -> SwafkaApp
}

/// What an app is built with: where it runs, what its boot file says, and the sink that the
/// runtime connects to the real producer when `server`, `worker` or `console` starts.
public struct SwafkaAppContext: Sendable {
    /// `SWAFKA_ENV` and `SWAFKA_BOOT_FILE`.
    public let environment: Environment
    /// The boot file's settings (empty when `SWAFKA_BOOT_FILE` is unset).
    public let settings: BootSettings
    /// The sink workers enqueue through and anything else of the app's sends through. It is not
    /// connected while the app is only described (`routes`, `flow`, `info`): sending then throws
    /// `RuntimeSink.NotConnected`. The runtime connects it before the first message is consumed.
    public let sink: RuntimeSink

    /// A context; `SwafkaCommand` makes it from the process environment.
    public init(environment: Environment, settings: BootSettings = BootSettings(), sink: RuntimeSink = RuntimeSink()) {
        self.environment = environment
        self.settings = settings
        self.sink = sink
    }

    /// The durable Kafka-backed worker: jobs go to `jobsTopic` through `sink`, and `swafka worker`
    /// processes run them.
    public func kafkaQueueWorker(name: String = "kafka", jobsTopic: String) -> KafkaQueueWorker {
        KafkaQueueWorker(name: name, jobsTopic: jobsTopic, sink: sink)
    }
}

/// A `MessageSink` whose destination is connected later: the app's workers are built before any
/// producer exists (describing an app needs no broker), and the runtime connects the producer's
/// sink when it starts.
public final class RuntimeSink: MessageSink {
    /// Sending before the runtime connected the sink.
    public struct NotConnected: Error, Sendable, CustomStringConvertible {
        public var description: String {
            "the app's sink is not connected to a producer (only server, worker and console connect it)"
        }
    }

    private let target = Mutex<(any MessageSink)?>(nil)

    /// A sink not connected yet.
    public init() {}

    /// Sends everything later handed to this sink through `sink` (the runtime's producer adapter).
    public func connect(_ sink: any MessageSink) { target.withLock { $0 = sink } }

    /// Disconnects (sends throw `NotConnected` again), e.g. once the producer has closed.
    public func disconnect() { target.withLock { $0 = nil } }

    /// Whether a producer is connected.
    public var isConnected: Bool { target.withLock { $0 != nil } }

    public func send(_ messages: [ProducerMessage], mode: DeliveryMode) async throws {
        guard let sink = target.withLock({ $0 }) else { throw NotConnected() }
        try await sink.send(messages, mode: mode)
    }
}

/// The boot file's `key=value` lines (`SWAFKA_BOOT_FILE`, Karafka's `KARAFKA_BOOT_FILE`): the
/// app reads what it needs in `makeApp`; keys under `client.` are passed to the Kafka clients the
/// runtime and the console make (`client.sasl.password=...`), and `info` prints them redacted.
///
/// Blank lines and lines starting with `#` are skipped; whitespace around keys and values is trimmed.
public struct BootSettings: Sendable, Hashable {
    /// Every setting, by key.
    public var values: [String: String]

    /// Settings from a dictionary.
    public init(_ values: [String: String] = [:]) { self.values = values }

    /// Parses a boot file's text; throws naming the first line that is not `key=value`.
    public init(parsing text: String, path: String = "boot file") throws(BootFileError) {
        var values: [String: String] = [:]
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let equals = line.firstIndex(of: "=") else {
                throw .malformedLine(path: path, line: index + 1, "expected key=value")
            }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            if key.isEmpty { throw .malformedLine(path: path, line: index + 1, "empty key") }
            values[key] = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
        }
        self.values = values
    }

    /// Reads the boot file at `path`.
    public init(contentsOf path: String) throws(BootFileError) {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw .unreadable(path: path, String(describing: error.localizedDescription))
        }
        try self.init(parsing: text, path: path)
    }

    /// The value of `key`, if set.
    public subscript(key: String) -> String? { values[key] }

    /// The `client.`-prefixed settings without their prefix: Kafka client properties.
    public var clientProperties: [String: String] {
        var properties: [String: String] = [:]
        for (key, value) in values where key.hasPrefix("client.") {
            properties[String(key.dropFirst("client.".count))] = value
        }
        return properties
    }

    /// Every setting as `key: value` lines, sorted, secrets shown as `[redacted]`: a `client.`
    /// setting the Kafka client marks sensitive, any key naming a password, secret, token or
    /// credential, and the `user:password` before an `@` in any value.
    public func redactedLines() -> [String] {
        values.keys.sorted().map { key in
            "\(key): \(Self.isSecret(key) ? redactedValue : Self.redactingUserInfo(values[key] ?? ""))"
        }
    }

    /// `value` with the `user:password@` of each comma-separated item (`alice:pw@host:9092`)
    /// replaced by `[redacted]@`; items without a colon before the `@` (an e-mail address) are kept.
    public static func redactingUserInfo(_ value: String) -> String {
        value.split(separator: ",", omittingEmptySubsequences: false).map { item -> String in
            guard let at = item.lastIndex(of: "@"), item[..<at].contains(":") else { return String(item) }
            return redactedValue + String(item[at...])
        }.joined(separator: ",")
    }

    /// Whether the value of `key` must never be printed.
    public static func isSecret(_ key: String) -> Bool {
        let lowered = key.lowercased()
        if ["password", "secret", "token", "credential"].contains(where: { lowered.contains($0) }) { return true }
        if lowered.hasPrefix("client.") {
            let name = String(key.dropFirst("client.".count))
            // An unknown name is not ours to judge: the heuristic above already ran.
            return ClientConfiguration.properties.first(where: { $0.matches(name) })?.isSensitive ?? false
        }
        return false
    }
}

/// A boot file that cannot be used.
public enum BootFileError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file could not be read.
    case unreadable(path: String, String)
    /// A line is not `key=value`.
    case malformedLine(path: String, line: Int, String)

    public var description: String {
        switch self {
        case let .unreadable(path, why): "boot file \(path): cannot read it: \(why)"
        case let .malformedLine(path, line, why): "boot file \(path):\(line): \(why)"
        }
    }
}
