import KafkaWireJSON
import Testing

@Suite("JSON parser and printer")
struct JSONValueTests {
    @Test("keys keep document order, compare in order")
    func keyOrder() throws {
        let value = try JSONParser.parse(#"{"b":1,"a":2,"c":{"z":null,"y":[true,false]}}"#)
        guard case let .object(object) = value else { Issue.record("not an object"); return }
        #expect(object.keys == ["b", "a", "c"])
        #expect(value.description == #"{"b":1,"a":2,"c":{"z":null,"y":[true,false]}}"#)
        #expect(try JSONParser.parse(#"{"a":2,"b":1}"#) != JSONParser.parse(#"{"b":1,"a":2}"#))
    }

    @Test("integers are exact across the Int64 range")
    func bigIntegers() throws {
        #expect(try JSONParser.parse("9223372036854775807") == .int(.max))
        #expect(try JSONParser.parse("-9223372036854775808") == .int(.min))
        #expect(JSONValue.int(.min).description == "-9223372036854775808")
        #expect(try JSONParser.parse("-0") == .int(0))
        // Beyond 64 bits: a double, which integer fields then reject as out of range.
        #expect(try JSONParser.parse("9223372036854775808") == .double(9223372036854775808))
        #expect(try JSONParser.parse("1.0") == .double(1))
        #expect(try JSONParser.parse("1e2") == .double(100))
    }

    @Test("doubles print so that they parse back to the same value", arguments: [
        0.1, -0.0, 1e-5, Double.leastNonzeroMagnitude, 1.7976931348623157e308, 123456.789, 1.0, 1e16, -2.5e-300,
    ])
    func doubleRoundTrip(value: Double) throws {
        let text = JSONValue.double(value).description
        guard case let .double(back) = try JSONParser.parse(text) else { Issue.record("\(text) did not parse as a double"); return }
        #expect(back.bitPattern == value.bitPattern, "\(text)")
    }

    @Test("string escapes: printed and parsed")
    func escapes() throws {
        let text = "q\"b\\s/n\nr\rt\tb\u{08}f\u{0C}z\u{00}e\u{1F}d\u{7F}é漢😀\u{2028}"
        let printed = JSONValue.string(text).description
        #expect(printed == "\"q\\\"b\\\\s/n\\nr\\rt\\tb\\bf\\fz\\u0000e\\u001fd\u{7F}é漢😀\u{2028}\"")
        #expect(try JSONParser.parse(printed) == .string(text))
        #expect(try JSONParser.parse(#""\u00e9\u6F22\ud83d\ude00\/""#) == .string("é漢😀/"))
    }

    @Test("malformed texts fail with the byte offset", arguments: [
        ("", 0), ("{", 1), ("[1,]", 3), ("{\"a\":1,}", 7), ("01", 0), ("1.", 2), ("1e", 2), ("-", 1),
        ("tru", 0), ("nul", 0), ("NaN", 0), ("\"abc", 0), ("\"a\u{01}\"", 2), ("\"\\x\"", 1),
        ("\"\\ud800\"", 1), ("\"\\udc00\"", 1), ("\"\\ud800\\u0041\"", 1), ("{\"a\":1,\"a\":2}", 7),
        ("[1] 2", 4), ("{'a':1}", 1), ("// c\n1", 0), ("1e400", 0), ("[1 2]", 3),
    ])
    func malformed(text: String, offset: Int) {
        #expect(throws: JSONParseError.self, "\(text)") { try JSONParser.parse(text) }
        do {
            _ = try JSONParser.parse(text)
        } catch {
            #expect(error.offset == offset, "\(text): \(error)")
        }
    }

    @Test("invalid UTF-8 in a string is rejected")
    func invalidUTF8() {
        #expect(throws: JSONParseError.self) { try JSONParser.parse([0x22, 0xC3, 0x28, 0x22]) }
    }

    @Test("nesting is limited")
    func depth() throws {
        let deep = String(repeating: "[", count: 600) + String(repeating: "]", count: 600)
        #expect(throws: JSONParseError.self) { try JSONParser.parse(deep) }
        let fine = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        _ = try JSONParser.parse(fine)
    }

    @Test("pretty printing parses back to the same value")
    func pretty() throws {
        let value: JSONValue = ["a": [1, 2, ["b": nil]], "c": [], "d": [:], "e": "x"]
        let text = JSONPrinter.print(value, indent: 2)
        #expect(text.contains("\n  \"a\": [\n"))
        #expect(try JSONParser.parse(text) == value)
    }

    @Test("base64: canonical padded text only")
    func base64() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 250) }
            #expect(Base64.decode(Base64.encode(bytes)) == bytes)
        }
        #expect(Base64.encode([0xFB, 0xFF]) == "+/8=")
        #expect(Base64.decode("QQ==") == [0x41])
        for bad in ["QQ", "QQ=", "Q===", "QR==", "QUI=x", "QU=I", "QUJD\n", "-_8="] {
            #expect(Base64.decode(bad) == nil, "\(bad)")
        }
    }

    @Test("hex input: errors give the offset in the text")
    func hex() throws {
        #expect(try WireHex.parse("00 ff\nAb") == [0x00, 0xFF, 0xAB])
        #expect(throws: WireToolError.self) { try WireHex.parse("0g") }
        do {
            _ = try WireHex.parse("00 0")
        } catch {
            #expect(error.summary == "invalidHex at byte 3")
        }
    }
}
