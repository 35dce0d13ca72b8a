// The v2 record batch (magic 2), implementation.html "Record Batch":
//
//   byte  0  baseOffset: int64
//   byte  8  batchLength: int32          bytes after this field, to the end of the batch
//   byte 12  partitionLeaderEpoch: int32
//   byte 16  magic: int8 = 2
//   byte 17  crc: uint32                 CRC-32C of bytes 21..end (attributes to the end)
//   byte 21  attributes: int16
//   byte 23  lastOffsetDelta: int32
//   byte 27  baseTimestamp: int64
//   byte 35  maxTimestamp: int64
//   byte 43  producerId: int64
//   byte 51  producerEpoch: int16
//   byte 53  baseSequence: int32
//   byte 57  recordsCount: int32
//   byte 61  records                     compressed as a whole when attributes say so
//
// The CRC leaves out the partition leader epoch so a broker can stamp it without recomputing.

/// A v2 record batch: the header fields exactly as on the wire, and its records.
///
/// `batchLength` and `crc` are what decoding read; encoding computes both afresh, so they are
/// left out of `==` (two batches are equal when they hold the same header fields and records).
public struct RecordBatch: Sendable, Hashable {
    /// The magic byte of this format.
    public static let currentMagic: Int8 = 2
    /// `producerId` of a batch from a producer that is neither idempotent nor transactional.
    public static let noProducerID: Int64 = -1
    /// `producerEpoch` of a batch with no producer ID.
    public static let noProducerEpoch: Int16 = -1
    /// `baseSequence` of a batch with no producer ID.
    public static let noSequence: Int32 = -1
    /// `partitionLeaderEpoch` before a broker has stamped the batch.
    public static let noPartitionLeaderEpoch: Int32 = -1
    /// A timestamp that is not set (`baseTimestamp`/`maxTimestamp` of an empty batch, magic-0 messages).
    public static let noTimestamp: Int64 = -1

    /// Bytes from `baseOffset` to the first record.
    static let headerSize = 61
    /// Bytes of `baseOffset` and `batchLength`, which `batchLength` does not count.
    static let logOverhead = 12
    /// The smallest `batchLength`: the header after the length field, with no records.
    static let minimumBatchLength = headerSize - logOverhead
    /// Where the magic byte sits, in this format and in legacy messages alike.
    static let magicOffset = 16
    /// Where the CRC sits; it covers everything after it.
    static let crcOffset = 17
    /// Where the attributes sit: the first byte the CRC covers.
    static let attributesOffset = 21
    static let lastOffsetDeltaOffset = 23
    static let baseTimestampOffset = 27
    static let maxTimestampOffset = 35
    static let recordsCountOffset = 57

    /// The offset of the first record (the broker assigns it; producers write 0).
    public var baseOffset: Int64
    /// Bytes after this field to the end of the batch, as decoded (0 for a batch built in memory).
    public internal(set) var batchLength: Int32
    /// The leader epoch of the broker that appended the batch, or `noPartitionLeaderEpoch`.
    public var partitionLeaderEpoch: Int32
    /// Always `currentMagic` (2); older formats are `LegacyMessage`s.
    public var magic: Int8 { Self.currentMagic }
    /// The CRC-32C as decoded (0 for a batch built in memory); `==` ignores it.
    public internal(set) var crc: UInt32
    /// Compression, timestamp type, transactional and control flags.
    public var attributes: Attributes
    /// `lastOffset - baseOffset`. Kept even when compaction removed the last records, which is
    /// why consumers resume at `lastOffset + 1` rather than after the last record they saw.
    public var lastOffsetDelta: Int32
    /// The first record's timestamp (or, with `hasDeleteHorizon`, the compaction delete horizon).
    public var baseTimestamp: Int64
    /// The largest timestamp in the batch; with `logAppendTime` it is every record's timestamp.
    public var maxTimestamp: Int64
    /// The idempotent or transactional producer's ID, or `noProducerID`.
    public var producerID: Int64
    /// The producer's epoch, or `noProducerEpoch`.
    public var producerEpoch: Int16
    /// The first record's sequence number, or `noSequence`.
    public var baseSequence: Int32
    /// The records, in wire order. For a control batch: the single control record.
    public var records: [Record]

