// Reading a fetched RECORDS field. It holds batches back to back, possibly of different formats
// (a partition's log keeps old magic 0/1 message sets next to v2 batches after an upgrade), and
// the broker cuts it at the fetch's byte limit, so the last batch may be partial. Every format
// starts with offset (int64) and size (int32) and has its magic byte at offset 16:
//
//   v2 batch:        baseOffset  batchLength   partitionLeaderEpoch  magic ...
//   legacy message:  offset      messageSize   crc                   magic ...
//
// which is how the reader tells them apart before decoding.

/// One unit of a RECORDS field: a v2 batch, or one legacy message with its inner messages.
public enum RecordSetEntry: Sendable, Hashable {
    /// A v2 record batch.
    case batch(RecordBatch)
    /// The messages of one legacy (magic 0/1) message: the message itself, or, for a compressed
    /// wrapper, its inner messages at absolute offsets. Never empty.
    case legacy([LegacyMessage])

    /// The record format: 0, 1 or 2.
    public var magic: Int8 {
        switch self {
        case let .batch(batch): batch.magic
        case let .legacy(messages): messages.first?.magic ?? 0
        }
    }

    /// The last offset this entry covers (for a v2 batch, including records compaction removed).
    public var lastOffset: Int64 {
        switch self {
        case let .batch(batch): batch.lastOffset
        case let .legacy(messages): messages.last?.offset ?? 0
        }
    }

    /// Where a consumer resumes after this entry: `lastOffset + 1`.
    public var nextOffset: Int64 { lastOffset &+ 1 }

    /// The entry's records as flat records, control records included (check `batch.isControl`).
    public var fetchedRecords: FetchedRecords {
        switch self {
        case let .batch(batch): FetchedRecords(batch)
        case let .legacy(messages): FetchedRecords(messages)
        }
    }
}

/// The partial batch the broker's byte limit cut off at the end of a RECORDS field.
public struct IncompleteTail: Sendable, Hashable {
    /// Where it starts in the RECORDS bytes.
    public var offset: Int
    /// How many of its bytes are present.
    public var availableBytes: Int
    /// The whole batch's size (offset and size fields included) when its size field was present:
    /// the fetch size a consumer needs to read it.
    public var declaredSize: Int?

    /// A tail of `availableBytes` at `offset`.
    public init(offset: Int, availableBytes: Int, declaredSize: Int?) {
        self.offset = offset
        self.availableBytes = availableBytes
        self.declaredSize = declaredSize
    }
}

/// Reads the entries of a RECORDS field one at a time, without copying their payloads.
///
/// `next()` returns entries until the bytes run out, then nil; if the bytes ended inside a
/// batch, `incompleteTail` describes it. That is the normal end of a fetch, not an error. Only a
/// batch whose bytes are all present and wrong (CRC, lengths, varints, compression) throws, and
/// after a throw the reader stays on that batch, so the entries before it are still usable.
///
/// A partial batch counts as incomplete only while its header is plausible: its size field is
/// at least the smallest size of its format (of any format, if the magic byte is not present
/// yet) and at most `RecordDecodingOptions.maxBatchSize`, and its magic byte, if present, is
/// 0, 1 or 2. A size field outside those bounds or an unknown magic throws at once, complete or
/// not: a bigger fetch could never make it decodable, and reporting it as incomplete would have
/// a consumer retry with ever larger fetches instead of failing. The upper bound is a choice
/// (1 GiB by default, far above what a broker accepts) because a size field alone cannot prove
/// a batch will never arrive.
public struct RecordBatchReader: Sendable {
    private var reader: ByteReader
    /// The limits and compression provider used for every entry.
    public let options: RecordDecodingOptions
    /// After `next()` returned nil: the partial batch at the end, or nil when the bytes ended on a boundary.
    public private(set) var incompleteTail: IncompleteTail?

    /// A reader over a RECORDS field.
    public init(_ records: ByteSlice, options: RecordDecodingOptions = RecordDecodingOptions()) {
        self.reader = ByteReader(records)
        self.options = options
    }

    /// A reader over a RECORDS field.
    public init(_ records: [UInt8], options: RecordDecodingOptions = RecordDecodingOptions()) {
        self.init(ByteSlice(records), options: options)
    }

    /// Bytes of complete entries read so far: where the next entry starts.
    public var offset: Int { reader.offset }

    /// After `next()` returned nil: the bytes of the partial batch at the end (0 if none).
    public var incompleteTailBytes: Int { incompleteTail?.availableBytes ?? 0 }

