import KafkaCompression
import KafkaWire

// The checks of FuzzRecords (see FuzzChecks.swift for how they are shared with the replay
// tests): a RECORDS blob through the record-set reader, decompressing with KafkaCompression.

/// The checks FuzzRecords runs on one input.
enum FuzzRecordChecks {
    /// The decompression cap: small, so a decompression bomb costs a fuzz run little.
    static let maxDecompressedSize = 1 << 20

    /// Decoding options for the fuzzed bytes.
    static func options(verifyChecksums: Bool) -> RecordDecodingOptions {
        RecordDecodingOptions(compressionProvider: KafkaCompressionProvider(), maxDecompressedSize: maxDecompressedSize,
                              verifyChecksums: verifyChecksums)
    }

    /// `[flags: u8][RECORDS bytes...]`; flags bit 0 turns CRC verification on. With it off (the
    /// fuzzer's usual case) mutated batches get past the checksum to the fields behind it.
    /// Flags bit 1 selects wrap mode, `[flags][codec: u8][count: u8][plain bytes...]`: the harness
    /// compresses the plain bytes itself and wraps them in a v2 batch of `count` records or (codec
    /// bit 4) a legacy wrapper message (magic from codec bit 5), so mutations reach the records
    /// and inner message sets behind the compression, which mutated compressed bytes rarely do.
    ///
    /// Checks, beyond "nothing traps":
    /// - `RecordBatchReader` stays on an entry that throws; when it ends without throwing, it
    ///   stopped at the end of the bytes or at an incomplete tail that runs to the end, and
    ///   `RecordSet` decodes the same entries and tail;
    /// - every v2 batch re-encodes (recompressing with its codec), and that encoding decodes, with
    ///   CRCs verified, to an equal batch and re-encodes to the same bytes; control batches'
    ///   keys and transaction markers decode and re-encode stably;
    /// - every legacy message (a compressed wrapper's inner messages one by one) does the same;
    /// - the re-encodings of all entries, concatenated, decode to the same entries (a legacy
    ///   wrapper's inner messages as one entry each).
    static func records(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        guard let flags = input.first else { return }
        let blob: ByteSlice
        if flags & 2 == 0 {
            blob = ByteSlice(input).slice(1..<input.count)
        } else {
            guard input.count >= 3, let wrapped = wrap(codec: input[1], count: input[2], ByteSlice(input).slice(3..<input.count))
            else { return }
            blob = ByteSlice(wrapped)
        }
        let options = options(verifyChecksums: flags & 1 != 0)

        var reader = RecordBatchReader(blob, options: options)
        var entries: [RecordSetEntry] = []
        var threw = false
        while true {
            let before = reader.offset
            do {
                guard let entry = try reader.next() else { break }
                entries.append(entry)
            } catch {
                threw = true
                guard reader.offset == before else {
                    throw violation("RecordBatchReader moved from \(before) to \(reader.offset) on an entry that threw \(error)")
                }
                break
            }
        }
        if !threw {
            try checkEnd(of: reader, blobCount: blob.count)
            do {
                let set = try RecordSet(decoding: blob, options: options)
                guard set.entries == entries, set.incompleteTail == reader.incompleteTail else {
                    throw violation("RecordSet and RecordBatchReader disagree")
                }
            } catch let violation as FuzzInvariantViolation {
                throw violation
            } catch {
                throw violation("RecordSet throws \(error) where RecordBatchReader did not")
            }
        }

        var reencoded = ByteWriter()
        var expected: [RecordSetEntry] = []
        for entry in entries {
            for record in entry.fetchedRecords { _ = record.offset }  // the flat view must not trap either
            switch entry {
            case let .batch(batch):
                reencoded.writeRaw(try roundTrip(batch))
                expected.append(entry)
                try checkControl(batch)
            case let .legacy(messages):
                for message in messages {
                    reencoded.writeRaw(try roundTrip(message))
                    expected.append(.legacy([message]))
                }
            }
        }
        do {
            let again = try RecordSet(decoding: reencoded.slice, options: Self.options(verifyChecksums: true))
            guard again.entries == expected, again.incompleteTail == nil else {
                throw violation("the re-encoded entries decode to different entries")
            }
        } catch let violation as FuzzInvariantViolation {
            throw violation
        } catch {
            throw violation("the re-encoded entries do not decode: \(error)")
        }
    }

