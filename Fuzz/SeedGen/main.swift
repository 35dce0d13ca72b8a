// Writes the seed corpora of the fuzz targets: valid encodings of every registered message at
// every version, with every field at its default and with every field filled (ValueFiller from
// Tests/KafkaWireTests/Support, compiled in by Fuzz/build.sh), in each target's input format
// (see FuzzChecks.swift), and record sets of every format and codec for FuzzRecords.
// Usage: SeedGen <output directory>
import Foundation
import KafkaCompression
import KafkaWire

@main
struct SeedGen {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: SeedGen <output directory>\n".utf8))
            exit(2)
        }
        var seeds = Seeds(root: URL(fileURLWithPath: arguments[1]))
        try seeds.writeAll()
        print("SeedGen: wrote \(seeds.written) seeds to \(arguments[1])")
    }
}

struct Seeds {
    let root: URL
    var written = 0

    mutating func write(_ target: String, _ name: String, _ bytes: [UInt8]) throws {
        let directory = root.appendingPathComponent(target)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        try Data(bytes).write(to: directory.appendingPathComponent(name))
        written += 1
    }

    /// A message at its defaults and filled, each as (suffix, body); the filled one is left
    /// out where the filler's values cannot be encoded at this version.
    func bodies<M: WireMessage>(_: M.Type, version: Int16, seed: UInt64) throws -> [(String, [UInt8])] {
        var result = [("default", try M().encoded(version: version))]
        if let filled = try? filled(M.self, version: version, seed: seed).encoded(version: version) {
            result.append(("filled", filled))
        }
        return result
    }

    mutating func writeAll() throws {
        for entry in MessageRegistry.entries {
            let key = UInt8(truncatingIfNeeded: entry.apiKey.rawValue)
            for version in entry.request.validVersions {
                for (kind, body) in try bodies(entry.request, version: version, seed: UInt64(version) &+ 0x5EED) {
                    try write("FuzzRequests", "\(entry.name)-v\(version)-\(kind)", [key, UInt8(version)] + body)
                }
            }
            for version in entry.response.validVersions {
                for (kind, body) in try bodies(entry.response, version: version, seed: UInt64(version) &+ 0x5EED) {
                    try write("FuzzResponses", "\(entry.name)-v\(version)-\(kind)", [key, UInt8(version)] + body)
                }
            }
            try writeFrames(entry)
        }
        try writeHeaders()
        try writeDataMessages()
        try writeRecordSets()
    }

    /// Whole request and response payloads (header then body) at the lowest and highest versions.
    mutating func writeFrames(_ entry: MessageRegistryEntry) throws {
        let key = UInt8(truncatingIfNeeded: entry.apiKey.rawValue)
        for version in Set([entry.request.validVersions.lowerBound, entry.request.validVersions.upperBound]) {
            let header = RequestHeader(apiKey: entry.apiKey, apiVersion: version, correlationID: 7, clientID: "seed")
            var writer = ByteWriter()
            try header.encode(into: &writer, headerVersion: RequestHeader.version(apiKey: entry.apiKey, apiVersion: version))
            for (kind, body) in try bodies(entry.request, version: version, seed: 0xF4A3E) {
                try write("FuzzHeaders", "request-frame-\(entry.name)-v\(version)-\(kind)", [5] + writer.bytes + body)
            }
        }
        for version in Set([entry.response.validVersions.lowerBound, entry.response.validVersions.upperBound]) {
            var writer = ByteWriter()
            ResponseHeader(correlationID: 7).encode(
                into: &writer, headerVersion: ResponseHeader.version(apiKey: entry.apiKey, apiVersion: version))
            for (kind, body) in try bodies(entry.response, version: version, seed: 0xF4A3E) {
                try write("FuzzHeaders", "response-frame-\(entry.name)-v\(version)-\(kind)", [6, key, UInt8(version)] + writer.bytes + body)
            }
        }
    }

