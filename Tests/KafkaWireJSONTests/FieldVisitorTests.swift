import KafkaWire
import KafkaWireJSON
import Testing

/// A message shaped to exercise every visitor path: tagged scalars, structs and arrays,
/// nullable fields, version-gated fields, and every scalar type.
struct SampleMessage: WireMessage {
    static let validVersions: ClosedRange<Int16> = 0...3
    static let flexibleVersions: Versions = "2+"

    struct Item: KafkaStruct {
        var name = ""
        var index: Int32 = 0
        var hint: Int64 = -1
        var unknownTaggedFields: [TaggedField] = []
        mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Index", &index, versions: "0+")
            try v.field("Hint", &hint, versions: "3+", tag: 0, taggedVersions: "3+", default: -1)
        }
    }

    var flag = true
    var small: Int8 = 0
    var port: UInt16 = 0
    var ratio: Double = 0
    var id = KafkaUUID(high: 0, low: 0)
    var data = ByteSlice()
    var label: String? = nil
    var items: [Item] = []
    var numbers: [Int32]? = []
    var records: ByteSlice? = nil
    var leader = Item()
    var note: String? = nil
    var unknownTaggedFields: [TaggedField] = []

    mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Flag", &flag, versions: "0+", default: true)
        try v.field("Small", &small, versions: "0+")
        try v.field("Port", &port, versions: "1+")
        try v.field("Ratio", &ratio, versions: "0+")
        try v.field("Id", &id, versions: "0+")
        try v.field("Data", &data, versions: "0+")
        try v.field("Label", &label, versions: "0+", nullableVersions: "1+", default: nil)
        try v.field("Items", &items, versions: "0+")
        try v.field("Numbers", &numbers, versions: "0+", nullableVersions: "2+")
        try v.records("Records", &records, versions: "0+", nullableVersions: "0+")
        try v.field("Leader", &leader, versions: "2+", tag: 1, taggedVersions: "2+")
        try v.field("Note", &note, versions: "3+", nullableVersions: "3+", tag: 2, taggedVersions: "3+", default: nil)
    }
}

@Suite("JSON field visitors")
struct FieldVisitorTests {
    func sample() -> SampleMessage {
        var message = SampleMessage()
        message.flag = false
        message.small = -128
        message.port = 65535
        message.ratio = 0.25
        message.id = KafkaUUID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        message.data = [0, 1, 0xFF]
        message.label = "é"
        message.items = [.init(name: "a", index: 1, hint: 7), .init(name: "b", index: 2)]
        message.numbers = [Int32.min, Int32.max]
        message.records = [9, 9]
        return message
    }

