@testable import KafkaCompression
import KafkaWire
import Testing

@Suite("Decompressed size limit")
struct LimitTests {
    static let bombSize = 10 << 20

    @Test("10 MiB of zeros, decompressed with a 1 MiB limit", arguments: compressingCodecs, [Int8(0), 2])
    func zipBomb(codec: CompressionCodec, magic: Int8) throws {
        let zeros = [UInt8](repeating: 0, count: Self.bombSize)
        let bomb = try provider.compress(ByteSlice(zeros), codec: codec, level: nil, magic: magic)
        #expect(bomb.count < Self.bombSize / 20, "\(codec): \(bomb.count) bytes")
        let error = decodingError("\(codec) bomb") {
            try provider.decompress(ByteSlice(bomb), codec: codec, magic: magic, limit: 1 << 20)
        }
        #expect(error?.isSizeExceeded(limit: 1 << 20) == true, "\(codec): \(String(describing: error))")
        // And with room to spare it is just data.
        #expect(try provider.decompress(ByteSlice(bomb), codec: codec, magic: magic, limit: Self.bombSize) == zeros)
    }

    @Test("a zstd frame without a content size (streamed) is capped while streaming")
    func zstdStreamedBomb() throws {
        let bomb = hex(KnownVectors.zstdStreamedZeros)
        let error = decodingError("zstd streamed bomb") {
            try provider.decompress(ByteSlice(bomb), codec: .zstd, magic: 2, limit: 100_000)
        }
        #expect(error?.isSizeExceeded(limit: 100_000) == true)
        let whole = try provider.decompress(ByteSlice(bomb), codec: .zstd, magic: 2, limit: Self.bombSize)
        #expect(whole.count == Self.bombSize && whole.allSatisfy { $0 == 0 })
    }

    @Test("a limit of exactly the size decodes; one byte less does not",
          arguments: CompressionCodec.allCases)
    func exactLimit(codec: CompressionCodec) throws {
        for bytes in [TestData.small, TestData.repetitive(300_000), TestData.random(70_000)] {
            let compressed = try provider.compress(ByteSlice(bytes), codec: codec, level: nil, magic: 2)
            #expect(try provider.decompress(ByteSlice(compressed), codec: codec, magic: 2, limit: bytes.count) == bytes)
            let error = decodingError("\(codec) limit - 1") {
                try provider.decompress(ByteSlice(compressed), codec: codec, magic: 2, limit: bytes.count - 1)
            }
            #expect(error?.isSizeExceeded(limit: bytes.count - 1) == true, "\(codec)")
        }
    }

    @Test("limits around the buffer sizes: the whole payload or decompressedSizeExceeded, nothing between",
          arguments: compressingCodecs)
    func limitsAroundBufferSizes(codec: CompressionCodec) throws {
        let bytes = TestData.mixed(200_000)
        let compressed = ByteSlice(try provider.compress(ByteSlice(bytes), codec: codec, level: nil, magic: 2))
        let chunk = BoundedOutput.minimumCapacity
        for limit in [0, 1, 100, chunk - 1, chunk, chunk + 1, 2 * chunk, 3 * chunk + 7, bytes.count - 1,
                      bytes.count, bytes.count + 1, Int.max] {
            do {
                let output = try provider.decompress(compressed, codec: codec, magic: 2, limit: limit)
                #expect(limit >= bytes.count && output == bytes, "\(codec) limit \(limit)")
            } catch let error as WireDecodingError {
                #expect(limit < bytes.count && error.isSizeExceeded(limit: limit), "\(codec) limit \(limit): \(error)")
            }
        }
    }

    @Test("empty payloads decode under a limit of zero (and a negative limit counts as zero)",
          arguments: CompressionCodec.allCases)
    func zeroLimit(codec: CompressionCodec) throws {
        let compressed = try provider.compress(ByteSlice(), codec: codec, level: nil, magic: 2)
        #expect(try provider.decompress(ByteSlice(compressed), codec: codec, magic: 2, limit: 0) == [])
        #expect(try provider.decompress(ByteSlice(compressed), codec: codec, magic: 2, limit: -5) == [])
        let one = try provider.compress(ByteSlice([7]), codec: codec, level: nil, magic: 2)
        let error = decodingError("\(codec) one byte, limit 0") {
            try provider.decompress(ByteSlice(one), codec: codec, magic: 2, limit: 0)
        }
        #expect(error?.isSizeExceeded(limit: 0) == true)
    }

    @Test("an LZ4 frame that claims a terabyte is not believed")
    func lz4LyingContentSize() throws {
        // Our frame for the small payload, with a content size of 2^40 spliced into its header
        // and the header checksum recomputed, so only the claim is wrong.
        let frame = try provider.compress(ByteSlice(TestData.small), codec: .lz4, level: nil, magic: 2)
        var lying = [0x04, 0x22, 0x4D, 0x18, frame[4] | 0x08, frame[5], 0, 0, 0, 0, 0, 1, 0, 0]
        lying.append(UInt8(truncatingIfNeeded: XXHash32.hash(Array(lying[4...])) >> 8))
        lying += frame[7...]
        let error = decodingError("lz4 lying content size") {
            try provider.decompress(ByteSlice(lying), codec: .lz4, magic: 2, limit: 1 << 30)
        }
        #expect(error?.corruptionReason?.hasPrefix("lz4: ") == true, "\(String(describing: error))")
    }

    @Test("a raw snappy block that claims more than snappy can encode in its size is corrupt")
    func snappyLyingLength() throws {
        // Varint 0xFFFFFFFF, then a literal of one byte.
        let claim: [UInt8] = [0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x00, 0x41]
        let error = decodingError("snappy huge claim") {
            try provider.decompress(ByteSlice(claim), codec: .snappy, magic: 2, limit: Int.max)
        }
        #expect(error?.corruptionReason?.hasPrefix("snappy: ") == true)
        // Under a small limit, a plausible claim beyond the limit is a size error before any work.
        let plausible = try provider.compress(ByteSlice(TestData.repetitive(100_000)), codec: .snappy,
                                              level: nil, magic: 2)
        let exceeded = decodingError("snappy over limit") {
            try provider.decompress(ByteSlice(plausible), codec: .snappy, magic: 2, limit: 50_000)
        }
        #expect(exceeded?.isSizeExceeded(limit: 50_000) == true)
    }

    @Test("none is held to the limit too")
    func noneLimit() throws {
        #expect(try provider.decompress(ByteSlice([1, 2, 3]), codec: .none, magic: 2, limit: 3) == [1, 2, 3])
        let error = decodingError("none over limit") {
            try provider.decompress(ByteSlice([1, 2, 3]), codec: .none, magic: 2, limit: 2)
        }
        #expect(error?.isSizeExceeded(limit: 2) == true)
    }
}
