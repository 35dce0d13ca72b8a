import Foundation
import KafkaWire
import Testing

// Frames captured from real peers (Fixtures/, see its README): every one must decode at the recorded header and
// body version with no byte left over, and re-encode byte for byte unless the index says why it cannot.

/// One row of `Fixtures/index.json`, written by `Scripts/testbed/capture_proxy.py extract`.
struct FixtureEntry: Decodable, Sendable, CustomTestStringConvertible {
    /// Path below `Fixtures/`: `kcat-tansu/006-Produce-v10-request.bin`.
    let file: String
    let apiKey: Int16
    let apiName: String
    /// The version in the request header.
    let apiVersion: Int16
    /// The layout of the body: the request's version, except for an ApiVersions UNSUPPORTED_VERSION answer (v0).
    let bodyVersion: Int16
    /// "request" or "response".
    let kind: String
    let headerVersion: Int16
    let correlationID: Int32
    let peerVersion: String
    let broker: String
    let command: String
    /// Set when the frame decodes but its peer wrote it in a non-canonical way (for example a tagged field equal
    /// to its default): then decode, encode, decode must give the same value instead.
    let reencode: String?
    /// Set when the frame is known not to decode as the spec says (a peer's bug), with the reason.
    let undecodable: String?

    var testDescription: String { file }
}

/// The fixture directory (a test resource) and its index.
enum Fixtures {
    static let directory: URL? = Bundle.module.url(forResource: "Fixtures", withExtension: nil)

    static let index: [FixtureEntry] = {
        guard let directory, let data = try? Data(contentsOf: directory.appendingPathComponent("index.json")) else {
            return []
        }
        return (try? JSONDecoder().decode([FixtureEntry].self, from: data)) ?? []
    }()

    static func bytes(of entry: FixtureEntry) throws -> [UInt8] {
        let directory = try #require(directory)
        return Array(try Data(contentsOf: directory.appendingPathComponent(entry.file)))
    }

    /// APIs that real peers spoke in the captures but that KafkaWire has no codec for yet. When one gains a
    /// codec, remove it here: its fixtures are then checked like the others.
    static let apisWithoutCodec: Set<Int16> = [
        44,  // IncrementalAlterConfigs (kafka-python, confluent-kafka admin)
        46,  // ListPartitionReassignments (kafka-python admin)
        50,  // DescribeUserScramCredentials (kafka-python admin)
        69,  // ConsumerGroupDescribe (confluent-kafka admin tries it first)
        71,  // GetTelemetrySubscriptions (librdkafka 2.16 asks every broker, KIP-714)
        75,  // DescribeTopicPartitions (kafka-python admin)
    ]
}

@Suite("Fixtures captured from real peers")
struct FixtureTests {
    @Test("the index loads and names files that exist")
    func indexLoads() throws {
        #expect(Fixtures.index.count > 100, "Fixtures/index.json missing or unreadable from the test bundle")
        for entry in Fixtures.index {
            #expect(try Fixtures.bytes(of: entry).count > 8, "\(entry.file)")
        }
    }

    @Test("fixtures of APIs without a codec are exactly the listed ones")
    func unimplementedAPIs() {
        let captured = Set(Fixtures.index.map(\.apiKey))
        let implemented = Set(MessageRegistry.entries.map(\.apiKey.rawValue))
        #expect(captured.subtracting(implemented) == Fixtures.apisWithoutCodec)
    }

    @Test("decodes whole at the recorded versions and re-encodes", arguments: Fixtures.index)
    func fixture(_ entry: FixtureEntry) throws {
        guard let api = MessageRegistry.entry(for: ApiKey(rawValue: entry.apiKey)) else { return }
        let bytes = try Fixtures.bytes(of: entry)
        if entry.kind == "request" {
            #expect(RequestHeader.version(apiKey: api.apiKey, apiVersion: entry.apiVersion) == entry.headerVersion)
            try check(api.request, bytes: bytes, entry: entry)
        } else {
            #expect(ResponseHeader.version(apiKey: api.apiKey, apiVersion: entry.apiVersion) == entry.headerVersion)
            try check(api.response, bytes: bytes, entry: entry)
        }
    }

    private func check<M: WireMessage>(_: M.Type, bytes: [UInt8], entry: FixtureEntry) throws {
        var reader = ByteReader(bytes)
        var writer = ByteWriter()
        if entry.kind == "request" {
            let header = try RequestHeader(from: &reader, headerVersion: entry.headerVersion)
            #expect(header.apiKey.rawValue == entry.apiKey && header.apiVersion == entry.apiVersion)
            #expect(header.correlationID == entry.correlationID)
            try header.encode(into: &writer, headerVersion: entry.headerVersion)
        } else {
            let header = try ResponseHeader(from: &reader, headerVersion: entry.headerVersion)
            #expect(header.correlationID == entry.correlationID)
            header.encode(into: &writer, headerVersion: entry.headerVersion)
        }
        let bodyStart = reader.offset

        if let reason = entry.undecodable {
            #expect(throws: WireDecodingError.self, "\(entry.file) is marked undecodable (\(reason))") {
                var body = reader
                _ = try M(from: &body, version: entry.bodyVersion)
                try body.expectEnd()
            }
            return
        }

        let message = try M(from: &reader, version: entry.bodyVersion)
        try reader.expectEnd()
        try message.encode(into: &writer, version: entry.bodyVersion)
        let reencoded = writer.bytes

        if let reason = entry.reencode {
            // Not canonical as captured: the value must survive a second trip, and the mark must still be needed.
            let again = try M(decoding: Array(reencoded[bodyStart...]), version: entry.bodyVersion)
            #expect(again == message, "\(entry.file): decode, encode, decode changed the value")
            #expect(reencoded != bytes, "\(entry.file) now re-encodes byte for byte: drop its mark (\(reason))")
        } else {
            let at = firstDifference(reencoded, bytes)
            #expect(reencoded == bytes, "\(entry.file) does not re-encode byte for byte: first difference at \(at) of \(bytes.count)")
        }
    }

    private func firstDifference(_ a: [UInt8], _ b: [UInt8]) -> Int {
        zip(a, b).enumerated().first { $0.element.0 != $0.element.1 }?.offset ?? min(a.count, b.count)
    }
}
