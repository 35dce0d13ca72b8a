import KafkaWire

/// The operations of `swafka-wire`, as functions: the executable parses arguments and does
/// I/O, everything else happens here so tests can run it in-process.
public enum WireTool {
    /// The message type for `api` (spec name without Request/Response, any case, or numeric key) and `kind`.
    public static func target(api: String, kind: WireMessageKind) throws(WireToolError) -> WireMessageTarget {
        guard let target = WireMessageTarget(api: api, kind: kind) else {
            let known = kind == .data
                ? MessageRegistry.dataTypes.map(\.name).joined(separator: ", ")
                : "a name such as Produce or ApiVersions, or a numeric key"
            return try fail(WireToolError(kind: "unknownApi", message: "unknownApi: no \(kind.rawValue) type for \"\(api)\" (expected \(known))"))
        }
        return target
    }

    // A typed throw from inside a generic-free helper keeps call sites short.
    private static func fail<T>(_ error: WireToolError) throws(WireToolError) -> T { throw error }

    /// Decodes `bytes` (a body, or a header and a body) to its JSON form.
    public static func decode(_ bytes: [UInt8], api: String, version: Int16, kind: WireMessageKind,
                              withHeader: Bool = false, options: WireJSONOptions = .init()) throws(WireToolError) -> JSONValue {
        let target = try target(api: api, kind: kind)
        do {
            return try target.decode(ByteSlice(bytes), version: version, withHeader: withHeader, options: options)
        } catch {
            throw WireToolError(error)
        }
    }

    /// Encodes a JSON value (as `decode` produces) to bytes.
    public static func encode(_ json: JSONValue, api: String, version: Int16, kind: WireMessageKind,
                              withHeader: Bool = false, options: WireJSONOptions = .init()) throws(WireToolError) -> [UInt8] {
        let target = try target(api: api, kind: kind)
        do {
            return try target.encode(json, version: version, withHeader: withHeader, options: options)
        } catch {
            throw WireToolError(error)
        }
    }

    /// Encodes JSON text to bytes.
    public static func encode(jsonText: [UInt8], api: String, version: Int16, kind: WireMessageKind,
                              withHeader: Bool = false, options: WireJSONOptions = .init()) throws(WireToolError) -> [UInt8] {
        let json: JSONValue
        do {
            json = try JSONParser.parse(jsonText)
        } catch {
            throw WireToolError(error)
        }
        return try encode(json, api: api, version: version, kind: kind, withHeader: withHeader, options: options)
    }
}

/// `swafka-wire batch`: one JSON request per line in, one JSON reply per line out, in order.
///
/// Requests: `{"id": any, "op": "decode"|"encode", "api": name or key, "version": n,
/// "kind": "request"|"response"|"data", "hex": "..." (decode) | "json": {...} (encode),
/// "records": "base64"|"decoded" (optional), "withHeader": bool (optional)}`.
/// Replies: `{"id": same, "ok": true, "json": {...}}` or `{"id": same, "ok": true, "hex": "..."}`;
/// on failure `{"id": same, "ok": false, "error": "<kind> at byte <offset>", "message": "<full error>"}`
/// (`"<kind> in <field>"` or `"<kind>"` when the error has no byte offset). A line that is not a
/// valid request gets a failure reply with `"id": null` if its id cannot be read. Blank lines are skipped.
public struct WireBatch: Sendable {
    /// Compression for `"records": "decoded"`.
    public var compression: (any CompressionProvider)?

    /// A batch processor.
    public init(compression: (any CompressionProvider)? = nil) {
        self.compression = compression
    }

    private static let knownKeys: Set<String> = ["id", "op", "api", "version", "kind", "hex", "json", "records", "withHeader"]

    /// The reply to one request line, or nil for a blank line.
    public func reply(to line: some Collection<UInt8>) -> JSONValue? {
        guard line.contains(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0D && $0 != 0x0A }) else { return nil }
        var id = JSONValue.null
        do {
            let request: JSONObject
            switch try JSONParser.parse(Array(line)) {
            case let .object(object): request = object
            case let other: throw Self.invalid("a request must be a JSON object, found \(other.typeName)")
            }
            id = request["id"] ?? .null
            return .object(["id": id, "ok": true] + (try perform(request)))
        } catch {
            let failure = WireToolError(error)
            return .object(["id": id, "ok": false, "error": .string(failure.summary), "message": .string(failure.message)])
        }
    }

    /// Runs lines from `readLine` (nil at the end) and hands each reply line, newline included, to `write`.
    public func run(readLine: () -> [UInt8]?, write: ([UInt8]) -> Void) {
        while let line = readLine() {
            guard let reply = reply(to: line) else { continue }
            write(JSONPrinter.bytes(reply) + [0x0A])
        }
    }

    private static func invalid(_ why: String) -> WireToolError {
        WireToolError(kind: "invalidRequest", message: "invalidRequest: \(why)")
    }

    private func perform(_ request: JSONObject) throws(WireToolError) -> JSONObject {
        for key in request.keys where !Self.knownKeys.contains(key) { throw Self.invalid("unknown key \"\(key)\"") }
        let api: String
        switch request["api"] {
        case let .string(name)?: api = name
        case let .int(key)?: api = String(key)
        default: throw Self.invalid("\"api\" must be a name or a numeric key")
        }
        guard case let .int(rawVersion)? = request["version"], let version = Int16(exactly: rawVersion) else {
            throw Self.invalid("\"version\" must be an integer")
        }
        guard case let .string(kindName)? = request["kind"], let kind = WireMessageKind(rawValue: kindName) else {
            throw Self.invalid("\"kind\" must be \"request\", \"response\" or \"data\"")
        }
        var options = WireJSONOptions(compression: compression)
        switch request["records"] {
        case nil: break
        case let .string(form)?:
            guard let records = WireJSONOptions.RecordsForm(rawValue: form) else { throw Self.invalid("\"records\" must be \"base64\" or \"decoded\"") }
            options.records = records
        default: throw Self.invalid("\"records\" must be \"base64\" or \"decoded\"")
        }
        var withHeader = false
        switch request["withHeader"] {
        case nil: break
        case let .bool(flag)?: withHeader = flag
        default: throw Self.invalid("\"withHeader\" must be a boolean")
        }
        switch request["op"] {
        case .string("decode")?:
            guard request["json"] == nil else { throw Self.invalid("decode takes \"hex\", not \"json\"") }
            guard case let .string(hex)? = request["hex"] else { throw Self.invalid("decode needs \"hex\"") }
            let json = try WireTool.decode(try WireHex.parse(hex), api: api, version: version, kind: kind,
                                           withHeader: withHeader, options: options)
            return ["json": json]
        case .string("encode")?:
            guard request["hex"] == nil else { throw Self.invalid("encode takes \"json\", not \"hex\"") }
            guard let json = request["json"] else { throw Self.invalid("encode needs \"json\"") }
            let bytes = try WireTool.encode(json, api: api, version: version, kind: kind, withHeader: withHeader, options: options)
            return ["hex": .string(WireHex.string(bytes))]
        default:
            throw Self.invalid("\"op\" must be \"decode\" or \"encode\"")
        }
    }
}

extension JSONObject {
    /// The members of `lhs` followed by those of `rhs`.
    static func + (lhs: JSONObject, rhs: JSONObject) -> JSONObject {
        var result = lhs
        for (key, value) in rhs.members { result[key] = value }
        return result
    }
}
