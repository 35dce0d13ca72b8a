import KafkaWire
import Testing

/// A two-record batch derived by hand from implementation.html (CRC-32C computed separately):
/// baseOffset 0, producer fields unset, base timestamp 1,700,000,000,000 ms;
/// record 0: key "k", value "v1"; record 1: +5 ms, null key, value "hello", header "h" = null.
let goldenBatchHex = """
    0000000000000000 0000004a ffffffff 02 fb10873d
    0000 00000001 0000018bcfe56800 0000018bcfe56805 ffffffffffffffff ffff ffffffff 00000002
    12 00 00 00 02 6b 04 7631 00
    1c 00 0a 02 01 0a 68656c6c6f 02 02 68 01
    """
let goldenTimestamp: Int64 = 1_700_000_000_000

let goldenBatch = RecordBatch(
    baseOffset: 0, partitionLeaderEpoch: -1, lastOffsetDelta: 1,
    baseTimestamp: goldenTimestamp, maxTimestamp: goldenTimestamp + 5,
    records: [
        Record(offsetDelta: 0, key: .utf8("k"), value: .utf8("v1")),
        Record(timestampDelta: 5, offsetDelta: 1, key: nil, value: .utf8("hello"),
               headers: [RecordHeader(key: "h", value: nil)]),
    ])

/// Recomputes the CRC-32C of a (deliberately modified) v2 batch, so a test reaches the check it targets.
func resealed(_ batch: [UInt8]) -> [UInt8] {
    var bytes = batch
    let crc = CRC32C.checksum(of: Array(bytes[21...]))
    bytes[17] = UInt8(crc >> 24)
    bytes[18] = UInt8((crc >> 16) & 0xFF)
    bytes[19] = UInt8((crc >> 8) & 0xFF)
    bytes[20] = UInt8(crc & 0xFF)
    return bytes
}

/// Overwrites a big-endian integer at `at` and reseals, optionally fixing the batch length too.
func patched<T: FixedWidthInteger>(_ batch: [UInt8], at: Int, _ value: T, fixLength: Bool = false) -> [UInt8] {
    var bytes = batch
    withUnsafeBytes(of: value.bigEndian) { bytes.replaceSubrange(at..<(at + MemoryLayout<T>.size), with: $0) }
    if fixLength {
        withUnsafeBytes(of: Int32(bytes.count - 12).bigEndian) { bytes.replaceSubrange(8..<12, with: $0) }
    }
    return resealed(bytes)
}

/// A batch whose records section is replaced by `records` (count `count`), length and CRC fixed.
func batchWithRawRecords(_ records: [UInt8], count: Int32, attributes: Int16 = 0) -> [UInt8] {
    let header = Array(hexBytes(goldenBatchHex)[..<61])
    var bytes = patched(header + records, at: 57, count, fixLength: true)
    bytes = patched(bytes, at: 21, attributes)
    return bytes
}

@Suite("Records: v2 record batches")
struct RecordsBatchTests {
    @Test("golden batch decodes field by field")
    func goldenDecode() throws {
        let bytes = hexBytes(goldenBatchHex)
        #expect(bytes.count == 86)
        let batch = try RecordBatch(decoding: bytes)
        #expect(batch.baseOffset == 0)
        #expect(batch.batchLength == 74)
        #expect(batch.partitionLeaderEpoch == RecordBatch.noPartitionLeaderEpoch)
        #expect(batch.magic == 2)
        #expect(batch.crc == 0xFB10_873D)
        #expect(batch.attributes == RecordBatch.Attributes())
        #expect(batch.attributes.rawValue == 0)
        #expect(batch.lastOffsetDelta == 1)
        #expect(batch.baseTimestamp == goldenTimestamp)
        #expect(batch.maxTimestamp == goldenTimestamp + 5)
        #expect(batch.producerID == RecordBatch.noProducerID)
        #expect(batch.producerEpoch == RecordBatch.noProducerEpoch)
        #expect(batch.baseSequence == RecordBatch.noSequence)
        #expect(batch.records.count == 2)
        #expect(batch == goldenBatch)
        #expect(batch.records[0].key?.utf8String == "k")
        #expect(batch.records[1].key == nil)
        #expect(batch.records[1].headers == [RecordHeader(key: "h", value: nil)])
        #expect(batch.lastOffset == 1)
        #expect(batch.nextOffset == 2)

        let flat = batch.fetchedRecords
        #expect(flat.map(\.offset) == [0, 1])
        #expect(flat.map(\.timestamp) == [goldenTimestamp, goldenTimestamp + 5])
        #expect(flat.allSatisfy { $0.timestampType == .createTime && !$0.batch.isControl && $0.batch.magic == 2 })
    }

