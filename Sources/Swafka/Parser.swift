import Foundation
import KafkaWire

/// Turns payload bytes into a `ParamValue` and back (Karafka's parser: `parse` and `generate`).
///
/// `parse` runs lazily, the first time a controller reads its params; `generate` runs when a
/// responder sends.
public protocol Parser: Sendable {
    /// The value carried by `payload`; throws `ParserError` (or any error) when it is not valid.
    func parse(_ payload: ByteSlice) throws -> ParamValue
    /// The bytes to send for `value`.
    func generate(_ value: ParamValue) throws -> [UInt8]
}

/// Why a parser refused a payload or a value.
public struct ParserError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, in words.
    public var reason: String
    /// An error with `reason`.
    public init(_ reason: String) { self.reason = reason }
    public var description: String { "parser error: \(reason)" }
}

/// JSON through Foundation's `JSONDecoder`/`JSONEncoder`: the default parser, as in Karafka.
///
/// Whole numbers become `.int`, others `.double`; a `.bytes` value is generated as a UTF-8 string
/// when it is one, and refused otherwise (JSON has no bytes). Keys are generated sorted, so the
/// same value always gives the same bytes.
public struct JSONParser: Parser {
    /// The JSON parser.
    public init() {}

    public func parse(_ payload: ByteSlice) throws -> ParamValue {
        do {
            return try JSONDecoder().decode(ParamValue.self, from: Data(payload.array))
        } catch {
            throw ParserError("invalid JSON: \(error)")
        }
    }

    public func generate(_ value: ParamValue) throws -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return Array(try encoder.encode(value))
    }
}

/// Bytes in, bytes out: for payloads that are not structured text (images, protobuf, ...).
public struct RawParser: Parser {
    /// The raw parser.
    public init() {}
    public func parse(_ payload: ByteSlice) throws -> ParamValue { .bytes(payload.array) }
    public func generate(_ value: ParamValue) throws -> [UInt8] {
        guard let bytes = value.bytesValue else { throw ParserError("raw parser generates bytes or strings only") }
        return bytes
    }
}
