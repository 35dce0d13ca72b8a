/// A `-f` output format: literal text and `%` tokens, parsed once and rendered per message.
///
/// Tokens: `%s` value, `%S` value length (-1 for null), `%R` the same as a big-endian int32, `%k` key,
/// `%K` key length (-1 for null), `%T` timestamp in ms, `%h` headers as `name=value` joined by `,`
/// (a null value prints `NULL`), `%t` topic, `%p` partition, `%o` offset, `%%` a percent sign.
/// Literal text takes kcat's escapes (see `Escapes`); like kcat, a literal stops at a NUL byte it
/// produces (`\x00`), because kcat keeps literals as C strings.
public struct MessageFormat: Sendable, Equatable {
    /// One piece of the format.
    public enum Token: Sendable, Equatable {
        case literal([UInt8])
        case offset, key, keyLength, value, valueLength, valueLengthBinary, topic, partition, timestamp, headers
    }

    /// Why a format string is not valid; `description` is kcat's message.
    public enum ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// `%` followed by a character that is no token.
        case unsupported(Character)
        /// `%` at the very end.
        case empty

        public var description: String {
            switch self {
            case let .unsupported(character): "Unsupported formatter: %\(character)"
            case .empty: "Empty formatter"
            }
        }
    }

    /// The tokens in order.
    public var tokens: [Token]

    /// A format from tokens.
    public init(tokens: [Token]) {
        self.tokens = tokens
    }

    /// Parses a `-f` argument.
    public init(parsing text: String) throws(ParseError) {
        try self.init(parsing: Array(text.utf8))
    }

    /// Parses a format given as bytes (the default formats embed delimiters, which may be any bytes).
    public init(parsing bytes: [UInt8]) throws(ParseError) {
        var tokens: [Token] = []
        var index = 0
        func addLiteral(_ slice: ArraySlice<UInt8>) {
            var literal = Escapes.formatLiteral(slice)
            if let nul = literal.firstIndex(of: 0) { literal.removeSubrange(nul...) }
            if !literal.isEmpty { tokens.append(.literal(literal)) }
        }
        while index < bytes.count {
            guard let percent = bytes[index...].firstIndex(of: UInt8(ascii: "%")) else {
                addLiteral(bytes[index...])
                break
            }
            if percent > index { addLiteral(bytes[index..<percent]) }
            guard percent + 1 < bytes.count else { throw .empty }
            switch bytes[percent + 1] {
            case UInt8(ascii: "o"): tokens.append(.offset)
            case UInt8(ascii: "k"): tokens.append(.key)
            case UInt8(ascii: "K"): tokens.append(.keyLength)
            case UInt8(ascii: "s"): tokens.append(.value)
            case UInt8(ascii: "S"): tokens.append(.valueLength)
            case UInt8(ascii: "R"): tokens.append(.valueLengthBinary)
            case UInt8(ascii: "t"): tokens.append(.topic)
            case UInt8(ascii: "p"): tokens.append(.partition)
            case UInt8(ascii: "T"): tokens.append(.timestamp)
            case UInt8(ascii: "h"): tokens.append(.headers)
            case UInt8(ascii: "%"): tokens.append(.literal([UInt8(ascii: "%")]))
            default:
                // The character after `%` may be the start of a multi-byte UTF-8 sequence.
                let rest = String(decoding: bytes[(percent + 1)...], as: UTF8.self)
                throw .unsupported(rest.first ?? "?")
            }
            index = percent + 2
        }
        self.tokens = tokens
    }

    /// The format kcat uses without `-f`: `%s<delimiter>`, or `%k<key delimiter>%s<delimiter>` with `-K`.
    ///
    /// Like kcat, this pastes the delimiters into a format string and parses that, so a `%` in a
    /// delimiter acts as a format character (`-K %` prints `key%s`, `-D %` is "Empty formatter") and the
    /// escapes of format literals apply to the delimiters a second time.
    /// With `-O` the offset and the key delimiter (a tab when `-K` is not given) come first, as kcat's
    /// help describes `-O` (kcat 1.7.1 itself ignores `-O`: its default format has no `%o`).
    public static func `default`(delimiter: [UInt8], keyDelimiter: [UInt8]?, printOffset: Bool) throws(ParseError) -> MessageFormat {
        var text: [UInt8] = []
        if printOffset { text += Array("%o".utf8) + (keyDelimiter ?? [0x09]) }
        if let keyDelimiter { text += Array("%k".utf8) + keyDelimiter }
        text += Array("%s".utf8) + delimiter
        return try MessageFormat(parsing: text)
    }

    /// What kcat writes after each `-J` envelope: the delimiter parsed as a format, first part only
    /// when it is literal text (kcat writes the first format string entry's text).
    public static func jsonTrailer(delimiter: [UInt8]) throws(ParseError) -> [UInt8] {
        guard case let .literal(bytes)? = try MessageFormat(parsing: delimiter).tokens.first else { return [] }
        return bytes
    }
}

