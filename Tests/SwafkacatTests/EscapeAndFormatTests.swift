import SwafkacatCore
import Testing

/// Expected bytes come from kcat 1.7.1 runs (`kcat -C ... -f FORMAT | od -c`), noted per case.
@Suite("delimiters and -f formats")
struct EscapeAndFormatTests {
    @Test(arguments: [
        ("", []), ("\\n", [0x0A]), ("\\t\\n\\n", [0x09, 0x0A, 0x0A]), ("\\x54!\\x45\\x53T", Array("T!EST".utf8)),
        ("\\x30", [0x30]), ("a\\rb\\n", [0x61, 0x0D, 0x62, 0x0A]), ("\\x41BC", [0xBC]), (",", [0x2C]),
        ("\\x00", []), ("ab\\x00|cd", [0x61, 0x62]), ("\\x00cd", [0xCD]), ("\\q", Array("\\q".utf8)), ("\\x0x41", [0x41]),
    ] as [(String, [UInt8])])
    func delimiters(text: String, expected: [UInt8]) throws {
        #expect(try Delimiter.parse(text) == expected)
    }

    @Test func delimiterWithoutHexDigitsIsKcatsError() {
        #expect(throws: Delimiter.ParseError(remainder: "\\xZZ")) { try Delimiter.parse("a\\xZZ") }
        #expect(Delimiter.ParseError(remainder: "\\xZZ").description == "Delimiter \\xZZ expects hex number")
    }

    @Test(arguments: [
        // kcat 1.7.1: '\x41\x4a\101\65\q\\' printed "AJeAq\".
        ("\\x41\\x4a\\101\\65\\q\\\\", Array("AJeAq\\".utf8)),
        // '\xAB|\xZ!|\x41BC|\x0x41|\n' printed "AB|Z!|\xBC|A|\n".
        ("\\xAB|\\xZ!|\\x41BC|\\x0x41|\\n", Array("AB|Z!|".utf8) + [0xBC] + Array("|A|\n".utf8)),
        // '\0101' is octal: "A"; 'x\' keeps the backslash; 'a\x00b' reads 0x00b greedily: "a\v".
        ("\\0101", [0x41]), ("x\\", Array("x\\".utf8)), ("a\\x00b", [0x61, 0x0B]), ("\\t\\r\\n", [0x09, 0x0D, 0x0A]),
        // A NUL ends the literal, as kcat keeps literals as C strings.
        ("a\\x00", [0x61]), ("\\x", []),
    ] as [(String, [UInt8])])
    func formatLiterals(text: String, expected: [UInt8]) throws {
        let format = try MessageFormat(parsing: text)
        let literal = format.tokens.reduce(into: [UInt8]()) { bytes, token in
            if case let .literal(part) = token { bytes += part }
        }
        #expect(literal == expected)
    }

    @Test func formatErrorsAreKcats() {
        #expect(throws: MessageFormat.ParseError.unsupported("y")) { try MessageFormat(parsing: "%y") }
        #expect(throws: MessageFormat.ParseError.empty) { try MessageFormat(parsing: "abc%") }
        #expect(MessageFormat.ParseError.unsupported("y").description == "Unsupported formatter: %y")
        #expect(MessageFormat.ParseError.empty.description == "Empty formatter")
    }

    static let messages: [ConsumedMessage] = [
        ConsumedMessage(topic: "fmt1", partition: 0, offset: 0, timestamp: 1_795_344_105_192, timestampType: .createTime,
                        broker: 111, key: Array("k1".utf8), value: Array("v1".utf8),
                        headers: [.init(name: "h1", value: Array("a".utf8)), .init(name: "h2", value: nil), .init(name: "h3", value: [])]),
        ConsumedMessage(topic: "fmt1", partition: 0, offset: 1, timestamp: 1_795_344_105_192, timestampType: .createTime,
                        broker: 111, key: Array("k2".utf8), value: nil,
                        headers: [.init(name: "h1", value: Array("a".utf8)), .init(name: "h2", value: nil), .init(name: "h3", value: [])]),
        ConsumedMessage(topic: "fmt1", partition: 0, offset: 4, timestamp: 1_795_344_105_236, timestampType: .createTime,
                        broker: 111, key: Array("binkey".utf8), value: [0x00, 0x01, 0x02, 0xFF, 0xFE, 0x7F, 0xC3, 0xA9, 0x2F, 0x1B]),
    ]

