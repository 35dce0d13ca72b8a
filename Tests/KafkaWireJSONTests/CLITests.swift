import Foundation
import KafkaWire
import KafkaWireJSON
import Testing

/// Runs the built `swafka-wire` executable (it sits next to the test bundle in the build directory).
enum CLI {
    static var executable: URL? {
        let candidates = [
            Bundle.module.bundleURL.deletingLastPathComponent(),
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL,
        ]
        return candidates.map { $0.appendingPathComponent("swafka-wire") }
            .first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }

    struct Result {
        let status: Int32
        let stdout: [UInt8]
        let stderr: String
    }

    /// Runs the tool with `arguments`, feeding it the file at `stdinPath` (or nothing).
    static func run(_ arguments: [String], stdin input: [UInt8] = []) throws -> Result {
        guard let executable else { throw CLIError.notBuilt }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swafka-wire-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // Files rather than pipes for stdin and stderr: nothing can block, whatever the sizes.
        let inputURL = directory.appendingPathComponent("stdin")
        let errorURL = directory.appendingPathComponent("stderr")
        try Data(input).write(to: inputURL)
        try Data().write(to: errorURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.standardInput = try FileHandle(forReadingFrom: inputURL)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = try FileHandle(forWritingTo: errorURL)
        try process.run()
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let stderr = (try? String(contentsOf: errorURL, encoding: .utf8)) ?? ""
        return Result(status: process.terminationStatus, stdout: [UInt8](stdout), stderr: stderr)
    }

    enum CLIError: Error { case notBuilt }
}

@Suite("swafka-wire command line", .enabled(if: CLI.executable != nil, "swafka-wire is built"))
struct CLITests {
    @Test("decode prints one JSON object")
    func decode() throws {
        let result = try CLI.run(["decode", "--api", "Heartbeat", "--version", "4", "--request", "--hex", "03673100000001036d310000"])
        #expect(result.status == 0)
        #expect(String(decoding: result.stdout, as: UTF8.self)
                == #"{"GroupId":"g1","GenerationId":1,"MemberId":"m1","GroupInstanceId":null}"# + "\n")
        #expect(result.stderr.isEmpty)
    }

