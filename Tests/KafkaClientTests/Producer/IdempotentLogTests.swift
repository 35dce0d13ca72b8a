@testable import KafkaClient
import KafkaTransport
import KafkaWire
import Testing

/// One partition of a broker, checking producer sequences as Kafka does: a batch must continue
/// its epoch's sequence (a new epoch starts at 0), the last 5 batches are recognized when sent
/// again, and anything else is out of order.
struct FakePartitionLog {
    private(set) var log: [ProducerMessageID] = []
    private var epoch: Int16 = -1
    private var lastSequence: Int32 = -1
    private var recent: [(epoch: Int16, base: Int32, count: Int, offset: Int64)] = []

    mutating func append(_ batch: ProducerBatch, duplicateAsError: Bool) -> PartitionProduceResult {
        guard let sequence = batch.sequence else { return result(.invalidRecord) }
        let batchEpoch = sequence.producerIDAndEpoch.epoch
        if batchEpoch < epoch { return result(.invalidProducerEpoch) }
        if let cached = recent.first(where: { $0.epoch == batchEpoch && $0.base == sequence.baseSequence }) {
            return duplicateAsError ? result(.duplicateSequenceNumber) : result(baseOffset: cached.offset)
        }
        let expected: Int32 = batchEpoch > epoch ? 0 : lastSequence &+ 1
        guard sequence.baseSequence == expected else { return result(.outOfOrderSequenceNumber) }
        if batchEpoch > epoch {
            epoch = batchEpoch
            recent.removeAll()
        }
        let offset = Int64(log.count)
        log += batch.records.map(\.messageID)
        lastSequence = IdempotentProducerState.lastSequence(sequence.baseSequence, batch.recordCount)
        recent.append((batchEpoch, sequence.baseSequence, batch.recordCount, offset))
        if recent.count > 5 { recent.removeFirst() }
        return result(baseOffset: offset)
    }
}

@Suite("Idempotent producer against a sequence-checking log")
struct IdempotentLogTests {
    /// Leader changes before the append and answers lost after it, at random: every message ends
    /// in the log exactly once, in the order it was produced to its partition, and is reported
    /// delivered at the offset where it landed.
    @Test(arguments: [UInt64(11), 12, 13, 14, 15, 16])
    func retriesNeverDuplicateOrReorder(seed: UInt64) throws {
        var random = ProducerRandom(seed: seed)
        var accumulator = RecordAccumulator.idempotent {
            $0.linger = .milliseconds(2)
            $0.batchMaxMessages = 3
            $0.retryBackoff = .milliseconds(1)
            $0.retryBackoffMax = .milliseconds(4)
        }
        var logs: [TopicPartition: FakePartitionLog] = [:]
        var produced: [TopicPartition: [ProducerMessageID]] = [:]
        var delivered: [ProducerMessageID: Int64] = [:]
        var reports = 0
        var inFlight: [ProduceRequestPlan] = []
        let leaders: (TopicPartition) -> Int32? = { _ in 1 }

        func take(_ actions: ProducerActions) {
            #expect(actions.fatalError == nil)
            for report in actions.reports {
                reports += 1
                let landed = try? report.result.get()
                #expect(landed != nil, "message \(report.messageID) failed: \(report.error.map { "\($0)" } ?? "")")
                if let offset = landed?.offset { delivered[report.messageID] = offset }
            }
        }
        func answer(_ plan: ProduceRequestPlan, now: ContinuousClock.Instant) {
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<2:
                // The leader moved before anything was written.
                take(accumulator.produceResponseReceived(response(for: plan) { _ in result(.notLeaderOrFollower) }, for: plan, now: now))
            case 2..<4:
                // Written, but the answer was lost with the connection.
                for batch in plan.batches { _ = logs[batch.topicPartition, default: FakePartitionLog()].append(batch, duplicateAsError: false) }
                take(accumulator.requestFailed(plan, error: .transport(.connectionClosed(BrokerAddress(host: "b", port: 1), reason: "reset")),
                                               now: now))
            default:
                let duplicateAsError = Bool.random(using: &random)
                take(accumulator.produceResponseReceived(response(for: plan) { batch in
                    logs[batch.topicPartition, default: FakePartitionLog()].append(batch, duplicateAsError: duplicateAsError)
                }, for: plan, now: now))
            }
        }

        var time = 0
        var sent = 0
        while sent < 150 || !accumulator.isEmpty {
            time += 1
            let now = at(time)
            if sent < 150, Bool.random(using: &random) {
                let partition = Int32.random(in: 0..<3, using: &random)
                if case let .appended(id, _) = accumulator.append(message("m\(sent)"), partition: partition, now: now,
                                                                  currentTimeMs: 0) {
                    produced[TopicPartition("t", partition), default: []].append(id)
                    sent += 1
                }
            }
            for broker in accumulator.ready(now: now, leaderOf: leaders).readyBrokers {
                while let plan = accumulator.drain(broker: broker, now: now, leaderOf: leaders) { inFlight.append(plan) }
            }
            // Answers come back in order per connection, a few at a time.
            let count = Int.random(in: 0...min(2, inFlight.count), using: &random)
            for _ in 0..<count { answer(inFlight.removeFirst(), now: now) }
            if time > 100_000 { Issue.record("did not finish"); break }
        }
        #expect(reports == 150)
        for (topicPartition, ids) in produced {
            let log = logs[topicPartition]?.log ?? []
            #expect(log == ids, "\(topicPartition): the log must hold each message once, in order")
            for (offset, id) in log.enumerated() where delivered[id] != nil {
                #expect(delivered[id] == Int64(offset))
            }
        }
    }
}