    func render(_ format: String, _ message: ConsumedMessage, null: Bool = false) throws -> [UInt8] {
        let formatter = MessageFormatter(style: .format(try MessageFormat(parsing: format)), nullString: null ? Array("NULL".utf8) : nil)
        var output: [UInt8] = []
        try formatter.render(message, into: &output)
        return output
    }

    @Test func everyTokenAsKcatPrintsIt() throws {
        // kcat -f '%t|%p|%o|%k|%K|%s|%S|%h|%%|\n' on the same records.
        let format = "%t|%p|%o|%k|%K|%s|%S|%h|%%|\\n"
        #expect(try render(format, Self.messages[0]) == Array("fmt1|0|0|k1|2|v1|2|h1=a,h2=NULL,h3=|%|\n".utf8))
        #expect(try render(format, Self.messages[1]) == Array("fmt1|0|1|k2|2||-1|h1=a,h2=NULL,h3=|%|\n".utf8))
        #expect(try render(format, Self.messages[2]) == Array("fmt1|0|4|binkey|6|".utf8)
            + [0x00, 0x01, 0x02, 0xFF, 0xFE, 0x7F, 0xC3, 0xA9, 0x2F, 0x1B] + Array("|10||%|\n".utf8))
        #expect(try render("%T\\n", Self.messages[0]) == Array("1795344105192\n".utf8))
        #expect(try render("%R%s\\n", Self.messages[0]) == [0, 0, 0, 2] + Array("v1\n".utf8))
        #expect(try render("%R\\n", Self.messages[1]) == [0xFF, 0xFF, 0xFF, 0xFF, 0x0A])
    }

    @Test func nullAndEmptyWithZ() throws {
        let empty = ConsumedMessage(topic: "t", partition: 0, offset: 2, key: [], value: [])
        let null = ConsumedMessage(topic: "t", partition: 0, offset: 3, key: nil, value: nil)
        // kcat -Z -f '[%k|%s|%K|%S|%o]\n': [NULL|NULL|0|0|2] and [NULL|NULL|-1|-1|3].
        #expect(try render("[%k|%s|%K|%S|%o]\\n", empty, null: true) == Array("[NULL|NULL|0|0|2]\n".utf8))
        #expect(try render("[%k|%s|%K|%S|%o]\\n", null, null: true) == Array("[NULL|NULL|-1|-1|3]\n".utf8))
        #expect(try render("[%k|%s]\\n", null) == Array("[|]\n".utf8))
    }

    @Test func defaultFormatsPasteDelimitersIntoAFormatAsKcatDoes() throws {
        let message = Self.messages[0]
        func run(_ format: MessageFormat) throws -> [UInt8] {
            var output: [UInt8] = []
            try MessageFormatter(style: .format(format)).render(message, into: &output)
            return output
        }
        #expect(try run(.default(delimiter: [0x0A], keyDelimiter: nil, printOffset: false)) == Array("v1\n".utf8))
        #expect(try run(.default(delimiter: [0x0A], keyDelimiter: Array(":".utf8), printOffset: false)) == Array("k1:v1\n".utf8))
        // kcat -K '%': "k1%s\n" (the `%` and the `%s` after it make a literal percent sign).
        #expect(try run(.default(delimiter: [0x0A], keyDelimiter: Array("%".utf8), printOffset: false)) == Array("k1%s\n".utf8))
        #expect(throws: MessageFormat.ParseError.empty) { try MessageFormat.default(delimiter: Array("%".utf8), keyDelimiter: nil, printOffset: false) }
        #expect(try run(.default(delimiter: [0x0A], keyDelimiter: Array("\t".utf8), printOffset: true)) == Array("0\tk1\tv1\n".utf8))
        #expect(try MessageFormat.jsonTrailer(delimiter: [0x0A]) == [0x0A])
        #expect(try MessageFormat.jsonTrailer(delimiter: Array("%s".utf8)) == [])
    }

    @Test func jsonEnvelopeMatchesKcatByteForByte() {
        // Lines printed by kcat 1.7.1 (-J) for the same records.
        #expect(MessageFormatter.jsonEnvelope(Self.messages[0]) == Array(#"{"topic":"fmt1","partition":0,"offset":0,"tstype":"create","ts":1795344105192,"broker":111,"headers":["h1","a","h2",null,"h3",""],"key":"k1","payload":"v1"}"#.utf8))
        #expect(MessageFormatter.jsonEnvelope(Self.messages[1]) == Array(#"{"topic":"fmt1","partition":0,"offset":1,"tstype":"create","ts":1795344105192,"broker":111,"headers":["h1","a","h2",null,"h3",""],"key":"k2","payload":null}"#.utf8))
        #expect(MessageFormatter.jsonEnvelope(Self.messages[2]) == Array(#"{"topic":"fmt1","partition":0,"offset":4,"tstype":"create","ts":1795344105236,"broker":111,"key":"binkey","payload":"\u0000\u0001\u0002"#.utf8)
            + [0xFF, 0xFE, 0x7F, 0xC3, 0xA9, 0x2F] + Array(#"\u001B"}"#.utf8))
        let control = ConsumedMessage(topic: "fmt1", partition: 0, offset: 5, timestamp: 1_795_344_108_885, timestampType: .createTime,
                                      broker: 111, key: nil, value: Array("a\u{08}b\u{0C}c\rd\u{01}\u{1F} e\u{7F}\"\\\t\n".utf8))
        #expect(MessageFormatter.jsonEnvelope(control) == Array(#"{"topic":"fmt1","partition":0,"offset":5,"tstype":"create","ts":1795344108885,"broker":111,"key":null,"payload":"a\bb\fc\rd\u0001\u001F e"#.utf8) + [0x7F] + Array(#"\"\\\t\n"}"#.utf8))
        let noTimestamp = ConsumedMessage(topic: "t", partition: 2, offset: 7, broker: -1, key: [], value: [])
        #expect(MessageFormatter.jsonEnvelope(noTimestamp) == Array(#"{"topic":"t","partition":2,"offset":7,"broker":-1,"key":"","payload":""}"#.utf8))
        let logAppend = ConsumedMessage(topic: "t", partition: 0, offset: 0, timestamp: 5, timestampType: .logAppendTime, broker: 1, key: nil, value: nil)
        #expect(MessageFormatter.jsonEnvelope(logAppend) == Array(#"{"topic":"t","partition":0,"offset":0,"tstype":"logappend","ts":5,"broker":1,"key":null,"payload":null}"#.utf8))
    }

    @Test func jsonStyleAppendsTheTrailerAndIgnoresDeserializers() throws {
        var deserializers = Deserializers()
        try deserializers.apply("i")
        let formatter = MessageFormatter(style: .json(trailer: Array("|".utf8)), nullString: Array("NULL".utf8), deserializers: deserializers)
        var output: [UInt8] = []
        try formatter.render(ConsumedMessage(topic: "t", partition: 0, offset: 0, broker: 1, key: [0, 0, 0, 42], value: nil), into: &output)
        #expect(output == Array("{\"topic\":\"t\",\"partition\":0,\"offset\":0,\"broker\":1,\"key\":\"\\u0000\\u0000\\u0000*\",\"payload\":null}|".utf8))
    }
}
