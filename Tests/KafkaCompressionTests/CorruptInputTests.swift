import KafkaCompression
import KafkaWire
import Testing

@Suite("Corrupt and truncated input")
struct CorruptInputTests {
    /// Every strict prefix of a compressed payload throws `corruptCompressedData` naming the codec.
    /// The xerial snappy framing has no end marker, so there a prefix ending exactly on a block
    /// boundary may decode, but only to a prefix of the original.
    @Test("every strict prefix throws", arguments: compressingCodecs, [Int8(0), 2])
    func everyPrefix(codec: CompressionCodec, magic: Int8) throws {
        let original = TestData.mixed(3000)
        let compressed = try provider.compress(ByteSlice(original), codec: codec, level: nil, magic: magic)
        for length in 0..<compressed.count {
            let prefix = ByteSlice(Array(compressed.prefix(length)))
            do {
                let output = try provider.decompress(prefix, codec: codec, magic: magic, limit: 1 << 20)
                let onBoundary = codec == .snappy && output.count % SnappyBlock.size == 0
                #expect(onBoundary && Array(original.prefix(output.count)) == output,
                        "\(codec) prefix of \(length) bytes decoded to \(output.count) bytes")
            } catch let error as WireDecodingError {
                #expect(error.corruptionReason?.hasPrefix("\(codec): ") == true,
                        "\(codec) prefix \(length): \(error)")
                #expect(error.offset == 0)
            }
        }
    }

    @Test("every prefix of the known vectors throws, never traps", arguments: KnownVectors.all.indices)
    func vectorPrefixes(index: Int) {
        let vector = KnownVectors.all[index]
        let bytes = hex(vector.hex)
        for length in 0..<bytes.count {
            // A xerial prefix on a block boundary is still a valid stream.
            _ = try? provider.decompress(ByteSlice(Array(bytes.prefix(length))), codec: vector.codec,
                                         magic: vector.magic, limit: 1 << 20)
        }
    }

    @Test("flipping any byte never traps (and checksummed formats notice)", arguments: compressingCodecs)
    func byteFlips(codec: CompressionCodec) throws {
        let original = TestData.mixed(2000)
        let compressed = try provider.compress(ByteSlice(original), codec: codec, level: nil, magic: 2)
        var changedOrRejected = 0
        for index in compressed.indices {
            for mask: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = compressed
                damaged[index] ^= mask
                if let output = try? provider.decompress(ByteSlice(damaged), codec: codec, magic: 2, limit: 1 << 20),
                   output == original {
                    continue
                }
                changedOrRejected += 1
            }
        }
        // gzip carries a CRC-32 of the content: no damage gets through unnoticed. (Some damage to
        // header fields such as the mtime or OS byte is harmless, so count, don't require all.)
        #expect(changedOrRejected > compressed.count, "\(codec): \(changedOrRejected) of \(compressed.count * 3)")
    }

    @Test("random garbage never traps", arguments: CompressionCodec.allCases)
    func garbage(codec: CompressionCodec) {
        for size in [1, 2, 3, 4, 7, 8, 15, 16, 17, 20, 64, 1000, 70_000] {
            for seed in 0..<8 {
                let bytes = TestData.random(size, seed: dataSeed &+ UInt64(seed * 1000 + size))
                _ = try? provider.decompress(ByteSlice(bytes), codec: codec, magic: 0, limit: 1 << 20)
                _ = try? provider.decompress(ByteSlice(bytes), codec: codec, magic: 2, limit: 1 << 20)
            }
        }
        // And garbage behind each format's magic number, which gets past the first check.
        let magics: [[UInt8]] = [[0x1F, 0x8B, 0x08, 0x00], [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40],
                                 [0x28, 0xB5, 0x2F, 0xFD], SnappyBlock.xerialMagic]
        for magic in magics {
            for seed in 0..<32 {
                let bytes = magic + TestData.random(seed * 3, seed: UInt64(seed))
                _ = try? provider.decompress(ByteSlice(bytes), codec: codec, magic: 0, limit: 1 << 20)
                _ = try? provider.decompress(ByteSlice(bytes), codec: codec, magic: 2, limit: 1 << 20)
            }
        }
    }

    @Test("empty input is corrupt for every compressing codec", arguments: compressingCodecs)
    func emptyInput(codec: CompressionCodec) {
        let error = decodingError("\(codec) empty") {
            try provider.decompress(ByteSlice(), codec: codec, magic: 2, limit: 100)
        }
        #expect(error?.corruptionReason == "\(codec): empty input")
    }

    @Test("bytes after the end of the stream are corrupt", arguments: compressingCodecs)
    func trailingBytes(codec: CompressionCodec) throws {
        let compressed = try provider.compress(ByteSlice(TestData.small), codec: codec, level: nil, magic: 2)
        for tail: [UInt8] in [[0x00], [0x41, 0x42, 0x43], [0x1F], Array(repeating: 0xAB, count: 9)] {
            if codec == .snappy && tail.count >= 4 { continue }  // would read as another xerial block length
            let error = decodingError("\(codec) + \(tail.count) trailing bytes") {
                try provider.decompress(ByteSlice(compressed + tail), codec: codec, magic: 2, limit: 1 << 20)
            }
            #expect(error?.corruptionReason?.hasPrefix("\(codec): ") == true, "\(String(describing: error))")
        }
    }
}

/// Facts about the xerial framing the tests rely on (the codec's constants are internal).
enum SnappyBlock {
    static let size = 32 * 1024
    static let xerialMagic: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00]
}
