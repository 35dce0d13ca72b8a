@testable import KafkaCompression
import KafkaWire
import Testing

@Suite("Known vectors from other tools")
struct KnownVectorTests {
    @Test("each vector decodes to its payload", arguments: KnownVectors.all)
    func decodes(vector: KnownVectors.Vector) throws {
        let bytes = hex(vector.hex)
        let decoded = try provider.decompress(ByteSlice(bytes), codec: vector.codec, magic: vector.magic,
                                              limit: vector.decoded.count)
        #expect(decoded == vector.decoded)
        let error = decodingError("\(vector.name) under a limit one short") {
            try provider.decompress(ByteSlice(bytes), codec: vector.codec, magic: vector.magic,
                                    limit: vector.decoded.count - 1)
        }
        #expect(error?.isSizeExceeded(limit: vector.decoded.count - 1) == true)
    }

    @Test("the payload is the one the vectors were made from")
    func payload() {
        #expect(KnownVectors.payload.count == 536)
        #expect(XXHash32.hash(KnownVectors.payload) == 0x85BB_429A)  // xxhash.xxh32(payload)
    }

    @Test("two gzip members back to back decode to both contents (gzip CLI on `cat a.gz a.gz`)")
    func gzipMembers() throws {
        let member = hex(KnownVectors.gzipCLI)
        let decoded = try provider.decompress(ByteSlice(member + member), codec: .gzip, magic: 2, limit: 1 << 20)
        #expect(decoded == KnownVectors.payload + KnownVectors.payload)
    }

    @Test("a gzip stream with a damaged CRC-32 is corrupt")
    func gzipChecksum() {
        var bytes = hex(KnownVectors.gzipCLI)
        bytes[bytes.count - 8] ^= 0x01
        let error = decodingError("gzip bad crc") {
            try provider.decompress(ByteSlice(bytes), codec: .gzip, magic: 2, limit: 1 << 20)
        }
        #expect(error?.corruptionReason == "gzip: incorrect data check")
    }

    @Test("zstd frames back to back decode to both contents")
    func zstdFrames() throws {
        let sized = hex(KnownVectors.zstdCLI)
        let streamed = hex(KnownVectors.zstdCLIStreamed)
        let decoded = try provider.decompress(ByteSlice(sized + streamed), codec: .zstd, magic: 2, limit: 1 << 20)
        #expect(decoded == KnownVectors.payload + KnownVectors.payload)
    }

    @Test("what we write for snappy is the xerial framing kafka-python and the Java client write")
    func snappyWritesXerial() throws {
        let ours = try provider.compress(ByteSlice(KnownVectors.payload), codec: .snappy, level: nil, magic: 2)
        let theirs = hex(KnownVectors.snappyXerial)
        #expect(Array(ours.prefix(16)) == Array(theirs.prefix(16)))
        // One block: its big-endian length, then raw snappy that decodes on its own.
        let length = Int(ours[16]) << 24 | Int(ours[17]) << 16 | Int(ours[18]) << 8 | Int(ours[19])
        #expect(length == ours.count - 20)
        let raw = ByteSlice(Array(ours[20...]))
        #expect(try provider.decompress(raw, codec: .snappy, magic: 2, limit: 1 << 20) == KnownVectors.payload)
        // Empty input: the header alone, as snappy-java's SnappyOutputStream writes it.
        let empty = try provider.compress(ByteSlice(), codec: .snappy, level: nil, magic: 2)
        #expect(empty == Array(theirs.prefix(16)))
    }

    @Test("xerial blocks of 32 KiB each")
    func snappyBlocks() throws {
        let bytes = TestData.random(100_000)
        let ours = try provider.compress(ByteSlice(bytes), codec: .snappy, level: nil, magic: 2)
        var offset = 16
        var blocks = 0
        while offset < ours.count {
            let length = Int(ours[offset]) << 24 | Int(ours[offset + 1]) << 16 | Int(ours[offset + 2]) << 8
                | Int(ours[offset + 3])
            let block = ByteSlice(Array(ours[(offset + 4)..<(offset + 4 + length)]))
            let decoded = try provider.decompress(block, codec: .snappy, magic: 2, limit: 1 << 20)
            #expect(decoded == Array(bytes[(blocks * 32768)..<min(bytes.count, (blocks + 1) * 32768)]))
            offset += 4 + length
            blocks += 1
        }
        #expect(blocks == 4 && offset == ours.count)
    }

    @Test("a xerial block whose length runs past the end is corrupt")
    func snappyXerialDamage() {
        var bytes = hex(KnownVectors.snappyXerial)
        bytes[19] &+= 1  // the block length now claims one byte more than is there
        let error = decodingError("xerial long block") {
            try provider.decompress(ByteSlice(bytes), codec: .snappy, magic: 2, limit: 1 << 20)
        }
        #expect(error?.corruptionReason?.hasPrefix("snappy: xerial block of") == true)
        var negative = hex(KnownVectors.snappyXerial)
        negative[16] = 0x80
        #expect(decodingError("xerial negative block") {
            try provider.decompress(ByteSlice(negative), codec: .snappy, magic: 2, limit: 1 << 20)
        }?.corruptionReason?.hasPrefix("snappy: xerial block of -") == true)
    }
}

