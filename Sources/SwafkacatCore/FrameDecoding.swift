import KafkaCompression
import KafkaWire
import KafkaWireJSON

/// `--decode`: each frame of a capture file as one JSON object, its message rendered by the same
/// code as `swafka-wire decode --with-header` (KafkaWireJSON's `WireTool.decode`).
///
/// A line is `{"frame":N,"offset":O,"size":S,"kind":"request"|"response","api":"Metadata","apiKey":3,
/// "version":12,"correlationId":C,"message":{"header":{...},"body":{...}}}`, with `"note"` when the
/// frame decoded with something odd about it, and `"error"` (and no `"message"`) when it did not decode.
public struct FrameDecoder: Sendable {
    /// How records and JSON are rendered.
    public var options: DecodeOptions

    /// A decoder.
    public init(options: DecodeOptions) {
        self.options = options
    }

    /// The classifier for `options` (nil with a problem when `--api` names no API).
    public func classifier() throws(FrameDecodingError) -> FrameClassifier {
        var fallback: ApiKey?
        if let api = options.api {
            guard let entry = MessageRegistry.entry(named: api) else {
                throw FrameDecodingError(message: "--api \(api): no such API (give a name such as Metadata, or a numeric key)")
            }
            fallback = entry.apiKey
        }
        if (options.api == nil) != (options.apiVersion == nil) {
            throw FrameDecodingError(message: "--api and --api-version go together")
        }
        return FrameClassifier(direction: options.direction, fallbackAPI: fallback, fallbackVersion: options.apiVersion)
    }

    /// One frame's JSON line, and whether it decoded.
    public func render(_ frame: ClassifiedFrame) -> (json: JSONValue, decoded: Bool) {
        var object: [(String, JSONValue)] = [
            ("frame", .int(Int64(frame.frame.index))), ("offset", .int(Int64(frame.frame.offset))),
            ("size", .int(Int64(frame.frame.bytes.count))),
        ]
        guard let kind = frame.kind, let apiKey = frame.apiKey, let version = frame.apiVersion else {
            if let correlationID = frame.correlationID { object.append(("correlationId", .int(Int64(correlationID)))) }
            object.append(("error", .string(frame.problem ?? "not a Kafka request or response")))
            return (.object(JSONObject(object)), false)
        }
        let name = MessageRegistry.entry(for: apiKey)?.name ?? apiKey.name
        object += [("kind", .string(kind.rawValue)), ("api", .string(name)), ("apiKey", .int(Int64(apiKey.rawValue))),
                   ("version", .int(Int64(version)))]
        if let correlationID = frame.correlationID { object.append(("correlationId", .int(Int64(correlationID)))) }
        if let note = frame.note { object.append(("note", .string(note))) }
        let jsonOptions = WireJSONOptions(records: options.decodeRecords ? .decoded : .base64, compression: KafkaCompressionProvider())
        var bytes = frame.frame.bytes
        do {
            let message: JSONValue
            do {
                message = try WireTool.decode(bytes, api: String(apiKey.rawValue), version: version,
                                              kind: kind == .request ? .request : .response, withHeader: true, options: jsonOptions)
            } catch where frame.trailingBytes > 0 && kind == .request {
                // A request with bytes after its body (see FrameClassifier): decode without them.
                bytes.removeLast(frame.trailingBytes)
                message = try WireTool.decode(bytes, api: String(apiKey.rawValue), version: version, kind: .request,
                                              withHeader: true, options: jsonOptions)
            }
            object.append(("message", message))
            return (.object(JSONObject(object)), true)
        } catch {
            object.append(("error", .string(WireToolError(error).message)))
            return (.object(JSONObject(object)), false)
        }
    }

    /// The text of one line (compact, or indented with `--pretty`), newline included.
    public func line(_ json: JSONValue) -> [UInt8] {
        JSONPrinter.bytes(json, indent: options.pretty ? 2 : 0) + [0x0A]
    }
}

/// Why `--decode` could not start.
public struct FrameDecodingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message (kcat style, without `% ERROR: `).
    public var message: String
    /// An error.
    public init(message: String) { self.message = message }
    public var description: String { message }
}
