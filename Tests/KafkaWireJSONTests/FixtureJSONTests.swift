import Foundation
import KafkaCompression
import KafkaWire
import KafkaWireJSON
import Testing

/// Frames captured from real peers (Fixtures/, the KafkaWireTests resource), through the JSON forms.
enum CapturedFrames {
    struct Frame: Sendable {
        let file: String
        let api: String
        let kind: WireMessageKind
        let version: Int16
        let bytes: [UInt8]
        /// Why the frame does not re-encode byte for byte (for example tagged fields written at their default).
        let reencodeNote: String?
    }

    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("KafkaWireTests/Fixtures")

    /// Every decodable frame of the fixture index, of the APIs this codec implements.
    static let frames: [Frame] = {
        guard let data = try? Data(contentsOf: directory.appendingPathComponent("index.json")),
              case let .array(entries)? = try? JSONParser.parse([UInt8](data)) else { return [] }
        return entries.compactMap { entry in
            guard entry["undecodable"] == nil,
                  case let .string(file)? = entry["file"], case let .int(apiKey)? = entry["apiKey"],
                  let key16 = Int16(exactly: apiKey), MessageRegistry.entry(for: ApiKey(rawValue: key16)) != nil,
                  case let .string(kind)? = entry["kind"], let messageKind = WireMessageKind(rawValue: kind),
                  case let .int(version)? = entry["bodyVersion"], let version16 = Int16(exactly: version),
                  let bytes = try? Data(contentsOf: directory.appendingPathComponent(file)) else { return nil }
            var note: String? = nil
            if case let .string(text)? = entry["reencode"] { note = text }
            return Frame(file: file, api: String(apiKey), kind: messageKind, version: version16, bytes: [UInt8](bytes),
                         reencodeNote: note)
        }
    }()
}

@Suite("Captured frames through JSON", .enabled(if: !CapturedFrames.frames.isEmpty, "the fixtures are present"))
struct FixtureJSONTests {
    static let decoded = WireJSONOptions(records: .decoded, compression: KafkaCompressionProvider())

    @Test("header and body to JSON and back, byte for byte unless the fixture says otherwise")
    func frames() {
        var checked = 0
        for frame in CapturedFrames.frames {
            for options in [WireJSONOptions(), Self.decoded] {
                let mode = options.records == .decoded ? "records decoded" : "base64"
                do {
                    let json = try WireTool.decode(frame.bytes, api: frame.api, version: frame.version, kind: frame.kind,
                                                   withHeader: true, options: options)
                    let bytes = try WireTool.encode(JSONParser.parse(json.description), api: frame.api, version: frame.version,
                                                    kind: frame.kind, withHeader: true, options: options)
                    if frame.reencodeNote == nil && !(options.records == .decoded && containsCompressedBatch(json)) {
                        #expect(bytes == frame.bytes, "\(frame.file) (\(mode)) re-encodes byte for byte")
                    }
                    let again = try WireTool.decode(bytes, api: frame.api, version: frame.version, kind: frame.kind,
                                                    withHeader: true, options: options)
                    #expect(again == json, "\(frame.file) (\(mode)): JSON -> bytes -> JSON is stable")
                    checked += 1
                } catch {
                    Issue.record("\(frame.file) (\(mode)): \(error)")
                }
            }
        }
        #expect(checked > 500)
        print("captured frames through JSON: \(checked) checks over \(CapturedFrames.frames.count) frames")
    }

    /// True when a decoded RECORDS value holds a compressed batch or wrapper (re-compression may differ).
    func containsCompressedBatch(_ json: JSONValue) -> Bool {
        switch json {
        case let .object(object):
            if case let .string(codec)? = object["Attributes"]?["Compression"], codec != "none" { return true }
            return object.members.contains { containsCompressedBatch($0.value) }
        case let .array(elements): return elements.contains(where: containsCompressedBatch)
        default: return false
        }
    }
}
