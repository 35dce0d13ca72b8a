/// What handles a route's messages: a controller per message, or a consumer per batch.
public enum RouteHandler: Sendable {
    /// A new controller instance per message (Karafka 0.5): callbacks, then perform inline or enqueued.
    case controller(name: String, make: @Sendable () -> Controller)
    /// One consumer instance per partition batch (Karafka 2's `consume(messages)`), always inline.
    case batchConsumer(name: String, make: @Sendable () -> BatchConsumer)

    /// The handler type's name, for `routes` output and the monitor.
    public var name: String {
        switch self {
        case let .controller(name, _), let .batchConsumer(name, _): name
        }
    }
}

/// One topic → controller route, with its optional settings (Karafka's `topic :name do ... end`).
///
/// Unset settings take the app's defaults when the routes are resolved at boot.
public struct Route: Sendable {
    /// The topic consumed.
    public var topic: String
    /// What handles its messages.
    public var handler: RouteHandler
    /// The consumer group; nil derives `<app name>_<topic>`.
    public var group: String?
    /// The worker that runs enqueued performs; nil takes the app's default worker.
    public var worker: (any Worker)?
    /// The payload parser; nil takes the app's default (JSON).
    public var parser: (any Parser)?
    /// How params are encoded for the job queue; nil takes the app's default.
    public var interchanger: (any Interchanger)?
    /// The responder `respondWith` hands results to.
    public var responder: ResponderType?
    /// Whether perform runs in the server process; nil takes the app's `inline` setting.
    public var inline: Bool?

    /// A route from `topic` to a new `controller` per message.
    public init<C: Controller>(_ topic: String, controller: C.Type) {
        self.topic = topic
        self.handler = .controller(name: String(describing: controller), make: { C() })
    }

    /// A route from `topic` to a `consumer` receiving each partition batch.
    public init<C: BatchConsumer>(_ topic: String, consumer: C.Type) {
        self.topic = topic
        self.handler = .batchConsumer(name: String(describing: consumer), make: { C() })
    }

    /// This route in consumer group `group`.
    public func group(_ group: String) -> Route { with { $0.group = group } }
    /// This route's performs enqueued on `worker`.
    public func worker(_ worker: any Worker) -> Route { with { $0.worker = worker } }
    /// This route's payloads parsed (and responses generated) by `parser`.
    public func parser(_ parser: any Parser) -> Route { with { $0.parser = parser } }
    /// This route's job params encoded by `interchanger`.
    public func interchanger(_ interchanger: any Interchanger) -> Route { with { $0.interchanger = interchanger } }
    /// This route's results handed to a new `responder`.
    public func responder<R: Responder>(_ responder: R.Type) -> Route {
        with { $0.responder = ResponderType(responder) }
    }
    /// This route's perform run in the server process (true) or enqueued (false).
    public func inline(_ inline: Bool) -> Route { with { $0.inline = inline } }

    private func with(_ change: (inout Route) -> Void) -> Route {
        var copy = self
        change(&copy)
        return copy
    }
}

/// A responder class, to make a fresh instance per response.
public struct ResponderType: Sendable {
    /// The class's name.
    public let name: String
    /// The topics it registers.
    public let topics: [ResponderTopic]
    /// Makes an instance.
    public let make: @Sendable () -> Responder

    /// The responder class `type`.
    public init<R: Responder>(_ type: R.Type) {
        name = String(describing: type)
        topics = type.topics
        make = { R() }
    }
}

/// Routes sharing one consumer group: one listener, one group membership (Karafka's `consumer_group`).
public struct RouteGroup: Sendable {
    /// The group id.
    public var name: String
    /// Its routes.
    public var routes: [Route]

    /// The routes drawn in `content`, all in group `name` (a route's own `group` still wins).
    public init(_ name: String, @RoutesBuilder _ content: () -> [Route]) {
        self.name = name
        self.routes = content().map { route in
            var route = route
            if route.group == nil { route.group = name }
            return route
        }
    }
}

/// Anything that can appear in a routes block: a route, or a group of routes.
public protocol RouteComponent: Sendable {
    /// The routes this component draws.
    var routes: [Route] { get }
}

extension Route: RouteComponent {
    public var routes: [Route] { [self] }
}

extension RouteGroup: RouteComponent {}

/// The result builder of `routes { ... }`: routes and groups, with `if`, `for` and `#available`.
@resultBuilder
public enum RoutesBuilder {
    public static func buildExpression(_ component: some RouteComponent) -> [Route] { component.routes }
    public static func buildExpression(_ routes: [Route]) -> [Route] { routes }
    public static func buildBlock(_ parts: [Route]...) -> [Route] { parts.flatMap(\.self) }
    public static func buildOptional(_ part: [Route]?) -> [Route] { part ?? [] }
    public static func buildEither(first part: [Route]) -> [Route] { part }
    public static func buildEither(second part: [Route]) -> [Route] { part }
    public static func buildArray(_ parts: [[Route]]) -> [Route] { parts.flatMap(\.self) }
    public static func buildLimitedAvailability(_ part: [Route]) -> [Route] { part }
}
