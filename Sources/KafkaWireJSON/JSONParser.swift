/// Why a text is not JSON, and where.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Byte offset into the parsed text.
    public var offset: Int
    /// What was wrong.
    public var message: String

    /// An error at byte `offset`.
    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    /// `invalidJSON at byte 7: expected ':' after an object key`.
    public var description: String { "invalidJSON at byte \(offset): \(message)" }
}

/// A strict RFC 8259 parser producing `JSONValue`s with object keys in document order.
///
/// Strict means: one value per text, no comments, no trailing commas, no leading zeros, no
/// NaN or Infinity literals, no unescaped control characters, no lone surrogates, no
/// duplicate keys, valid UTF-8 only. Nesting is limited so hostile input cannot exhaust the stack.
public struct JSONParser {
    /// The deepest nesting of arrays and objects accepted.
    public static let maximumDepth = 512

    private let bytes: [UInt8]
    private var position = 0
    private var depth = 0

    private init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// Parses a whole text holding exactly one JSON value (white space around it allowed).
    public static func parse(_ bytes: [UInt8]) throws(JSONParseError) -> JSONValue {
        var parser = JSONParser(bytes)
        parser.skipWhitespace()
        let value = try parser.parseValue()
        parser.skipWhitespace()
        guard parser.position == bytes.count else {
            throw JSONParseError("unexpected \(parser.describeCurrent()) after the JSON value", at: parser.position)
        }
        return value
    }

    /// Parses a whole text holding exactly one JSON value.
    public static func parse(_ text: String) throws(JSONParseError) -> JSONValue {
        try parse(Array(text.utf8))
    }

    // MARK: Scanning

    private var current: UInt8? { position < bytes.count ? bytes[position] : nil }

    private func describeCurrent() -> String {
        guard let byte = current else { return "end of input" }
        if byte >= 0x21 && byte < 0x7F { return "'\(Character(Unicode.Scalar(byte)))'" }
        return "byte 0x" + String(byte, radix: 16)
    }

    private mutating func skipWhitespace() {
        while let byte = current, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
    }

    private mutating func expect(_ literal: String, _ value: JSONValue) throws(JSONParseError) -> JSONValue {
        let start = position
        for byte in literal.utf8 {
            guard current == byte else { throw JSONParseError("invalid literal (expected '\(literal)')", at: start) }
            position += 1
        }
        return value
    }

