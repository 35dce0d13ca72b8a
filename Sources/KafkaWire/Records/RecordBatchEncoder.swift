/// Builds one v2 record batch record by record, for the producer.
///
/// Each `append` writes the record straight into the output buffer (or, when compressing, into
/// a scratch buffer that is compressed once in `finish`): sizes are computed before writing, so
/// nothing is encoded twice, and only `lastOffsetDelta`, the two timestamps, the count, the
/// length and the CRC are back-filled at the end. Offsets are consecutive from 0, as producers
/// write them (the broker assigns the base offset); the first record's timestamp becomes
/// `baseTimestamp`.
///
/// ```swift
/// var encoder = try RecordBatchEncoder(producerID: id, producerEpoch: epoch, baseSequence: seq)
/// try encoder.append(timestamp: now, key: key, value: value)
/// let bytes = try encoder.finish()
/// ```
public struct RecordBatchEncoder: Sendable {
    /// Header and, without compression, the records.
    private var writer: ByteWriter
    /// The uncompressed records when compressing; unused otherwise.
    private var plain: ByteWriter
    private let provider: (any CompressionProvider)?
    private let compressionLevel: Int?
    private let codec: CompressionCodec
    private var baseTimestamp: Int64?
    private var maxTimestamp = RecordBatch.noTimestamp
    private var isFinished = false

    /// Records appended so far.
    public private(set) var recordCount = 0

    /// Starts a batch. `attributes.compression` other than `.none` needs `compressionProvider`
    /// (checked here, so a misconfigured producer fails before it buffers anything).
    /// `capacity` is the expected size of the batch in bytes (the producer's `batch.size`).
    public init(baseOffset: Int64 = 0, partitionLeaderEpoch: Int32 = RecordBatch.noPartitionLeaderEpoch,
                attributes: RecordBatch.Attributes = RecordBatch.Attributes(),
                producerID: Int64 = RecordBatch.noProducerID, producerEpoch: Int16 = RecordBatch.noProducerEpoch,
                baseSequence: Int32 = RecordBatch.noSequence,
                compressionProvider: (any CompressionProvider)? = nil, compressionLevel: Int? = nil,
                capacity: Int = 16 * 1024) throws(WireEncodingError) {
        self.codec = attributes.compression
        self.provider = try RecordBatch.requireProvider(compressionProvider, for: codec)
        self.compressionLevel = compressionLevel
        let capacity = max(capacity, 0)
        if provider == nil {
            writer = ByteWriter(capacity: RecordBatch.headerSize + capacity)
            plain = ByteWriter(unallocated: ())
        } else {
            // The compressed records usually take less than the plain ones.
            writer = ByteWriter(capacity: RecordBatch.headerSize + capacity / 2)
            plain = ByteWriter(capacity: capacity)
        }
        RecordBatch.writeHeader(into: &writer, baseOffset: baseOffset, partitionLeaderEpoch: partitionLeaderEpoch,
                                attributes: attributes, lastOffsetDelta: 0, baseTimestamp: RecordBatch.noTimestamp,
                                maxTimestamp: RecordBatch.noTimestamp, producerID: producerID,
                                producerEpoch: producerEpoch, baseSequence: baseSequence, count: 0)
    }

    /// Bytes the batch takes so far without compression: what the producer compares with `batch.size`.
    public var uncompressedSize: Int { writer.count + plain.count }

    /// An upper bound on the bytes `append` adds for a record with these contents (deltas at their
    /// widest), so the producer can decide whether it still fits before appending it.
    public static func maximumRecordSize(key: ByteSlice?, value: ByteSlice?, headers: [RecordHeader] = []) -> Int {
        // Length (5) + attributes (1) + timestamp delta (10) + offset delta (5) + two lengths (5 each) + header count (5).
        var size = 36 + (key?.count ?? 0) + (value?.count ?? 0)
        for header in headers { size += 10 + header.key.utf8.count + (header.value?.count ?? 0) }
        return size
    }

    /// Appends a record at the next offset. `timestamp` is milliseconds since the Unix epoch.
    public mutating func append(timestamp: Int64, key: ByteSlice?, value: ByteSlice?,
                                headers: [RecordHeader] = []) throws(WireEncodingError) {
        guard !isFinished else { throw Self.finishedError }
        guard recordCount < Int(Int32.max) else { throw Record.tooLarge(recordCount + 1, "recordsCount") }
        let base = baseTimestamp ?? timestamp
        let (timestampDelta, overflow) = timestamp.subtractingReportingOverflow(base)
        guard !overflow else {
            throw WireEncodingError(.invalidValue("timestamp \(timestamp) is too far from baseTimestamp \(base)"),
                                    field: "Record.timestampDelta", version: Int16(RecordBatch.currentMagic))
        }
        let offsetDelta = Int32(recordCount)
        if provider == nil {
            try Record.write(attributes: 0, timestampDelta: timestampDelta, offsetDelta: offsetDelta, key: key,
                             value: value, headers: headers, into: &writer)
        } else {
            try Record.write(attributes: 0, timestampDelta: timestampDelta, offsetDelta: offsetDelta, key: key,
                             value: value, headers: headers, into: &plain)
        }
        baseTimestamp = base
        if recordCount == 0 || timestamp > maxTimestamp { maxTimestamp = timestamp }
        recordCount += 1
    }

    /// The finished batch: compresses the records if asked to, then back-fills the header.
    ///
    /// The bytes are handed over, not shared: the encoder is empty afterwards and throws if used
    /// again. (`mutating` rather than `consuming`: a consuming call on a copyable value may copy
    /// it first, and the back-fills would then copy the whole buffer.)
    public mutating func finish() throws(WireEncodingError) -> [UInt8] {
        guard !isFinished else { throw Self.finishedError }
        isFinished = true
        // recordCount ≤ Int32.max, checked in append.
        writer.backfillInt32(Int32(max(recordCount - 1, 0)), at: RecordBatch.lastOffsetDeltaOffset)
        writer.backfillInt64(baseTimestamp ?? RecordBatch.noTimestamp, at: RecordBatch.baseTimestampOffset)
        writer.backfillInt64(maxTimestamp, at: RecordBatch.maxTimestampOffset)
        writer.backfillInt32(Int32(recordCount), at: RecordBatch.recordsCountOffset)
        if let provider {
            try RecordBatch.appendCompressed(plain.slice, codec: codec, level: compressionLevel,
                                             provider: provider, to: &writer)
            plain = ByteWriter(unallocated: ())
        }
        try RecordBatch.seal(&writer, batchStart: 0)
        let bytes = writer.bytes
        writer = ByteWriter(unallocated: ())
        return bytes
    }

    static let finishedError = WireEncodingError(.invalidValue("the batch is already finished"), field: nil,
                                                 version: Int16(RecordBatch.currentMagic))
}

extension ByteWriter {
    /// An empty writer that has not allocated (`init(capacity: 0)` still reserves a buffer).
    init(unallocated: ()) {
        storage = []
    }
}
