import KafkaClient
import KafkaWire

/// A topic a responder may send to (Karafka's `topic :name, required:, multiple_usage:`).
public struct ResponderTopic: Sendable, Hashable {
    /// The topic.
    public var name: String
    /// Whether every `respond` must send to it.
    public var required: Bool
    /// Whether one `respond` may send to it more than once.
    public var multipleUsage: Bool

    /// A topic registration: required and at most once by default, as in Karafka.
    public static func topic(_ name: String, required: Bool = true, multipleUsage: Bool = false) -> ResponderTopic {
        ResponderTopic(name: name, required: required, multipleUsage: multipleUsage)
    }
}

/// Why a responder sent nothing.
public enum ResponderError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `respondTo` named a topic the responder did not register.
    case unregisteredTopic(responder: String, topic: String)
    /// A topic registered without `multipleUsage` was used more than once.
    case multipleUsage(responder: String, topic: String)
    /// A required topic was not used.
    case requiredTopicUnused(responder: String, topic: String)
    /// The parser could not generate a message for a topic.
    case generationFailed(responder: String, topic: String, String)
    /// `respondWith` was called on a route without a responder.
    case noResponder(topic: String)

    public var description: String {
        switch self {
        case let .unregisteredTopic(r, t): "\(r): topic \"\(t)\" is not registered"
        case let .multipleUsage(r, t): "\(r): topic \"\(t)\" used more than once without multipleUsage"
        case let .requiredTopicUnused(r, t): "\(r): required topic \"\(t)\" was not used"
        case let .generationFailed(r, t, why): "\(r): cannot generate a message for \"\(t)\": \(why)"
        case let .noResponder(t): "route \"\(t)\" has no responder"
        }
    }
}

/// Sends a controller's results to other topics (Karafka's responder).
///
/// Register topics and implement `respond(_:)` with `respondTo` calls; the framework validates the
/// whole set before anything is sent, so a violation sends nothing:
/// ```swift
/// final class UsersResponder: Responder {
///     override class var topics: [ResponderTopic] {
///         [.topic("users_notified"), .topic("users_created", required: false, multipleUsage: true)]
///     }
///     override func respond(_ data: [ParamValue]) throws {
///         respondTo("users_created", data[0])
///         respondTo("users_notified", data[1])
///     }
/// }
/// ```
/// Outside a controller: `try await UsersResponder().call([user, note], sink: producer)`.
open class Responder {
    /// The topics this responder may send to. None by default.
    open class var topics: [ResponderTopic] { [] }

    /// What `respond` asked for, in order.
    public private(set) var pending: [(topic: String, data: ParamValue, key: String?)] = []

    /// A responder.
    public required init() {}

    /// Decides what to send, with `respondTo`.
    open func respond(_ data: [ParamValue]) throws {}

    /// Queues `data` for `topic` (sent after validation).
    public func respondTo(_ topic: String, _ data: ParamValue, key: String? = nil) {
        pending.append((topic, data, key))
    }

    /// Queues an `Encodable` value for `topic`, through its JSON form.
    public func respondTo(_ topic: String, encoding value: some Encodable, key: String? = nil) throws {
        respondTo(topic, try ParamValue(encoding: value), key: key)
    }

    /// Runs `respond`, validates, generates every message with `parser`, and only then delivers
    /// them through `sink`. Returns what was sent.
    @discardableResult
    public func call(_ data: [ParamValue], parser: any Parser = JSONParser(), sink: any MessageSink,
                     mode: DeliveryMode = .sync, monitor: (any Monitor)? = nil) async throws -> [ProducerMessage] {
        pending = []
        try respond(data)
        let messages = try messages(parser: parser)
        try await sink.send(messages, mode: mode)
        monitor?.notice(name, NoticeOptions(.responded, count: messages.count,
                                            extra: ["topics": messages.map(\.topic).joined(separator: ",")]))
        return messages
    }

    /// The messages `pending` becomes, after validation against the registered topics.
    public func messages(parser: any Parser) throws(ResponderError) -> [ProducerMessage] {
        let registered = Dictionary(type(of: self).topics.map { ($0.name, $0) }, uniquingKeysWith: { a, _ in a })
        var uses: [String: Int] = [:]
        for (topic, _, _) in pending {
            guard let registration = registered[topic] else { throw .unregisteredTopic(responder: name, topic: topic) }
            uses[topic, default: 0] += 1
            if uses[topic, default: 0] > 1, !registration.multipleUsage {
                throw .multipleUsage(responder: name, topic: topic)
            }
        }
        for registration in type(of: self).topics where registration.required && uses[registration.name] == nil {
            throw .requiredTopicUnused(responder: name, topic: registration.name)
        }
        var messages: [ProducerMessage] = []
        for (topic, data, key) in pending {
            do {
                let bytes = try parser.generate(data)
                messages.append(ProducerMessage(topic: topic, value: ByteSlice(bytes), key: key.map { ByteSlice($0) }))
            } catch {
                throw .generationFailed(responder: name, topic: topic, String(describing: error))
            }
        }
        return messages
    }

    private var name: String { String(describing: type(of: self)) }
}
