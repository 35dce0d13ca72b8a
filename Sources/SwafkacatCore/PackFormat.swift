/// A `-s` deserializer: a pack string (`>iq`, `<H`, `bcs$`) that turns binary keys or values into text.
///
/// Each token reads from the field and prints what it read, with nothing in between:
/// `b`/`B` 8-bit, `h`/`H` 16-bit, `i`/`I` 32-bit, `q`/`Q` 64-bit (lower case signed, upper case unsigned)
/// as decimal numbers; `c` one byte as it is; `s` the rest as a C string (up to its first NUL byte, as
/// kcat prints it); `$` checks that nothing is left; a space prints a space; `>` and `<` switch to
/// big-endian (the default) and little-endian for the tokens after them.
///
/// kcat 1.7.1 accepts `<` but keeps reading big-endian (its byte swap ignores the setting); swafkacat
/// reads little-endian as kcat's help promises. That is the one place `-s` output differs from kcat's.
public struct PackFormat: Sendable, Equatable {
    /// One step of the pack string.
    public enum Token: Sendable, Equatable {
        case bigEndian, littleEndian
        case int8, uint8, int16, uint16, int32, uint32, int64, uint64
        case character, string, end, space
    }

    /// Which part of a message a pack string applies to (kcat's wording in messages).
    public enum Field: String, Sendable, Hashable, CaseIterable {
        case key, value
    }

    /// Why a pack string is not valid; `description` is kcat's message.
    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// `-s key=` with nothing after it.
        case empty(Field)
        /// A character that is no token.
        case invalidToken(Character, Field)

        public var description: String {
            switch self {
            case let .empty(field): "\(field.rawValue) pack-format must not be empty"
            case let .invalidToken(token, field): "Invalid token '\(token)' in \(field.rawValue) pack-format, see -s usage."
            }
        }
    }

    /// Why a field could not be unpacked; `description` is kcat's message.
    public enum UnpackError: Error, Equatable, Sendable, CustomStringConvertible {
        /// A token needed more bytes than were left.
        case truncated(Field, needed: Int, token: Character, remaining: Int)
        /// `$` found bytes left.
        case trailingBytes(Field, remaining: Int)

        public var description: String {
            switch self {
            case let .truncated(field, needed, token, remaining):
                "\(field.rawValue) truncated, expected \(needed) bytes to unpack \(token) but only \(remaining) bytes remaining"
            case let .trailingBytes(field, remaining):
                "expected \(field.rawValue) end-of-input, but \(remaining) bytes remaining"
            }
        }
    }

    /// The tokens in order.
    public var tokens: [Token]
    /// The text as given.
    public var text: String

    /// Parses `text` for `field` (the field only names it in errors).
    public init(parsing text: String, for field: Field) throws(ParseError) {
        guard !text.isEmpty else { throw .empty(field) }
        var tokens: [Token] = []
        for character in text {
            let token: Token
            switch character {
            case ">": token = .bigEndian
            case "<": token = .littleEndian
            case "b": token = .int8
            case "B": token = .uint8
            case "h": token = .int16
            case "H": token = .uint16
            case "i": token = .int32
            case "I": token = .uint32
            case "q": token = .int64
            case "Q": token = .uint64
            case "c": token = .character
            case "s": token = .string
            case "$": token = .end
            case " ": token = .space
            default: throw .invalidToken(character, field)
            }
            tokens.append(token)
        }
        self.tokens = tokens
        self.text = text
    }

    /// Appends the rendering of `bytes` to `output`. On an error, `output` keeps what was printed
    /// before it, as kcat's output does.
    public func unpack(_ bytes: some Collection<UInt8>, field: Field, into output: inout [UInt8]) throws(UnpackError) {
        let data = Array(bytes)
        var position = 0
        var littleEndian = false
        func take(_ count: Int, _ token: Character) throws(UnpackError) -> UInt64 {
            let remaining = data.count - position
            guard remaining >= count else { throw .truncated(field, needed: count, token: token, remaining: remaining) }
            var value: UInt64 = 0
            for index in 0..<count {
                let byte = UInt64(data[position + (littleEndian ? count - 1 - index : index)])
                value = value << 8 | byte
            }
            position += count
            return value
        }
        for token in tokens {
            switch token {
            case .bigEndian: littleEndian = false
            case .littleEndian: littleEndian = true
            case .int8: output += Array(String(Int8(truncatingIfNeeded: try take(1, "b"))).utf8)
            case .uint8: output += Array(String(UInt8(truncatingIfNeeded: try take(1, "B"))).utf8)
            case .int16: output += Array(String(Int16(truncatingIfNeeded: try take(2, "h"))).utf8)
            case .uint16: output += Array(String(UInt16(truncatingIfNeeded: try take(2, "H"))).utf8)
            case .int32: output += Array(String(Int32(truncatingIfNeeded: try take(4, "i"))).utf8)
            case .uint32: output += Array(String(UInt32(truncatingIfNeeded: try take(4, "I"))).utf8)
            case .int64: output += Array(String(Int64(bitPattern: try take(8, "q"))).utf8)
            case .uint64: output += Array(String(try take(8, "Q")).utf8)
            case .character: output.append(UInt8(truncatingIfNeeded: try take(1, "c")))
            case .string:
                let rest = data[position...]
                output += rest.prefix { $0 != 0 }
                position = data.count
            case .end:
                guard position == data.count else { throw .trailingBytes(field, remaining: data.count - position) }
            case .space: output.append(0x20)
            }
        }
    }
}

/// The `-s` settings: a pack string for keys, values, or both.
public struct Deserializers: Sendable, Equatable {
    /// The pack string for keys, if any.
    public var key: PackFormat?
    /// The pack string for values, if any.
    public var value: PackFormat?

    /// No deserializers.
    public init(key: PackFormat? = nil, value: PackFormat? = nil) {
        self.key = key
        self.value = value
    }

    /// True when neither is set.
    public var isEmpty: Bool { key == nil && value == nil }

    /// Applies one `-s` argument: `key=<pack>`, `value=<pack>` or `<pack>` for both (checked as the
    /// key's first, as kcat does). `avro` is refused: swafkacat has no schema-registry client.
    public mutating func apply(_ argument: String) throws(DeserializerError) {
        var fields: [PackFormat.Field] = [.key, .value]
        var text = Substring(argument)
        if text.hasPrefix("key=") {
            fields = [.key]
            text = text.dropFirst(4)
        } else if text.hasPrefix("value=") {
            fields = [.value]
            text = text.dropFirst(6)
        }
        if text == "avro" { throw .avroUnsupported }
        for field in fields {
            let format: PackFormat
            do {
                format = try PackFormat(parsing: String(text), for: field)
            } catch {
                throw .pack(error)
            }
            switch field {
            case .key: key = format
            case .value: value = format
            }
        }
    }
}

/// Why a `-s` argument was refused.
public enum DeserializerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A malformed pack string.
    case pack(PackFormat.ParseError)
    /// `-s avro`.
    case avroUnsupported

    public var description: String {
        switch self {
        case let .pack(error): error.description
        case .avroUnsupported: "This build of swafkacat lacks Avro/Schema-Registry support"
        }
    }
}
