import KafkaWire
import Testing

@Suite("Records: RECORDS blobs (RecordBatchReader and RecordSet)")
struct RecordsSetTests {
    let t: Int64 = 1_700_000_000_000

    /// Legacy v0 at 5, legacy v1 at 7, a magic-1 gzip wrapper at 8...10, the golden v2 batch
    /// moved to base offset 11, the commit marker at 13 (its golden base offset is 10; moved too).
    var completeEntries: [[UInt8]] {
        let inner = handLegacyMessage(offset: 0, magic: 1, attributes: 0, timestamp: t, key: nil, value: Array("w0".utf8))
            + handLegacyMessage(offset: 1, magic: 1, attributes: 0, timestamp: t, key: nil, value: Array("w1".utf8))
            + handLegacyMessage(offset: 2, magic: 1, attributes: 0, timestamp: t, key: nil, value: Array("w2".utf8))
        return [
            hexBytes(goldenMessageV0Hex),
            hexBytes(goldenMessageV1Hex),
            handLegacyMessage(offset: 10, magic: 1, attributes: 1, timestamp: t, key: nil, value: xor(inner)),
            patched(hexBytes(goldenBatchHex), at: 0, Int64(11)),
            patched(hexBytes(goldenCommitBatchHex), at: 0, Int64(13)),
        ]
    }

    @Test("a mixed blob: legacy, wrapper, v2, control batch, then a partial batch")
    func mixed() throws {
        let entries = completeEntries
        let partial = Array(hexBytes(goldenBatchHex).prefix(40))
        let blob = entries.flatMap { $0 } + partial
        let set = try RecordSet(decoding: blob, options: testOptions)
        #expect(set.entries.map(\.magic) == [0, 1, 1, 2, 2])
        #expect(set.incompleteTail == IncompleteTail(offset: blob.count - 40, availableBytes: 40, declaredSize: 86))
        #expect(set.incompleteTailBytes == 40)
        #expect(set.nextOffset == 14)
        let flat = Array(set.fetchedRecords)
        #expect(flat.map(\.offset) == [5, 7, 8, 9, 10, 11, 12, 13])
        #expect(flat.map { $0.value?.utf8String } == ["abc", "v", "w0", "w1", "w2", "v1", "hello", "\0\0\0\0\0\u{5}"])
        #expect(flat.map(\.batch.isControl) == [false, false, false, false, false, false, false, true])
        #expect(flat.map(\.batch.magic) == [0, 1, 1, 1, 1, 2, 2, 2])
        #expect(flat[5].headers.isEmpty && flat[6].headers == [RecordHeader(key: "h", value: nil)])
        // Keys and values of uncompressed entries are views of the blob.
        #expect(isView(try #require(flat[0].value), of: blob))
        #expect(isView(try #require(flat[6].value), of: blob))
    }

    @Test("every prefix of a mixed blob decodes the complete entries and reports the rest as incomplete")
    func mixedPrefixes() throws {
        let entries = completeEntries
        let blob = entries.flatMap { $0 }
        var boundaries: [Int] = [0]
        for entry in entries { boundaries.append(boundaries[boundaries.count - 1] + entry.count) }
        for length in 0...blob.count {
            let set = try RecordSet(decoding: Array(blob[..<length]), options: testOptions)
            let complete = boundaries.lastIndex { $0 <= length } ?? 0
            #expect(set.entries.count == complete, "prefix \(length)")
            #expect(set.incompleteTailBytes == length - boundaries[complete], "prefix \(length)")
            #expect((set.incompleteTail == nil) == (length == boundaries[complete]), "prefix \(length)")
        }
    }

    @Test("every strict prefix of one batch is an incomplete tail for the reader, and an error for the batch decoder")
    func singlePrefixes() throws {
        for bytes in completeEntries {
            for length in 1..<bytes.count {
                let prefix = Array(bytes[..<length])
                var reader = RecordBatchReader(prefix, options: testOptions)
                #expect(try reader.next() == nil, "prefix \(length)")
                #expect(reader.incompleteTailBytes == length, "prefix \(length)")
                #expect(reader.incompleteTail?.declaredSize == (length >= 12 ? bytes.count : nil), "prefix \(length)")
                #expect(reader.offset == 0)
                if bytes[16] == 2 {
                    #expect(throws: WireDecodingError.self) { _ = try RecordBatch(decoding: prefix, options: testOptions) }
                } else {
                    #expect(throws: WireDecodingError.self) { _ = try LegacyMessage(decoding: ByteSlice(prefix)) }
                }
            }
        }
        let empty = try RecordSet(decoding: [UInt8]())
        #expect(empty.entries.isEmpty && empty.incompleteTail == nil && empty.nextOffset == nil)
    }