    @Test("malformed input: exit status 1 and one error line naming kind, offset and field")
    func malformed() throws {
        let result = try CLI.run(["decode", "--api", "12", "--version", "3", "--request", "--hex", "000267310000"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr == "error: truncated at byte 4 in GenerationId: needed 4 bytes, 2 left\n")

        let trailing = try CLI.run(["decode", "--api", "Heartbeat", "--version", "0", "--response", "--hex", "0000ff"])
        #expect(trailing.status == 1)
        #expect(trailing.stderr == "error: trailingBytes at byte 2: 1 bytes left over\n")

        let badJSON = try CLI.run(["encode", "--api", "Heartbeat", "--version", "0", "--response"], stdin: Array(#"{"ErrorCode": }"#.utf8))
        #expect(badJSON.status == 1)
        #expect(badJSON.stderr == "error: invalidJSON at byte 14: expected a JSON value, found '}'\n")

        let unknownAPI = try CLI.run(["decode", "--api", "NoSuchApi", "--version", "0", "--request", "--hex", ""])
        #expect(unknownAPI.status == 1)
        #expect(unknownAPI.stderr.hasPrefix("error: unknownApi: "))
        #expect(unknownAPI.stderr.filter { $0 == "\n" }.count == 1)
    }

    @Test("encode then decode gives back the input; raw bytes by default, hex on request")
    func encodeDecode() throws {
        let json = #"{"GroupId":"g","GenerationId":-1,"MemberId":"","GroupInstanceId":"i"}"#
        let raw = try CLI.run(["encode", "--api", "Heartbeat", "--version", "3", "--request"], stdin: Array(json.utf8))
        #expect(raw.status == 0)
        #expect(raw.stdout == [0, 1, 0x67, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 1, 0x69])
        let hex = try CLI.run(["encode", "--api", "Heartbeat", "--version", "3", "--request", "--hex-output"], stdin: Array(json.utf8))
        #expect(String(decoding: hex.stdout, as: UTF8.self) == "000167ffffffff0000000169\n")
        let back = try CLI.run(["decode", "--api", "Heartbeat", "--version", "3", "--request"], stdin: raw.stdout)
        #expect(String(decoding: back.stdout, as: UTF8.self) == json + "\n")
    }

    @Test("with a header: {header, body}, header version from the API and version")
    func header() throws {
        // Response header v1 (flexible Heartbeat v4): correlation id, empty tag section; then the body.
        let result = try CLI.run(["decode", "--api", "Heartbeat", "--version", "4", "--response", "--with-header",
                                  "--hex", "0000002a00 00000005 0000 00"])
        #expect(String(decoding: result.stdout, as: UTF8.self)
                == #"{"header":{"CorrelationId":42},"body":{"ThrottleTimeMs":5,"ErrorCode":0}}"# + "\n")
        let request = try CLI.run(["encode", "--api", "Heartbeat", "--version", "0", "--request", "--with-header", "--hex-output"],
                                  stdin: Array(#"{"header":{"RequestApiKey":12,"RequestApiVersion":0,"CorrelationId":7,"ClientId":"c"},"body":{"GroupId":"g","GenerationId":1,"MemberId":"m"}}"#.utf8))
        #expect(String(decoding: request.stdout, as: UTF8.self) == "000c00000000000700016300016700000001" + "00016d\n")
    }

    @Test("batch: replies in order, a malformed line in the middle gets an error reply")
    func batch() throws {
        let lines = [
            #"{"id":1,"op":"decode","api":"Heartbeat","version":4,"kind":"request","hex":"03673100000001036d310000"}"#,
            #"{"id":2,"op":"decode","api":"Heartbeat","version":4,"kind":"request","hex":"03673100"}"#,
            #"this is not json"#,
            #"{"id":"four","op":"encode","api":"Heartbeat","version":1,"kind":"response","json":{"ThrottleTimeMs":1,"ErrorCode":27}}"#,
            #"{"id":5,"op":"frobnicate"}"#,
            #"{"id":6,"op":"encode","api":12,"version":1,"kind":"response","json":{"ErrorCode":27}}"#,
        ]
        let result = try CLI.run(["batch"], stdin: Array((lines.joined(separator: "\n") + "\n").utf8))
        #expect(result.status == 0)
        let replies = String(decoding: result.stdout, as: UTF8.self).split(separator: "\n").map(String.init)
        #expect(replies == [
            #"{"id":1,"ok":true,"json":{"GroupId":"g1","GenerationId":1,"MemberId":"m1","GroupInstanceId":null}}"#,
            #"{"id":2,"ok":false,"error":"truncated at byte 3","message":"truncated at byte 3 in GenerationId: needed 4 bytes, 1 left"}"#,
            #"{"id":null,"ok":false,"error":"invalidJSON at byte 0","message":"invalidJSON at byte 0: invalid literal (expected 'true')"}"#,
            #"{"id":"four","ok":true,"hex":"00000001001b"}"#,
            #"{"id":5,"ok":false,"error":"invalidRequest","message":"invalidRequest: \"api\" must be a name or a numeric key"}"#,
            #"{"id":6,"ok":false,"error":"missingField in ThrottleTimeMs","message":"missingField in ThrottleTimeMs: required at version 1"}"#,
        ])
    }

    @Test("help documents the header form and the defaults")
    func help() throws {
        let decode = String(decoding: try CLI.run(["decode", "--help"]).stdout, as: UTF8.self)
        #expect(decode.contains("\"header\""))
        let encode = String(decoding: try CLI.run(["encode", "--help"]).stdout, as: UTF8.self)
        #expect(encode.contains("--hex-output"))
        let batch = String(decoding: try CLI.run(["batch", "--help"]).stdout, as: UTF8.self)
        #expect(batch.contains("\"ok\":false"))
    }

    @Test("the whole corpus through one batch process")
    func corpusThroughBatch() throws {
        let cases = Conformance.cases.filter { $0.skipReason == nil }
        var requests = [UInt8]()
        for (index, item) in cases.enumerated() {
            let common: JSONObject = ["api": .string(item.api), "version": .int(Int64(item.version)),
                                      "kind": .string(item.kind.rawValue), "withHeader": .bool(item.withHeader),
                                      "records": item.recordsDecoded ? "decoded" : "base64"]
            let decode = JSONObject([("id", .int(Int64(index * 2))), ("op", "decode")] + common.members.map { ($0.key, $0.value) }
                                    + [("hex", .string(item.hex))])
            let encode = JSONObject([("id", .int(Int64(index * 2 + 1))), ("op", "encode")] + common.members.map { ($0.key, $0.value) }
                                    + [("json", item.json)])
            requests += JSONPrinter.bytes(.object(decode)) + [0x0A] + JSONPrinter.bytes(.object(encode)) + [0x0A]
        }
        let result = try CLI.run(["batch"], stdin: requests)
        let replies = result.stdout.split(separator: 0x0A, omittingEmptySubsequences: false).dropLast()
        #expect(replies.count == cases.count * 2)
        var failures = [String: Int]()
        for (index, line) in replies.enumerated() {
            let item = cases[index / 2]
            let reply = try JSONParser.parse(Array(line))
            #expect(reply["id"] == .int(Int64(index)))
            let ok: Bool
            if let expected = item.expectedError {
                let kind = index % 2 == 0 ? expected.decode : expected.encode
                ok = reply["ok"] == false && (reply["error"] == .string("\(kind) in \(expected.field)")
                                               || (reply["message"].map { "\($0)" } ?? "").contains(" in \(expected.field):"))
                    && { if case let .string(error)? = reply["error"] { return error.hasPrefix(kind) } else { return false } }()
            } else if index % 2 == 0 {
                ok = reply["ok"] == true && reply["json"] == item.json
            } else if item.decodeOnly, case let .string(hex)? = reply["hex"] {
                // Compressed records: the bytes need only decode back to the same JSON.
                let again = try? WireTool.decode(try WireHex.parse(hex), api: item.api, version: item.version, kind: item.kind,
                                                 options: item.options)
                ok = reply["ok"] == true && again == item.json
            } else {
                ok = reply["ok"] == true && reply["hex"] == .string(item.hex)
            }
            if !ok && knownDiscrepancy(for: item) == nil {
                failures[item.group, default: 0] += 1
                if failures[item.group] == 1 { Issue.record("batch \(index % 2 == 0 ? "decode" : "encode") \(item.name): \(reply)") }
            }
        }
        print("batch conformance: \(replies.count) replies for \(cases.count) cases; failing groups: \(failures)")
    }
}
