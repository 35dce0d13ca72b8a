import KafkaWire

/// Turns a drained batch into the bytes of one v2 record batch.
///
/// The seam between the producer core and the records layer; `RecordBatchV2Encoder` is the real
/// one, tests may plug in others.
public protocol ProducerBatchEncoder: Sendable {
    /// The v2 record batch for `batch`: base offset 0, its records at consecutive offset deltas
    /// with their timestamps, keys, values and headers, its producer ID, epoch and base sequence
    /// (-1, -1, -1 without idempotence), compressed with `compression`.
    func encode(_ batch: ProducerBatch, compression: ProducerCompression) throws -> ByteSlice
}

/// A compression codec and level, per producer or per topic (`compression.type`, `compression.level`).
public struct ProducerCompression: Sendable, Hashable {
    /// The codec.
    public var codec: CompressionCodec
    /// The level; nil for the codec's default.
    public var level: Int?

    /// `codec` at `level`.
    public init(_ codec: CompressionCodec, level: Int? = nil) {
        self.codec = codec
        self.level = level
    }

    /// No compression.
    public static let none = ProducerCompression(.none)
}

/// Builds the ProduceRequest for a drained plan: acks, timeout, transactional ID, and the
/// batches grouped by topic, each encoded with its topic's compression.
public struct ProduceRequestBuilder: Sendable {
    /// Acknowledgments to wait for.
    public var acks: Acks
    /// How long the broker may wait for the acknowledgments (`request.timeout.ms`), sent as TimeoutMs.
    public var timeout: Duration
    /// The transactional ID, for a transactional producer (v3+); nil otherwise.
    public var transactionalID: String?
    /// The compression of topics not in `topicCompression`.
    public var compression: ProducerCompression
    /// Per-topic compression (the topic-level `compression.type` of librdkafka).
    public var topicCompression: [String: ProducerCompression]
    /// The record batch encoder.
    public var encoder: any ProducerBatchEncoder

    /// A builder.
    public init(acks: Acks, timeout: Duration, transactionalID: String? = nil, compression: ProducerCompression = .none,
                topicCompression: [String: ProducerCompression] = [:], encoder: any ProducerBatchEncoder) {
        self.acks = acks
        self.timeout = timeout
        self.transactionalID = transactionalID
        self.compression = compression
        self.topicCompression = topicCompression
        self.encoder = encoder
    }

    /// The versions that can carry what this producer sends: v3 is the first with record
    /// batches (message format v2, needed for headers and idempotence), v11 the last we know.
    public static let supportedVersions: ClosedRange<Int16> = 3...11

    /// The compression batches of `topic` get.
    public func compression(for topic: String) -> ProducerCompression {
        topicCompression[topic] ?? compression
    }

    /// The lowest version the request for `plan` may be sent at: 3, or 7 when a batch uses zstd
    /// (KIP-110: older brokers cannot take it). The connection picks the highest version both
    /// sides support; a broker whose highest is below this cannot take the request.
    public func minimumVersion(for plan: ProduceRequestPlan) -> Int16 {
        plan.topics.contains { compression(for: $0).codec == .zstd } ? 7 : 3
    }

    /// The request for `plan`. Throws `encodingFailed` when a batch cannot be encoded (a
    /// compression failure): the owner then fails the plan with `requestFailed`.
    public func makeRequest(for plan: ProduceRequestPlan) throws(KafkaProducerError) -> ProduceRequest {
        var topicIndex: [String: Int] = [:]
        var topicData: [ProduceRequest.TopicProduceData] = []
        for batch in plan.batches {
            let topic = batch.topicPartition.topic
            let records: ByteSlice
            do {
                records = try encoder.encode(batch, compression: compression(for: topic))
            } catch {
                throw .encodingFailed("\(batch.topicPartition): \(error)")
            }
            let partition = ProduceRequest.PartitionProduceData(index: batch.topicPartition.partition, records: records)
            if let index = topicIndex[topic] {
                topicData[index].partitionData.append(partition)
            } else {
                topicIndex[topic] = topicData.count
                topicData.append(ProduceRequest.TopicProduceData(name: topic, partitionData: [partition]))
            }
        }
        return ProduceRequest(transactionalID: transactionalID, acks: acks.rawValue,
                              timeoutMs: Self.milliseconds(timeout), topicData: topicData)
    }

    /// `duration` in whole milliseconds, clamped to what an INT32 field holds.
    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let milliseconds = seconds.multipliedReportingOverflow(by: 1000)
        guard !milliseconds.overflow else { return seconds < 0 ? 0 : Int32.max }
        let total = milliseconds.partialValue.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        guard !total.overflow else { return Int32.max }
        return Int32(clamping: max(total.partialValue, 0))
    }
}
