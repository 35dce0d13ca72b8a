import Foundation
import KafkaCompression
import KafkaWire
import KafkaWireJSON
import Testing

/// One case of the reference corpus written by Scripts/conformance/generate.py.
struct ConformanceCase: Sendable {
    let line: Int
    let api: String
    let kind: WireMessageKind
    let version: Int16
    let seed: Int
    let withHeader: Bool
    let json: JSONValue
    let hex: String
    /// For a negative case: the error kinds decoding and encoding must fail with, and the field they must name.
    let expectedError: (decode: String, encode: String, field: String)?
    /// True when `json` holds every field at its spec default, which the type's `init()` must print.
    let isDefaults: Bool
    /// True when RECORDS fields are in the decoded form.
    let recordsDecoded: Bool
    /// True when the case holds compressed records: encoding then need only give bytes that decode to `json`.
    let decodeOnly: Bool

    /// The JSON options the case is written for.
    var options: WireJSONOptions {
        WireJSONOptions(records: recordsDecoded ? .decoded : .base64, compression: KafkaCompressionProvider())
    }

    /// `Produce request v3 seed 1` (plus ` with header`, or ` expecting unexpectedNull in TopicData`).
    var name: String {
        "\(api) \(kind.rawValue) v\(version) seed \(seed)\(withHeader ? " with header" : "")"
            + (expectedError.map { " expecting \($0.decode) in \($0.field)" } ?? "") + (isDefaults ? " (spec defaults)" : "") + (recordsDecoded ? " (records decoded)" : "")
    }
    /// The group the results are reported by: `Produce request`.
    var group: String { "\(api) \(kind.rawValue)" }

    /// Why the case cannot run against this build (API not registered yet, version not implemented), or nil.
    var skipReason: String? {
        guard let target = WireMessageTarget(api: api, kind: kind) else { return "not registered" }
        guard target.type.validVersions.contains(version) else { return "version \(version) not implemented" }
        return nil
    }
}

enum Conformance {
    /// The corpus file in the test bundle.
    static var corpusURL: URL? {
        Bundle.module.url(forResource: "corpus", withExtension: "jsonl", subdirectory: "Conformance")
            ?? Bundle.module.resourceURL?.appendingPathComponent("Conformance/corpus.jsonl")
    }

    /// Every case of the corpus, in file order.
    static let cases: [ConformanceCase] = {
        guard let url = corpusURL, let data = try? Data(contentsOf: url) else { return [] }
        var cases = [ConformanceCase]()
        for (index, line) in data.split(separator: 0x0A).enumerated() {
            guard let value = try? JSONParser.parse(Array(line)),
                  case let .string(api)? = value["api"], case let .string(kind)? = value["kind"],
                  let messageKind = WireMessageKind(rawValue: kind),
                  case let .int(version)? = value["version"], let version16 = Int16(exactly: version),
                  case let .int(seed)? = value["seed"], case let .bool(withHeader)? = value["withHeader"],
                  let json = value["json"], case let .string(hex)? = value["hex"]
            else {
                cases.append(ConformanceCase(line: index + 1, api: "<malformed line \(index + 1)>", kind: .data, version: -1,
                                             seed: 0, withHeader: false, json: .null, hex: "", expectedError: nil, isDefaults: false,
                                             recordsDecoded: false, decodeOnly: false))
                continue
            }
            var expectedError: (String, String, String)? = nil
            if case let .string(decode)? = value["expectError"]?["decode"], case let .string(encode)? = value["expectError"]?["encode"],
               case let .string(field)? = value["expectError"]?["field"] {
                expectedError = (decode, encode, field)
            }
            cases.append(ConformanceCase(line: index + 1, api: api, kind: messageKind, version: version16, seed: Int(seed),
                                         withHeader: withHeader, json: json, hex: hex, expectedError: expectedError,
                                         isDefaults: value["defaults"] == true, recordsDecoded: value["records"] == "decoded",
                                         decodeOnly: value["decodeOnly"] == true))
        }
        return cases
    }()

    /// The report groups (`Produce request`), in corpus order.
    static let groups: [String] = {
        var seen = Set<String>()
        return cases.map(\.group).filter { seen.insert($0).inserted }
    }()

