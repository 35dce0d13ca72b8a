import KafkaClient
import Swafka

/// The seam between the CLI and the runtime that runs an app on the real clients: what
/// `server` and `worker` call once the app is booted.
///
/// The CLI owns the process (arguments, boot, pid file, daemonizing, signals); the runtime owns
/// the Kafka side (producer, one consumer per route group, the jobs-topic consumer, offsets).
/// Each hook runs as a swift-service-lifecycle service inside the CLI's `ServiceGroup`, whose
/// graceful-shutdown signals are SIGINT and SIGTERM: a hook sees the shutdown through the task-local
/// graceful shutdown (`withGracefulShutdownHandler`, `gracefulShutdown()`, or a `ServiceGroup` of
/// its own run inside the hook, which inherits it), finishes in-flight work, commits and returns.
/// A second signal, or a hook that throws, cancels it.
///
/// A hook must, before anything is consumed, `request.sink.connect(_:)` its producer's
/// `MessageSink` (the app's `KafkaQueueWorker`s and responders were built with that `RuntimeSink`),
/// and `disconnect()` it once the producer has closed.
///
/// Binding: the app's `main` passes the runtime's entry points,
/// `SwafkaCommand.main(app: MyApp.self, runtime: SwafkaRuntimeHooks(runServer: ..., runWorker: ...))`,
/// or a library links them once as `SwafkaRuntimeHooks.standard`.
public struct SwafkaRuntimeHooks: Sendable {
    /// Runs the app's listeners (one consumer group per route group) until graceful shutdown.
    public var runServer: @Sendable (SwafkaRuntimeRequest) async throws -> Void
    /// Runs the app's workers (consumers of the jobs topics) until graceful shutdown.
    public var runWorker: @Sendable (SwafkaRuntimeRequest) async throws -> Void

    /// Hooks made of two closures.
    public init(runServer: @escaping @Sendable (SwafkaRuntimeRequest) async throws -> Void,
                runWorker: @escaping @Sendable (SwafkaRuntimeRequest) async throws -> Void) {
        self.runServer = runServer
        self.runWorker = runWorker
    }

    /// No runtime linked: `server` and `worker` fail with `SwafkaCLIError.runtimeNotLinked`.
    public static let unlinked = SwafkaRuntimeHooks(
        runServer: { _ in throw SwafkaCLIError.runtimeNotLinked("server") },
        runWorker: { _ in throw SwafkaCLIError.runtimeNotLinked("worker") })

    /// What `SwafkaCommand.main(app:)` uses when the app passes no hooks: the thin temporary
    /// runtime of this module (`TemporaryRuntime`) until the framework's own runtime is linked here.
    public static var standard: SwafkaRuntimeHooks { TemporaryRuntime.hooks }
}

/// What a runtime hook is given.
public struct SwafkaRuntimeRequest: Sendable {
    /// The booted app.
    public let app: BootedApp
    /// The sink the app was built with: connect the runtime's producer sink to it.
    public let sink: RuntimeSink
    /// Kafka client properties from the boot file's `client.` settings, for every producer and
    /// consumer the runtime makes (`bootstrap.servers` comes from the app's `kafkaHosts`).
    public let clientProperties: [String: String]
    /// `worker --concurrency`: how many jobs may run at once (1 for `server`).
    public let concurrency: Int

    /// A request.
    public init(app: BootedApp, sink: RuntimeSink, clientProperties: [String: String] = [:], concurrency: Int = 1) {
        self.app = app
        self.sink = sink
        self.clientProperties = clientProperties
        self.concurrency = concurrency
    }

    /// The jobs topics of the app's Kafka-backed workers (route workers and the default), sorted.
    public var jobsTopics: [String] {
        Set(app.routes.routes.compactMap { ($0.worker as? KafkaQueueWorker)?.jobsTopic }).sorted()
    }

    /// Client properties for the app: `bootstrap.servers` and `client.id` from its configuration,
    /// then the boot file's `client.` settings (which win).
    public var baseClientProperties: [String: String] {
        var properties = ["bootstrap.servers": app.configuration.kafkaHosts.joined(separator: ","),
                          "client.id": app.configuration.name]
        for (key, value) in clientProperties { properties[key] = value }
        return properties
    }
}

/// Why a CLI command failed.
public enum SwafkaCLIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `server` or `worker` ran without a runtime bound to the hooks.
    case runtimeNotLinked(String)
    /// The app could not be built or booted: the underlying error's text.
    case bootFailed(String)
    /// The pid file names a process that is still running.
    case alreadyRunning(pidFile: String, pid: Int32)
    /// A file could not be written or read: the path, then why.
    case file(String, String)
    /// Starting the daemon failed.
    case daemonFailed(String)
    /// `install` would overwrite files.
    case wouldOverwrite([String])
    /// An argument is not valid: why.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .runtimeNotLinked(command):
            "\(command): no Swafka runtime is linked into this executable; pass SwafkaRuntimeHooks to SwafkaCommand.main"
        case let .bootFailed(why): "boot failed: \(why)"
        case let .alreadyRunning(pidFile, pid): "already running: \(pidFile) names process \(pid), which is alive"
        case let .file(path, why): "\(path): \(why)"
        case let .daemonFailed(why): "cannot start the daemon: \(why)"
        case let .wouldOverwrite(paths): "install would overwrite \(paths.joined(separator: ", ")) (use --force)"
        case let .invalidArgument(why): why
        }
    }
}