@Suite("LZ4 frame header checksum and Kafka's magic 0")
struct LZ4MagicZeroTests {
    /// Kafka's own test (`MessageCompressionTest`, 0.10) builds these two frame headers: FLG 0x60
    /// (version 01, independent blocks), BD 0x40 (64 KiB blocks); HC 0x1A for magic 0 and 0x82
    /// (-126) for magic 1.
    @Test("the two HC rules on the Java client's frame descriptor")
    func rule() throws {
        let header = try #require(LZ4Codec.FrameHeader([0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, 0x00]))
        #expect(header.checksumOffset == 6)
        #expect(header.correctChecksum == 0x82)  // (XXH32(60 40) >> 8) & 0xFF, XXH32 = 0x301A8268
        #expect(header.brokenChecksum == 0x1A)  // (XXH32(04 22 4D 18 60 40) >> 8) & 0xFF, XXH32 = 0xC8581A3A
        // With a content size, both hashes cover it and HC moves 8 bytes on.
        let sized = try #require(LZ4Codec.FrameHeader(hex(KnownVectors.lz4KafkaPython)))
        #expect(sized.checksumOffset == 14 && sized.stored == sized.correctChecksum && sized.contentSize == 536)
    }

    @Test("we write the Java client's headers: broken HC for magic 0, correct for 1 and 2")
    func headers() throws {
        for (magic, checksum): (Int8, UInt8) in [(0, 0x1A), (1, 0x82), (2, 0x82)] {
            let frame = try provider.compress(ByteSlice(KnownVectors.payload), codec: .lz4, level: nil, magic: magic)
            #expect(Array(frame.prefix(7)) == [0x04, 0x22, 0x4D, 0x18, 0x60, 0x40, checksum], "magic \(magic)")
        }
    }

    @Test("our magic-0 frame is byte for byte kafka-python's lz4_encode_old_kafka on the same liblz4")
    func sameAsKafkaPython() throws {
        let ours = try provider.compress(ByteSlice(KnownVectors.payload), codec: .lz4, level: nil, magic: 0)
        let theirs = hex(KnownVectors.lz4KafkaPythonOld)
        #expect(Array(ours.prefix(7)) == Array(theirs.prefix(7)))
        // python-lz4 4.4.5 bundles liblz4 1.9.4; another version may choose other matches.
        if LZ4Codec.libraryVersion == 10904 {
            #expect(ours == theirs)
        }
    }

    @Test("magic 0 decodes whatever HC says, like Java's ignoreFlagDescriptorChecksum", arguments: [Int8(0)])
    func magicZeroIgnoresChecksum(magic: Int8) throws {
        var frame = hex(KnownVectors.lz4KafkaPythonOld)
        for checksum in [UInt8(0x1A), 0x82, 0x00, 0xFF] {
            frame[6] = checksum
            #expect(try provider.decompress(ByteSlice(frame), codec: .lz4, magic: magic, limit: 1000)
                == KnownVectors.payload, "HC \(checksum)")
        }
    }

    @Test("magic 1 and 2 accept the correct HC and Kafka's broken one, and nothing else", arguments: [Int8(1), 2])
    func laterMagics(magic: Int8) throws {
        var frame = hex(KnownVectors.lz4KafkaPythonOld)
        for checksum in [UInt8(0x1A), 0x82] {
            frame[6] = checksum
            #expect(try provider.decompress(ByteSlice(frame), codec: .lz4, magic: magic, limit: 1000)
                == KnownVectors.payload)
        }
        frame[6] = 0x83
        let error = decodingError("lz4 HC 0x83 at magic \(magic)") {
            try provider.decompress(ByteSlice(frame), codec: .lz4, magic: magic, limit: 1000)
        }
        #expect(error?.corruptionReason == "lz4: ERROR_headerChecksum_invalid")
    }

    @Test("the broken HC is also recognised when the header has a content size")
    func brokenWithContentSize() throws {
        var frame = hex(KnownVectors.lz4KafkaPython)
        let header = try #require(LZ4Codec.FrameHeader(frame))
        frame[header.checksumOffset] = header.brokenChecksum
        #expect(header.brokenChecksum != header.correctChecksum)
        for magic: Int8 in [0, 1, 2] {
            #expect(try provider.decompress(ByteSlice(frame), codec: .lz4, magic: magic, limit: 1000)
                == KnownVectors.payload)
        }
    }

    @Test("a damaged block checksum and content checksum are caught by liblz4")
    func lz4Checksums() {
        var frame = hex(KnownVectors.lz4CLISized)
        frame[frame.count - 9] ^= 0x01  // inside the block checksum
        #expect(decodingError("lz4 bad block checksum") {
            try provider.decompress(ByteSlice(frame), codec: .lz4, magic: 2, limit: 1000)
        }?.corruptionReason == "lz4: ERROR_blockChecksum_invalid")
        var content = hex(KnownVectors.lz4CLI)
        content[content.count - 1] ^= 0x01
        #expect(decodingError("lz4 bad content checksum") {
            try provider.decompress(ByteSlice(content), codec: .lz4, magic: 2, limit: 1000)
        }?.corruptionReason == "lz4: ERROR_contentChecksum_invalid")
    }
}

@Suite("XXH32")
struct XXHash32Tests {
    /// Reference values from the python `xxhash` package 4.1.0 (`xxhash.xxh32(data, seed).intdigest()`).
    @Test("reference values")
    func reference() {
        let cases: [(String, UInt32, UInt32)] = [
            ("", 0x02CC_5D05, 0x36B7_8AE7),
            ("a", 0x550D_7456, 0x9E16_33E4),
            ("abc", 0x32D1_53FF, 0xA1AE_7709),
            ("0123456789abcdef", 0xC2C4_5B69, 0x72E8_FAF9),
            ("0123456789abcdefg", 0xCC79_B217, 0x498C_0EFA),
        ]
        for (text, unseeded, seeded) in cases {
            #expect(XXHash32.hash(Array(text.utf8)) == unseeded, "\(text)")
            #expect(XXHash32.hash(Array(text.utf8), seed: 0x9E37_79B1) == seeded, "\(text) seeded")
        }
    }
}
