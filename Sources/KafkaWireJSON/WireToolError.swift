import KafkaWire

/// Any failure of a `swafka-wire` operation, reduced to the parts its error lines print:
/// a kind name, a byte offset when the input has one, the field path when known, and the full sentence.
public struct WireToolError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind: a `WireDecodingError.Kind` name (`truncated`), a `WireEncodingError` kind
    /// (`fieldNotInVersion`), a JSON kind (`invalidJSON`, `missingField`, `unknownField`,
    /// `invalidField`), `invalidHex`, or `invalidRequest` / `unknownApi` for bad arguments.
    public var kind: String
    /// The byte offset in the input (binary bytes, hex text or JSON text) where that applies.
    public var offset: Int?
    /// The field path (`Topics[0].Name`), when known.
    public var field: String?
    /// The whole error as one line, without the `error: ` prefix.
    public var message: String

    /// An error with every part given.
    public init(kind: String, offset: Int? = nil, field: String? = nil, message: String) {
        self.kind = kind
        self.offset = offset
        self.field = field
        self.message = message
    }

    /// Classifies any error thrown by `WireJSON`, the codecs or the JSON parser.
    public init(_ error: any Error) {
        switch error {
        case let error as WireToolError: self = error
        case let error as WireDecodingError:
            self.init(kind: error.kind.name, offset: error.offset, field: error.field, message: error.description)
        case let error as WireEncodingError:
            let kind = Self.name(of: error.kind)
            self.init(kind: kind, field: error.field,
                      message: error.field.map { "\(kind) in \($0): \(error)" } ?? "\(kind): \(error)")
        case let error as JSONParseError:
            self.init(kind: "invalidJSON", offset: error.offset, message: error.description)
        case let error as JSONFieldError:
            self.init(kind: error.kind.rawValue, field: error.path.isEmpty ? nil : error.path, message: error.description)
        default:
            self.init(kind: "invalidValue", message: "invalidValue: \(error)")
        }
    }

    /// `WireEncodingError.Kind` names, spelled like the decoding kinds.
    static func name(of kind: WireEncodingError.Kind) -> String {
        switch kind {
        case .fieldNotInVersion: "fieldNotInVersion"
        case .nullNotAllowed: "nullNotAllowed"
        case .valueTooLarge: "valueTooLarge"
        case .unsupportedVersion: "unsupportedVersion"
        case .duplicateTag: "duplicateTag"
        case .invalidValue: "invalidValue"
        }
    }

    /// `truncated at byte 12`, or `invalidField in Topics[0].Name` when there is no offset: the short form batch replies carry.
    public var summary: String {
        if let offset { return "\(kind) at byte \(offset)" }
        if let field { return "\(kind) in \(field)" }
        return kind
    }

    /// The error line `swafka-wire` prints on stderr.
    public var description: String { "error: \(message)" }
}

/// Hex text as `swafka-wire` reads and writes it.
public enum WireHex {
    /// Parses hex digits of either case; white space between bytes is ignored. Errors give the offset in the text.
    public static func parse(_ text: some Collection<UInt8>) throws(WireToolError) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(text.count / 2)
        var high: UInt8? = nil
        var highOffset = 0
        for (offset, char) in text.enumerated() {
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"):
                guard high == nil else { throw invalid("white space inside a byte", at: offset) }
                continue
            default: throw invalid("not a hex digit", at: offset)
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
                highOffset = offset
            }
        }
        guard high == nil else { throw invalid("odd number of hex digits", at: highOffset) }
        return bytes
    }

    /// Parses hex text.
    public static func parse(_ text: String) throws(WireToolError) -> [UInt8] { try parse(Array(text.utf8)) }

    /// Lower-case hex digits, no separators.
    public static func string(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func invalid(_ why: String, at offset: Int) -> WireToolError {
        WireToolError(kind: "invalidHex", offset: offset, message: "invalidHex at byte \(offset): \(why)")
    }
}