    // MARK: Values

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        guard let byte = current else { throw JSONParseError("expected a JSON value, found end of input", at: position) }
        switch byte {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "t"): return try expect("true", .bool(true))
        case UInt8(ascii: "f"): return try expect("false", .bool(false))
        case UInt8(ascii: "n"): return try expect("null", .null)
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw JSONParseError("expected a JSON value, found \(describeCurrent())", at: position)
        }
    }

    private mutating func enter() throws(JSONParseError) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw JSONParseError("nesting deeper than \(Self.maximumDepth) levels", at: position)
        }
    }

    private mutating func parseObject() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1  // {
        var object = JSONObject()
        skipWhitespace()
        if current == UInt8(ascii: "}") {
            position += 1
            return .object(object)
        }
        while true {
            skipWhitespace()
            let keyOffset = position
            guard current == UInt8(ascii: "\"") else {
                throw JSONParseError("expected a string key, found \(describeCurrent())", at: position)
            }
            let key = try parseString()
            guard !object.contains(key) else { throw JSONParseError("duplicate key \"\(key)\"", at: keyOffset) }
            skipWhitespace()
            guard current == UInt8(ascii: ":") else {
                throw JSONParseError("expected ':' after an object key, found \(describeCurrent())", at: position)
            }
            position += 1
            skipWhitespace()
            object[key] = try parseValue()
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "}"):
                position += 1
                return .object(object)
            default: throw JSONParseError("expected ',' or '}' in an object, found \(describeCurrent())", at: position)
            }
        }
    }

    private mutating func parseArray() throws(JSONParseError) -> JSONValue {
        try enter()
        defer { depth -= 1 }
        position += 1  // [
        var elements = [JSONValue]()
        skipWhitespace()
        if current == UInt8(ascii: "]") {
            position += 1
            return .array(elements)
        }
        while true {
            skipWhitespace()
            elements.append(try parseValue())
            skipWhitespace()
            switch current {
            case UInt8(ascii: ","): position += 1
            case UInt8(ascii: "]"):
                position += 1
                return .array(elements)
            default: throw JSONParseError("expected ',' or ']' in an array, found \(describeCurrent())", at: position)
            }
        }
    }

    private mutating func parseHex4() throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let byte = current else { throw JSONParseError("unterminated \\u escape", at: position) }
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw JSONParseError("invalid hex digit in \\u escape", at: position)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    private static func appendUTF8(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
        if let encoded = UTF8.encode(scalar) { out.append(contentsOf: encoded) }
    }

    private mutating func parseString() throws(JSONParseError) -> String {
        let start = position
        position += 1  // opening quote
        var out = [UInt8]()
        while true {
            guard let byte = current else { throw JSONParseError("unterminated string", at: start) }
            switch byte {
            case UInt8(ascii: "\""):
                position += 1
                guard let text = String(validating: out, as: UTF8.self) else {
                    throw JSONParseError("string is not valid UTF-8", at: start)
                }
                return text
            case UInt8(ascii: "\\"):
                let escapeOffset = position
                position += 1
                guard let escaped = current else { throw JSONParseError("unterminated string", at: start) }
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    let unit = try parseHex4()
                    var scalarValue = unit
                    if (0xD800...0xDBFF).contains(unit) {
                        // A high surrogate must be followed by an escaped low surrogate.
                        guard current == UInt8(ascii: "\\"), position + 1 < bytes.count, bytes[position + 1] == UInt8(ascii: "u") else {
                            throw JSONParseError("unpaired surrogate \\u\(String(unit, radix: 16))", at: escapeOffset)
                        }
                        position += 2
                        let low = try parseHex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw JSONParseError("unpaired surrogate \\u\(String(unit, radix: 16))", at: escapeOffset)
                        }
                        scalarValue = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(unit) {
                        throw JSONParseError("unpaired surrogate \\u\(String(unit, radix: 16))", at: escapeOffset)
                    }
                    guard let scalar = Unicode.Scalar(scalarValue) else {
                        throw JSONParseError("invalid \\u escape", at: escapeOffset)
                    }
                    Self.appendUTF8(scalar, to: &out)
                default:
                    throw JSONParseError("invalid escape '\\\(Character(Unicode.Scalar(escaped)))'", at: escapeOffset)
                }
            case 0x00..<0x20:
                throw JSONParseError("unescaped control character 0x\(String(byte, radix: 16)) in a string", at: position)
            default:
                out.append(byte)
                position += 1
            }
        }
    }

    private mutating func digits() -> Int {
        let start = position
        while let byte = current, byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") { position += 1 }
        return position - start
    }

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = position
        if current == UInt8(ascii: "-") { position += 1 }
        let integerStart = position
        let integerDigits = digits()
        guard integerDigits > 0 else { throw JSONParseError("expected digits in a number", at: position) }
        if integerDigits > 1 && bytes[integerStart] == UInt8(ascii: "0") {
            throw JSONParseError("leading zero in a number", at: integerStart)
        }
        var isInteger = true
        if current == UInt8(ascii: ".") {
            isInteger = false
            position += 1
            guard digits() > 0 else { throw JSONParseError("expected digits after the decimal point", at: position) }
        }
        if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
            isInteger = false
            position += 1
            if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
            guard digits() > 0 else { throw JSONParseError("expected digits in the exponent", at: position) }
        }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if isInteger, let exact = Int64(text) { return .int(exact) }
        // Integers beyond 64 bits become doubles; field readers then report them as out of range.
        guard let double = Double(text), double.isFinite else {
            throw JSONParseError("number \(text) is out of range", at: start)
        }
        return .double(double)
    }
}
