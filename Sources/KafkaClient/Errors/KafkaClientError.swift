import KafkaTransport
import KafkaWire

/// Every error the client layer throws.
///
/// `isRetriable` says whether the same operation may succeed if tried again later; the client has
/// already retried retriable failures until the operation's deadline, so a retriable error reaching
/// the caller usually comes wrapped in `.timedOut`.
public indirect enum KafkaClientError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A setting is invalid: its name and why.
    case invalidConfiguration(setting: String, reason: String)
    /// A broker answered with a Kafka error; `context` names what it was about (a topic, a group...).
    case broker(KafkaError, context: String? = nil)
    /// The connection failed, timed out, or the broker sent something unusable.
    case transport(TransportError)
    /// The operation did not succeed before its deadline; `lastError` is why the last attempt failed.
    case timedOut(after: Duration, lastError: KafkaClientError?)
    /// The cluster says the topic does not exist.
    case unknownTopic(String)
    /// The topic exists but has no such partition.
    case unknownPartition(topic: String, partition: Int32)
    /// Metadata names no broker with this id.
    case unknownBroker(Int32)
    /// No broker could be reached: neither a known one nor any bootstrap server.
    case noBrokerAvailable(lastError: KafkaClientError?)
    /// A response broke the protocol's rules in a way the decoder cannot see (a missing answer for a
    /// requested topic, say).
    case unexpectedResponse(String)
    /// The brokers' API versions cannot express what was asked (a transactional coordinator lookup at
    /// FindCoordinator v0, a max-timestamp offset lookup before ListOffsets v7...).
    case unsupported(String)
    /// The client has been shut down.
    case shutDown
    /// The calling task was cancelled.
    case cancelled

    /// Whether trying again later may succeed.
    public var isRetriable: Bool {
        switch self {
        case let .broker(error, _): error.isRetriable
        case let .transport(error): error.isRetriable
        case .timedOut, .noBrokerAvailable: true
        case .invalidConfiguration, .unknownTopic, .unknownPartition, .unknownBroker, .unexpectedResponse, .unsupported,
             .shutDown, .cancelled: false
        }
    }

    /// The Kafka error code when the broker answered with one (also inside `.timedOut`).
    public var errorCode: ErrorCode? {
        switch self {
        case let .broker(error, _): error.code
        case .unknownTopic, .unknownPartition: .unknownTopicOrPartition
        case let .transport(transport): transport.saslErrorCode
        case let .timedOut(_, last?), let .noBrokerAvailable(last?): last.errorCode
        default: nil
        }
    }

    public var description: String {
        switch self {
        case let .invalidConfiguration(setting, reason): "invalid configuration: \(setting): \(reason)"
        case let .broker(error, context?): "\(context): \(error)"
        case let .broker(error, nil): "\(error)"
        case let .transport(error): "\(error)"
        case let .timedOut(after, last?): "timed out after \(after); last error: \(last)"
        case let .timedOut(after, nil): "timed out after \(after)"
        case let .unknownTopic(topic): "unknown topic \"\(topic)\""
        case let .unknownPartition(topic, partition): "topic \"\(topic)\" has no partition \(partition)"
        case let .unknownBroker(id): "no broker with id \(id) in the cluster metadata"
        case let .noBrokerAvailable(last?): "no broker could be reached; last error: \(last)"
        case .noBrokerAvailable(nil): "no broker could be reached"
        case let .unexpectedResponse(text): "unexpected response: \(text)"
        case let .unsupported(text): "not supported by the broker: \(text)"
        case .shutDown: "the client has been shut down"
        case .cancelled: "the operation was cancelled"
        }
    }

    /// Wraps any error the layers below throw.
    public init(_ error: any Error) {
        switch error {
        case let error as KafkaClientError: self = error
        case let error as TransportError: self = error == .cancelled ? .cancelled : .transport(error)
        case let error as KafkaError: self = .broker(error)
        case is CancellationError: self = .cancelled
        case let error as WireEncodingError: self = .unsupported("cannot encode the request: \(error)")
        default: self = .unexpectedResponse("\(error)")
        }
    }
}
