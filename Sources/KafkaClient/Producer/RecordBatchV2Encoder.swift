import KafkaWire

/// Encodes drained producer batches as v2 record batches with `RecordBatchEncoder`, compressing
/// through `provider` (KafkaCompression's in production).
public struct RecordBatchV2Encoder: ProducerBatchEncoder {
    /// The compression implementation.
    public let provider: any CompressionProvider
    /// Whether batches are written as part of a transaction (the transactional attribute bit).
    public let isTransactional: Bool

    /// An encoder compressing through `provider`.
    public init(provider: any CompressionProvider, isTransactional: Bool = false) {
        self.provider = provider
        self.isTransactional = isTransactional
    }

    public func encode(_ batch: ProducerBatch, compression: ProducerCompression) throws -> ByteSlice {
        let producer = batch.sequence?.producerIDAndEpoch
        var encoder = try RecordBatchEncoder(
            attributes: RecordBatch.Attributes(compression: compression.codec, isTransactional: isTransactional),
            producerID: producer?.producerID ?? RecordBatch.noProducerID,
            producerEpoch: producer?.epoch ?? RecordBatch.noProducerEpoch,
            baseSequence: batch.sequence?.baseSequence ?? RecordBatch.noSequence,
            compressionProvider: compression.codec == .none ? nil : provider,
            compressionLevel: compression.level,
            capacity: batch.sizeUpperBound)
        // By index, reading fields in place: a copy of each record would retain and release its
        // key, value, headers and label.
        let records = batch.records
        for index in records.indices {
            let headers = records[index].headers.isEmpty
                ? [] : records[index].headers.map { RecordHeader(key: $0.name, value: $0.value) }
            try encoder.append(timestamp: records[index].timestampMs, key: records[index].key,
                               value: records[index].value, headers: headers)
        }
        return ByteSlice(try encoder.finish())
    }
}
