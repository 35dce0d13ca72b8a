import KafkaWire
import Testing

/// The primitive types against reference values, edges, and seeded random round trips.
@Suite("Primitives")
struct PrimitivesTests {
    /// Reference encodings from the protocol guide's rules (and Kafka's ByteUtilsTest values).
    static let unsignedVarints: [(UInt32, [UInt8])] = [
        (0, [0x00]), (1, [0x01]), (127, [0x7F]), (128, [0x80, 0x01]), (300, [0xAC, 0x02]),
        (16_383, [0xFF, 0x7F]), (16_384, [0x80, 0x80, 0x01]), (2_097_151, [0xFF, 0xFF, 0x7F]),
        (2_097_152, [0x80, 0x80, 0x80, 0x01]), (268_435_455, [0xFF, 0xFF, 0xFF, 0x7F]),
        (268_435_456, [0x80, 0x80, 0x80, 0x80, 0x01]), (UInt32.max, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
    ]

    @Test func unsignedVarintReferenceValues() throws {
        for (value, bytes) in Self.unsignedVarints {
            var writer = ByteWriter()
            writer.writeUnsignedVarint(value)
            #expect(writer.bytes == bytes, "\(value)")
            var reader = ByteReader(bytes)
            #expect(try reader.readUnsignedVarint() == value)
            #expect(reader.isAtEnd)
            #expect(ByteWriter.unsignedVarintSize(UInt64(value)) == bytes.count)
        }
    }

    /// Zig-zag maps 0, -1, 1, -2, 2, ... to 0, 1, 2, 3, 4, ...; the extremes use all 5 or 10 bytes.
    @Test func zigZagEdges() throws {
        let varints: [(Int32, [UInt8])] = [
            (0, [0x00]), (-1, [0x01]), (1, [0x02]), (-2, [0x03]), (2, [0x04]), (-64, [0x7F]), (64, [0x80, 0x01]),
            (Int32.max, [0xFE, 0xFF, 0xFF, 0xFF, 0x0F]), (Int32.min, [0xFF, 0xFF, 0xFF, 0xFF, 0x0F]),
        ]
        for (value, bytes) in varints {
            var writer = ByteWriter()
            writer.writeVarint(value)
            #expect(writer.bytes == bytes, "varint \(value)")
            var reader = ByteReader(bytes)
            #expect(try reader.readVarint() == value)
            #expect(ByteWriter.varintSize(value) == bytes.count)
        }
        let varlongs: [(Int64, [UInt8])] = [
            (0, [0x00]), (-1, [0x01]), (1, [0x02]), (150, [0xAC, 0x02]),
            (Int64.max, [0xFE, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
            (Int64.min, [0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01]),
        ]
        for (value, bytes) in varlongs {
            var writer = ByteWriter()
            writer.writeVarlong(value)
            #expect(writer.bytes == bytes, "varlong \(value)")
            var reader = ByteReader(bytes)
            #expect(try reader.readVarlong() == value)
            #expect(ByteWriter.varlongSize(value) == bytes.count)
        }
    }

    @Test func overlongVarintsAreMalformed() {
        // Six bytes for a 32-bit varint, eleven for a 64-bit one, and a fifth byte with bits past 32.
        for bytes: [UInt8] in [[0x80, 0x80, 0x80, 0x80, 0x80, 0x01], [0xFF, 0xFF, 0xFF, 0xFF, 0x1F]] {
            var reader = ByteReader(bytes)
            #expect(throws: WireDecodingError(.malformedVarint, at: 0)) { _ = try reader.readUnsignedVarint() }
        }
        var long = ByteReader([UInt8](repeating: 0x80, count: 10) + [0x01])
        #expect(throws: WireDecodingError(.malformedVarint, at: 0)) { _ = try long.readVarlong() }
        var tenth = ByteReader([UInt8](repeating: 0xFF, count: 9) + [0x02])
        #expect(throws: WireDecodingError(.malformedVarint, at: 0)) { _ = try tenth.readUnsignedVarlong() }
    }

    @Test func truncatedVarintsSayHowManyBytesWereMissing() {
        var reader = ByteReader([0x80, 0x80])
        #expect(throws: WireDecodingError(.truncated(needed: 3, available: 2), at: 0)) { _ = try reader.readUnsignedVarint() }
    }

    /// Random values round-trip through every integer primitive; the seed is printed so a failure replays.
    @Test func seededRoundTrips() throws {
        let seed = UInt64.random(in: 0...UInt64.max)
        print("PrimitivesTests.seededRoundTrips seed \(seed)")
        var rng = SplitMix64(seed: seed)
        for _ in 0..<5_000 {
            let raw = rng.next()
            // Bias toward edges: small magnitudes, then full width.
            let shift = UInt64(rng.next() % 64)
            let value = Int64(bitPattern: raw >> shift)
            var writer = ByteWriter()
            writer.writeVarlong(value)
            writer.writeVarint(Int32(truncatingIfNeeded: value))
            writer.writeUnsignedVarint(UInt32(truncatingIfNeeded: raw >> shift))
            writer.writeInt64(value)
            writer.writeInt32(Int32(truncatingIfNeeded: value))
            writer.writeInt16(Int16(truncatingIfNeeded: value))
            writer.writeUInt32(UInt32(truncatingIfNeeded: raw))
            writer.writeFloat64(Double(bitPattern: raw))
            var reader = ByteReader(writer.bytes)
            #expect(try reader.readVarlong() == value, "seed \(seed)")
            #expect(try reader.readVarint() == Int32(truncatingIfNeeded: value), "seed \(seed)")
            #expect(try reader.readUnsignedVarint() == UInt32(truncatingIfNeeded: raw >> shift), "seed \(seed)")
            #expect(try reader.readInt64() == value)
            #expect(try reader.readInt32() == Int32(truncatingIfNeeded: value))
            #expect(try reader.readInt16() == Int16(truncatingIfNeeded: value))
            #expect(try reader.readUInt32() == UInt32(truncatingIfNeeded: raw))
            #expect(try reader.readFloat64().bitPattern == raw)
            #expect(reader.isAtEnd)
        }
    }

    @Test func stringsInEveryForm() throws {
        var writer = ByteWriter()
        try writer.writeString("héllo")
        try writer.writeNullableString(nil)
        try writer.writeCompactString("")
        try writer.writeCompactNullableString(nil)
        try writer.writeCompactNullableString("kafka")
        #expect(writer.bytes == [0, 6] + Array("héllo".utf8) + [0xFF, 0xFF] + [0x01] + [0x00] + [0x06] + Array("kafka".utf8))
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readString() == "héllo")
        #expect(try reader.readNullableString() == nil)
        #expect(try reader.readCompactString() == "")
        #expect(try reader.readCompactNullableString() == nil)
        #expect(try reader.readCompactNullableString() == "kafka")
    }

    @Test func hostileLengthsThrowTheirNamedKind() {
        // -2 is never a length; -1 is null, refused where null is not allowed.
        var negative = ByteReader([0xFF, 0xFE])
        #expect(throws: WireDecodingError(.negativeLength(-2), at: 0)) { _ = try negative.readString() }
        var null = ByteReader([0xFF, 0xFF])
        #expect(throws: WireDecodingError(.unexpectedNull, at: 0)) { _ = try null.readString() }
        var long = ByteReader([0x00, 0x10, 0x41])
        #expect(throws: WireDecodingError(.lengthExceedsRemaining(length: 16, remaining: 1), at: 0)) { _ = try long.readString() }
        var bytes = ByteReader([0x7F, 0xFF, 0xFF, 0xFF])
        #expect(throws: WireDecodingError(.lengthExceedsRemaining(length: Int(Int32.max), remaining: 0), at: 0)) { _ = try bytes.readBytes() }
        var array = ByteReader([0x00, 0x00, 0x10, 0x00, 1, 2, 3])
        #expect(throws: WireDecodingError(.lengthExceedsRemaining(length: 4096, remaining: 3), at: 0)) {
            _ = try array.readArrayCount(nullable: false)
        }
        var compactArray = ByteReader([0xFF, 0xFF, 0xFF, 0xFF, 0x0F])
        #expect(throws: WireDecodingError.self) { _ = try compactArray.readCompactArrayCount(nullable: true) }
        var utf8 = ByteReader([0x00, 0x02, 0xC3, 0x28])
        #expect(throws: WireDecodingError(.invalidUTF8, at: 0)) { _ = try utf8.readString() }
    }

    @Test func uuidsPrintAndParseInTheCanonicalForm() throws {
        let uuid = KafkaUUID(high: 0x0123_4567_89AB_CDEF, low: 0xFEDC_BA98_7654_3210)
        #expect(uuid.description == "01234567-89ab-cdef-fedc-ba9876543210")
        #expect(KafkaUUID("01234567-89AB-CDEF-FEDC-BA9876543210") == uuid)
        #expect(KafkaUUID("01234567-89ab-cdef-fedc-ba987654321") == nil)
        #expect(KafkaUUID("0123456789abcdeffedcba9876543210") == nil)
        var writer = ByteWriter()
        writer.writeUUID(uuid)
        var reader = ByteReader(writer.bytes)
        #expect(try reader.readUUID() == uuid)
    }

    @Test func versionRangesReadTheSpecNotation() {
        #expect(Versions(parsing: "3+") == Versions(3))
        #expect(Versions(parsing: "0-4") == Versions(0, through: 4))
        #expect(Versions(parsing: "5") == Versions(5, through: 5))
        #expect(Versions(parsing: "none")?.isEmpty == true)
        #expect(Versions(parsing: "x") == nil)
        #expect(Versions(2, through: 4).contains(3) && !Versions(2, through: 4).contains(5))
    }

    @Test func errorCodesCoverKafkasTable() {
        #expect(ErrorCode.allKnown.count == 129)
        #expect(ErrorCode.notLeaderOrFollower.name == "NOT_LEADER_OR_FOLLOWER" && ErrorCode.notLeaderOrFollower.isRetriable)
        #expect(!ErrorCode.topicAuthorizationFailed.isRetriable)
        let unknown = ErrorCode(rawValue: 9_999)
        #expect(unknown.name == "UNKNOWN_CODE_9999" && !unknown.isRetriable && !unknown.isKnown)
    }
}