    /// Wrap mode: `plain` compressed with one of the four codecs (`codec` bits 0-1) and put in a v2
    /// batch declaring `count` records, or (bit 4) in a legacy wrapper message of magic 0 or 1
    /// (bit 5). Nil when compression fails. CRCs are computed, so either CRC setting passes them.
    static func wrap(codec selector: UInt8, count: UInt8, _ plain: ByteSlice) -> [UInt8]? {
        let codec = CompressionCodec(rawValue: 1 + Int8(selector & 3)) ?? .gzip
        let legacy = selector & 0x10 != 0
        let magic: Int8 = legacy ? Int8(selector >> 5 & 1) : RecordBatch.currentMagic
        guard let compressed = try? KafkaCompressionProvider().compress(plain, codec: codec, level: nil, magic: magic) else {
            return nil
        }
        if legacy {
            let wrapper = LegacyMessage(offset: Int64(count), magic: magic, attributes: .init(compression: codec),
                                        timestamp: magic == 1 ? 1_700_000_000_000 : nil, key: nil, value: ByteSlice(compressed))
            return try? wrapper.encoded()
        }
        // The v2 header by hand: RecordBatch's encoder would compress records it has already parsed.
        var writer = ByteWriter(capacity: 61 + compressed.count)
        writer.writeInt64(0)                            // baseOffset
        writer.writeInt32(Int32(49 + compressed.count)) // batchLength: the header after it, then the records
        writer.writeInt32(-1)                           // partitionLeaderEpoch
        writer.writeInt8(RecordBatch.currentMagic)
        writer.writeUInt32(0)                           // crc, filled in below
        writer.writeInt16(RecordBatch.Attributes(compression: codec).rawValue)
        writer.writeInt32(Int32(max(Int(count) - 1, 0))) // lastOffsetDelta
        writer.writeInt64(1_700_000_000_000)            // baseTimestamp
        writer.writeInt64(1_700_000_000_000)            // maxTimestamp
        writer.writeInt64(-1)                           // producerId
        writer.writeInt16(-1)                           // producerEpoch
        writer.writeInt32(-1)                           // baseSequence
        writer.writeInt32(Int32(count))                 // recordsCount
        writer.writeRaw(compressed)
        var bytes = writer.bytes
        let crc = CRC32C.checksum(of: ByteSlice(bytes).slice(21..<bytes.count))
        for (index, shift) in [24, 16, 8, 0].enumerated() { bytes[17 + index] = UInt8(truncatingIfNeeded: crc >> UInt32(shift)) }
        return bytes
    }

    static func violation(_ text: String) -> FuzzInvariantViolation {
        FuzzInvariantViolation(description: "FuzzRecords: " + text)
    }

    /// After `next()` returned nil: the reader is at the end, or at a tail that runs to the end.
    static func checkEnd(of reader: RecordBatchReader, blobCount: Int) throws(FuzzInvariantViolation) {
        guard let tail = reader.incompleteTail else {
            guard reader.offset == blobCount else {
                throw violation("reader ended at \(reader.offset) of \(blobCount) bytes with no incomplete tail")
            }
            return
        }
        guard tail.offset == reader.offset, tail.offset + tail.availableBytes == blobCount, tail.availableBytes > 0,
              tail.declaredSize.map({ $0 > tail.availableBytes }) ?? true else {
            throw violation("inconsistent incomplete tail \(tail) at reader offset \(reader.offset) of \(blobCount)")
        }
    }

    /// Encodes a decoded batch and checks that it comes back equal; returns the encoding.
    static func roundTrip(_ batch: RecordBatch) throws(FuzzInvariantViolation) -> [UInt8] {
        let provider = KafkaCompressionProvider()
        let encoded: [UInt8]
        do {
            encoded = try batch.encoded(compressionProvider: provider)
        } catch {
            throw violation("decoded \(batch.attributes.compression) batch does not encode: \(error)")
        }
        let again: RecordBatch
        do {
            again = try RecordBatch(decoding: encoded, options: options(verifyChecksums: true))
        } catch {
            throw violation("re-encoded \(batch.attributes.compression) batch does not decode: \(error)")
        }
        guard again == batch else { throw violation("\(batch.attributes.compression) batch changes in a round trip") }
        let second: [UInt8]
        do {
            second = try again.encoded(compressionProvider: provider)
        } catch {
            throw violation("second encoding of a \(batch.attributes.compression) batch failed: \(error)")
        }
        guard second == encoded else { throw violation("\(batch.attributes.compression) batch encoding is not stable") }
        return encoded
    }

    /// Encodes a decoded legacy message and checks that it comes back equal; returns the encoding.
    static func roundTrip(_ message: LegacyMessage) throws(FuzzInvariantViolation) -> [UInt8] {
        let encoded: [UInt8]
        do {
            encoded = try message.encoded()
        } catch {
            throw violation("decoded magic-\(message.magic) message does not encode: \(error)")
        }
        let again: LegacyMessage
        do {
            again = try LegacyMessage(decoding: ByteSlice(encoded), options: options(verifyChecksums: true))
        } catch {
            throw violation("re-encoded magic-\(message.magic) message does not decode: \(error)")
        }
        guard again == message else { throw violation("magic-\(message.magic) message changes in a round trip") }
        let second: [UInt8]
        do {
            second = try again.encoded()
        } catch {
            throw violation("second encoding of a magic-\(message.magic) message failed: \(error)")
        }
        guard second == encoded else { throw violation("magic-\(message.magic) message encoding is not stable") }
        return encoded
    }

    /// A control batch's key and, for a transaction marker, its value: decoding them may throw,
    /// never trap, and what decodes re-encodes to something that decodes to the same value.
    static func checkControl(_ batch: RecordBatch) throws(FuzzInvariantViolation) {
        guard let type = try? batch.controlRecordType() else { return }
        guard (try? ControlRecordType(decodingKey: ByteSlice(type.encodedKey))) == type else {
            throw violation("control record type \(type) does not survive its key encoding")
        }
        guard type.isTransactionMarker, let value = batch.records.first?.value,
              let marker = try? EndTxnMarker(decoding: value) else { return }
        guard (try? EndTxnMarker(decoding: ByteSlice(marker.encoded))) == marker else {
            throw violation("transaction marker \(marker) does not survive its encoding")
        }
    }
}
