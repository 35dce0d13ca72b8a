@testable import KafkaClient
import KafkaWire
import Testing

/// A fixed origin for event scripts: every time is an offset from it.
let t0 = ContinuousClock.now

/// `t0` plus `milliseconds`.
func at(_ milliseconds: Int) -> ContinuousClock.Instant { t0 + .milliseconds(milliseconds) }

/// A message of `topic` whose value is `value`'s UTF-8.
func message(_ value: String, topic: String = "t", key: String? = nil, headers: [ProducerMessage.Header] = [],
             timestampMs: Int64? = nil, label: String? = nil) -> ProducerMessage {
    ProducerMessage(topic: topic, value: ByteSlice(value), key: key.map { ByteSlice($0) }, headers: headers,
                    timestampMs: timestampMs, label: label)
}

/// A configuration without idempotence, with a 10 ms linger and everything else at its default.
func plainConfiguration(_ change: (inout AccumulatorConfiguration) -> Void = { _ in }) -> AccumulatorConfiguration {
    var configuration = AccumulatorConfiguration()
    configuration.idempotence = false
    configuration.linger = .milliseconds(10)
    change(&configuration)
    return configuration
}

/// Every partition is led by broker 1.
let leaderOne: @Sendable (TopicPartition) -> Int32? = { _ in 1 }

/// `drain` found nothing to send.
struct NothingDrained: Error {}

extension RecordAccumulator {
    /// Drains, failing the test when nothing is drained (`#require` cannot call mutating methods).
    mutating func mustDrain(broker: Int32, now: ContinuousClock.Instant,
                            leaderOf: (TopicPartition) -> Int32?) throws -> ProduceRequestPlan {
        guard let plan = drain(broker: broker, now: now, leaderOf: leaderOf) else {
            Issue.record("nothing to drain for broker \(broker)")
            throw NothingDrained()
        }
        return plan
    }

    /// Appends and returns the ID, failing the test when the message is not accepted.
    mutating func add(_ message: ProducerMessage, partition: Int32 = 0, now: ContinuousClock.Instant = t0) -> ProducerMessageID? {
        guard case let .appended(id, _) = append(message, partition: partition, now: now, currentTimeMs: 1_000) else {
            return nil
        }
        return id
    }

    /// An accumulator whose idempotent producer already has `producerID` at `epoch`.
    static func idempotent(producerID: Int64 = 42, epoch: Int16 = 0,
                           _ change: (inout AccumulatorConfiguration) -> Void = { _ in }) -> RecordAccumulator {
        var configuration = AccumulatorConfiguration()
        configuration.linger = .milliseconds(10)
        change(&configuration)
        var accumulator = RecordAccumulator(configuration: configuration)
        _ = accumulator.producerIDRequest()
        _ = accumulator.producerIDResponseReceived(InitProducerIdResponse(producerID: producerID, producerEpoch: epoch))
        return accumulator
    }
}

/// A partition result with `code` and, for success, offsets from `baseOffset`.
func result(_ code: ErrorCode = .none, baseOffset: Int64 = -1, logStartOffset: Int64 = -1,
            logAppendTimeMs: Int64 = -1) -> PartitionProduceResult {
    PartitionProduceResult(errorCode: code, baseOffset: baseOffset, logAppendTimeMs: logAppendTimeMs,
                           logStartOffset: logStartOffset)
}

/// A produce response answering each batch of `plan` with `answer(batch)`.
func response(for plan: ProduceRequestPlan, _ answer: (ProducerBatch) -> PartitionProduceResult) -> ProduceResponse {
    var topics: [ProduceResponse.TopicProduceResponse] = []
    for batch in plan.batches {
        let r = answer(batch)
        let partition = ProduceResponse.PartitionProduceResponse(
            index: batch.topicPartition.partition, errorCode: r.errorCode, baseOffset: r.baseOffset,
            logAppendTimeMs: r.logAppendTimeMs, logStartOffset: r.logStartOffset,
            recordErrors: r.recordErrors.map { .init(batchIndex: $0.key, batchIndexErrorMessage: $0.value) }
                .sorted { $0.batchIndex < $1.batchIndex },
            errorMessage: r.errorMessage)
        if let index = topics.firstIndex(where: { $0.name == batch.topicPartition.topic }) {
            topics[index].partitionResponses.append(partition)
        } else {
            topics.append(.init(name: batch.topicPartition.topic, partitionResponses: [partition]))
        }
    }
    return ProduceResponse(responses: topics)
}

extension DeliveryReport {
    /// The offset of a successful delivery.
    var offset: Int64? { delivered?.offset }
}

extension Array where Element == DeliveryReport {
    /// The message IDs reported, in report order.
    var ids: [ProducerMessageID] { map(\.messageID) }
}

extension ProducerMessageID {
    static func id(_ raw: UInt64) -> ProducerMessageID { ProducerMessageID(rawValue: raw) }
}
