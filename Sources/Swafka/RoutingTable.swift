/// Topic-name rules Kafka enforces, checked at boot so a typo fails before anything connects.
public enum Topics {
    /// Kafka refuses longer topic names.
    public static let maximumLength = 249

    /// Whether `scalar` may appear in a topic (or group, or app) name: `[A-Za-z0-9._-]`.
    public static func isLegal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "-": true
        default: false
        }
    }

    /// Why `name` is not a legal topic name, or nil when it is.
    public static func problem(with name: String, maximumLength: Int = maximumLength) -> String? {
        if name.isEmpty { return "is empty" }
        if name == "." || name == ".." { return "cannot be \"\(name)\"" }
        if name.utf8.count > maximumLength { return "is longer than \(maximumLength) characters" }
        if let bad = name.unicodeScalars.first(where: { !isLegal($0) }) {
            return "contains \"\(bad)\"; only [A-Za-z0-9._-] are allowed"
        }
        return nil
    }

    /// `CamelCase` or `dashed-name` as `snake_case`, as Karafka's `underscore` does for app names.
    public static func underscore(_ name: String) -> String {
        var result = ""
        var previous: Character?
        for character in name {
            if character.isUppercase {
                if let previous, previous.isLowercase || previous.isNumber { result.append("_") }
                result.append(contentsOf: character.lowercased())
            } else if character == "-" {
                result.append("_")
            } else {
                result.append(character)
            }
            previous = character
        }
        return result
    }
}

/// A route's problem found at boot.
public enum RoutingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// No routes were drawn.
    case noRoutes
    /// Two routes consume the same topic.
    case duplicateTopic(String)
    /// A topic name Kafka would refuse: the name, then why.
    case invalidTopicName(String, String)
    /// A group name Kafka tooling would refuse: the topic, the group, then why.
    case invalidGroupName(topic: String, group: String, String)
    /// A route that is not inline has no worker, and the app has no default worker.
    case missingWorker(topic: String)
    /// A responder registers a topic name Kafka would refuse.
    case invalidResponderTopic(responder: String, topic: String, String)

    public var description: String {
        switch self {
        case .noRoutes: "routes: none drawn"
        case let .duplicateTopic(topic): "routes: topic \"\(topic)\" is routed more than once"
        case let .invalidTopicName(topic, why): "routes: topic \"\(topic)\" \(why)"
        case let .invalidGroupName(topic, group, why): "routes: group \"\(group)\" of topic \"\(topic)\" \(why)"
        case let .missingWorker(topic): "routes: topic \"\(topic)\" is not inline but has no worker"
        case let .invalidResponderTopic(responder, topic, why): "routes: \(responder) topic \"\(topic)\" \(why)"
        }
    }
}

/// A route with every default applied: what the server, worker and CLI use.
public struct ResolvedRoute: Sendable {
    /// The topic consumed.
    public let topic: String
    /// What handles its messages.
    public let handler: RouteHandler
    /// Its consumer group.
    public let group: String
    /// The worker for enqueued performs (nil only for inline routes when the app has no default).
    public let worker: (any Worker)?
    /// The payload parser.
    public let parser: any Parser
    /// The job-params encoding.
    public let interchanger: any Interchanger
    /// The responder, if any.
    public let responder: ResponderType?
    /// Whether perform runs in the server process.
    public let inline: Bool
}

/// The defaults unset route settings take (Karafka's app-level defaults).
public struct RouteDefaults: Sendable {
    /// The default worker for routes that are not inline.
    public var worker: (any Worker)?
    /// The default parser.
    public var parser: any Parser = JSONParser()
    /// The default interchanger.
    public var interchanger: any Interchanger = BinaryInterchanger()

    /// JSON, the lossless binary interchanger, no worker.
    public init() {}
}

/// The validated routes, by topic.
public struct RoutingTable: Sendable {
    /// Every route, sorted by topic.
    public let routes: [ResolvedRoute]
    private let byTopic: [String: ResolvedRoute]

    /// Validates `routes` (every problem is a `RoutingError`) and applies the app's defaults.
    public init(_ routes: [Route], appName: String, inlineByDefault: Bool, defaults: RouteDefaults) throws(RoutingError) {
        if routes.isEmpty { throw .noRoutes }
        var seen: [String: ResolvedRoute] = [:]
        for route in routes {
            if let why = Topics.problem(with: route.topic) { throw .invalidTopicName(route.topic, why) }
            if seen[route.topic] != nil { throw .duplicateTopic(route.topic) }
            let group = route.group ?? "\(Topics.underscore(appName))_\(route.topic)"
            // Group ids have no 249-character limit, only the same safe characters.
            if let why = Topics.problem(with: group, maximumLength: Int(Int16.max)) {
                throw .invalidGroupName(topic: route.topic, group: group, why)
            }
            if let responder = route.responder {
                for topic in responder.topics {
                    if let why = Topics.problem(with: topic.name) {
                        throw .invalidResponderTopic(responder: responder.name, topic: topic.name, why)
                    }
                }
            }
            let inline: Bool
            switch route.handler {
            case .controller: inline = route.inline ?? inlineByDefault
            case .batchConsumer: inline = true
            }
            let worker = route.worker ?? defaults.worker
            if !inline, worker == nil { throw .missingWorker(topic: route.topic) }
            seen[route.topic] = ResolvedRoute(
                topic: route.topic, handler: route.handler, group: group, worker: worker,
                parser: route.parser ?? defaults.parser, interchanger: route.interchanger ?? defaults.interchanger,
                responder: route.responder, inline: inline)
        }
        byTopic = seen
        self.routes = seen.values.sorted { $0.topic < $1.topic }
    }

    /// The route consuming `topic`.
    public subscript(topic: String) -> ResolvedRoute? { byTopic[topic] }

    /// The consumer groups and the topics each consumes, sorted: one listener per group.
    public var groups: [(group: String, topics: [String])] {
        Dictionary(grouping: routes, by: \.group)
            .map { ($0.key, $0.value.map(\.topic).sorted()) }
            .sorted { $0.group < $1.group }
    }
}
