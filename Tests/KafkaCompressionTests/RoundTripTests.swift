import KafkaCompression
import KafkaWire
import Testing

/// Every level each codec accepts, with the payload it is tested on (zstd: its negative "fast"
/// levels are sampled, from the minimum up; every level from -7 to the maximum is run).
let levelCases: [(CompressionCodec, Int)] = {
    var cases: [(CompressionCodec, Int)] = []
    for codec in compressingCodecs {
        guard let levels = KafkaCompressionProvider.supportedLevels(for: codec) else { continue }
        var chosen = Array(levels)
        if codec == .zstd {
            chosen = [levels.lowerBound, -100_000, -1000] + Array(-7...levels.upperBound)
        }
        cases += chosen.map { (codec, $0) }
    }
    return cases
}()

@Suite("Round trips")
struct RoundTripTests {
    static let payloads: [(name: String, bytes: [UInt8])] = [
        ("empty", []),
        ("one byte", [0x2A]),
        ("small", TestData.small),
        ("1 MiB random", TestData.random(TestData.mebibyte)),
        ("1 MiB repetitive", TestData.repetitive(TestData.mebibyte)),
    ]

    @Test("every codec, payload and record format at the default level",
          arguments: CompressionCodec.allCases, [Int8(0), 1, 2])
    func defaultLevel(codec: CompressionCodec, magic: Int8) throws {
        for (name, bytes) in Self.payloads {
            let compressed = try provider.compress(ByteSlice(bytes), codec: codec, level: nil, magic: magic)
            let decompressed = try provider.decompress(ByteSlice(compressed), codec: codec, magic: magic,
                                                       limit: bytes.count)
            #expect(decompressed == bytes, "\(codec) magic \(magic) \(name) (seed \(dataSeed))")
            if name == "1 MiB repetitive" && codec != .none {
                #expect(compressed.count < bytes.count / 5, "\(codec) compresses repetitive data")
            }
        }
    }

    @Test("every supported level", arguments: levelCases)
    func everyLevel(codec: CompressionCodec, level: Int) throws {
        let bytes = TestData.mixed(256 << 10)
        let compressed = try provider.compress(ByteSlice(bytes), codec: codec, level: level, magic: 2)
        let decompressed = try provider.decompress(ByteSlice(compressed), codec: codec, magic: 2, limit: bytes.count)
        #expect(decompressed == bytes, "\(codec) level \(level) (seed \(dataSeed))")
    }

    @Test("the 1 MiB payloads at the lowest and highest level", arguments: levelCases.filter { codec, level in
        let levels = KafkaCompressionProvider.supportedLevels(for: codec)
        return level == levels?.lowerBound || level == levels?.upperBound
    })
    func extremeLevels(codec: CompressionCodec, level: Int) throws {
        for bytes in [TestData.random(TestData.mebibyte), TestData.repetitive(TestData.mebibyte)] {
            let compressed = try provider.compress(ByteSlice(bytes), codec: codec, level: level, magic: 2)
            #expect(try provider.decompress(ByteSlice(compressed), codec: codec, magic: 2, limit: bytes.count) == bytes,
                    "\(codec) level \(level)")
        }
    }

    @Test("a slice in the middle of a larger buffer compresses only its own bytes", arguments: compressingCodecs)
    func slices(codec: CompressionCodec) throws {
        let whole = ByteSlice(TestData.mixed(10_000))
        let middle = whole.slice(1000..<9000)
        let compressed = try provider.compress(middle, codec: codec, level: nil, magic: 2)
        let framed = ByteSlice([0xEE, 0xEE] + compressed + [0xEE]).slice(2..<(2 + compressed.count))
        #expect(try provider.decompress(framed, codec: codec, magic: 2, limit: 8000) == middle.array)
    }

    @Test("levels outside a codec's range are refused")
    func unsupportedLevels() {
        let data = ByteSlice(TestData.small)
        let refused: [(CompressionCodec, Int)] = [(.gzip, 0), (.gzip, 10), (.gzip, -1), (.lz4, 0), (.lz4, 18),
                                                  (.zstd, 23), (.zstd, Int.min), (.snappy, 1), (.none, 1)]
        for (codec, level) in refused {
            #expect(throws: CompressionError(codec: codec, kind: .unsupportedLevel(
                level, supported: KafkaCompressionProvider.supportedLevels(for: codec)))) {
                try provider.compress(data, codec: codec, level: level, magic: 2)
            }
        }
    }

    @Test("Kafka's level ranges")
    func levelRanges() {
        #expect(KafkaCompressionProvider.supportedLevels(for: .gzip) == 1...9)
        #expect(KafkaCompressionProvider.supportedLevels(for: .lz4) == 1...17)
        #expect(KafkaCompressionProvider.supportedLevels(for: .zstd) == -131_072...22)
        #expect(KafkaCompressionProvider.supportedLevels(for: .snappy) == nil)
        #expect(KafkaCompressionProvider.supportedLevels(for: .none) == nil)
    }

    @Test("one provider used from many tasks at once")
    func concurrentUse() async throws {
        let payload = TestData.mixed(300_000)
        let results = try await withThrowingTaskGroup(of: Bool.self) { group in
            for task in 0..<16 {
                group.addTask {
                    let codec = compressingCodecs[task % compressingCodecs.count]
                    var ok = true
                    for round in 0..<4 {
                        let bytes = Array(payload.dropFirst(task * 1000 + round))
                        let compressed = try provider.compress(ByteSlice(bytes), codec: codec, level: nil, magic: 2)
                        let back = try provider.decompress(ByteSlice(compressed), codec: codec, magic: 2,
                                                           limit: bytes.count)
                        ok = ok && back == bytes
                    }
                    return ok
                }
            }
            var all: [Bool] = []
            for try await result in group { all.append(result) }
            return all
        }
        #expect(results.count == 16)
        #expect(results.allSatisfy { $0 })
    }
}
