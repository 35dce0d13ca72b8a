import KafkaWire

/// Which of an API's messages a body is, or a versioned data payload that is not an API message.
public enum WireMessageKind: String, Sendable, CaseIterable {
    /// An API's request.
    case request
    /// An API's response.
    case response
    /// A versioned payload such as ConsumerProtocolSubscription, carried inside other messages.
    case data
}

/// JSON forms of every message, driven by the same `visitFields` descriptions as the binary codecs.
///
/// A message's JSON is an object whose keys are the spec's field names, in spec order, for the
/// fields the version has. Integers are numbers, strings are strings, bytes and records are
/// base64, UUIDs are 8-4-4-4-12 strings, structs and arrays nest, null is null. Tagged fields
/// known at the version always appear (with their default when absent on the wire); unknown
/// tagged fields appear as `"_unknownTaggedFields": [{"tag": n, "data": base64}]` when there are any.
public enum WireJSON {
    /// The JSON form of `message` at `version`.
    public static func json<M: WireMessage>(for message: M, version: Int16, options: WireJSONOptions = .init()) throws -> JSONValue {
        try json(for: message, version: version, options: options, source: nil)
    }

    /// The JSON form of `message`, decoded from `source` (whose first byte is at input offset `base`).
    static func json<M: WireMessage>(for message: M, version: Int16, options: WireJSONOptions,
                                     source: (bytes: ByteSlice, base: Int)?) throws -> JSONValue {
        guard M.validVersions.contains(version) else { throw WireEncodingError(.unsupportedVersion, field: nil, version: version) }
        return try JSONFieldWriter(version: version, options: options, source: source).structJSON(message)
    }

    /// The message that `json` describes at `version`.
    public static func message<M: WireMessage>(_: M.Type, from json: JSONValue, version: Int16, options: WireJSONOptions = .init()) throws -> M {
        guard M.validVersions.contains(version) else { throw WireEncodingError(.unsupportedVersion, field: nil, version: version) }
        let reader = JSONFieldReader(object: [:], path: "", version: version, flexible: M.isFlexible(version), options: options)
        return try reader.readStruct(M.self, from: json, path: "")
    }

    /// Decodes a body of `type` that fills all of `bytes` and returns its JSON form.
    public static func decode(_ type: any WireMessage.Type, body bytes: ByteSlice, version: Int16,
                              options: WireJSONOptions = .init()) throws -> JSONValue {
        func open<M: WireMessage>(_: M.Type) throws -> JSONValue {
            try json(for: try M(decoding: bytes, version: version), version: version, options: options, source: (bytes, 0))
        }
        return try open(type)
    }

    /// Encodes the body of `type` that `json` describes.
    public static func encode(_ type: any WireMessage.Type, json: JSONValue, version: Int16,
                              options: WireJSONOptions = .init()) throws -> [UInt8] {
        func open<M: WireMessage>(_: M.Type) throws -> [UInt8] {
            try message(M.self, from: json, version: version, options: options).encoded(version: version)
        }
        return try open(type)
    }
}

/// One message type resolved from an API name or key and a kind, with what its header needs.
public struct WireMessageTarget: Sendable {
    /// The message type.
    public let type: any WireMessage.Type
    /// The API, for requests and responses.
    public let apiKey: ApiKey?
    /// Request, response or data.
    public let kind: WireMessageKind
    /// The name shown in errors (`ProduceRequest`).
    public let displayName: String

    /// Looks up `api` (the spec name without Request/Response, any case, or the numeric key; for
    /// `.data` the payload's spec name, such as `ConsumerProtocolSubscription`).
    public init?(api: String, kind: WireMessageKind) {
        switch kind {
        case .request, .response:
            guard let entry = MessageRegistry.entry(named: api) else { return nil }
            self.type = kind == .request ? entry.request : entry.response
            self.apiKey = entry.apiKey
            self.displayName = entry.name + (kind == .request ? "Request" : "Response")
        case .data:
            guard let data = MessageRegistry.dataTypes.first(where: { $0.name.lowercased() == api.lowercased() }) else { return nil }
            self.type = data.type
            self.apiKey = nil
            self.displayName = data.name
        }
        self.kind = kind
    }

    /// The header version for a body at `version`, or nil for data payloads (they have none).
    public func headerVersion(for version: Int16) -> Int16? {
        guard let apiKey else { return nil }
        switch kind {
        case .request: return RequestHeader.version(apiKey: apiKey, apiVersion: version)
        case .response: return ResponseHeader.version(apiKey: apiKey, apiVersion: version)
        case .data: return nil
        }
    }

