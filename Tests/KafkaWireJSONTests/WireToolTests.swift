import KafkaWire
import KafkaWireJSON
import Testing

@Suite("swafka-wire operations in-process")
struct WireToolTests {
    @Test("API by name (any case, with or without suffix) or by key")
    func lookup() throws {
        for name in ["Heartbeat", "heartbeat", "HeartbeatRequest", "12"] {
            #expect(try WireTool.target(api: name, kind: .request).displayName == "HeartbeatRequest")
        }
        #expect(try WireTool.target(api: "ConsumerProtocolAssignment", kind: .data).displayName == "ConsumerProtocolAssignment")
        #expect(throws: WireToolError.self) { try WireTool.target(api: "Nope", kind: .request) }
        #expect(throws: WireToolError.self) { try WireTool.target(api: "Heartbeat", kind: .data) }
    }

    @Test("decode errors keep the codec's kind, offset and field")
    func decodeErrors() {
        do {
            _ = try WireTool.decode([0, 2, 0x67, 0x31, 0], api: "Heartbeat", version: 0, kind: .request)
            Issue.record("decoded a truncated body")
        } catch {
            #expect(error.kind == "truncated")
            #expect(error.offset == 4)
            #expect(error.field == "GenerationId")
            #expect(error.description == "error: truncated at byte 4 in GenerationId: needed 4 bytes, 1 left")
            #expect(error.summary == "truncated at byte 4")
        }
        #expect(throws: WireToolError.self) { try WireTool.decode([], api: "Heartbeat", version: 99, kind: .request) }
    }

    @Test("request header: read, checked against the API and version, written back")
    func requestHeader() throws {
        // Header v2 (Heartbeat v4 is flexible): key 12, version 4, correlation 9, client "c" (non-compact), no tags.
        let bytes = try WireHex.parse("000c 0004 00000009 000163 00" + "03673100000001036d310000")
        let json = try WireTool.decode(bytes, api: "Heartbeat", version: 4, kind: .request, withHeader: true)
        #expect(json["header"] == ["RequestApiKey": 12, "RequestApiVersion": 4, "CorrelationId": 9, "ClientId": "c"])
        #expect(try WireTool.encode(json, api: "Heartbeat", version: 4, kind: .request, withHeader: true) == bytes)
        // The same bytes read as another version: the header disagrees.
        #expect(throws: WireToolError.self) { try WireTool.decode(bytes, api: "Heartbeat", version: 3, kind: .request, withHeader: true) }
        // Body errors count offsets from the first header byte and are path-prefixed on encode.
        do {
            _ = try WireTool.decode(Array(bytes.dropLast(3)), api: "Heartbeat", version: 4, kind: .request, withHeader: true)
        } catch {
            #expect(error.offset == 19)
        }
        guard case var .object(object) = json, case var .object(body)? = object["body"] else { Issue.record("shape"); return }
        body["GroupId"] = 1
        object["body"] = .object(body)
        do {
            _ = try WireTool.encode(.object(object), api: "Heartbeat", version: 4, kind: .request, withHeader: true)
        } catch {
            #expect(error.field == "body.GroupId")
        }
    }

    @Test("ApiVersions responses use header v0 even in flexible versions")
    func apiVersionsHeader() throws {
        var response = ApiVersionsResponse()
        response.errorCode = .none
        let body = try response.encoded(version: 3)
        let json = try WireTool.decode([0, 0, 0, 5] + body, api: "ApiVersions", version: 3, kind: .response, withHeader: true)
        #expect(json["header"] == ["CorrelationId": 5])
    }

    @Test("batch replies in-process, a malformed line in the middle")
    func batch() {
        let batch = WireBatch()
        let lines = [
            #"{"id":1,"op":"encode","api":"Heartbeat","version":0,"kind":"response","json":{"ErrorCode":0}}"#,
            #"{"id":2,"op":"encode""#,
            "   ",
            #"[1,2]"#,
            #"{"id":3,"op":"decode","api":"Heartbeat","version":0,"kind":"response","hex":"00zz"}"#,
            #"{"id":4,"op":"decode","api":"Heartbeat","version":0,"kind":"response","hex":"0000","extra":1}"#,
            #"{"id":5,"op":"decode","api":"Heartbeat","version":0,"kind":"response","hex":"0000"}"#,
        ]
        var replies = [String]()
        var remaining = lines[...]
        batch.run(readLine: { remaining.popFirst().map { Array($0.utf8) } },
                  write: { replies.append(String(decoding: $0, as: UTF8.self)) })
        #expect(replies == [
            #"{"id":1,"ok":true,"hex":"0000"}"# + "\n",
            #"{"id":null,"ok":false,"error":"invalidJSON at byte 21","message":"invalidJSON at byte 21: expected ',' or '}' in an object, found end of input"}"# + "\n",
            #"{"id":null,"ok":false,"error":"invalidRequest","message":"invalidRequest: a request must be a JSON object, found array"}"# + "\n",
            #"{"id":3,"ok":false,"error":"invalidHex at byte 2","message":"invalidHex at byte 2: not a hex digit"}"# + "\n",
            #"{"id":4,"ok":false,"error":"invalidRequest","message":"invalidRequest: unknown key \"extra\""}"# + "\n",
            #"{"id":5,"ok":true,"json":{"ErrorCode":0}}"# + "\n",
        ])
    }
}
