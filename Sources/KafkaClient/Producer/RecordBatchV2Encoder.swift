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
        for record in batch.records {
            try encoder.append(timestamp: record.timestampMs, key: record.key, value: record.value,
                               headers: record.headers.map { RecordHeader(key: $0.name, value: $0.value) })
        }
        return ByteSlice(try encoder.finish())
    }
}