    @Test("a complete but corrupt batch throws after the good ones, and the reader stays on it")
    func corruptAfterGood() throws {
        var second = hexBytes(goldenBatchHex)
        second[70] ^= 0xFF
        let first = hexBytes(goldenMessageV1Hex)
        let blob = first + second + hexBytes(goldenMessageV0Hex)
        var reader = RecordBatchReader(blob)
        let entry = try reader.next()
        #expect(entry?.magic == 1)
        #expect(reader.offset == first.count)
        for _ in 0..<2 {
            do {
                _ = try reader.next()
                Issue.record("expected a CRC mismatch")
            } catch {
                #expect(error.kind.name == "crcMismatch")
                #expect(error.offset == first.count + 17)
            }
            #expect(reader.offset == first.count)
        }
        expectDecodingError("crcMismatch") { _ = try RecordSet(decoding: blob) }
    }

    @Test("implausible headers throw even when the batch is incomplete")
    func implausibleHeaders() {
        let golden = hexBytes(goldenBatchHex)
        func next(_ bytes: [UInt8], options: RecordDecodingOptions = RecordDecodingOptions()) throws {
            var reader = RecordBatchReader(bytes, options: options)
            _ = try reader.next()
        }
        var negative = Array(golden.prefix(30))
        negative[8...11] = [0xFF, 0xFF, 0xFF, 0xFF]
        expectDecodingError("negativeLength") { try next(negative) }
        var huge = Array(golden.prefix(30))
        huge[8...11] = [0x7F, 0xFF, 0xFF, 0xFF]
        expectDecodingError("invalidValue", "beyond the 1 GiB default") { try next(huge) }
        expectDecodingError("invalidValue", "beyond a configured maximum") {
            try next(Array(golden.prefix(30)), options: RecordDecodingOptions(maxBatchSize: 73))
        }
        var belowV2 = Array(golden.prefix(30))
        belowV2[8...11] = [0, 0, 0, 40]
        expectDecodingError("invalidValue", "v2 size below its header") { try next(belowV2) }
        var belowAny = Array(golden.prefix(14))
        belowAny[8...11] = [0, 0, 0, 13]
        expectDecodingError("invalidValue", "size below any format, magic not yet present") { try next(belowAny) }
        var unknownMagic = Array(golden.prefix(20))
        unknownMagic[16] = 7
        expectDecodingError("unsupportedMagic") { try next(unknownMagic) }
        // Just under the cap stays a plausible, incomplete tail.
        var large = Array(golden.prefix(30))
        large[8...11] = [0x3F, 0xFF, 0xFF, 0xFF]
        #expect(throws: Never.self) { try next(large) }
    }

    @Test("tails shorter than the size field are incomplete with no declared size")
    func shortTail() throws {
        let blob = hexBytes(goldenMessageV0Hex) + [0, 0, 0, 0, 0]
        var reader = RecordBatchReader(blob)
        #expect(try reader.next() != nil)
        #expect(try reader.next() == nil)
        #expect(reader.incompleteTail == IncompleteTail(offset: blob.count - 5, availableBytes: 5, declaredSize: nil))
        #expect(try reader.next() == nil)
    }

    @Test("a compressed v2 batch inside a blob reports errors at its place in the blob")
    func compressedInBlob() throws {
        var encoder = try RecordBatchEncoder(attributes: RecordBatch.Attributes(compression: .gzip),
                                             compressionProvider: TestCompressionProvider())
        try encoder.append(timestamp: t, key: nil, value: .utf8("compressed"))
        let compressed = try encoder.finish()
        let first = hexBytes(goldenMessageV0Hex)
        let set = try RecordSet(decoding: first + compressed, options: testOptions)
        #expect(set.fetchedRecords.map { $0.value?.utf8String } == ["abc", "compressed"])
        do {
            _ = try RecordSet(decoding: first + compressed)
            Issue.record("expected an error: no provider")
        } catch {
            #expect(error.kind.name == "invalidValue" && error.offset == first.count + 61)
        }
    }

    @Test("random mutations never trap; whatever decodes re-encodes stably (checks off, to reach the parsers)")
    func mutations() throws {
        let seed: UInt64 = 0x0F0F_5EED
        var rng = SplitMix64(seed: seed)
        let blob = completeEntries.flatMap { $0 }
        let options = RecordDecodingOptions(compressionProvider: TestCompressionProvider(), maxDecompressedSize: 1 << 16,
                                            verifyChecksums: false)
        for round in 0..<3000 {
            var bytes = blob
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if round % 3 == 0 { bytes = Array(bytes.prefix(Int.random(in: 0...bytes.count, using: &rng))) }
            guard let set = try? RecordSet(decoding: bytes, options: options) else { continue }
            for case let .batch(batch) in set.entries where batch.attributes.compression == .none {
                let again = try RecordBatch(decoding: batch.encoded(), options: options)
                #expect(again == batch, "seed \(seed) round \(round)")
            }
            _ = set.fetchedRecords
        }
    }
}
