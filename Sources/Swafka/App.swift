import Foundation

/// An application being set up: configuration, configurators, routes (Karafka's `App` class).
///
/// ```swift
/// var app = SwafkaApp()
/// app.setup { config in
///     config.name = "example_app"
///     config.kafkaHosts = ["localhost:9092"]
///     config.inline = false
/// }
/// app.routeDefaults.worker = KafkaQueueWorker(name: "default", jobsTopic: "example_app_jobs")
/// app.routes {
///     Route("users_created", controller: UsersController.self).responder(UsersResponder.self)
///     RouteGroup("audit") {
///         Route("audit_events", consumer: AuditConsumer.self)
///     }
/// }
/// let booted = try app.boot()   // every setting and route checked here
/// try await booted.runServer()   // `swafka server`: until SIGTERM/SIGINT, then a graceful shutdown
/// try await booted.runWorker()   // `swafka worker`: the jobs topics' consumer group
/// ```
public struct SwafkaApp: Sendable {
    /// `SWAFKA_ENV` and `SWAFKA_BOOT_FILE`.
    public var environment: Environment
    /// The settings `setup` filled in.
    public private(set) var configuration = Configuration()
    /// Run after setup, in order, before the routes are validated.
    public var configurators: [any Configurator] = []
    /// What routes leave unset.
    public var routeDefaults = RouteDefaults()
    private var drawnRoutes: [Route] = []
    private var isSetUp = false

    /// An app in `environment` (read from the process environment by default).
    public init(environment: Environment = Environment(variables: ProcessInfo.processInfo.environment)) {
        self.environment = environment
    }

    /// Fills in the configuration (Karafka's `setup do |config| ... end`). Validation waits for `boot`.
    public mutating func setup(_ body: (inout Configuration) throws -> Void) rethrows {
        try body(&configuration)
        isSetUp = true
    }

    /// Draws the routes; a later call adds to them.
    public mutating func routes(@RoutesBuilder _ content: () -> [Route]) {
        drawnRoutes += content()
    }

    /// Validates the configuration, runs the configurators, validates and resolves the routes.
    /// Throws `ConfigurationError` or `RoutingError` naming the first problem.
    public func boot() throws -> BootedApp {
        guard isSetUp else { throw ConfigurationError.notSetUp }
        var configuration = configuration
        try configuration.validate()
        for configurator in configurators {
            try configurator.configure(&configuration, environment: environment)
        }
        try configuration.validate()
        let table = try RoutingTable(drawnRoutes, appName: configuration.name,
                                     inlineByDefault: configuration.inline, defaults: routeDefaults)
        return BootedApp(environment: environment, configuration: configuration, routes: table)
    }
}

/// A validated app: what the server, the workers and the CLI run.
public struct BootedApp: Sendable {
    /// The environment it booted in.
    public let environment: Environment
    /// The validated configuration.
    public let configuration: Configuration
    /// The validated routes.
    public let routes: RoutingTable

    /// The processor the server's listeners hand batches to, responding through `sink`.
    public func processor(sink: any MessageSink) -> Processor {
        Processor(routes: routes, sink: sink, deliveryMode: configuration.deliveryMode, monitor: configuration.monitor)
    }

    /// A listener for `group`, reading from `source`.
    public func listener(group: String, source: any MessageSource, sink: any MessageSink) -> Listener {
        Listener(group: group, source: source, processor: processor(sink: sink))
    }

    /// The runner `swafka worker` processes use; dead letters go to `deadLetterTopic`
    /// (`<app>_dead_letters` by default).
    public func jobRunner(sink: any MessageSink, retryPolicy: RetryPolicy = RetryPolicy(),
                          deadLetterTopic: String? = nil) -> JobRunner {
        JobRunner(routes: routes, sink: sink, deliveryMode: configuration.deliveryMode,
                  monitor: configuration.monitor, retryPolicy: retryPolicy,
                  deadLetterTopic: deadLetterTopic ?? "\(Topics.underscore(configuration.name))_dead_letters")
    }
}