    /// The smallest size field of any format: a magic-0 message with null key and value.
    static let smallestSize = LegacyMessage.minimumSizeV0

    /// The next complete entry, or nil at the end of the bytes or at a partial batch.
    public mutating func next() throws(WireDecodingError) -> RecordSetEntry? {
        incompleteTail = nil
        let start = reader.offset
        let available = reader.remaining
        guard available > 0 else { return nil }
        guard available >= RecordBatch.logOverhead else {
            incompleteTail = IncompleteTail(offset: start, availableBytes: available, declaredSize: nil)
            return nil
        }

        var peek = reader
        try peek.skip(8)
        let size = Int(try peek.readInt32())
        let sizeAt = start + 8
        guard size >= 0 else { throw WireDecodingError(.negativeLength(size), at: sizeAt, field: "size") }
        guard size <= options.maxBatchSize else {
            throw WireDecodingError(.invalidValue("size \(size) exceeds maxBatchSize \(options.maxBatchSize)"),
                                    at: sizeAt, field: "size")
        }
        var minimum = Self.smallestSize
        var magic: Int8?
        if available > RecordBatch.magicOffset {
            try peek.skip(RecordBatch.magicOffset - RecordBatch.logOverhead)
            let byte = try peek.readInt8()
            switch byte {
            case 0, 1: minimum = LegacyMessage.minimumSize(magic: byte)
            case RecordBatch.currentMagic: minimum = RecordBatch.minimumBatchLength
            default: throw WireDecodingError(.unsupportedMagic(byte), at: start + RecordBatch.magicOffset, field: "magic")
            }
            magic = byte
        }
        guard size >= minimum else {
            throw WireDecodingError(.invalidValue("size \(size) is below the \(minimum)-byte minimum"), at: sizeAt, field: "size")
        }
        // size ≤ Int32.max, so this cannot overflow Int.
        let total = RecordBatch.logOverhead + size
        guard total <= available, let magic else {
            incompleteTail = IncompleteTail(offset: start, availableBytes: available, declaredSize: total)
            return nil
        }

        var entryReader = reader
        var entry = ByteReader(try entryReader.readSlice(count: total), offsetBase: start)
        let result: RecordSetEntry
        if magic == RecordBatch.currentMagic {
            result = .batch(try RecordBatch.decode(from: &entry, options: options))
        } else {
            result = .legacy(try LegacyMessage.decodeExpanded(from: &entry, options: options))
        }
        // Both decoders consume exactly `size` bytes (their own length checks match ours).
        try entry.expectEnd()
        reader = entryReader
        return result
    }
}

/// Every complete entry of a RECORDS field, and the partial batch at its end if there is one.
public struct RecordSet: Sendable, Hashable {
    /// The complete batches and legacy messages, in order.
    public var entries: [RecordSetEntry]
    /// The partial batch the broker's byte limit cut off, if any.
    public var incompleteTail: IncompleteTail?

    /// Decodes every complete entry; throws on the first complete one that is corrupt.
    /// Use `RecordBatchReader` to keep the entries before a corrupt one.
    public init(decoding records: ByteSlice, options: RecordDecodingOptions = RecordDecodingOptions()) throws(WireDecodingError) {
        var reader = RecordBatchReader(records, options: options)
        var entries: [RecordSetEntry] = []
        while let entry = try reader.next() { entries.append(entry) }
        self.entries = entries
        self.incompleteTail = reader.incompleteTail
    }

    /// Decodes every complete entry of `records`.
    public init(decoding records: [UInt8], options: RecordDecodingOptions = RecordDecodingOptions()) throws(WireDecodingError) {
        try self.init(decoding: ByteSlice(records), options: options)
    }

    /// A record set of the given entries.
    public init(entries: [RecordSetEntry], incompleteTail: IncompleteTail? = nil) {
        self.entries = entries
        self.incompleteTail = incompleteTail
    }

    /// Bytes of the partial batch at the end (0 if none).
    public var incompleteTailBytes: Int { incompleteTail?.availableBytes ?? 0 }

    /// Where a consumer resumes: after the last complete entry; nil when there is none.
    public var nextOffset: Int64? { entries.last?.nextOffset }

    /// Every record of every entry, flat, in order (control records included), computed on access.
    public var fetchedRecords: FlattenSequence<[FetchedRecords]> {
        entries.map(\.fetchedRecords).joined()
    }
}