    @Test("golden batch encodes byte for byte, from a value and from the encoder")
    func goldenEncode() throws {
        let golden = hexBytes(goldenBatchHex)
        #expect(try goldenBatch.encoded() == golden)

        var encoder = try RecordBatchEncoder()
        try encoder.append(timestamp: goldenTimestamp, key: .utf8("k"), value: .utf8("v1"))
        try encoder.append(timestamp: goldenTimestamp + 5, key: nil, value: .utf8("hello"),
                           headers: [RecordHeader(key: "h", value: nil)])
        #expect(encoder.recordCount == 2)
        #expect(encoder.uncompressedSize == golden.count)
        #expect(try encoder.finish() == golden)
    }

    @Test("decoded keys, values and header values are views of the input, not copies")
    func zeroCopy() throws {
        let bytes = try RecordBatch(records: [
            Record(offsetDelta: 0, key: .utf8("key"), value: .utf8("value"),
                   headers: [RecordHeader(key: "h", value: .utf8("header value"))]),
        ]).encoded()
        let batch = try RecordBatch(decoding: ByteSlice(bytes))
        let record = try #require(batch.records.first)
        #expect(isView(try #require(record.key), of: bytes))
        #expect(isView(try #require(record.value), of: bytes))
        #expect(isView(try #require(record.headers.first?.value), of: bytes))
    }