    /// Headers alone, at each header version, plain and with a preserved unknown tag.
    mutating func writeHeaders() throws {
        let tagged = [TaggedField(tag: 3, data: ByteSlice([1, 2, 3]))]
        for headerVersion in Int16(0)...2 {
            for (kind, tags) in [("plain", [TaggedField]()), ("tagged", tagged)] where kind == "plain" || headerVersion == 2 {
                var writer = ByteWriter()
                try RequestHeader(apiKey: .heartbeat, apiVersion: 4, correlationID: 42, clientID: "client-é", unknownTaggedFields: tags)
                    .encode(into: &writer, headerVersion: headerVersion)
                try write("FuzzHeaders", "request-header-v\(headerVersion)-\(kind)", [UInt8(headerVersion)] + writer.bytes)
            }
        }
        for headerVersion in Int16(0)...1 {
            for (kind, tags) in [("plain", [TaggedField]()), ("tagged", tagged)] where kind == "plain" || headerVersion == 1 {
                var writer = ByteWriter()
                ResponseHeader(correlationID: 42, unknownTaggedFields: tags).encode(into: &writer, headerVersion: headerVersion)
                try write("FuzzHeaders", "response-header-v\(headerVersion)-\(kind)", [UInt8(3 + headerVersion)] + writer.bytes)
            }
        }
    }

    /// The versioned data payloads with their version in front.
    mutating func writeDataMessages() throws {
        for (index, name) in FuzzChecks.dataTypeNames.enumerated() {
            guard let type = MessageRegistry.dataTypes.first(where: { $0.name == name })?.type else { continue }
            for version in type.validVersions {
                for (kind, body) in try bodies(type, version: version, seed: UInt64(version) &+ 0xDA7A) {
                    let prefix = [UInt8(index), UInt8(truncatingIfNeeded: UInt16(bitPattern: version) >> 8), UInt8(truncatingIfNeeded: version)]
                    try write("FuzzConsumerProtocol", "\(name)-v\(version)-\(kind)", prefix + body)
                }
            }
            // A version from the future: our newest layout, then fields we do not know.
            if type is any ConsumerProtocolPayload.Type {
                let future = type.validVersions.upperBound + 1
                let body = try filled(type, version: type.validVersions.upperBound, seed: 0xF077).encoded(version: type.validVersions.upperBound)
                try write("FuzzConsumerProtocol", "\(name)-v\(future)-future", [UInt8(index), 0, UInt8(future)] + body + [0, 0, 0, 1])
            }
        }
        let sample = UInt8(FuzzChecks.dataTypeNames.count)
        for version in FuzzSampleMessage.validVersions {
            for (kind, body) in try bodies(FuzzSampleMessage.self, version: version, seed: UInt64(version) &+ 0x5A3B) {
                try write("FuzzConsumerProtocol", "FuzzSampleMessage-v\(version)-\(kind)", [sample, 0, UInt8(version)] + body)
            }
        }
    }
}

// MARK: Record sets

extension Seeds {
    /// Three records: a plain one, one with a null key and headers, a tombstone with a null header value.
    static let sampleRecords = [
        Record(timestampDelta: 0, offsetDelta: 0, key: ByteSlice("key-0"), value: ByteSlice("value-0")),
        Record(timestampDelta: 5, offsetDelta: 1, key: nil, value: ByteSlice(Array(repeating: 0x61, count: 40)),
               headers: [RecordHeader(key: "h1", value: ByteSlice("v1")), RecordHeader(key: "é", value: ByteSlice())]),
        Record(timestampDelta: 9, offsetDelta: 2, key: ByteSlice("key-2"), value: nil,
               headers: [RecordHeader(key: "null", value: nil)]),
    ]

    /// `[flags][records]` twice: with CRC verification off (flags 0) and on (flags 1).
    mutating func writeRecords(_ name: String, _ records: [UInt8]) throws {
        try write("FuzzRecords", name, [0] + records)
        try write("FuzzRecords", name + "-crc", [1] + records)
    }