    /// A batch with the given fields. `lastOffsetDelta` defaults to the largest record offset delta
    /// (0 with no records) and `maxTimestamp` to the largest record timestamp.
    public init(baseOffset: Int64 = 0, partitionLeaderEpoch: Int32 = noPartitionLeaderEpoch,
                attributes: Attributes = Attributes(), lastOffsetDelta: Int32? = nil,
                baseTimestamp: Int64 = noTimestamp, maxTimestamp: Int64? = nil,
                producerID: Int64 = noProducerID, producerEpoch: Int16 = noProducerEpoch,
                baseSequence: Int32 = noSequence, records: [Record]) {
        self.baseOffset = baseOffset
        self.batchLength = 0
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.crc = 0
        self.attributes = attributes
        self.lastOffsetDelta = lastOffsetDelta ?? records.lazy.map(\.offsetDelta).max() ?? 0
        self.baseTimestamp = baseTimestamp
        if let maxTimestamp {
            self.maxTimestamp = maxTimestamp
        } else if let delta = records.lazy.map(\.timestampDelta).max() {
            let (sum, overflow) = baseTimestamp.addingReportingOverflow(delta)
            self.maxTimestamp = overflow ? baseTimestamp : sum
        } else {
            self.maxTimestamp = baseTimestamp
        }
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.records = records
    }

    /// The offset of the last record the batch was written with: `baseOffset + lastOffsetDelta`.
    ///
    /// Decoding rejects batches where this overflows; for a batch built in memory with such
    /// values it wraps, as Kafka's own `long` arithmetic does.
    public var lastOffset: Int64 { baseOffset &+ Int64(lastOffsetDelta) }

    /// Where a consumer resumes after this batch: `lastOffset + 1`.
    public var nextOffset: Int64 { lastOffset &+ 1 }

    /// Two batches are equal when every header field and record is; `batchLength` and `crc`,
    /// which encoding derives from the rest, are not compared.
    public static func == (lhs: RecordBatch, rhs: RecordBatch) -> Bool {
        lhs.baseOffset == rhs.baseOffset && lhs.partitionLeaderEpoch == rhs.partitionLeaderEpoch
            && lhs.attributes == rhs.attributes && lhs.lastOffsetDelta == rhs.lastOffsetDelta
            && lhs.baseTimestamp == rhs.baseTimestamp && lhs.maxTimestamp == rhs.maxTimestamp
            && lhs.producerID == rhs.producerID && lhs.producerEpoch == rhs.producerEpoch
            && lhs.baseSequence == rhs.baseSequence && lhs.records == rhs.records
    }

    /// Hashes the fields `==` compares.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(baseOffset)
        hasher.combine(partitionLeaderEpoch)
        hasher.combine(attributes)
        hasher.combine(lastOffsetDelta)
        hasher.combine(baseTimestamp)
        hasher.combine(maxTimestamp)
        hasher.combine(producerID)
        hasher.combine(producerEpoch)
        hasher.combine(baseSequence)
        hasher.combine(records)
    }
}

// MARK: Decoding

