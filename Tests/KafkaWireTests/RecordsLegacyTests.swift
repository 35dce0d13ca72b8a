import KafkaWire
import Testing

/// Magic 0: offset 5, null key, value "abc"; CRC-32 computed separately (zlib).
let goldenMessageV0Hex = "0000000000000005 00000011 43dc3faf 00 00 ffffffff 00000003 616263"
/// Magic 1: offset 7, create time 1,700,000,000,000, key "k", value "v".
let goldenMessageV1Hex = "0000000000000007 00000018 39268c33 01 00 0000018bcfe56800 00000001 6b 00000001 76"

/// A legacy message around a raw body (magic onwards), with a correct size and CRC-32.
func legacyMessage(offset: Int64, body: [UInt8]) -> [UInt8] {
    func be<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    return be(offset) + be(Int32(body.count + 4)) + be(CRC32.checksum(of: body)) + body
}

func xor(_ bytes: [UInt8]) -> [UInt8] { bytes.map { $0 ^ 0x5A } }

let testOptions = RecordDecodingOptions(compressionProvider: TestCompressionProvider())

/// Decodes a message set that must hold exactly one entry of legacy messages.
func legacyEntry(_ bytes: [UInt8], options: RecordDecodingOptions = testOptions) throws -> [LegacyMessage] {
    let set = try RecordSet(decoding: bytes, options: options)
    #expect(set.entries.count == 1 && set.incompleteTail == nil)
    guard case let .legacy(messages)? = set.entries.first else {
        Issue.record("not a legacy entry")
        return []
    }
    return messages
}

@Suite("Records: legacy message sets (magic 0 and 1)")
struct RecordsLegacyTests {
    let t: Int64 = 1_700_000_000_000

    @Test("golden magic-0 message decodes and re-encodes")
    func goldenV0() throws {
        let bytes = hexBytes(goldenMessageV0Hex)
        let message = try LegacyMessage(decoding: ByteSlice(bytes))
        #expect(message.offset == 5 && message.magic == 0 && message.crc == 0x43DC_3FAF)
        #expect(message.attributes == LegacyMessage.Attributes() && message.timestamp == nil)
        #expect(message.key == nil && message.value?.utf8String == "abc")
        #expect(isView(try #require(message.value), of: bytes))
        #expect(try message.encoded() == bytes)
        #expect(try LegacyMessage(offset: 5, magic: 0, timestamp: nil, key: nil, value: .utf8("abc")).encoded() == bytes)
        let flat = message.fetchedRecord
        #expect(flat.timestamp == RecordBatch.noTimestamp && flat.timestampType == nil && flat.batch.magic == 0)
        #expect(flat.batch.producerID == RecordBatch.noProducerID && !flat.batch.isTransactional)
    }

    @Test("golden magic-1 message decodes and re-encodes")
    func goldenV1() throws {
        let bytes = hexBytes(goldenMessageV1Hex)
        let message = try LegacyMessage(decoding: ByteSlice(bytes))
        #expect(message.offset == 7 && message.magic == 1 && message.crc == 0x3926_8C33)
        #expect(message.timestamp == t && message.attributes.timestampType == .createTime)
        #expect(message.key?.utf8String == "k" && message.value?.utf8String == "v")
        #expect(try message.encoded() == bytes)
        #expect(message.fetchedRecord.timestampType == .createTime && message.fetchedRecord.timestamp == t)
    }