    mutating func writeRecordSets() throws {
        let provider = KafkaCompressionProvider()
        var all = [UInt8]()
        for codec in CompressionCodec.allCases {
            let batch = RecordBatch(baseOffset: 100, partitionLeaderEpoch: 3, attributes: .init(compression: codec),
                                    baseTimestamp: 1_700_000_000_000, records: Self.sampleRecords)
            let bytes = try batch.encoded(compressionProvider: provider)
            try writeRecords("batch-\(codec)", bytes)
            all += bytes
        }
        // An idempotent, transactional batch and its commit marker; an empty batch left by compaction.
        let transactional = RecordBatch(baseOffset: 200, attributes: .init(timestampType: .logAppendTime, isTransactional: true),
                                        baseTimestamp: 1_700_000_000_100, producerID: 4000, producerEpoch: 2,
                                        baseSequence: 17, records: Self.sampleRecords)
        let marker = RecordBatch(baseOffset: 203, attributes: .init(isTransactional: true, isControl: true),
                                 baseTimestamp: 1_700_000_000_200, producerID: 4000, producerEpoch: 2,
                                 records: [Record(offsetDelta: 0, key: ByteSlice(ControlRecordType.commit.encodedKey),
                                                  value: ByteSlice(EndTxnMarker(coordinatorEpoch: 9).encoded))])
        let empty = RecordBatch(baseOffset: 204, lastOffsetDelta: 5, producerID: 4000, producerEpoch: 2,
                                records: [])
        let transaction = try transactional.encoded() + marker.encoded() + empty.encoded()
        try writeRecords("batch-transaction", transaction)
        all += transaction

        // Legacy message sets: plain messages at magic 0 and 1, then compressed wrappers.
        for magic: Int8 in [0, 1] {
            let messages = (0..<3).map { index in
                LegacyMessage(offset: Int64(300 + index), magic: magic, timestamp: magic == 1 ? 1_600_000_000_000 + Int64(index) : nil,
                              key: index == 1 ? nil : ByteSlice("k\(index)"), value: ByteSlice("legacy value \(index)"))
            }
            var plain = ByteWriter()
            for message in messages { try message.encode(into: &plain) }
            try writeRecords("legacy-v\(magic)", plain.bytes)
            all += plain.bytes
            for codec in CompressionCodec.allCases where codec != .none && codec != .zstd {
                let wrapper = try LegacyMessage.compressedWrapper(containing: messages, compression: codec,
                                                                  compressionProvider: provider)
                let bytes = try wrapper.encoded()
                try writeRecords("legacy-v\(magic)-\(codec)", bytes)
                all += bytes
            }
        }
        // Wrap mode (flags bit 1): the plain records section or inner message set, which the
        // harness compresses with each codec and wraps itself.
        let plainRecords = Array(try RecordBatch(records: Self.sampleRecords).encoded().dropFirst(61))
        for codec: UInt8 in 0...3 {
            try write("FuzzRecords", "wrap-batch-codec\(codec)", [2, codec, UInt8(Self.sampleRecords.count)] + plainRecords)
            for magic: UInt8 in 0...1 where codec != 3 {  // zstd is not allowed in legacy wrappers
                let inner = try (0..<3).map { index in
                    try LegacyMessage(offset: Int64(index), magic: Int8(magic), timestamp: magic == 1 ? 1_600_000_000_000 : nil,
                                      key: ByteSlice("k\(index)"), value: ByteSlice("inner \(index)")).encoded()
                }.joined()
                try write("FuzzRecords", "wrap-legacy-v\(magic)-codec\(codec)", [2, 0x10 | magic << 5 | codec, 2] + inner)
            }
        }

        // Everything back to back, then cut inside the last batch, as a fetch's byte limit cuts it.
        try writeRecords("mixed", all)
        try writeRecords("mixed-cut", Array(all.dropLast(7)))
    }
}

