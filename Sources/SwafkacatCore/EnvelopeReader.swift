/// `-P -J` (beyond kcat): one kcat `-J` envelope per input line, so a `-C -J` dump replays with
/// `-P -J`. Read from a line: `topic`, `partition`, `key`, `payload`, `headers` (kcat's flat
/// `[name, value, ...]` array, or an object `{name: value}`), and `ts` as the record's timestamp when
/// `tstype` is `create`; other keys (`offset`, `broker`...) are ignored.
///
/// Strings are read as bytes, the way kcat writes them: bytes that are not UTF-8 stand for
/// themselves, and `\u00XX` escapes give back the control bytes kcat escaped, so binary keys and
/// values come back byte for byte.
public struct Envelope: Sendable, Equatable {
    /// The topic, when the line names one.
    public var topic: String?
    /// The partition, when the line names one.
    public var partition: Int32?
    /// The key; nil for null or absent.
    public var key: [UInt8]?
    /// The value; nil for null or absent.
    public var value: [UInt8]?
    /// The headers in order.
    public var headers: [ConsumedMessage.Header]
    /// The create timestamp, when the line has one.
    public var timestamp: Int64?

    /// An envelope.
    public init(topic: String? = nil, partition: Int32? = nil, key: [UInt8]? = nil, value: [UInt8]? = nil,
                headers: [ConsumedMessage.Header] = [], timestamp: Int64? = nil) {
        self.topic = topic
        self.partition = partition
        self.key = key
        self.value = value
        self.headers = headers
        self.timestamp = timestamp
    }

    /// Why a line is not an envelope.
    public struct ParseError: Error, Sendable, Equatable, CustomStringConvertible {
        /// Byte offset in the line.
        public var offset: Int
        /// What is wrong.
        public var message: String
        /// An error.
        public init(_ message: String, at offset: Int) {
            self.message = message
            self.offset = offset
        }
        /// `at byte 7: expected ':'`.
        public var description: String { "at byte \(offset): \(message)" }
    }

    /// Parses one line (white space around the object is allowed).
    public init(parsing line: some Collection<UInt8>) throws(ParseError) {
        var reader = ByteJSONReader(Array(line))
        guard case let .object(members) = try reader.document() else {
            throw ParseError("an envelope is a JSON object", at: 0)
        }
        self.init()
        var tstype: [UInt8]?
        var ts: Int64?
        for (name, field) in members {
            switch (name, field) {
            case ("topic", .string(let bytes)): topic = String(decoding: bytes, as: UTF8.self)
            case ("partition", .integer(let number)):
                guard let exact = Int32(exactly: number) else { throw ParseError("partition \(number) is out of range", at: 0) }
                partition = exact
            case ("key", .string(let bytes)): key = bytes
            case ("key", .null): key = nil
            case ("payload", .string(let bytes)): self.value = bytes
            case ("payload", .null): self.value = nil
            case ("headers", .array(let items)):
                guard items.count.isMultiple(of: 2) else { throw ParseError("headers: expected name, value pairs", at: 0) }
                var index = 0
                while index < items.count {
                    guard case let .string(name) = items[index] else { throw ParseError("headers: a name must be a string", at: 0) }
                    switch items[index + 1] {
                    case let .string(bytes): headers.append(.init(name: String(decoding: name, as: UTF8.self), value: bytes))
                    case .null: headers.append(.init(name: String(decoding: name, as: UTF8.self), value: nil))
                    default: throw ParseError("headers: a value must be a string or null", at: 0)
                    }
                    index += 2
                }
            case ("headers", .object(let fields)):
                for (name, field) in fields {
                    switch field {
                    case let .string(bytes): headers.append(.init(name: name, value: bytes))
                    case .null: headers.append(.init(name: name, value: nil))
                    default: throw ParseError("headers: a value must be a string or null", at: 0)
                    }
                }
            case ("tstype", .string(let bytes)): tstype = bytes
            case ("ts", .integer(let number)): ts = number
            case ("topic", _), ("partition", _), ("key", _), ("payload", _), ("headers", _), ("tstype", _), ("ts", _):
                throw ParseError("\"\(name)\" has the wrong type", at: 0)
            default:
                continue
            }
        }
        if tstype.map({ $0 == Array("create".utf8) }) ?? true { timestamp = ts }
    }
}

/// A small JSON reader whose strings are bytes (see `Envelope`).
struct ByteJSONReader {
    indirect enum Value: Equatable {
        case null, bool(Bool), integer(Int64), number
        case string([UInt8])
        case array([Value])
        case object([(String, Value)])

        static func == (lhs: Value, rhs: Value) -> Bool {
            switch (lhs, rhs) {
            case (.null, .null), (.number, .number): true
            case let (.bool(a), .bool(b)): a == b
            case let (.integer(a), .integer(b)): a == b
            case let (.string(a), .string(b)): a == b
            case let (.array(a), .array(b)): a == b
            case let (.object(a), .object(b)): a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
            default: false
            }
        }
    }