    /// Checks one case in-process: decoding the hex gives the JSON, encoding the JSON gives the hex.
    static func problems(_ item: ConformanceCase) -> [String] {
        if let expected = item.expectedError { return negativeProblems(item, expected: expected) }
        var problems = [String]()
        if item.isDefaults, let target = WireMessageTarget(api: item.api, kind: item.kind) {
            func initJSON<M: WireMessage>(_: M.Type) throws -> JSONValue { try WireJSON.json(for: M(), version: item.version) }
            do {
                if let difference = firstDifference(expected: item.json, actual: try initJSON(target.type), path: "") {
                    problems.append("init() is not at the spec defaults: \(difference)")
                }
            } catch {
                problems.append("init() JSON failed: \(error)")
            }
        }
        do {
            let bytes = try WireHex.parse(item.hex)
            let decoded = try WireTool.decode(bytes, api: item.api, version: item.version, kind: item.kind,
                                              withHeader: item.withHeader, options: item.options)
            if let difference = firstDifference(expected: item.json, actual: decoded, path: "") {
                problems.append("decode: \(difference)")
            }
        } catch {
            problems.append("decode failed: \(error.message)")
        }
        do {
            let encoded = try WireTool.encode(item.json, api: item.api, version: item.version, kind: item.kind,
                                              withHeader: item.withHeader, options: item.options)
            if item.decodeOnly {
                let again = try WireTool.decode(encoded, api: item.api, version: item.version, kind: item.kind,
                                                withHeader: item.withHeader, options: item.options)
                if let difference = firstDifference(expected: item.json, actual: again, path: "") {
                    problems.append("encode then decode: \(difference)")
                }
            } else if let difference = byteDifference(expected: item.hex, actual: WireHex.string(encoded)) {
                problems.append("encode: \(difference)")
            }
        } catch {
            problems.append("encode failed: \(error.message)")
        }
        return problems
    }

    /// Checks a negative case: decoding and encoding both fail, with the expected kinds, naming the field.
    static func negativeProblems(_ item: ConformanceCase, expected: (decode: String, encode: String, field: String)) -> [String] {
        var problems = [String]()
        do {
            let decoded = try WireTool.decode(try WireHex.parse(item.hex), api: item.api, version: item.version, kind: item.kind,
                                              withHeader: item.withHeader)
            problems.append("decode succeeded, expected \(expected.decode) in \(expected.field): \(decoded)")
        } catch {
            if error.kind != expected.decode || error.field != expected.field {
                problems.append("decode: expected \(expected.decode) in \(expected.field), got \(error.message)")
            }
        }
        do {
            _ = try WireTool.encode(item.json, api: item.api, version: item.version, kind: item.kind, withHeader: item.withHeader)
            problems.append("encode succeeded, expected \(expected.encode) in \(expected.field)")
        } catch {
            if error.kind != expected.encode || error.field != expected.field {
                problems.append("encode: expected \(expected.encode) in \(expected.field), got \(error.message)")
            }
        }
        return problems
    }

    /// Where two JSON values first differ, as `path: expected X, got Y`.
    static func firstDifference(expected: JSONValue, actual: JSONValue, path: String) -> String? {
        let here = path.isEmpty ? "<root>" : path
        switch (expected, actual) {
        case let (.object(e), .object(a)):
            if e.keys != a.keys { return "\(here): keys \(e.keys) expected, got \(a.keys)" }
            for (key, value) in e.members {
                if let difference = firstDifference(expected: value, actual: a[key] ?? .null, path: path.isEmpty ? key : "\(path).\(key)") {
                    return difference
                }
            }
            return nil
        case let (.array(e), .array(a)):
            if e.count != a.count { return "\(here): \(e.count) elements expected, got \(a.count)" }
            for (index, pair) in zip(e, a).enumerated() {
                if let difference = firstDifference(expected: pair.0, actual: pair.1, path: "\(path)[\(index)]") { return difference }
            }
            return nil
        default:
            return expected == actual ? nil : "\(here): expected \(expected), got \(actual)"
        }
    }

    /// Where two hex strings first differ, as a byte offset and the bytes around it.
    static func byteDifference(expected: String, actual: String) -> String? {
        guard expected != actual else { return nil }
        let e = Array(expected.utf8), a = Array(actual.utf8)
        var index = 0
        while index < min(e.count, a.count) && e[index] == a[index] { index += 1 }
        let byte = index / 2
        func window(_ text: [UInt8]) -> String {
            let start = max(0, byte * 2 - 8)
            let end = min(text.count, byte * 2 + 16)
            return start < end ? String(decoding: text[start..<end], as: UTF8.self) : ""
        }
        return "bytes differ at \(byte) (expected \(e.count / 2) bytes, got \(a.count / 2)): expected …\(window(e))…, got …\(window(a))…"
    }
}

/// Discrepancies between the reference corpus and a codec that are understood and routed to the
/// codec's owner: group (`Produce request`) and versions, with the reason. Cases listed here run
/// as known issues, so the suite stays green while the codec is being fixed, and turns red if the
/// codec starts passing (the entry must then go).
let knownDiscrepancies: [(group: String, versions: ClosedRange<Int16>, reason: String)] = [
]

func knownDiscrepancy(for item: ConformanceCase) -> String? {
    knownDiscrepancies.first { $0.group == item.group && $0.versions.contains(item.version) }?.reason
}