extension RecordBatch {
    /// Decodes exactly one batch from `bytes`; throws `trailingBytes` if anything follows it.
    ///
    /// A batch cut short throws `truncated`. To read a fetched RECORDS field, which may hold
    /// several batches and end in a partial one, use `RecordBatchReader` or `RecordSet`.
    public init(decoding bytes: ByteSlice, options: RecordDecodingOptions = RecordDecodingOptions()) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        self = try RecordBatch.decode(from: &reader, options: options)
        try reader.expectEnd()
    }

    /// Decodes exactly one batch from `bytes`.
    public init(decoding bytes: [UInt8], options: RecordDecodingOptions = RecordDecodingOptions()) throws(WireDecodingError) {
        try self.init(decoding: ByteSlice(bytes), options: options)
    }

    /// Reads one batch from `reader`, verifying its CRC and decompressing its records.
    public static func decode(from reader: inout ByteReader,
                              options: RecordDecodingOptions = RecordDecodingOptions()) throws(WireDecodingError) -> RecordBatch {
        let baseOffset = try reader.readInt64()
        let lengthAt = reader.offset
        let length = Int(try reader.readInt32())
        guard length >= 0 else {
            throw WireDecodingError(.negativeLength(length), at: lengthAt, field: "batchLength")
        }
        guard length >= minimumBatchLength else {
            throw WireDecodingError(.invalidValue("batchLength \(length) is shorter than the \(minimumBatchLength)-byte header"),
                                    at: lengthAt, field: "batchLength")
        }
        guard length <= reader.remaining else {
            throw WireDecodingError(.truncated(needed: length, available: reader.remaining),
                                    at: lengthAt, field: "batchLength")
        }
        let bodyAt = reader.offset
        var body = ByteReader(try reader.readSlice(count: length), offsetBase: bodyAt)

        let partitionLeaderEpoch = try body.readInt32()
        let magicAt = body.offset
        let magic = try body.readInt8()
        guard magic == currentMagic else { throw WireDecodingError(.unsupportedMagic(magic), at: magicAt, field: "magic") }
        let crcAt = body.offset
        let crc = try body.readUInt32()
        if options.verifyChecksums {
            var covered = body
            let actual = CRC32C.checksum(of: covered.readRemaining())
            guard actual == crc else {
                throw WireDecodingError(.crcMismatch(expected: crc, actual: actual), at: crcAt, field: "crc")
            }
        }

        let attributesAt = body.offset
        let attributes = try Attributes(rawValue: try body.readInt16(), at: attributesAt)
        let lastOffsetDeltaAt = body.offset
        let lastOffsetDelta = try body.readInt32()
        guard lastOffsetDelta >= 0, !baseOffset.addingReportingOverflow(Int64(lastOffsetDelta)).overflow else {
            throw WireDecodingError(.invalidValue("lastOffsetDelta \(lastOffsetDelta) with baseOffset \(baseOffset)"),
                                    at: lastOffsetDeltaAt, field: "lastOffsetDelta")
        }
        let baseTimestamp = try body.readInt64()
        let maxTimestamp = try body.readInt64()
        let producerID = try body.readInt64()
        let producerEpoch = try body.readInt16()
        let baseSequence = try body.readInt32()
        let countAt = body.offset
        let count = Int(try body.readInt32())
        guard count >= 0 else { throw WireDecodingError(.negativeLength(count), at: countAt, field: "recordsCount") }

        let records: [Record]
        if attributes.compression == .none {
            try checkRecordCount(count, bytes: body.remaining, at: countAt)
            records = try decodeRecords(count: count, from: &body, baseOffset: baseOffset)
            try body.expectEnd()
        } else if count == 0 && body.isAtEnd {
            // An empty batch (compaction keeps these for the producer state) needs no codec.
            records = []
        } else {
            let compressedAt = body.offset
            let compressed = body.readRemaining()
            let decompressed = try options.decompress(compressed, codec: attributes.compression, magic: magic,
                                                      at: compressedAt, field: "Records")
            do throws(WireDecodingError) {
                var inner = ByteReader(decompressed)
                try checkRecordCount(count, bytes: inner.remaining, at: inner.offset)
                records = try decodeRecords(count: count, from: &inner, baseOffset: baseOffset)
                try inner.expectEnd()
            } catch {
                throw error.inDecompressedData(at: compressedAt, field: "Records")
            }
        }

        var batch = RecordBatch(baseOffset: baseOffset, partitionLeaderEpoch: partitionLeaderEpoch,
                                attributes: attributes, lastOffsetDelta: lastOffsetDelta,
                                baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
                                producerID: producerID, producerEpoch: producerEpoch,
                                baseSequence: baseSequence, records: records)
        batch.batchLength = Int32(length)
        batch.crc = crc
        return batch
    }

    /// A record takes at least `Record.minimumEncodedSize` bytes, so a count the bytes cannot
    /// hold is refused before the array is reserved.
    static func checkRecordCount(_ count: Int, bytes: Int, at offset: Int) throws(WireDecodingError) {
        guard count <= bytes / Record.minimumEncodedSize else {
            throw WireDecodingError(.lengthExceedsRemaining(length: count, remaining: bytes),
                                    at: offset, field: "recordsCount")
        }
    }

    static func decodeRecords(count: Int, from reader: inout ByteReader,
                              baseOffset: Int64) throws(WireDecodingError) -> [Record] {
        var records: [Record] = []
        records.reserveCapacity(count)
        for index in 0..<count {
            do throws(WireDecodingError) {
                let at = reader.offset
                let record = try Record.decode(from: &reader)
                // Every record's absolute offset must exist, so later arithmetic never wraps.
                guard !baseOffset.addingReportingOverflow(Int64(record.offsetDelta)).overflow else {
                    throw WireDecodingError(.invalidValue("offsetDelta \(record.offsetDelta) overflows baseOffset \(baseOffset)"),
                                            at: at, field: "offsetDelta")
                }
                records.append(record)
            } catch {
                throw WireDecodingError(error.kind, at: error.offset,
                                        field: "Records[\(index)]" + (error.field.map { ".\($0)" } ?? ""))
            }
        }
        return records
    }
}