    let bytes: [UInt8]
    var position = 0
    var depth = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    typealias ParseError = Envelope.ParseError

    mutating func document() throws(ParseError) -> Value {
        skipSpace()
        let value = try parseValue()
        skipSpace()
        guard position == bytes.count else { throw ParseError("unexpected bytes after the JSON value", at: position) }
        return value
    }

    mutating func skipSpace() {
        while position < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    mutating func expect(_ byte: UInt8) throws(ParseError) {
        guard position < bytes.count, bytes[position] == byte else {
            throw ParseError("expected '\(Character(Unicode.Scalar(byte)))'", at: position)
        }
        position += 1
    }

    mutating func parseValue() throws(ParseError) -> Value {
        guard position < bytes.count else { throw ParseError("unexpected end of input", at: position) }
        switch bytes[position] {
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "\""): return .string(try parseString())
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        default: return try parseNumber()
        }
    }

    mutating func literal(_ word: String) throws(ParseError) {
        for byte in word.utf8 { try expect(byte) }
    }

    mutating func nested<T>(_ body: (inout ByteJSONReader) throws(ParseError) -> T) throws(ParseError) -> T {
        depth += 1
        guard depth <= 64 else { throw ParseError("nested too deeply", at: position) }
        defer { depth -= 1 }
        return try body(&self)
    }

    mutating func parseObject() throws(ParseError) -> Value {
        try nested { reader throws(ParseError) in
            try reader.expect(UInt8(ascii: "{"))
            var members: [(String, Value)] = []
            reader.skipSpace()
            if reader.position < reader.bytes.count, reader.bytes[reader.position] == UInt8(ascii: "}") {
                reader.position += 1
                return .object(members)
            }
            while true {
                reader.skipSpace()
                let name = String(decoding: try reader.parseString(), as: UTF8.self)
                reader.skipSpace()
                try reader.expect(UInt8(ascii: ":"))
                reader.skipSpace()
                members.append((name, try reader.parseValue()))
                reader.skipSpace()
                guard reader.position < reader.bytes.count else { throw ParseError("unexpected end of input", at: reader.position) }
                if reader.bytes[reader.position] == UInt8(ascii: ",") {
                    reader.position += 1
                    continue
                }
                try reader.expect(UInt8(ascii: "}"))
                return .object(members)
            }
        }
    }

    mutating func parseArray() throws(ParseError) -> Value {
        try nested { reader throws(ParseError) in
            try reader.expect(UInt8(ascii: "["))
            var items: [Value] = []
            reader.skipSpace()
            if reader.position < reader.bytes.count, reader.bytes[reader.position] == UInt8(ascii: "]") {
                reader.position += 1
                return .array(items)
            }
            while true {
                reader.skipSpace()
                items.append(try reader.parseValue())
                reader.skipSpace()
                guard reader.position < reader.bytes.count else { throw ParseError("unexpected end of input", at: reader.position) }
                if reader.bytes[reader.position] == UInt8(ascii: ",") {
                    reader.position += 1
                    continue
                }
                try reader.expect(UInt8(ascii: "]"))
                return .array(items)
            }
        }
    }

    mutating func hex4() throws(ParseError) -> UInt32 {
        guard position + 4 <= bytes.count else { throw ParseError("truncated \\u escape", at: position) }
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard let digit = Escapes.digit(bytes[position], radix: 16) else { throw ParseError("bad \\u escape", at: position) }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    mutating func parseString() throws(ParseError) -> [UInt8] {
        try expect(UInt8(ascii: "\""))
        var out: [UInt8] = []
        while position < bytes.count {
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""): return out
            case UInt8(ascii: "\\"):
                guard position < bytes.count else { throw ParseError("unterminated escape", at: position) }
                let escaped = bytes[position]
                position += 1
                switch escaped {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                case UInt8(ascii: "b"): out.append(0x08)
                case UInt8(ascii: "f"): out.append(0x0C)
                case UInt8(ascii: "n"): out.append(0x0A)
                case UInt8(ascii: "r"): out.append(0x0D)
                case UInt8(ascii: "t"): out.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar), position + 6 <= bytes.count,
                       bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") {
                        position += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw ParseError("bad surrogate pair", at: position) }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw ParseError("lone surrogate", at: position) }
                    out += Array(String(Character(unicode)).utf8)
                default:
                    throw ParseError("unknown escape", at: position - 1)
                }
            default:
                out.append(byte)
            }
        }
        throw ParseError("unterminated string", at: position)
    }

    mutating func parseNumber() throws(ParseError) -> Value {
        let start = position
        while position < bytes.count, Array("+-0123456789.eE".utf8).contains(bytes[position]) { position += 1 }
        guard position > start else { throw ParseError("unexpected byte", at: start) }
        let text = String(decoding: bytes[start..<position], as: UTF8.self)
        if let integer = Int64(text) { return .integer(integer) }
        guard Double(text) != nil else { throw ParseError("bad number", at: start) }
        return .number
    }
}
