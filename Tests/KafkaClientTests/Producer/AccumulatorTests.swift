@testable import KafkaClient
import KafkaTransport
import KafkaWire
import Testing

@Suite("Record accumulator")
struct AccumulatorTests {
    @Test func lingerHoldsABatchUntilItExpires() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration())
        let added = accumulator.add(message("a"))
        let id = try #require(added)
        #expect(id == .id(0))
        var check = accumulator.ready(now: at(0), leaderOf: leaderOne)
        #expect(check.readyBrokers.isEmpty)
        #expect(check.nextCheck == at(10))
        _ = accumulator.add(message("b"), now: at(5))
        check = accumulator.ready(now: at(9), leaderOf: leaderOne)
        #expect(check.readyBrokers.isEmpty && check.nextCheck == at(10))
        check = accumulator.ready(now: at(10), leaderOf: leaderOne)
        #expect(check.readyBrokers == [1])
        let plan = try accumulator.mustDrain(broker: 1, now: at(10), leaderOf: leaderOne)
        #expect(plan.broker == 1)
        #expect(plan.batches.count == 1)
        #expect(plan.batches[0].records.map(\.messageID) == [.id(0), .id(1)])
        #expect(plan.batches[0].attempts == 1)
        #expect(plan.batches[0].sequence == nil)
        // Nothing left; a new message starts a new batch with its own linger.
        #expect(accumulator.drain(broker: 1, now: at(10), leaderOf: leaderOne) == nil)
        _ = accumulator.add(message("c"), now: at(11))
        #expect(accumulator.ready(now: at(11), leaderOf: leaderOne).nextCheck == at(21))
    }

    @Test func aFullBatchIsReadyBeforeItsLinger() throws {
        // Room for three 37-byte records ("x": 36 + 1) after the 61-byte header.
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.batchSize = 61 + 3 * 37; $0.linger = .seconds(1) })
        for value in ["a", "b"] {
            guard case .appended(_, batchFull: false) = accumulator.append(message(value), partition: 0, now: t0, currentTimeMs: 0) else {
                Issue.record("expected an open batch"); return
            }
        }
        #expect(accumulator.ready(now: t0, leaderOf: leaderOne).readyBrokers.isEmpty)
        guard case .appended(_, batchFull: true) = accumulator.append(message("c"), partition: 0, now: t0, currentTimeMs: 0) else {
            Issue.record("expected the batch to fill up"); return
        }
        #expect(accumulator.ready(now: t0, leaderOf: leaderOne).readyBrokers == [1])
        // The next record opens a second batch.
        _ = accumulator.add(message("d"))
        #expect(accumulator.queuedBatches(TopicPartition("t", 0)).map(\.recordCount) == [3, 1])
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(plan.batches.map(\.recordCount) == [3])
        // One batch per partition per request: the second goes in the next one.
        #expect(accumulator.ready(now: t0, leaderOf: leaderOne).readyBrokers.isEmpty)
    }

    @Test func aNewBatchReservesRoomForMoreRecordsThanThePartitionsLastOne() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.batchMaxMessages = 500; $0.linger = .seconds(1) })
        for index in 0..<300 { _ = accumulator.add(message("m\(index)")) }
        let first = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(first.batches.map(\.recordCount) == [300])
        _ = accumulator.add(message("next"))
        let queued = accumulator.queuedBatches(TopicPartition("t", 0))
        #expect(queued.map(\.recordCount) == [1])
        #expect(queued.first.map { $0.records.capacity >= 450 } == true)
        // Never beyond the batch's own limit.
        var small = RecordAccumulator(configuration: plainConfiguration { $0.batchMaxMessages = 100; $0.linger = .seconds(1) })
        for index in 0..<250 { _ = small.add(message("m\(index)")) }
        #expect(small.queuedBatches(TopicPartition("t", 0)).map(\.recordCount) == [100, 100, 50])
        _ = try small.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(small.queuedBatches(TopicPartition("t", 0)).map(\.recordCount) == [100, 50])
    }

    @Test func aRecordThatDoesNotFitSealsTheBatch() {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.batchSize = 61 + 100; $0.linger = .seconds(1) })
        _ = accumulator.add(message("a"))  // 37 bytes
        guard case .appended(_, batchFull: true) = accumulator.append(message(String(repeating: "x", count: 40)),
                                                                    partition: 0, now: t0, currentTimeMs: 0) else {
            Issue.record("a 76-byte record does not fit the 63 bytes left"); return
        }
        #expect(accumulator.queuedBatches(TopicPartition("t", 0)).map(\.recordCount) == [1, 1])
        #expect(accumulator.ready(now: t0, leaderOf: leaderOne).readyBrokers == [1])
    }

    @Test func batchMessageCountLimit() {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.batchMaxMessages = 2; $0.linger = .seconds(1) })
        _ = accumulator.add(message("a"))
        guard case .appended(_, batchFull: true) = accumulator.append(message("b"), partition: 0, now: t0, currentTimeMs: 0) else {
            Issue.record("two messages fill the batch"); return
        }
        _ = accumulator.add(message("c"))
        #expect(accumulator.queuedBatches(TopicPartition("t", 0)).map(\.recordCount) == [2, 1])
    }

    @Test func tooLargeMessagesAreRejectedNamingTheLimit() {
        var accumulator = RecordAccumulator(configuration: plainConfiguration {
            $0.messageMaxBytes = 1_000
            $0.maxRequestSize = 2_000
            $0.bufferMaxBytes = 1_500
        })
        func rejection(_ size: Int) -> KafkaProducerError? {
            if case let .rejected(error) = accumulator.append(message(String(repeating: "x", count: size)), partition: 0,
                                                              now: t0, currentTimeMs: 0) {
                return error
            }
            return nil
        }
        // 36 + 904 + 61 = 1001 > 1000.
        #expect(rejection(904) == .messageTooLarge(size: 1_001, setting: "message.max.bytes", limit: 1_000))
        #expect(rejection(903) == nil)
        var requestBound = plainConfiguration { $0.messageMaxBytes = 5_000; $0.maxRequestSize = 500 }
        requestBound.bufferMaxBytes = 10_000
        accumulator = RecordAccumulator(configuration: requestBound)
        #expect(rejection(404) == .messageTooLarge(size: 501, setting: "max.request.size", limit: 500))
        accumulator = RecordAccumulator(configuration: plainConfiguration { $0.bufferMaxBytes = 100 })
        #expect(rejection(65) == .messageTooLarge(size: 101, setting: "buffer.memory", limit: 100))
        #expect(KafkaProducerError.messageTooLarge(size: 1_001, setting: "message.max.bytes", limit: 1_000).description
            == "the message takes up to 1001 bytes, more than message.max.bytes (1000)")
        // Headers count too.
        let withHeaders = message("", headers: [.init("h", ByteSlice(String(repeating: "y", count: 2_000)))])
        accumulator = RecordAccumulator(configuration: plainConfiguration())
        #expect(withHeaders.recordSizeUpperBound == 36 + 10 + 1 + 2_000)
    }

    @Test func theBufferBoundsMessagesAndBytesAndFreesOnReports() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.bufferMaxMessages = 2; $0.linger = .seconds(1) })
        _ = accumulator.add(message("a"))
        _ = accumulator.add(message("b"))
        guard case .bufferFull = accumulator.append(message("c"), partition: 0, now: t0, currentTimeMs: 0) else {
            Issue.record("expected full"); return
        }
        #expect(accumulator.bufferedMessages == 2 && accumulator.bufferedBytes == 74)
        #expect(!accumulator.hasRoom(forRecordSize: 37))
        // A full buffer makes everything sendable at once, linger or not.
        #expect(accumulator.ready(now: t0, leaderOf: leaderOne).readyBrokers == [1])
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        // In flight still counts.
        guard case .bufferFull = accumulator.append(message("c"), partition: 0, now: t0, currentTimeMs: 0) else {
            Issue.record("expected full while in flight"); return
        }
        let actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(baseOffset: 0) }, for: plan, now: t0)
        #expect(actions.reports.count == 2)
        #expect(accumulator.bufferedMessages == 0 && accumulator.bufferedBytes == 0)
        #expect(accumulator.add(message("c")) != nil)

        var bytes = RecordAccumulator(configuration: plainConfiguration { $0.bufferMaxBytes = 100 })
        _ = bytes.add(message(String(repeating: "x", count: 30)))  // 66 bytes
        guard case .bufferFull = bytes.append(message("y"), partition: 0, now: t0, currentTimeMs: 0) else {
            Issue.record("66 + 37 > 100"); return
        }
    }

    @Test func drainMakesOneRequestPerBrokerWithAllItsPartitions() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero })
        let leaders: (TopicPartition) -> Int32? = { tp in tp.topic == "u" ? 2 : 1 }
        for partition: Int32 in 0..<3 { _ = accumulator.add(message("t\(partition)"), partition: partition) }
        _ = accumulator.add(message("u0", topic: "u"), partition: 0)
        _ = accumulator.add(message("t0-again"), partition: 0)
        let check = accumulator.ready(now: t0, leaderOf: leaders)
        #expect(check.readyBrokers == [1, 2])
        let one = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaders)
        #expect(one.batches.map(\.topicPartition).sorted() == [TopicPartition("t", 0), TopicPartition("t", 1), TopicPartition("t", 2)])
        #expect(one.batches.first { $0.topicPartition.partition == 0 }?.recordCount == 2)
        let two = try accumulator.mustDrain(broker: 2, now: t0, leaderOf: leaders)
        #expect(two.batches.map(\.topicPartition) == [TopicPartition("u", 0)])
        #expect(accumulator.drain(broker: 3, now: t0, leaderOf: leaders) == nil)
    }

    @Test func maxRequestSizeSplitsADrainAndTheNextDrainStartsWhereItStopped() throws {
        // Each batch: 61 + 36 + 400 = 497 bytes; a request holds two.
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero; $0.maxRequestSize = 1_000 })
        for partition: Int32 in 0..<3 {
            _ = accumulator.add(message(String(repeating: "x", count: 400)), partition: partition)
        }
        let first = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(first.batches.map(\.topicPartition.partition) == [0, 1])
        #expect(first.sizeUpperBound == 994)
        let second = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(second.batches.map(\.topicPartition.partition) == [2])
    }

    @Test func partitionsWithoutALeaderAskForMetadata() {
        var accumulator = RecordAccumulator(configuration: plainConfiguration())
        _ = accumulator.add(message("a", topic: "orphan"))
        let check = accumulator.ready(now: at(100), leaderOf: { _ in nil })
        #expect(check.readyBrokers.isEmpty)
        #expect(check.unknownLeaderTopics == ["orphan"])
        // The delivery deadline is still a reason to look again.
        #expect(check.nextCheck == t0 + .seconds(120))
    }

    @Test func queuedBatchesExpireAfterTheDeliveryTimeout() {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.deliveryTimeout = .seconds(2) })
        _ = accumulator.add(message("a", label: "first"))
        _ = accumulator.add(message("b"), partition: 1, now: at(1_500))
        #expect(accumulator.expireBatches(now: at(1_999)).reports.isEmpty)
        let actions = accumulator.expireBatches(now: at(2_000))
        #expect(actions.reports.ids == [.id(0)])
        #expect(actions.reports[0].error == .deliveryTimedOut(after: .seconds(2), lastError: nil))
        #expect(actions.reports[0].label as? String == "first")
        #expect(actions.reports[0].partition == 0)
        #expect(accumulator.expireBatches(now: at(3_500)).reports.ids == [.id(1)])
        #expect(accumulator.isEmpty)
    }

    @Test func retriesGoBackToTheFrontInTheirOriginalOrder() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero })
        let tp = TopicPartition("t", 0)
        _ = accumulator.add(message("a"))
        let first = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.add(message("b"))
        let second = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.add(message("c"))
        // Both requests fail: the leader moved.
        var actions = accumulator.produceResponseReceived(response(for: first) { _ in result(.notLeaderOrFollower) }, for: first, now: at(1))
        #expect(actions.refreshMetadata == ["t"])
        #expect(actions.reports.isEmpty)
        #expect(actions.retries.map(\.attempts) == [1])
        #expect(actions.retries.first?.notBefore == at(101))
        actions = accumulator.produceResponseReceived(response(for: second) { _ in result(.notLeaderOrFollower) }, for: second, now: at(2))
        // a, b, then c, which was never sent.
        #expect(accumulator.queuedBatches(tp).map { $0.records[0].messageID } == [.id(0), .id(1), .id(2)])
        // Backing off: not ready before 101 ms.
        let check = accumulator.ready(now: at(50), leaderOf: leaderOne)
        #expect(check.readyBrokers.isEmpty && check.nextCheck == at(101))
        #expect(accumulator.drain(broker: 1, now: at(50), leaderOf: leaderOne) == nil)
        let retry = try accumulator.mustDrain(broker: 1, now: at(101), leaderOf: leaderOne)
        #expect(retry.batches.map { $0.records[0].messageID } == [.id(0)])
        #expect(retry.batches[0].attempts == 2)
        let ok = accumulator.produceResponseReceived(response(for: retry) { _ in result(baseOffset: 7) }, for: retry, now: at(110))
        #expect(ok.reports.map(\.offset) == [7])
        // The second retry waits for its own backoff (from 2 ms), then goes next, then c.
        let next = try accumulator.mustDrain(broker: 1, now: at(110), leaderOf: leaderOne)
        #expect(next.batches.map { $0.records[0].messageID } == [.id(1)])
    }

    @Test func backoffDoublesUpToItsMaximum() {
        let configuration = plainConfiguration { $0.retryBackoff = .milliseconds(100); $0.retryBackoffMax = .milliseconds(350) }
        #expect((1...5).map { configuration.backoff(beforeRetry: $0) }
            == [.milliseconds(100), .milliseconds(200), .milliseconds(350), .milliseconds(350), .milliseconds(350)])
    }

    @Test func oneInFlightPerPartitionKeepsOrderWithoutIdempotence() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero; $0.maxInFlightPerPartition = 1 })
        _ = accumulator.add(message("a"))
        _ = accumulator.add(message("x"), partition: 1)
        let first = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.add(message("b"))
        // Partition 0 has its one batch in flight; partition 1 has nothing new.
        #expect(accumulator.ready(now: t0, leaderOf: leaderOne).readyBrokers.isEmpty)
        #expect(accumulator.drain(broker: 1, now: t0, leaderOf: leaderOne) == nil)
        _ = accumulator.produceResponseReceived(response(for: first) { _ in result(baseOffset: 0) }, for: first, now: t0)
        #expect(try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne).batches.count == 1)
    }

    @Test func retriesRunOutAndNonRetriableErrorsFailAtOnce() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero; $0.retries = 1 })
        _ = accumulator.add(message("a"))
        var plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        var actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(.requestTimedOut) }, for: plan, now: t0)
        #expect(actions.retries.count == 1)
        plan = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(.requestTimedOut) }, for: plan, now: at(100))
        #expect(actions.reports.map(\.error) == [.broker(KafkaError(.requestTimedOut))])

        _ = accumulator.add(message("b"))
        plan = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(.topicAuthorizationFailed) },
                                                      for: plan, now: at(100))
        #expect(actions.retries.isEmpty)
        #expect(actions.reports.first?.error?.errorCode == .topicAuthorizationFailed)
        #expect(accumulator.isEmpty)
    }

    @Test func aRetriableErrorPastTheDeliveryTimeoutEndsTheMessage() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero; $0.deliveryTimeout = .seconds(1) })
        _ = accumulator.add(message("a"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        let actions = accumulator.requestFailed(plan, error: .transport(.requestTimedOut(api: .produce, correlationID: 3, after: .seconds(30))),
                                                now: at(1_000))
        #expect(actions.reports.first?.error == .deliveryTimedOut(
            after: .seconds(1), lastError: .transport(.requestTimedOut(api: .produce, correlationID: 3, after: .seconds(30)))))
        #expect(actions.refreshMetadata == ["t"])
    }

    @Test func aFailedRequestIsRetriedWhenTheTransportSaysSo() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero })
        _ = accumulator.add(message("a"))
        _ = accumulator.add(message("b"), partition: 1)
        var plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        var actions = accumulator.requestFailed(plan, error: .transport(.connectionClosed(BrokerAddress(host: "b", port: 9092), reason: "reset")),
                                                now: t0)
        #expect(actions.retries.count == 2 && actions.reports.isEmpty)
        plan = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        actions = accumulator.requestFailed(plan, error: .encodingFailed("zstd failed"), now: at(100))
        #expect(actions.reports.count == 2 && actions.retries.isEmpty)
        #expect(actions.reports.allSatisfy { $0.error == .encodingFailed("zstd failed") })
    }

    @Test func aResponseWithoutThePartitionIsRetried() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero })
        _ = accumulator.add(message("a"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        let actions = accumulator.produceResponseReceived(ProduceResponse(), for: plan, now: t0)
        #expect(actions.retries.count == 1 && actions.reports.isEmpty)
    }

    @Test func reportsCarryOffsetsTimestampsAndLabels() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero })
        _ = accumulator.add(message("a", timestampMs: 5_000, label: "L0"))
        _ = accumulator.add(message("b", label: "L1"))
        _ = accumulator.add(message("c"), partition: 1)
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        let actions = accumulator.produceResponseReceived(response(for: plan) { batch in
            batch.topicPartition.partition == 0 ? result(baseOffset: 100) : result(baseOffset: 9, logAppendTimeMs: 77)
        }, for: plan, now: t0)
        let byID = Dictionary(uniqueKeysWithValues: actions.reports.map { ($0.messageID, $0) })
        #expect(byID[.id(0)]?.delivered == DeliveredMessage(topic: "t", partition: 0, offset: 100, timestampMs: 5_000, timestampType: .createTime))
        #expect(byID[.id(1)]?.delivered == DeliveredMessage(topic: "t", partition: 0, offset: 101, timestampMs: 1_000, timestampType: .createTime))
        #expect(byID[.id(2)]?.delivered == DeliveredMessage(topic: "t", partition: 1, offset: 9, timestampMs: 77, timestampType: .logAppendTime))
        #expect(byID[.id(0)]?.label as? String == "L0")
        #expect(byID[.id(1)]?.delivered?.description == "t[0]@101")
    }

    @Test func recordErrorsNameTheRecordsThatSankTheBatch() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero })
        for value in ["a", "b", "c"] { _ = accumulator.add(message(value)) }
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        var invalid = result(.invalidRecord)
        invalid.recordErrors = [1: "null key on a compacted topic"]
        invalid.errorMessage = "batch dropped"
        let actions = accumulator.produceResponseReceived(response(for: plan) { _ in invalid }, for: plan, now: t0)
        let kafka = KafkaError(.invalidRecord, brokerMessage: "batch dropped")
        #expect(actions.reports.map(\.error) == [
            .broker(kafka, recordError: "not appended: another record of its batch was invalid"),
            .broker(kafka, recordError: "null key on a compacted topic"),
            .broker(kafka, recordError: "not appended: another record of its batch was invalid"),
        ])
    }

    @Test func messageTooLargeSplitsTheBatchInPlace() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero })
        for value in ["a", "b", "c", "d", "e"] { _ = accumulator.add(message(value)) }
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.add(message("f"))
        var actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(.messageTooLarge) }, for: plan, now: t0)
        #expect(actions.reports.isEmpty)
        #expect(accumulator.queuedBatches(TopicPartition("t", 0)).map { $0.records.map(\.messageID.rawValue) } == [[0, 1], [2, 3, 4], [5]])
        var offsets: [Int64?] = []
        for base: Int64 in [10, 12, 15] {
            let next = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
            actions = accumulator.produceResponseReceived(response(for: next) { _ in result(baseOffset: base) }, for: next, now: t0)
            offsets += actions.reports.map(\.offset)
        }
        #expect(offsets == [10, 11, 12, 13, 14, 15])
        // A single record that is too large fails.
        _ = accumulator.add(message("g"))
        let single = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        actions = accumulator.produceResponseReceived(response(for: single) { _ in result(.messageTooLarge) }, for: single, now: t0)
        #expect(actions.reports.first?.error?.errorCode == .messageTooLarge)
    }

    @Test func acksZeroDeliversAtUnknownOffsets() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero; $0.acks = .none })
        _ = accumulator.add(message("a"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        let actions = accumulator.requestSent(plan, now: t0)
        #expect(actions.reports.map(\.delivered) == [DeliveredMessage(topic: "t", partition: 0, offset: nil, timestampMs: 1_000,
                                                                      timestampType: .createTime)])
    }

    @Test func flushSendsEverythingAndCompletesWhenEarlierMessagesAreReported() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .seconds(10) })
        let empty = accumulator.beginFlush()
        #expect(empty.actions.completedFlushes == [empty.id])
        _ = accumulator.add(message("a"))
        _ = accumulator.add(message("b"), partition: 1)
        let flush = accumulator.beginFlush()
        #expect(flush.actions.completedFlushes.isEmpty)
        #expect(accumulator.ready(now: t0, leaderOf: leaderOne).readyBrokers == [1])
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        // A message after the flush does not hold it up.
        _ = accumulator.add(message("c"), partition: 2)
        var actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(baseOffset: 0) },
                                                          for: ProduceRequestPlan(broker: 1, batches: [plan.batches[0]]), now: t0)
        #expect(actions.completedFlushes.isEmpty)
        actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(baseOffset: 0) },
                                                      for: ProduceRequestPlan(broker: 1, batches: [plan.batches[1]]), now: t0)
        #expect(actions.completedFlushes == [flush.id])
        #expect(accumulator.bufferedMessages == 1)
        // No flush pending: linger applies again.
        #expect(accumulator.ready(now: t0, leaderOf: leaderOne).readyBrokers.isEmpty)
    }

    @Test func closeDrainsEverythingAndRefusesNewMessages() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .seconds(10) })
        _ = accumulator.add(message("a"))
        var actions = accumulator.close()
        #expect(!actions.closed)
        guard case .rejected(.closed) = accumulator.append(message("late"), partition: 0, now: t0, currentTimeMs: 0) else {
            Issue.record("a closing producer takes nothing"); return
        }
        #expect(accumulator.ready(now: t0, leaderOf: leaderOne).readyBrokers == [1])
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(baseOffset: 0) }, for: plan, now: t0)
        #expect(actions.closed && accumulator.isClosed)
        #expect(accumulator.close().closed == false)  // already closed: nothing new
    }

    @Test func abortFailsEverythingAndIgnoresLateAnswers() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero })
        _ = accumulator.add(message("a"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.add(message("b"))
        let actions = accumulator.abort()
        #expect(Set(actions.reports.ids) == [.id(0), .id(1)])
        #expect(actions.reports.allSatisfy { $0.error == .aborted })
        #expect(actions.closed && accumulator.isEmpty)
        let late = accumulator.produceResponseReceived(response(for: plan) { _ in result(baseOffset: 0) }, for: plan, now: t0)
        #expect(late.reports.isEmpty)
    }

    @Test func configurationValidationNamesTheSetting() {
        var configuration = AccumulatorConfiguration()
        #expect(throws: Never.self) { try configuration.validate() }
        configuration.maxInFlightPerPartition = 6
        #expect(throws: AccumulatorConfigurationError(setting: "max.in.flight.requests.per.connection",
                                                      reason: "must be at most 5 with enable.idempotence")) {
            try configuration.validate()
        }
        configuration = AccumulatorConfiguration()
        configuration.acks = .leader
        #expect(throws: AccumulatorConfigurationError(setting: "acks", reason: "must be all with enable.idempotence")) {
            try configuration.validate()
        }
        configuration.idempotence = false
        #expect(throws: Never.self) { try configuration.validate() }
        configuration.batchSize = 10
        #expect(throws: AccumulatorConfigurationError.self) { try configuration.validate() }
    }
}
