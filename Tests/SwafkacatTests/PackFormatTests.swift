import SwafkacatCore
import Testing

/// Expected output from kcat 1.7.1 (`-s key=<pack> -f '[%k] %K\n'`) on these keys, except where a test
/// says swafkacat differs.
@Suite("-s pack strings")
struct PackFormatTests {
    static let answer: [UInt8] = [0x00, 0x00, 0x00, 0x2A]
    static let minusTwo: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFE, 0x00, 0x01]
    static let reversed: [UInt8] = [0x2A, 0x00, 0x00, 0x00]

    func unpack(_ pack: String, _ bytes: [UInt8]) throws -> String {
        var output: [UInt8] = []
        try PackFormat(parsing: pack, for: .key).unpack(bytes, field: .key, into: &output)
        return String(decoding: output, as: UTF8.self)
    }

    @Test(arguments: [
        ("i", answer, "42"), ("i", minusTwo, "-2"), ("i", reversed, "704643072"), ("I", minusTwo, "4294967294"),
        ("h", answer, "0"), ("hh", answer, "042"), ("hh", minusTwo, "-1-2"), ("h", reversed, "10752"),
        ("B", answer, "0"), ("B", minusTwo, "255"), ("bbbb", answer, "00042"), ("bbbb", minusTwo, "-1-1-1-2"),
        ("H>H", minusTwo, "6553565534"), ("is", answer, "42"), ("is", minusTwo, "-2"), ("b b", answer, "0 0"),
        ("hs", answer, "0"), (">i", answer, "42"),
    ] as [(String, [UInt8], String)])
    func valuesAsKcatPrintsThem(pack: String, bytes: [UInt8], expected: String) throws {
        #expect(try unpack(pack, bytes) == expected)
    }

    @Test func charactersAndStrings() throws {
        var output: [UInt8] = []
        try PackFormat(parsing: "cccc", for: .key).unpack(Self.answer, field: .key, into: &output)
        #expect(output == Self.answer)
        output = []
        // `s` prints up to the first NUL, as kcat's C-string printing does: "bcs" on 00 00 00 2a prints "0", NUL, "".
        try PackFormat(parsing: "bcs", for: .key).unpack(Self.answer, field: .key, into: &output)
        #expect(output == [0x30, 0x00])
        output = []
        try PackFormat(parsing: "s", for: .value).unpack(Self.minusTwo, field: .value, into: &output)
        #expect(output == [0xFF, 0xFF, 0xFF, 0xFE])
    }

    @Test func littleEndianReadsLittleEndian() throws {
        // kcat 1.7.1 ignores `<` (it printed 42 for "<i" on 00 00 00 2a); swafkacat does what kcat's help says.
        #expect(try unpack("<i", Self.reversed) == "42")
        #expect(try unpack("<H", [0xFE, 0xFF]) == "65534")
        #expect(try unpack("<q>h", [1, 0, 0, 0, 0, 0, 0, 0, 0, 2]) == "12")
        #expect(try unpack("<Q", [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]) == "18446744073709551615")
        #expect(try unpack("q", [0x80, 0, 0, 0, 0, 0, 0, 0]) == "-9223372036854775808")
    }

    @Test func errorsKeepWhatWasPrintedBefore() throws {
        var output: [UInt8] = []
        #expect(throws: PackFormat.UnpackError.truncated(.key, needed: 2, token: "h", remaining: 0)) {
            try PackFormat(parsing: "hhh", for: .key).unpack(Self.answer, field: .key, into: &output)
        }
        #expect(String(decoding: output, as: UTF8.self) == "042")
        #expect(PackFormat.UnpackError.truncated(.key, needed: 2, token: "h", remaining: 0).description
            == "key truncated, expected 2 bytes to unpack h but only 0 bytes remaining")
        output = []
        #expect(throws: PackFormat.UnpackError.trailingBytes(.value, remaining: 2)) {
            try PackFormat(parsing: "i$", for: .value).unpack(Self.minusTwo, field: .value, into: &output)
        }
        #expect(PackFormat.UnpackError.trailingBytes(.value, remaining: 2).description == "expected value end-of-input, but 2 bytes remaining")
        #expect(try unpack("i$", Self.answer) == "42")
    }

    @Test func parseErrorsAreKcats() {
        #expect(throws: PackFormat.ParseError.invalidToken("o", .key)) { try PackFormat(parsing: "bogus", for: .key) }
        #expect(PackFormat.ParseError.invalidToken("o", .key).description == "Invalid token 'o' in key pack-format, see -s usage.")
        #expect(throws: PackFormat.ParseError.invalidToken("\t", .key)) { try PackFormat(parsing: "b\tb", for: .key) }
        #expect(PackFormat.ParseError.empty(.value).description == "value pack-format must not be empty")
    }

    @Test func sArguments() throws {
        var both = Deserializers()
        try both.apply("i")
        #expect(both.key?.text == "i" && both.value?.text == "i")
        var key = Deserializers()
        try key.apply("key=<q")
        #expect(key.key?.text == "<q" && key.value == nil)
        var value = Deserializers()
        try value.apply("value=s")
        #expect(value.key == nil && value.value?.text == "s")
        // `KEY=i` is no prefix: its K is checked as a token of the key's pack string, as in kcat.
        var scratch = Deserializers()
        #expect(throws: DeserializerError.pack(.invalidToken("K", .key))) { try scratch.apply("KEY=i") }
        #expect(throws: DeserializerError.pack(.empty(.key))) { try scratch.apply("key=") }
        #expect(throws: DeserializerError.avroUnsupported) { try scratch.apply("value=avro") }
    }

    @Test func formatterUsesDeserializersAndReportsKcatsError() throws {
        var deserializers = Deserializers()
        try deserializers.apply("value=hhh")
        let formatter = MessageFormatter(style: .format(try MessageFormat(parsing: "[%k|%s|%o]\\n")), deserializers: deserializers)
        var output: [UInt8] = []
        let message = ConsumedMessage(topic: "pack2", partition: 0, offset: 1, key: Array("*".utf8), value: [0x80, 0x00])
        #expect(throws: MessageFormatError(topic: "pack2", partition: 0, offset: 1,
                                           reason: .truncated(.value, needed: 2, token: "h", remaining: 0))) {
            try formatter.render(message, into: &output)
        }
        #expect(output == Array("[*|-32768".utf8))
        #expect(MessageFormatError(topic: "pack2", partition: 0, offset: 1, reason: .truncated(.value, needed: 2, token: "h", remaining: 0)).description
            == "Failed to format message in pack2 [0] at offset 1: value truncated, expected 2 bytes to unpack h but only 0 bytes remaining")
        // Empty and null fields are not unpacked (kcat prints nothing, or NULL with -Z).
        output = []
        try formatter.render(ConsumedMessage(topic: "t", partition: 0, offset: 2, key: [], value: []), into: &output)
        #expect(output == Array("[||2]\n".utf8))
    }
}