    /// Decodes `bytes` (a header then a body when `withHeader`, else a body alone) to JSON.
    ///
    /// With a header the result is `{"header": {...}, "body": {...}}`; the header's fields are
    /// named as in RequestHeader.json / ResponseHeader.json, and a request header must name this
    /// API and version. Error offsets count from the first byte of `bytes`.
    public func decode(_ bytes: ByteSlice, version: Int16, withHeader: Bool, options: WireJSONOptions = .init()) throws -> JSONValue {
        guard type.validVersions.contains(version) else {
            throw WireDecodingError(.unsupportedVersion(version), at: 0)
        }
        guard withHeader else { return try WireJSON.decode(type, body: bytes, version: version, options: options) }
        guard let apiKey, let headerVersion = headerVersion(for: version) else {
            throw WireDecodingError(.invalidValue("\(displayName) has no header"), at: 0)
        }
        var reader = ByteReader(bytes)
        let header: JSONValue
        switch kind {
        case .request:
            let decoded = try RequestHeader(from: &reader, headerVersion: headerVersion)
            guard decoded.apiKey == apiKey, decoded.apiVersion == version else {
                throw WireDecodingError(.invalidValue("the header is for \(decoded.apiKey) v\(decoded.apiVersion), not \(apiKey) v\(version)"),
                                        at: 0, field: "header")
            }
            header = try WireJSON.json(for: RequestHeaderFields(decoded), version: headerVersion)
        case .response, .data:
            header = try WireJSON.json(for: ResponseHeaderFields(try ResponseHeader(from: &reader, headerVersion: headerVersion)),
                                       version: headerVersion)
        }
        let headerSize = reader.offset
        let rest = reader.readRemaining()
        let messageType = type
        let bodyJSON = try Self.decodeBody(messageType, body: rest, offsetBase: headerSize, version: version, options: options)
        return .object(["header": header, "body": bodyJSON])
    }

    /// Decodes a body that follows a header, reporting offsets from the start of the header.
    private static func decodeBody<M: WireMessage>(_: M.Type, body: ByteSlice, offsetBase: Int, version: Int16,
                                                   options: WireJSONOptions) throws -> JSONValue {
        var reader = ByteReader(body, offsetBase: offsetBase)
        let message = try M(from: &reader, version: version)
        try reader.expectEnd()
        return try WireJSON.json(for: message, version: version, options: options, source: (body, offsetBase))
    }

    /// Encodes the JSON that `decode` produces back to bytes.
    public func encode(_ json: JSONValue, version: Int16, withHeader: Bool, options: WireJSONOptions = .init()) throws -> [UInt8] {
        guard type.validVersions.contains(version) else { throw WireEncodingError(.unsupportedVersion, field: nil, version: version) }
        guard withHeader else { return try WireJSON.encode(type, json: json, version: version, options: options) }
        guard let apiKey, let headerVersion = headerVersion(for: version) else {
            throw WireEncodingError(.invalidValue("\(displayName) has no header"), field: nil, version: version)
        }
        guard case let .object(object) = json else {
            throw JSONFieldError(.invalidField, path: "", "expected {\"header\": {...}, \"body\": {...}}, found \(json.typeName)")
        }
        for key in object.keys where key != "header" && key != "body" {
            throw JSONFieldError(.unknownField, path: key, "expected only \"header\" and \"body\"")
        }
        guard let headerJSON = object["header"] else { throw JSONFieldError(.missingField, path: "header", "required with a header") }
        guard let bodyJSON = object["body"] else { throw JSONFieldError(.missingField, path: "body", "required with a header") }
        var writer = ByteWriter()
        do {
            switch kind {
            case .request:
                let fields = try WireJSON.message(RequestHeaderFields.self, from: headerJSON, version: headerVersion)
                guard fields.apiKey == apiKey.rawValue, fields.apiVersion == version else {
                    throw JSONFieldError(.invalidField, path: "RequestApiKey",
                                         "the header is for key \(fields.apiKey) v\(fields.apiVersion), not \(apiKey) v\(version)")
                }
                try fields.header.encode(into: &writer, headerVersion: headerVersion)
            case .response, .data:
                let fields = try WireJSON.message(ResponseHeaderFields.self, from: headerJSON, version: headerVersion)
                fields.header.encode(into: &writer, headerVersion: headerVersion)
            }
        } catch var error as JSONFieldError {
            error.path = error.path.isEmpty ? "header" : "header.\(error.path)"
            throw error
        }
        do {
            writer.writeRaw(try WireJSON.encode(type, json: bodyJSON, version: version, options: options))
        } catch var error as JSONFieldError {
            error.path = error.path.isEmpty ? "body" : "body.\(error.path)"
            throw error
        }
        return writer.bytes
    }
}