    @Test("spec names in spec order; tagged fields printed with defaults")
    func writer() throws {
        let json = try WireJSON.json(for: sample(), version: 3)
        #expect(json.description == """
            {"Flag":false,"Small":-128,"Port":65535,"Ratio":0.25,"Id":"01234567-89ab-cdef-fedc-ba9876543210",\
            "Data":"AAH/","Label":"é","Items":[{"Name":"a","Index":1,"Hint":7},{"Name":"b","Index":2,"Hint":-1}],\
            "Numbers":[-2147483648,2147483647],"Records":"CQk=","Leader":{"Name":"","Index":0,"Hint":-1},"Note":null}
            """)
        // Version 0 has no Port, tags, or Hint.
        let v0 = try WireJSON.json(for: sample(), version: 0)
        guard case let .object(object) = v0 else { Issue.record("not an object"); return }
        #expect(object.keys == ["Flag", "Small", "Ratio", "Id", "Data", "Label", "Items", "Numbers", "Records"])
        #expect(v0["Items"] == [["Name": "a", "Index": 1], ["Name": "b", "Index": 2]])
    }

    @Test("JSON reads back to the same message and the same bytes at every version", arguments: 0...3)
    func roundTrip(version: Int16) throws {
        var message = sample()
        if version < 3 { message.items = message.items.map { var item = $0; item.hint = -1; return item } }
        if version < 1 { message.port = 0 }
        let bytes = try message.encoded(version: version)
        let json = try WireJSON.decode(SampleMessage.self, body: ByteSlice(bytes), version: version)
        let text = json.description
        let reparsed = try JSONParser.parse(text)
        #expect(try WireJSON.message(SampleMessage.self, from: reparsed, version: version) == message)
        #expect(try WireJSON.encode(SampleMessage.self, json: reparsed, version: version) == bytes)
    }

    @Test("unknown tagged fields survive JSON, sorted among known tags on the wire")
    func unknownTags() throws {
        var message = sample()
        message.unknownTaggedFields = [TaggedField(tag: 5, data: [1, 2]), TaggedField(tag: 300, data: [])]
        message.note = "n"
        let bytes = try message.encoded(version: 3)
        let json = try WireJSON.decode(SampleMessage.self, body: ByteSlice(bytes), version: 3)
        guard case let .object(object) = json else { Issue.record("not an object"); return }
        #expect(object.keys.last == "_unknownTaggedFields")
        #expect(json["_unknownTaggedFields"] == [["tag": 5, "data": "AQI="], ["tag": 300, "data": ""]])
        #expect(try WireJSON.encode(SampleMessage.self, json: json, version: 3) == bytes)
    }

    @Test("tagged fields may be left out and take their default")
    func taggedOptional() throws {
        var json = try WireJSON.json(for: SampleMessage(), version: 3)
        guard case var .object(object) = json else { Issue.record("not an object"); return }
        object["Leader"] = nil
        object["Note"] = nil
        json = .object(object)
        #expect(try WireJSON.message(SampleMessage.self, from: json, version: 3) == SampleMessage())
    }

    func failure(_ edit: (inout JSONObject) -> Void, version: Int16 = 3) -> String? {
        do {
            guard case var .object(object) = try WireJSON.json(for: sample(), version: version) else { return "not an object" }
            edit(&object)
            _ = try WireJSON.message(SampleMessage.self, from: .object(object), version: version)
            return nil
        } catch {
            return "\(error)"
        }
    }

    @Test("reader errors name the field's path")
    func readerErrors() {
        #expect(failure { $0["Small"] = nil } == "missingField in Small: required at version 3")
        #expect(failure { $0["Extra"] = 1 } == "unknownField in Extra: no such field")
        #expect(failure({ $0["Port"] = 1 }, version: 0) == "unknownField in Port: the field is not in version 0")
        #expect(failure { $0["Small"] = 128 } == "invalidField in Small: 128 is out of range for int8")
        #expect(failure { $0["Port"] = -1 } == "invalidField in Port: -1 is out of range for uint16")
        #expect(failure { $0["Small"] = 1.5 } == "invalidField in Small: expected an integer, found number")
        #expect(failure { $0["Small"] = .double(1e19) } == "invalidField in Small: 1e+19 is out of range for int8")
        #expect(failure { $0["Flag"] = 1 } == "invalidField in Flag: expected a boolean, found number")
        #expect(failure { $0["Id"] = "0123" } == "invalidField in Id: \"0123\" is not a UUID (8-4-4-4-12 hex digits)")
        #expect(failure { $0["Data"] = "AAH" } == "invalidField in Data: not canonical base64")
        #expect(failure({ $0["Label"] = nil as JSONValue? ?? .null }, version: 0) == "invalidField in Label: null is not allowed at version 0")
        #expect(failure { $0["Items"] = [["Name": "a", "Index": "1"]] } == "invalidField in Items[0].Index: expected an integer, found string")
        #expect(failure { $0["Items"] = [["Name": "a"]] } == "missingField in Items[0].Index: required at version 3")
        #expect(failure { $0["Items"] = [["Name": "a", "Index": 1, "X": 1]] } == "unknownField in Items[0].X: no such field")
        #expect(failure { $0["Numbers"] = [1, "2"] } == "invalidField in Numbers[1]: expected an integer, found string")
        #expect(failure { $0["Leader"] = [] } == "invalidField in Leader: expected an object, found array")
        #expect(failure({ $0["_unknownTaggedFields"] = [] }, version: 1) == "unknownField in _unknownTaggedFields: version 1 has no tagged fields")
        #expect(failure { $0["_unknownTaggedFields"] = [["tag": 1]] } == "invalidField in _unknownTaggedFields[0]: expected {\"tag\": integer, \"data\": base64}")
    }

    @Test("float64: NaN and infinities travel as strings")
    func floats() throws {
        for value in [Double.nan, .infinity, -.infinity] {
            var message = SampleMessage()
            message.label = ""
            message.ratio = value
            let json = try WireJSON.json(for: message, version: 0)
            let back = try WireJSON.message(SampleMessage.self, from: json, version: 0)
            #expect(back.ratio.bitPattern == value.bitPattern || (back.ratio.isNaN && value.isNaN))
        }
    }

    @Test("an encode error names the field: a tag duplicated by an unknown field")
    func duplicateTag() throws {
        var json = try WireJSON.json(for: sample(), version: 3)
        guard case var .object(object) = json else { Issue.record("not an object"); return }
        object["Note"] = "x"
        object["_unknownTaggedFields"] = [["tag": 2, "data": ""]]
        json = .object(object)
        #expect(throws: WireEncodingError.self) { try WireJSON.encode(SampleMessage.self, json: json, version: 3) }
    }
}

extension SampleMessage.Item {
    init(name: String, index: Int32, hint: Int64 = -1) {
        self.init()
        self.name = name
        self.index = index
        self.hint = hint
    }
}