/// Why a message could not be printed; `description` is kcat's message.
public struct MessageFormatError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The message's topic.
    public var topic: String
    /// The message's partition.
    public var partition: Int32
    /// The message's offset.
    public var offset: Int64
    /// What failed.
    public var reason: PackFormat.UnpackError

    /// An error for the message at `topic` [`partition`] `offset`.
    public init(topic: String, partition: Int32, offset: Int64, reason: PackFormat.UnpackError) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.reason = reason
    }

    /// `Failed to format message in t [0] at offset 4: key truncated, ...`.
    public var description: String {
        "Failed to format message in \(topic) [\(partition)] at offset \(offset): \(reason)"
    }
}

/// Renders consumed messages as `-f`, the default format or `-J` ask.
public struct MessageFormatter: Sendable {
    /// How messages are printed.
    public enum Style: Sendable, Equatable {
        /// Through a format.
        case format(MessageFormat)
        /// As kcat's JSON envelope followed by `trailer` (the `-D` delimiter).
        case json(trailer: [UInt8])
    }

    /// How messages are printed.
    public var style: Style
    /// What `%k`/`%s` print for null and empty fields (`-Z` sets `NULL`; nil prints nothing).
    public var nullString: [UInt8]?
    /// The `-s` deserializers (kcat ignores them with `-J`, and so does this).
    public var deserializers: Deserializers

    /// A formatter.
    public init(style: Style, nullString: [UInt8]? = nil, deserializers: Deserializers = Deserializers()) {
        self.style = style
        self.nullString = nullString
        self.deserializers = deserializers
    }

    /// Appends `message` to `output`. On an error `output` keeps what was printed before it, as in kcat,
    /// and the rest of that message is skipped.
    public func render(_ message: ConsumedMessage, into output: inout [UInt8]) throws(MessageFormatError) {
        switch style {
        case let .json(trailer):
            output += Self.jsonEnvelope(message)
            output += trailer
        case let .format(format):
            for token in format.tokens {
                do {
                    try render(token, of: message, into: &output)
                } catch {
                    throw MessageFormatError(topic: message.topic, partition: message.partition, offset: message.offset,
                                             reason: error)
                }
            }
        }
    }

    private func field(_ data: [UInt8]?, pack: PackFormat?, field: PackFormat.Field, into output: inout [UInt8])
        throws(PackFormat.UnpackError) {
        // kcat tests the length, not null-ness: an empty key prints like a null one.
        guard let data, !data.isEmpty else {
            if let nullString { output += nullString }
            return
        }
        if let pack {
            try pack.unpack(data, field: field, into: &output)
        } else {
            output += data
        }
    }

    private func render(_ token: MessageFormat.Token, of message: ConsumedMessage, into output: inout [UInt8])
        throws(PackFormat.UnpackError) {
        switch token {
        case let .literal(bytes): output += bytes
        case .offset: output += Array(String(message.offset).utf8)
        case .key: try field(message.key, pack: deserializers.key, field: .key, into: &output)
        case .keyLength: output += Array(String(message.key.map(\.count) ?? -1).utf8)
        case .value: try field(message.value, pack: deserializers.value, field: .value, into: &output)
        case .valueLength: output += Array(String(message.value.map(\.count) ?? -1).utf8)
        case .valueLengthBinary:
            let length = UInt32(bitPattern: Int32(truncatingIfNeeded: message.value.map(\.count) ?? -1))
            output += [UInt8(length >> 24), UInt8(length >> 16 & 0xFF), UInt8(length >> 8 & 0xFF), UInt8(length & 0xFF)]
        case .topic: output += Array(message.topic.utf8)
        case .partition: output += Array(String(message.partition).utf8)
        case .timestamp: output += Array(String(message.timestamp).utf8)
        case .headers:
            for (index, header) in message.headers.enumerated() {
                if index > 0 { output.append(UInt8(ascii: ",")) }
                output += Array(header.name.utf8)
                output.append(UInt8(ascii: "="))
                if let value = header.value { output += value } else { output += Array("NULL".utf8) }
            }
        }
    }

    /// kcat's `-J` envelope: `{"topic":..,"partition":..,"offset":..,"tstype":..,"ts":..,"broker":..,
    /// "headers":[name,value,...],"key":..,"payload":..}`; `tstype`/`ts` only when the record has a
    /// timestamp, `headers` only when it has headers (a flat array of names and values, as kcat 1.7.1
    /// prints them, not the object its help shows).
    public static func jsonEnvelope(_ message: ConsumedMessage) -> [UInt8] {
        var json = KcatJSONWriter()
        json.openObject()
        json.key("topic"); json.string(message.topic)
        json.key("partition"); json.integer(message.partition)
        json.key("offset"); json.integer(message.offset)
        switch message.timestampType {
        case .notAvailable: break
        case .createTime:
            json.key("tstype"); json.string("create")
            json.key("ts"); json.integer(message.timestamp)
        case .logAppendTime:
            json.key("tstype"); json.string("logappend")
            json.key("ts"); json.integer(message.timestamp)
        }
        json.key("broker"); json.integer(message.broker)
        if !message.headers.isEmpty {
            json.key("headers")
            json.openArray()
            for header in message.headers {
                json.string(header.name)
                json.nullableString(header.value)
            }
            json.closeArray()
        }
        json.key("key"); json.nullableString(message.key)
        json.key("payload"); json.nullableString(message.value)
        json.closeObject()
        return json.bytes
    }
}
