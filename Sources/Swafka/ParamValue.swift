import Foundation
import KafkaWire

/// A parsed value: what a parser makes of a payload and what a responder hands to `generate`.
///
/// The shape of JSON plus raw bytes, so a binary parser and a parse failure (which keeps the raw
/// message) fit the same type. Karafka's params are a Ruby hash; this is its typed Swift form.
public enum ParamValue: Sendable, Hashable {
    /// JSON null, or a Kafka null value.
    case null
    /// A boolean.
    case bool(Bool)
    /// An integer.
    case int(Int64)
    /// A floating-point number.
    case double(Double)
    /// A string.
    case string(String)
    /// Raw bytes (a binary payload, or a payload that failed to parse and is not UTF-8).
    case bytes([UInt8])
    /// An ordered list.
    case array([ParamValue])
    /// A map from string keys.
    case object([String: ParamValue])

    /// The value under `key` when this is an object; nil otherwise.
    public subscript(key: String) -> ParamValue? {
        guard case let .object(fields) = self else { return nil }
        return fields[key]
    }

    /// The string, when this is one.
    public var stringValue: String? { if case let .string(s) = self { s } else { nil } }
    /// The integer, when this is one.
    public var intValue: Int64? { if case let .int(i) = self { i } else { nil } }
    /// The boolean, when this is one.
    public var boolValue: Bool? { if case let .bool(b) = self { b } else { nil } }
    /// The bytes, when this is `.bytes`, or the UTF-8 of a string.
    public var bytesValue: [UInt8]? {
        switch self {
        case let .bytes(b): b
        case let .string(s): Array(s.utf8)
        default: nil
        }
    }

    /// Whether this value counts as true in a `beforeEnqueue` test: Ruby truthiness (only null
    /// and false are false), so `params["important"]?.isTruthy` reads like Karafka's callbacks.
    public var isTruthy: Bool {
        switch self {
        case .null, .bool(false): false
        default: true
        }
    }
}

extension ParamValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int64) { self = .int(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: ParamValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, ParamValue)...) {
        self = .object(Dictionary(elements, uniquingKeysWith: { _, last in last }))
    }
}

// MARK: - Codable bridges

extension ParamValue {
    /// The JSON form of any `Encodable` value, as a `ParamValue` (for responders fed model types).
    public init(encoding value: some Encodable, encoder: JSONEncoder = JSONEncoder()) throws {
        let data = try encoder.encode(value)
        self = try JSONParser().parse(ByteSlice(Array(data)))
    }

    /// Decodes a `Decodable` type from this value's JSON form.
    public func decode<T: Decodable>(_ type: T.Type, decoder: JSONDecoder = JSONDecoder()) throws -> T {
        let bytes = try JSONParser().generate(self)
        return try decoder.decode(type, from: Data(bytes))
    }
}

extension ParamValue: Codable {
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() { self = .null }
        else if let b = try? container.decode(Bool.self) { self = .bool(b) }
        else if let i = try? container.decode(Int64.self) { self = .int(i) }
        else if let d = try? container.decode(Double.self) { self = .double(d) }
        else if let s = try? container.decode(String.self) { self = .string(s) }
        else if let a = try? container.decode([ParamValue].self) { self = .array(a) }
        else if let o = try? container.decode([String: ParamValue].self) { self = .object(o) }
        else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a JSON value")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case let .bool(b): try container.encode(b)
        case let .int(i): try container.encode(i)
        case let .double(d): try container.encode(d)
        case let .string(s): try container.encode(s)
        case let .bytes(bytes):
            guard let string = String(validating: bytes, as: UTF8.self) else {
                throw EncodingError.invalidValue(bytes, .init(codingPath: encoder.codingPath,
                    debugDescription: "binary value has no JSON form"))
            }
            try container.encode(string)
        case let .array(values): try container.encode(values)
        case let .object(fields): try container.encode(fields)
        }
    }
}
