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

/// The records of one batch (or one legacy entry) as `FetchedRecord`s, computed on access.
///
/// No array of flat records is built: indexing applies the batch's offset and timestamp rules
/// to the stored record, so iterating costs what reading the records costs.
public struct FetchedRecords: RandomAccessCollection, Sendable {
    // Flat fields rather than an enum of (batch | messages): subscripting then reads two
    // stored properties instead of copying a whole batch out of an enum payload per record.
    private let records: [Record]
    private let messages: [LegacyMessage]
    private let baseOffset: Int64
    private let baseTimestamp: Int64
    private let maxTimestamp: Int64
    private let timestampType: TimestampType
    private let metadata: RecordBatchMetadata

    init(_ batch: RecordBatch) {
        records = batch.records
        messages = []
        baseOffset = batch.baseOffset
        baseTimestamp = batch.baseTimestamp
        maxTimestamp = batch.maxTimestamp
        timestampType = batch.attributes.timestampType
        metadata = batch.metadata
    }

    init(_ messages: [LegacyMessage]) {
        records = []
        self.messages = messages
        baseOffset = 0
        baseTimestamp = RecordBatch.noTimestamp
        maxTimestamp = RecordBatch.noTimestamp
        timestampType = .createTime
        metadata = RecordBatchMetadata(magic: messages.first?.magic ?? 0)
    }

    /// Always 0.
    public var startIndex: Int { 0 }

    /// The number of records.
    public var endIndex: Int { messages.isEmpty ? records.count : messages.count }

    /// The record at `position` (which must be in `indices`, as for an array).
    ///
    /// With log-append time every record's timestamp is the batch's `maxTimestamp` (the broker
    /// stamps only the batch); otherwise it is `baseTimestamp + timestampDelta`. The offset sums
    /// cannot overflow in a decoded batch (decoding checks them); timestamps add with
    /// wrap-around, as Kafka's `long` arithmetic does, since a garbage timestamp is data, not a
    /// reason to drop a batch.
    public subscript(position: Int) -> FetchedRecord {
        guard messages.isEmpty else { return messages[position].fetchedRecord }
        let record = records[position]
        return FetchedRecord(
            offset: baseOffset &+ Int64(record.offsetDelta),
            timestamp: timestampType == .logAppendTime ? maxTimestamp : baseTimestamp &+ record.timestampDelta,
            timestampType: timestampType, key: record.key, value: record.value, headers: record.headers,
            batch: metadata)
    }
}

extension RecordBatch {
    /// The batch-level facts every record of this batch shares.
    public var metadata: RecordBatchMetadata {
        RecordBatchMetadata(magic: magic, partitionLeaderEpoch: partitionLeaderEpoch, producerID: producerID,
                            producerEpoch: producerEpoch, baseSequence: baseSequence,
                            isTransactional: attributes.isTransactional, isControl: attributes.isControl)
    }

    /// The records with absolute offsets and timestamps, computed on access.
    public var fetchedRecords: FetchedRecords { FetchedRecords(self) }
}