    @Test("round trips: null and empty keys and values, headers with null values, duplicate header keys")
    func roundTripNulls() throws {
        let batch = RecordBatch(
            baseOffset: 42, partitionLeaderEpoch: 7,
            attributes: RecordBatch.Attributes(isTransactional: true),
            baseTimestamp: 1000, producerID: 9_000_000_001, producerEpoch: 3, baseSequence: 17,
            records: [
                Record(offsetDelta: 0, key: nil, value: nil),
                Record(timestampDelta: -3, offsetDelta: 1, key: ByteSlice(), value: ByteSlice()),
                Record(timestampDelta: 1 << 40, offsetDelta: 5, key: .utf8("k"), value: nil, headers: [
                    RecordHeader(key: "a", value: nil),
                    RecordHeader(key: "a", value: ByteSlice()),
                    RecordHeader(key: "", value: .utf8("x")),
                    RecordHeader(key: "ünïcødé 🎉", value: .utf8("v")),
                ]),
            ])
        #expect(batch.lastOffsetDelta == 5)
        let bytes = try batch.encoded()
        let decoded = try RecordBatch(decoding: bytes)
        #expect(decoded == batch)
        #expect(decoded.records[0].key == nil && decoded.records[0].value == nil)
        #expect(decoded.records[1].key == ByteSlice() && decoded.records[1].value == ByteSlice())
        #expect(try decoded.encoded() == bytes)
        #expect(decoded.fetchedRecords.map(\.offset) == [42, 43, 47])
        #expect(decoded.fetchedRecords[1].timestamp == 997)
        #expect(decoded.metadata == RecordBatchMetadata(magic: 2, partitionLeaderEpoch: 7, producerID: 9_000_000_001,
                                                        producerEpoch: 3, baseSequence: 17, isTransactional: true))
    }

    @Test("round trip of 1,000 random records through the encoder and through a value")
    func manyRecords() throws {
        let seed: UInt64 = 0x0BA7_C400
        var rng = SplitMix64(seed: seed)
        func randomBytes(_ max: Int) -> ByteSlice? {
            let length = Int.random(in: -1...max, using: &rng)
            guard length >= 0 else { return nil }
            return ByteSlice((0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) })
        }
        var encoder = try RecordBatchEncoder(producerID: 5, producerEpoch: 1, baseSequence: 100, capacity: 1 << 16)
        var expected: [(Int64, ByteSlice?, ByteSlice?, [RecordHeader])] = []
        for index in 0..<1000 {
            let timestamp = goldenTimestamp + Int64.random(in: -1000...1000, using: &rng)
            let headers = (0..<Int.random(in: 0...3, using: &rng)).map { h in
                RecordHeader(key: "h\(h)-\(index)", value: randomBytes(8))
            }
            let key = randomBytes(20)
            let value = randomBytes(300)
            let before = encoder.uncompressedSize
            try encoder.append(timestamp: timestamp, key: key, value: value, headers: headers)
            #expect(encoder.uncompressedSize - before <= RecordBatchEncoder.maximumRecordSize(key: key, value: value, headers: headers))
            expected.append((timestamp, key, value, headers))
        }
        let bytes = try encoder.finish()
        let batch = try RecordBatch(decoding: bytes)
        #expect(batch.records.count == 1000, "seed \(seed)")
        #expect(batch.lastOffsetDelta == 999)
        #expect(batch.baseTimestamp == expected[0].0)
        #expect(batch.maxTimestamp == expected.map(\.0).max())
        #expect(batch.producerID == 5 && batch.producerEpoch == 1 && batch.baseSequence == 100)
        for (record, want) in zip(batch.fetchedRecords, expected) {
            #expect(record.timestamp == want.0 && record.key == want.1 && record.value == want.2 && record.headers == want.3,
                    "seed \(seed) offset \(record.offset)")
        }
        #expect(try batch.encoded() == bytes, "seed \(seed)")
    }

    @Test("compressed batches round trip through a provider, and records are views of the decompressed bytes",
          arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func compressedRoundTrip(codec: CompressionCodec) throws {
        let provider = TestCompressionProvider()
        var encoder = try RecordBatchEncoder(attributes: RecordBatch.Attributes(compression: codec),
                                             compressionProvider: provider, compressionLevel: 3)
        for index in 0..<50 {
            try encoder.append(timestamp: goldenTimestamp + Int64(index), key: .utf8("key-\(index)"),
                               value: index % 7 == 0 ? nil : .utf8(String(repeating: "v", count: index)),
                               headers: [RecordHeader(key: "i", value: .utf8("\(index)"))])
        }
        let bytes = try encoder.finish()
        let options = RecordDecodingOptions(compressionProvider: provider)
        let batch = try RecordBatch(decoding: bytes, options: options)
        #expect(batch.attributes.compression == codec)
        #expect(batch.records.count == 50)
        #expect(batch.fetchedRecords.map(\.offset) == Array(0..<50))
        #expect(batch.records[3].value?.utf8String == "vvv")
        #expect(batch.records[7].value == nil)
        #expect(!isView(try #require(batch.records[3].value), of: bytes))
        // The value re-encodes to the same bytes, since the test codecs are deterministic.
        #expect(try batch.encoded(compressionProvider: provider) == bytes)

        expectDecodingError("invalidValue", "no provider") { _ = try RecordBatch(decoding: bytes) }
        expectDecodingError("corruptCompressedData") {
            _ = try RecordBatch(decoding: bytes, options: RecordDecodingOptions(compressionProvider: FailingCompressionProvider()))
        }
    }

    @Test("an empty compressed batch needs no provider")
    func emptyCompressed() throws {
        let batch = RecordBatch(attributes: RecordBatch.Attributes(compression: .zstd), records: [])
        let bytes = try batch.encoded(compressionProvider: TestCompressionProvider())
        #expect(bytes.count == 61)
        #expect(try RecordBatch(decoding: bytes) == batch)
    }

    @Test("encoding a compressed batch without a provider throws")
    func compressedNeedsProvider() {
        #expect(throws: WireEncodingError.self) {
            _ = try RecordBatchEncoder(attributes: RecordBatch.Attributes(compression: .lz4))
        }
        #expect(throws: WireEncodingError.self) {
            _ = try RecordBatch(attributes: RecordBatch.Attributes(compression: .gzip), records: []).encoded()
        }
        #expect(throws: WireEncodingError.self) {
            _ = try RecordBatch(attributes: RecordBatch.Attributes(compression: .gzip), records: [])
                .encoded(compressionProvider: FailingCompressionProvider())
        }
    }

    @Test("decompressed size cap: a small bomb stops at the cap, even with a provider that ignores it")
    func decompressionCap() throws {
        // Records section: "1 GiB of zeros" in five bytes of the test snappy codec.
        let bomb: [UInt8] = [0x40, 0, 0, 0, 0]
        let bytes = batchWithRawRecords(bomb, count: 1, attributes: 2)
        for provider in [TestCompressionProvider()] {
            expectDecodingError("decompressedSizeExceeded") {
                _ = try RecordBatch(decoding: bytes, options: RecordDecodingOptions(compressionProvider: provider,
                                                                                   maxDecompressedSize: 1 << 20))
            }
        }
        // A provider that ignores the limit is caught by the decoder's own check.
        let small = batchWithRawRecords([0, 0, 0x10, 0, 0], count: 1, attributes: 2)  // 1 MiB
        expectDecodingError("decompressedSizeExceeded") {
            _ = try RecordBatch(decoding: small, options: RecordDecodingOptions(
                compressionProvider: TestCompressionProvider(ignoresLimit: true), maxDecompressedSize: 1000))
        }
        #expect(RecordDecodingOptions().maxDecompressedSize == 64 << 20)
    }

    @Test("a record count the decompressed bytes cannot hold is refused before allocating")
    func compressedHugeCount() {
        let provider = TestCompressionProvider()
        let records: [UInt8] = [0x12, 0, 0, 0, 0x02, 0x6B, 0x04, 0x76, 0x31, 0]
        let bytes = batchWithRawRecords(records.map { $0 ^ 0x5A }, count: Int32.max, attributes: 1)
        expectDecodingError("lengthExceedsRemaining") {
            _ = try RecordBatch(decoding: bytes, options: RecordDecodingOptions(compressionProvider: provider))
        }
    }

    @Test("CRC mismatch throws with the CRC's offset; the leader epoch is outside the CRC")
    func crcMismatch() throws {
        var bytes = hexBytes(goldenBatchHex)
        bytes[68] ^= 0x01  // the "v" of record 0's value
        do {
            _ = try RecordBatch(decoding: bytes)
            Issue.record("expected a CRC mismatch")
        } catch {
            #expect(error.kind == .crcMismatch(expected: 0xFB10_873D, actual: CRC32C.checksum(of: Array(bytes[21...]))))
            #expect(error.offset == 17)
        }
        // With checks off (check.crcs=false) the same bytes decode.
        #expect(try RecordBatch(decoding: bytes, options: RecordDecodingOptions(verifyChecksums: false)).records.count == 2)

        var epoch = hexBytes(goldenBatchHex)
        epoch[12...15] = [0, 0, 0, 9]
        #expect(try RecordBatch(decoding: epoch).partitionLeaderEpoch == 9)
    }

    @Test("every strict prefix of a batch throws, and so does a trailing byte")
    func prefixes() {
        let bytes = hexBytes(goldenBatchHex)
        for length in 0..<bytes.count {
            #expect(throws: WireDecodingError.self, "prefix \(length)") {
                _ = try RecordBatch(decoding: Array(bytes[..<length]))
            }
        }
        expectDecodingError("trailingBytes") { _ = try RecordBatch(decoding: bytes + [0]) }
    }

    @Test("hostile header fields throw the named kind")
    func hostileHeader() {
        let golden = hexBytes(goldenBatchHex)
        expectDecodingError("negativeLength", "batchLength -1") { _ = try RecordBatch(decoding: patched(golden, at: 8, Int32(-1))) }
        expectDecodingError("invalidValue", "batchLength 48") { _ = try RecordBatch(decoding: patched(golden, at: 8, Int32(48))) }
        expectDecodingError("truncated", "batchLength huge") { _ = try RecordBatch(decoding: patched(golden, at: 8, Int32.max)) }
        expectDecodingError("unsupportedMagic") { _ = try RecordBatch(decoding: patched(golden, at: 16, Int8(3))) }
        expectDecodingError("unknownCompressionCodec") { _ = try RecordBatch(decoding: patched(golden, at: 21, Int16(5))) }
        expectDecodingError("invalidValue", "negative lastOffsetDelta") {
            _ = try RecordBatch(decoding: patched(golden, at: 23, Int32(-1)))
        }
        expectDecodingError("invalidValue", "lastOffset overflows") {
            _ = try RecordBatch(decoding: patched(golden, at: 0, Int64.max))
        }
        expectDecodingError("negativeLength", "negative count") { _ = try RecordBatch(decoding: patched(golden, at: 57, Int32(-1))) }
        expectDecodingError("lengthExceedsRemaining", "huge count") {
            _ = try RecordBatch(decoding: patched(golden, at: 57, Int32.max))
        }
        expectDecodingError("truncated", "count one more than present") {
            _ = try RecordBatch(decoding: patched(golden, at: 57, Int32(3)))
        }
        expectDecodingError("trailingBytes", "count one fewer than present") {
            _ = try RecordBatch(decoding: patched(golden, at: 57, Int32(1)))
        }
    }

    @Test("hostile record fields throw the named kind")
    func hostileRecords() {
        func decode(_ records: [UInt8], count: Int32 = 1) throws {
            _ = try RecordBatch(decoding: batchWithRawRecords(records, count: count))
        }
        // A record length varint of 6 bytes (VARINT allows 5).
        expectDecodingError("malformedVarint") { try decode([0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01, 0, 0]) }
        // A timestamp delta varlong of 11 bytes.
        expectDecodingError("malformedVarint") {
            try decode([0x1C, 0] + [UInt8](repeating: 0xFF, count: 10) + [0x01, 0, 0, 0])
        }
        expectDecodingError("negativeLength", "record length -1") { try decode([0x01, 0, 0, 0, 0, 0, 0]) }
        expectDecodingError("lengthExceedsRemaining", "record length past the end") { try decode([0x7E, 0, 0, 0, 0, 0, 0]) }
        expectDecodingError("negativeLength", "key length -2") { try decode([0x0C, 0, 0, 0, 0x03, 0x01, 0]) }
        expectDecodingError("lengthExceedsRemaining", "key length 100") { try decode([0x0C, 0, 0, 0, 0xC8, 0x01, 0x01, 0]) }
        expectDecodingError("negativeLength", "value length -5") { try decode([0x0C, 0, 0, 0, 0x01, 0x09, 0]) }
        expectDecodingError("negativeLength", "header count -2") { try decode([0x0C, 0, 0, 0, 0x01, 0x01, 0x03]) }
        expectDecodingError("lengthExceedsRemaining", "header count huge") {
            try decode([0x14, 0, 0, 0, 0x01, 0x01, 0xFE, 0xFF, 0xFF, 0xFF, 0x0F])
        }
        expectDecodingError("unexpectedNull", "null header key") { try decode([0x10, 0, 0, 0, 0x01, 0x01, 0x02, 0x01, 0x01]) }
        expectDecodingError("trailingBytes", "record length longer than its fields") { try decode([0x0E, 0, 0, 0, 0x01, 0x01, 0, 0xAA]) }
        expectDecodingError("truncated", "record length shorter than its fields") { try decode([0x08, 0, 0, 0, 0x01, 0x01, 0]) }
        expectDecodingError("lengthExceedsRemaining", "count beyond what the bytes hold") {
            try decode([0x0C, 0, 0, 0, 0x01, 0x01, 0], count: 2)
        }
        expectDecodingError("invalidValue", "offsetDelta overflows baseOffset") {
            var bytes = batchWithRawRecords([0x0C, 0, 0, 0x02, 0x01, 0x01, 0], count: 1)
            bytes = patched(bytes, at: 0, Int64.max)
            bytes = patched(bytes, at: 23, Int32(0))
            _ = try RecordBatch(decoding: bytes)
        }
        // The minimal record (all null, no headers) is fine.
        #expect(throws: Never.self) { try decode([0x0C, 0, 0, 0, 0x01, 0x01, 0]) }
    }

    @Test("errors name the record and report offsets in the input")
    func errorLocation() {
        do {
            _ = try RecordBatch(decoding: batchWithRawRecords([0x0C, 0, 0, 0, 0x01, 0x01, 0, 0x0C, 0, 0, 0, 0x03, 0x01, 0], count: 2))
            Issue.record("expected an error")
        } catch {
            #expect(error.kind == .negativeLength(-2))
            #expect(error.offset == 61 + 7 + 4)
            #expect(error.field == "Records[1]")
        }
    }

    @Test("invalid UTF-8 in a header key is a typed error at the key's offset")
    func headerKeyUTF8() throws {
        let bytes = batchWithRawRecords([0x14, 0, 0, 0, 0x01, 0x01, 0x02, 0x04, 0xC3, 0x28, 0x01], count: 1)
        do {
            _ = try RecordBatch(decoding: bytes)
            Issue.record("a header key with invalid UTF-8 decoded")
        } catch {
            #expect(error.kind == .invalidUTF8)
            // The batch header is 61 bytes; the record's length, attributes, deltas, null key and
            // value and the header count take 7 more: the key's length varint comes next.
            #expect(error.offset == 61 + 7)
        }
    }

    @Test("attributes: every defined bit combination round-trips; undefined bits are kept")
    func attributes() throws {
        for raw in Int16(0)..<0x80 where raw & 0x07 <= 4 {
            let attributes = try RecordBatch.Attributes(rawValue: raw, at: 0)
            #expect(attributes.rawValue == raw)
        }
        let all = try RecordBatch.Attributes(rawValue: 0x7C, at: 0)
        #expect(all.compression == .zstd && all.timestampType == .logAppendTime && all.isTransactional
                && all.isControl && all.hasDeleteHorizon && all.unknownBits == 0)
        let unknown = try RecordBatch.Attributes(rawValue: Int16(bitPattern: 0x8183), at: 0)
        #expect(unknown.compression == .lz4 && unknown.unknownBits == Int16(bitPattern: 0x8180))
        #expect(unknown.rawValue == Int16(bitPattern: 0x8183))
        for codec in 5...7 {
            #expect(throws: WireDecodingError.self) { _ = try RecordBatch.Attributes(rawValue: Int16(codec), at: 0) }
        }
        #expect(RecordBatch.Attributes(compression: .gzip, isTransactional: true).description == "gzip, CreateTime, transactional")
    }

    @Test("log-append time: every record takes the batch's maxTimestamp")
    func logAppendTime() throws {
        let batch = RecordBatch(attributes: RecordBatch.Attributes(timestampType: .logAppendTime),
                                baseTimestamp: 100, maxTimestamp: 5000, records: [
                                    Record(timestampDelta: 0, offsetDelta: 0, key: nil, value: nil),
                                    Record(timestampDelta: 7, offsetDelta: 1, key: nil, value: nil),
                                ])
        let decoded = try RecordBatch(decoding: batch.encoded())
        #expect(decoded.fetchedRecords.map(\.timestamp) == [5000, 5000])
        #expect(decoded.fetchedRecords.allSatisfy { $0.timestampType == .logAppendTime })
    }

    @Test("encoder edge cases: empty batch, use after finish, timestamps out of order, overflowing timestamp delta")
    func encoderEdges() throws {
        var emptyEncoder = try RecordBatchEncoder()
        let decoded = try RecordBatch(decoding: emptyEncoder.finish())
        #expect(decoded.records.isEmpty && decoded.baseTimestamp == RecordBatch.noTimestamp && decoded.lastOffsetDelta == 0)

        var encoder = try RecordBatchEncoder()
        try encoder.append(timestamp: 1000, key: nil, value: nil)
        try encoder.append(timestamp: 400, key: nil, value: nil)
        try encoder.append(timestamp: 900, key: nil, value: nil)
        let batch = try RecordBatch(decoding: encoder.finish())
        #expect(batch.maxTimestamp == 1000)
        #expect(batch.fetchedRecords.map(\.timestamp) == [1000, 400, 900])

        // Finished means finished.
        #expect(throws: WireEncodingError.self) { try emptyEncoder.append(timestamp: 0, key: nil, value: nil) }
        #expect(throws: WireEncodingError.self) { _ = try emptyEncoder.finish() }

        var far = try RecordBatchEncoder()
        try far.append(timestamp: Int64.min, key: nil, value: nil)
        #expect(throws: WireEncodingError.self) { try far.append(timestamp: Int64.max, key: nil, value: nil) }
    }
}
