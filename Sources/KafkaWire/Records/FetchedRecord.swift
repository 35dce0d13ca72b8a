// One flat view of a record whatever format carried it: what a consumer hands on, after the
// offset and timestamp arithmetic of its batch (or legacy wrapper) has been applied.

/// The batch-level facts a record inherits from the v2 batch (or legacy message) that carried it.
public struct RecordBatchMetadata: Sendable, Hashable {
    /// The record format: 0 or 1 for legacy messages, 2 for record batches.
    public var magic: Int8
    /// The broker's leader epoch, or `RecordBatch.noPartitionLeaderEpoch` (always, for legacy messages).
    public var partitionLeaderEpoch: Int32
    /// The idempotent or transactional producer, or `RecordBatch.noProducerID`.
    public var producerID: Int64
    /// The producer's epoch, or `RecordBatch.noProducerEpoch`.
    public var producerEpoch: Int16
    /// The batch's first sequence number, or `RecordBatch.noSequence`.
    public var baseSequence: Int32
    /// The batch belongs to a transaction (the consumer may have to drop it if it was aborted).
    public var isTransactional: Bool
    /// The record is a control record (a transaction marker), never application data.
    public var isControl: Bool

    /// Metadata with the given facts.
    public init(magic: Int8, partitionLeaderEpoch: Int32 = RecordBatch.noPartitionLeaderEpoch,
                producerID: Int64 = RecordBatch.noProducerID, producerEpoch: Int16 = RecordBatch.noProducerEpoch,
                baseSequence: Int32 = RecordBatch.noSequence, isTransactional: Bool = false, isControl: Bool = false) {
        self.magic = magic
        self.partitionLeaderEpoch = partitionLeaderEpoch
        self.producerID = producerID
        self.producerEpoch = producerEpoch
        self.baseSequence = baseSequence
        self.isTransactional = isTransactional
        self.isControl = isControl
    }
}

/// A record with its absolute offset and resolved timestamp, in any format.
public struct FetchedRecord: Sendable, Hashable {
    /// The record's offset in the partition.
    public var offset: Int64
    /// Milliseconds since the Unix epoch, or `RecordBatch.noTimestamp` (magic 0, or not set).
    public var timestamp: Int64
    /// Whose clock `timestamp` is; nil at magic 0, which has no timestamps.
    public var timestampType: TimestampType?
    /// The key; nil is a null key.
    public var key: ByteSlice?
    /// The value; nil is a null value.
    public var value: ByteSlice?
    /// The headers (always empty before magic 2).
    public var headers: [RecordHeader]
    /// Facts of the batch that carried the record.
    public var batch: RecordBatchMetadata

    /// A record with the given fields.
    public init(offset: Int64, timestamp: Int64, timestampType: TimestampType?, key: ByteSlice?,
                value: ByteSlice?, headers: [RecordHeader] = [], batch: RecordBatchMetadata) {
        self.offset = offset
        self.timestamp = timestamp
        self.timestampType = timestampType
        self.key = key
        self.value = value
        self.headers = headers
        self.batch = batch
    }
}

extension RecordBatch {
    /// The batch-level facts every record of this batch shares.
    public var metadata: RecordBatchMetadata {
        RecordBatchMetadata(magic: magic, partitionLeaderEpoch: partitionLeaderEpoch, producerID: producerID,
                            producerEpoch: producerEpoch, baseSequence: baseSequence,
                            isTransactional: attributes.isTransactional, isControl: attributes.isControl)
    }

    /// The records with absolute offsets and timestamps.
    ///
    /// With log-append time every record's timestamp is `maxTimestamp` (the broker stamps only the
    /// batch); otherwise it is `baseTimestamp + timestampDelta`. The offset sums cannot overflow
    /// in a decoded batch (decoding checks them); timestamps add with wrap-around, as Kafka's
    /// `long` arithmetic does, since a garbage timestamp is data, not a reason to drop a batch.
    public var fetchedRecords: [FetchedRecord] {
        let metadata = self.metadata
        let logAppendTime = attributes.timestampType == .logAppendTime
        var result: [FetchedRecord] = []
        result.reserveCapacity(records.count)
        for record in records {
            result.append(FetchedRecord(
                offset: baseOffset &+ Int64(record.offsetDelta),
                timestamp: logAppendTime ? maxTimestamp : baseTimestamp &+ record.timestampDelta,
                timestampType: attributes.timestampType, key: record.key, value: record.value,
                headers: record.headers, batch: metadata))
        }
        return result
    }
}