    @Test("every strict prefix throws; a trailing byte throws")
    func prefixes() {
        for hex in [goldenMessageV0Hex, goldenMessageV1Hex] {
            let bytes = hexBytes(hex)
            for length in 0..<bytes.count {
                #expect(throws: WireDecodingError.self, "prefix \(length)") {
                    _ = try LegacyMessage(decoding: ByteSlice(Array(bytes[..<length])))
                }
            }
            expectDecodingError("trailingBytes") { _ = try LegacyMessage(decoding: ByteSlice(bytes + [0])) }
        }
    }

    @Test("CRC-32 (not CRC-32C) is verified, at the CRC's offset")
    func crc() throws {
        var bytes = hexBytes(goldenMessageV0Hex)
        bytes[bytes.count - 1] ^= 0x20
        do {
            _ = try LegacyMessage(decoding: ByteSlice(bytes))
            Issue.record("expected a CRC mismatch")
        } catch {
            #expect(error.kind == .crcMismatch(expected: 0x43DC_3FAF, actual: CRC32.checksum(of: Array(bytes[16...]))))
            #expect(error.offset == 12)
        }
        #expect(try LegacyMessage(decoding: ByteSlice(bytes), options: RecordDecodingOptions(verifyChecksums: false))
                    .value?.utf8String == "abC")
    }

    @Test("hostile fields throw the named kind")
    func hostile() {
        func decode(_ bytes: [UInt8]) throws { _ = try LegacyMessage(decoding: ByteSlice(bytes)) }
        var negative = hexBytes(goldenMessageV0Hex)
        negative[8...11] = [0xFF, 0xFF, 0xFF, 0xFF]
        expectDecodingError("negativeLength") { try decode(negative) }
        var small = hexBytes(goldenMessageV0Hex)
        small[8...11] = [0, 0, 0, 13]
        expectDecodingError("invalidValue") { try decode(small) }
        expectDecodingError("unsupportedMagic") { try decode(legacyMessage(offset: 0, body: [2, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF])) }
        expectDecodingError("negativeLength", "key -2") {
            try decode(legacyMessage(offset: 0, body: [0, 0, 0xFF, 0xFF, 0xFF, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF]))
        }
        expectDecodingError("lengthExceedsRemaining", "value 0x7fffffff") {
            try decode(legacyMessage(offset: 0, body: [0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F, 0xFF, 0xFF, 0xFF]))
        }
        expectDecodingError("truncated", "magic 1 without room for the timestamp") {
            try decode(legacyMessage(offset: 0, body: [1, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]))
        }
        expectDecodingError("unknownCompressionCodec") {
            try decode(legacyMessage(offset: 0, body: [0, 6, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]))
        }
    }

    @Test("encoding checks magic and timestamp presence")
    func encodeChecks() {
        #expect(throws: WireEncodingError.self) { _ = try LegacyMessage(offset: 0, magic: 0, timestamp: 1, key: nil, value: nil).encoded() }
        #expect(throws: WireEncodingError.self) { _ = try LegacyMessage(offset: 0, magic: 1, timestamp: nil, key: nil, value: nil).encoded() }
        #expect(throws: WireEncodingError.self) { _ = try LegacyMessage(offset: 0, magic: 2, timestamp: 1, key: nil, value: nil).encoded() }
    }

    @Test("attributes keep undefined bits")
    func attributes() throws {
        let raw = Int8(bitPattern: 0xF9)
        let attributes = try LegacyMessage.Attributes(rawValue: raw, at: 0)
        #expect(attributes.compression == .gzip && attributes.timestampType == .logAppendTime)
        #expect(attributes.unknownBits == Int8(bitPattern: 0xF0) && attributes.rawValue == raw)
    }

    /// The inner set of a magic-1 wrapper as a producer writes it: relative offsets 0, 1, 2.
    var innerV1: [UInt8] {
        handLegacyMessage(offset: 0, magic: 1, attributes: 0, timestamp: t, key: Array("a".utf8), value: Array("1".utf8))
            + handLegacyMessage(offset: 1, magic: 1, attributes: 0, timestamp: t + 1, key: nil, value: Array("2".utf8))
            + handLegacyMessage(offset: 2, magic: 1, attributes: 0, timestamp: t + 2, key: Array("c".utf8), value: nil)
    }

    @Test("magic-1 compressed wrapper: relative inner offsets become absolute (KIP-31)")
    func wrapperV1() throws {
        let wrapper = handLegacyMessage(offset: 102, magic: 1, attributes: 1, timestamp: t + 2, key: nil, value: xor(innerV1))
        let messages = try legacyEntry(wrapper)
        #expect(messages.map(\.offset) == [100, 101, 102])
        #expect(messages.map(\.timestamp) == [t, t + 1, t + 2])
        #expect(messages.map { $0.key?.utf8String } == ["a", nil, "c"])
        #expect(messages.map { $0.value?.utf8String } == ["1", "2", nil])
        #expect(messages.allSatisfy { $0.attributes.compression == .none && $0.attributes.timestampType == .createTime })
        let set = try RecordSet(decoding: wrapper, options: testOptions)
        #expect(set.entries.first?.lastOffset == 102 && set.nextOffset == 103)
        #expect(set.fetchedRecords.map(\.offset) == [100, 101, 102])
    }

    @Test("magic-1 wrapper with log-append time: the inner messages take the wrapper's timestamp")
    func wrapperLogAppendTime() throws {
        let wrapper = handLegacyMessage(offset: 12, magic: 1, attributes: 0x09, timestamp: 9999, key: nil, value: xor(innerV1))
        let messages = try legacyEntry(wrapper)
        #expect(messages.map(\.offset) == [10, 11, 12])
        #expect(messages.allSatisfy { $0.timestamp == 9999 && $0.attributes.timestampType == .logAppendTime })
        #expect(messages.allSatisfy { $0.fetchedRecord.timestampType == .logAppendTime })
    }

    @Test("magic-1 wrapper at offset 0 (unset by some producers) keeps the relative offsets")
    func wrapperOffsetZero() throws {
        let wrapper = handLegacyMessage(offset: 0, magic: 1, attributes: 1, timestamp: t, key: nil, value: xor(innerV1))
        #expect(try legacyEntry(wrapper).map(\.offset) == [0, 1, 2])
    }

    @Test("magic-0 compressed wrapper: inner offsets are already absolute")
    func wrapperV0() throws {
        let inner = handLegacyMessage(offset: 50, magic: 0, attributes: 0, timestamp: nil, key: nil, value: Array("x".utf8))
            + handLegacyMessage(offset: 51, magic: 0, attributes: 0, timestamp: nil, key: nil, value: Array("y".utf8))
        let wrapper = handLegacyMessage(offset: 51, magic: 0, attributes: 3, timestamp: nil, key: nil, value: inner)  // lz4 = identity
        let messages = try legacyEntry(wrapper)
        #expect(messages.map(\.offset) == [50, 51])
        #expect(messages.map { $0.value?.utf8String } == ["x", "y"])
        #expect(messages.allSatisfy { $0.fetchedRecord.timestampType == nil })
    }

    @Test("broken wrappers throw the named kind")
    func brokenWrappers() throws {
        func wrap(_ inner: [UInt8], offset: Int64 = 102, attributes: Int8 = 1) -> [UInt8] {
            handLegacyMessage(offset: offset, magic: 1, attributes: attributes, timestamp: t, key: nil, value: xor(inner))
        }
        expectDecodingError("invalidValue", "wrapper offset below the last inner offset") { _ = try legacyEntry(wrap(innerV1, offset: 1)) }
        expectDecodingError("invalidValue", "nested compression") {
            _ = try legacyEntry(wrap(handLegacyMessage(offset: 0, magic: 1, attributes: 1, timestamp: t, key: nil, value: [])))
        }
        expectDecodingError("invalidValue", "no inner messages") { _ = try legacyEntry(wrap([])) }
        expectDecodingError("truncated", "partial inner message") { _ = try legacyEntry(wrap(Array(innerV1.dropLast()))) }
        expectDecodingError("crcMismatch", "corrupt inner message") {
            var inner = innerV1
            inner[inner.count - 1] ^= 1
            _ = try legacyEntry(wrap(inner))
        }
        expectDecodingError("unexpectedNull", "null wrapper value") {
            _ = try legacyEntry(handLegacyMessage(offset: 0, magic: 1, attributes: 1, timestamp: t, key: nil, value: nil))
        }
        expectDecodingError("invalidValue", "zstd in a legacy wrapper") { _ = try legacyEntry(wrap(innerV1, attributes: 4)) }
        expectDecodingError("invalidValue", "no provider") { _ = try legacyEntry(wrap(innerV1), options: RecordDecodingOptions()) }
        expectDecodingError("decompressedSizeExceeded") {
            _ = try legacyEntry(wrap(innerV1), options: RecordDecodingOptions(compressionProvider: TestCompressionProvider(),
                                                                              maxDecompressedSize: 50))
        }
        // An error inside the decompressed set names where the compressed value starts.
        do {
            _ = try legacyEntry(wrap(Array(innerV1.dropLast())))
        } catch let error as WireDecodingError {
            #expect(error.offset == 12 + 4 + 1 + 1 + 8 + 4 + 4)
            #expect(error.field?.contains("decompressed byte") == true)
        }
    }

    @Test("compressedWrapper builds what the decoder expands, at magic 1 and 0", arguments: [Int8(0), 1])
    func wrapperRoundTrip(magic: Int8) throws {
        let messages = (0..<5).map { index in
            LegacyMessage(offset: 1000 + Int64(index), magic: magic, timestamp: magic == 1 ? t + Int64(index) : nil,
                          key: index == 2 ? nil : .utf8("k\(index)"), value: .utf8("value \(index)"))
        }
        let wrapper = try LegacyMessage.compressedWrapper(containing: messages, compression: .gzip,
                                                          compressionProvider: TestCompressionProvider())
        #expect(wrapper.offset == 1004 && wrapper.attributes.compression == .gzip)
        #expect(wrapper.timestamp == (magic == 1 ? t + 4 : nil))
        let decoded = try legacyEntry(wrapper.encoded())
        #expect(decoded == messages)
        #expect(throws: WireEncodingError.self) {
            _ = try LegacyMessage.compressedWrapper(containing: messages, compression: .zstd,
                                                    compressionProvider: TestCompressionProvider())
        }
        #expect(throws: WireEncodingError.self) {
            _ = try LegacyMessage.compressedWrapper(containing: [], compression: .gzip,
                                                    compressionProvider: TestCompressionProvider())
        }
    }
}
