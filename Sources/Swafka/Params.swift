import Foundation
import KafkaWire
import Synchronization

/// What a controller reads: the message's metadata and its payload, parsed on first use by the
/// route's parser (Karafka's `params`).
///
/// A payload that fails to parse does not stop the flow: `payload` then holds the raw message
/// under a `message` key (as a string when it is UTF-8, bytes otherwise), as Karafka documents,
/// and `parseError` says why. Values set through the subscript (by `beforeEnqueue` callbacks)
/// shadow the payload's own keys and travel with the job to a worker.
public struct Params: Sendable {
    /// The message as consumed.
    public let message: InboundMessage
    /// The parser of the route the message arrived on.
    public let parser: any Parser
    /// Keys set after consumption (by callbacks); they win over the payload's keys.
    public private(set) var overrides: [String: ParamValue]
    private let cache: ParseCache

    /// Params for `message`, parsed by `parser` when first read.
    public init(_ message: InboundMessage, parser: any Parser = JSONParser(), overrides: [String: ParamValue] = [:]) {
        self.message = message
        self.parser = parser
        self.overrides = overrides
        self.cache = ParseCache()
    }

    /// What a controller holds before the framework gives it its message (shared, so making a
    /// controller allocates nothing for it).
    static let placeholder = Params(InboundMessage(topic: "", payload: nil))

    /// The topic the message came from.
    public var topic: String { message.topic }
    /// The partition the message came from.
    public var partition: Int32 { message.partition }
    /// The message's offset.
    public var offset: Int64 { message.offset }
    /// The message's key as UTF-8, when it has one that is.
    public var key: String? { message.key?.utf8String }
    /// The record headers.
    public var headers: [RecordHeader] { message.headers }
    /// The record's timestamp (ms since the epoch), if any.
    public var timestampMs: Int64? { message.timestampMs }
    /// When the framework received the message (ms since the epoch).
    public var receivedAtMs: Int64 { message.receivedAtMs }

    /// The parsed payload, or `["message": raw]` when parsing failed. A null value parses as `.null`.
    public var payload: ParamValue {
        switch parsed {
        case let .success(value): value
        case .failure: .object(["message": rawMessageValue])
        }
    }

    /// Why the payload did not parse; nil when it did (or has not been read yet and will).
    public var parseError: ParserError? {
        if case let .failure(error) = parsed { error } else { nil }
    }

    /// The value under `key`: a value set by a callback, else the payload's key, else one of the
    /// metadata keys `topic`, `partition`, `offset`, `key`. Setting stores an override.
    public subscript(key: String) -> ParamValue? {
        get {
            if let value = overrides[key] { return value }
            if let value = payload[key] { return value }
            switch key {
            case "topic": return .string(topic)
            case "partition": return .int(Int64(partition))
            case "offset": return .int(offset)
            case "key": return self.key.map(ParamValue.string)
            default: return nil
            }
        }
        set { overrides[key] = newValue ?? .null }
    }

    /// The payload decoded as `T` (Codable models), straight from the raw JSON bytes.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        try decoder.decode(type, from: Data(message.payload?.array ?? Array("null".utf8)))
    }

    private var rawMessageValue: ParamValue {
        guard let payload = message.payload else { return .null }
        return payload.utf8String.map(ParamValue.string) ?? .bytes(payload.array)
    }

    private var parsed: Result<ParamValue, ParserError> {
        cache.value {
            guard let payload = message.payload else { return .success(.null) }
            do {
                return .success(try parser.parse(payload))
            } catch let error as ParserError {
                return .failure(error)
            } catch {
                return .failure(ParserError(String(describing: error)))
            }
        }
    }
}

/// The memo of one message's parse, shared by the copies of its `Params` (parsing is pure, so
/// whichever copy parses first fills it for all).
final class ParseCache: Sendable {
    private let state = Mutex<Result<ParamValue, ParserError>?>(nil)

    func value(_ compute: () -> Result<ParamValue, ParserError>) -> Result<ParamValue, ParserError> {
        if let done = state.withLock({ $0 }) { return done }
        // Parse outside the lock: a slow parser must not block other readers of other state.
        let result = compute()
        return state.withLock { current in
            if let current { return current }
            current = result
            return result
        }
    }
}
