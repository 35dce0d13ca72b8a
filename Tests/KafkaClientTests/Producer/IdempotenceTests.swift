@testable import KafkaClient
import KafkaWire
import Testing

@Suite("Idempotent producer")
struct IdempotenceTests {
    let tp = TopicPartition("t", 0)

    @Test func nothingIsSentBeforeTheProducerHasAnID() throws {
        var accumulator = RecordAccumulator(configuration: AccumulatorConfiguration())
        _ = accumulator.add(message("a"))
        #expect(accumulator.ready(now: at(100), leaderOf: leaderOne).readyBrokers.isEmpty)
        #expect(accumulator.drain(broker: 1, now: at(100), leaderOf: leaderOne) == nil)
        let requested = accumulator.producerIDRequest()
        let request = try #require(requested)
        #expect(request.transactionalID == nil)
        #expect(request.producerID == -1 && request.producerEpoch == -1)
        #expect(accumulator.producerIDRequest() == nil)  // one at a time
        // A retriable error: ask again.
        var (outcome, _) = accumulator.producerIDResponseReceived(InitProducerIdResponse(errorCode: .coordinatorLoadInProgress))
        #expect(outcome == .retry(.coordinatorLoadInProgress))
        #expect(accumulator.producerIDRequest() != nil)
        accumulator.producerIDRequestFailed()
        #expect(accumulator.producerIDRequest() != nil)
        (outcome, _) = accumulator.producerIDResponseReceived(InitProducerIdResponse(producerID: 1_000, producerEpoch: 3))
        #expect(outcome == .ready(rewrittenSequences: [:]))
        #expect(accumulator.idempotence?.producerIDAndEpoch == ProducerIDAndEpoch(producerID: 1_000, epoch: 3))
        #expect(accumulator.ready(now: at(100), leaderOf: leaderOne).readyBrokers == [1])
        let plan = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        #expect(plan.batches[0].sequence == BatchSequence(producerIDAndEpoch: .init(producerID: 1_000, epoch: 3), baseSequence: 0))
    }

    @Test func anUnauthorizedProducerFailsFatally() {
        var accumulator = RecordAccumulator(configuration: AccumulatorConfiguration())
        _ = accumulator.add(message("a"))
        _ = accumulator.producerIDRequest()
        let (outcome, actions) = accumulator.producerIDResponseReceived(InitProducerIdResponse(errorCode: .clusterAuthorizationFailed))
        let error = KafkaProducerError.broker(KafkaError(.clusterAuthorizationFailed))
        #expect(outcome == .fatal(error))
        #expect(actions.fatalError == error)
        #expect(actions.reports.map(\.error) == [.fatal(error)])
        #expect(accumulator.producerIDRequest() == nil)
    }

    @Test func sequencesAreAssignedWhenDrainedNotWhenAppended() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero; $0.deliveryTimeout = .seconds(1) }
        // A batch that expires before it is ever sent takes no sequence.
        _ = accumulator.add(message("lost"), now: t0)
        #expect(accumulator.expireBatches(now: at(1_000)).reports.count == 1)
        for value in ["a", "b", "c"] { _ = accumulator.add(message(value), now: at(1_000)) }
        let first = try accumulator.mustDrain(broker: 1, now: at(1_000), leaderOf: leaderOne)
        #expect(first.batches[0].sequence?.baseSequence == 0)
        _ = accumulator.add(message("d"), now: at(1_000))
        _ = accumulator.add(message("x"), partition: 1, now: at(1_000))
        let second = try accumulator.mustDrain(broker: 1, now: at(1_000), leaderOf: leaderOne)
        let sequences = Dictionary(uniqueKeysWithValues: second.batches.map { ($0.topicPartition.partition, $0.sequence?.baseSequence) })
        #expect(sequences == [0: 3, 1: 0])
        #expect(accumulator.idempotence?.nextSequence(tp) == 4)
        #expect(accumulator.idempotence?.inFlightBatches(tp) == [first.batches[0].id, second.batches.first { $0.topicPartition == tp }!.id])
        _ = accumulator.produceResponseReceived(response(for: first) { _ in result(baseOffset: 0) }, for: first, now: at(1_000))
        #expect(accumulator.idempotence?.lastAckedSequence(tp) == 2)
    }

    @Test func aDuplicateSequenceIsSuccess() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero }
        _ = accumulator.add(message("a"))
        _ = accumulator.add(message("b"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        let actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(.duplicateSequenceNumber) }, for: plan, now: t0)
        #expect(actions.reports.count == 2)
        #expect(actions.reports.allSatisfy { $0.delivered != nil && $0.offset == nil })
        #expect(accumulator.idempotence?.lastAckedSequence(tp) == 1)
        #expect(accumulator.isEmpty)
    }

    @Test func outOfOrderBehindAFailedBatchIsRetriedInOrderWithoutAnEpochBump() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero }
        _ = accumulator.add(message("a"))
        let first = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.add(message("b"))
        let second = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(second.batches[0].sequence?.baseSequence == 1)
        // The first batch hit a leader change; the broker then saw sequence 1 without 0.
        _ = accumulator.produceResponseReceived(response(for: first) { _ in result(.notLeaderOrFollower) }, for: first, now: t0)
        let actions = accumulator.produceResponseReceived(response(for: second) { _ in result(.outOfOrderSequenceNumber) },
                                                          for: second, now: t0)
        #expect(actions.reports.isEmpty && actions.retries.count == 1)
        #expect(accumulator.idempotence?.producerIDAndEpoch.epoch == 0)
        // Retries go one at a time, oldest first: only the first batch drains.
        let retry = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        #expect(retry.batches.map(\.id) == [first.batches[0].id])
        #expect(retry.batches[0].sequence?.baseSequence == 0)
        #expect(accumulator.drain(broker: 1, now: at(100), leaderOf: leaderOne) == nil)
        _ = accumulator.produceResponseReceived(response(for: retry) { _ in result(baseOffset: 0) }, for: retry, now: at(100))
        let next = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        #expect(next.batches.map(\.id) == [second.batches[0].id])
        #expect(next.batches[0].sequence?.baseSequence == 1)
        let done = accumulator.produceResponseReceived(response(for: next) { _ in result(baseOffset: 1) }, for: next, now: at(100))
        #expect(done.reports.map(\.offset) == [1])
    }

    @Test func fiveInFlightFailingTogetherComeBackInOrder() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero }
        var plans: [ProduceRequestPlan] = []
        for index in 0..<5 {
            _ = accumulator.add(message("m\(index)"))
            plans.append(try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne))
        }
        // A sixth waits: 5 in flight is the limit.
        _ = accumulator.add(message("m5"))
        #expect(accumulator.drain(broker: 1, now: t0, leaderOf: leaderOne) == nil)
        // The leader moved: the first fails retriably, the rest out of order.
        _ = accumulator.produceResponseReceived(response(for: plans[0]) { _ in result(.notLeaderOrFollower) }, for: plans[0], now: t0)
        for plan in plans.dropFirst() {
            _ = accumulator.produceResponseReceived(response(for: plan) { _ in result(.outOfOrderSequenceNumber) }, for: plan, now: t0)
        }
        #expect(accumulator.queuedBatches(tp).map { $0.records[0].messageID.rawValue } == [0, 1, 2, 3, 4, 5])
        var offsets: [Int64?] = []
        for step in 0..<5 {
            let plan = try accumulator.mustDrain(broker: 1, now: at(200), leaderOf: leaderOne)
            #expect(plan.batches.count == 1)
            #expect(plan.batches[0].sequence?.baseSequence == Int32(step))
            var plans = [plan]
            if step < 4 {
                // One at a time while retrying: the next retry waits to be the oldest in flight.
                #expect(accumulator.drain(broker: 1, now: at(200), leaderOf: leaderOne) == nil)
            } else {
                // Behind the last retry, the batch never sent gets the next sequence and may join it.
                let fresh = try accumulator.mustDrain(broker: 1, now: at(200), leaderOf: leaderOne)
                #expect(fresh.batches.map(\.sequence?.baseSequence) == [5])
                plans.append(fresh)
            }
            for (index, plan) in plans.enumerated() {
                offsets += accumulator.produceResponseReceived(response(for: plan) { _ in result(baseOffset: Int64(step + index)) },
                                                               for: plan, now: at(200)).reports.map(\.offset)
            }
        }
        #expect(offsets == [0, 1, 2, 3, 4, 5])
        #expect(accumulator.idempotence?.producerIDAndEpoch.epoch == 0)
    }

    @Test func outOfOrderForTheNextExpectedBatchBumpsTheEpoch() throws {
        var accumulator = RecordAccumulator.idempotent(epoch: 4) { $0.linger = .zero }
        _ = accumulator.add(message("a"))
        let first = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.produceResponseReceived(response(for: first) { _ in result(baseOffset: 0) }, for: first, now: t0)
        _ = accumulator.add(message("b"))
        _ = accumulator.add(message("c"))
        let second = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(second.batches[0].sequence?.baseSequence == 1)
        // Sequence 1 follows the acknowledged 0, yet the broker says out of order: a real gap.
        let actions = accumulator.produceResponseReceived(response(for: second) { _ in result(.outOfOrderSequenceNumber) },
                                                          for: second, now: t0)
        #expect(actions.retries.count == 1)
        let bumped = ProducerIDAndEpoch(producerID: 42, epoch: 5)
        #expect(accumulator.idempotence?.producerIDAndEpoch == bumped)
        // The batch is retried at the new epoch from sequence 0.
        let retry = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        #expect(retry.batches[0].sequence == BatchSequence(producerIDAndEpoch: bumped, baseSequence: 0))
        _ = accumulator.produceResponseReceived(response(for: retry) { _ in result(baseOffset: 1) }, for: retry, now: at(100))
        _ = accumulator.add(message("d"), now: at(100))
        let next = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        #expect(next.batches[0].sequence == BatchSequence(producerIDAndEpoch: bumped, baseSequence: 2))
    }

    @Test func unknownProducerIDRetriesUntilTheLogStartIsKnownThenBumps() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero }
        _ = accumulator.add(message("a"))
        let first = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.produceResponseReceived(response(for: first) { _ in result(baseOffset: 10) }, for: first, now: t0)
        _ = accumulator.add(message("b"))
        var plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        // Log start offset unknown: plain retry, same epoch and sequence.
        var actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(.unknownProducerId, logStartOffset: -1) },
                                                          for: plan, now: t0)
        #expect(actions.retries.count == 1)
        #expect(accumulator.idempotence?.producerIDAndEpoch.epoch == 0)
        plan = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        #expect(plan.batches[0].sequence?.baseSequence == 1)
        // Retention removed our records (log start 50 > last acknowledged offset 10): new epoch, sequences from 0.
        actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(.unknownProducerId, logStartOffset: 50) },
                                                      for: plan, now: at(100))
        #expect(actions.retries.count == 1 && actions.reports.isEmpty)
        #expect(accumulator.idempotence?.producerIDAndEpoch == ProducerIDAndEpoch(producerID: 42, epoch: 1))
        plan = try accumulator.mustDrain(broker: 1, now: at(300), leaderOf: leaderOne)
        #expect(plan.batches[0].sequence == BatchSequence(producerIDAndEpoch: .init(producerID: 42, epoch: 1), baseSequence: 0))
        actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(baseOffset: 50) }, for: plan, now: at(300))
        #expect(actions.reports.map(\.offset) == [50])
    }

    @Test func fencingIsFatal() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero }
        _ = accumulator.add(message("a"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.add(message("b"), partition: 1)
        let actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(.producerFenced) }, for: plan, now: t0)
        let fenced = KafkaProducerError.broker(KafkaError(.producerFenced))
        #expect(actions.fatalError == fenced)
        let byID = Dictionary(uniqueKeysWithValues: actions.reports.map { ($0.messageID, $0.error) })
        #expect(byID[.id(0)] == fenced)
        #expect(byID[.id(1)] == .fatal(fenced))
        #expect(accumulator.fatalError == fenced)
        guard case .rejected(.fatal(fenced)) = accumulator.append(message("c"), partition: 0, now: t0, currentTimeMs: 0) else {
            Issue.record("a fenced producer takes nothing"); return
        }
        #expect(accumulator.ready(now: at(1_000), leaderOf: leaderOne).readyBrokers.isEmpty)
        #expect(accumulator.close().closed)
    }

    @Test func invalidProducerEpochFailsTheBatchAndBumpsTheEpoch() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero }
        _ = accumulator.add(message("a"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        let actions = accumulator.produceResponseReceived(response(for: plan) { _ in result(.invalidProducerEpoch) }, for: plan, now: t0)
        #expect(actions.fatalError == nil)
        #expect(actions.reports.first?.error?.errorCode == .invalidProducerEpoch)
        #expect(accumulator.idempotence?.producerIDAndEpoch.epoch == 1)
        _ = accumulator.add(message("b"))
        let next = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(next.batches[0].sequence == BatchSequence(producerIDAndEpoch: .init(producerID: 42, epoch: 1), baseSequence: 0))
    }

    @Test func anExhaustedEpochAsksForANewProducerID() throws {
        var accumulator = RecordAccumulator.idempotent(epoch: .max) { $0.linger = .zero }
        _ = accumulator.add(message("a"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.produceResponseReceived(response(for: plan) { _ in result(.outOfOrderSequenceNumber) }, for: plan, now: t0)
        #expect(accumulator.idempotence?.producerIDAndEpoch == ProducerIDAndEpoch.none)
        #expect(accumulator.drain(broker: 1, now: at(100), leaderOf: leaderOne) == nil)
        #expect(accumulator.producerIDRequest() != nil)
        let (outcome, _) = accumulator.producerIDResponseReceived(InitProducerIdResponse(producerID: 43, producerEpoch: 0))
        let fresh = ProducerIDAndEpoch(producerID: 43, epoch: 0)
        guard case let .ready(rewrites) = outcome else { Issue.record("expected ready"); return }
        #expect(rewrites == [plan.batches[0].id: BatchSequence(producerIDAndEpoch: fresh, baseSequence: 0)])
        let retry = try accumulator.mustDrain(broker: 1, now: at(100), leaderOf: leaderOne)
        #expect(retry.batches[0].sequence == BatchSequence(producerIDAndEpoch: fresh, baseSequence: 0))
    }

    @Test func anExpiredSentBatchBlocksNewBatchesUntilResolved() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero; $0.deliveryTimeout = .seconds(1) }
        _ = accumulator.add(message("a"))
        _ = accumulator.add(message("b"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.produceResponseReceived(response(for: plan) { _ in result(.requestTimedOut) }, for: plan, now: at(10))
        // Waiting for its retry, the batch expires: whether the broker wrote sequences 0-1 is unknown.
        let expired = accumulator.expireBatches(now: at(1_000))
        #expect(expired.reports.count == 2)
        #expect(expired.reports.first?.error == .deliveryTimedOut(after: .seconds(1), lastError: .broker(KafkaError(.requestTimedOut))))
        // Nothing else was in flight, so it resolves at once: sequence 2 does not follow the last
        // acknowledged (none), so the epoch is bumped and the next batch starts at 0.
        #expect(accumulator.idempotence?.hasUnresolvedSequence(tp) == false)
        #expect(accumulator.idempotence?.producerIDAndEpoch.epoch == 1)
        _ = accumulator.add(message("c"), now: at(1_000))
        let next = try accumulator.mustDrain(broker: 1, now: at(1_000), leaderOf: leaderOne)
        #expect(next.batches[0].sequence == BatchSequence(producerIDAndEpoch: .init(producerID: 42, epoch: 1), baseSequence: 0))
    }

    @Test func anUnresolvedSequenceIsSettledByTheBatchesAfterIt() {
        var state = IdempotentProducerState()
        _ = state.producerIDRequest()
        _ = state.producerIDResponseReceived(InitProducerIdResponse(producerID: 7, producerEpoch: 0))
        let a = ProducerBatchID(rawValue: 1), b = ProducerBatchID(rawValue: 2), c = ProducerBatchID(rawValue: 3)
        let sa = state.assignSequence(tp, batchID: a, recordCount: 2)
        let sb = state.assignSequence(tp, batchID: b, recordCount: 2)
        // a expired waiting for a retry; b is still out.
        state.sentBatchExpired(tp, batchID: a, sequence: sa, recordCount: 2)
        #expect(state.hasUnresolvedSequence(tp))
        #expect(state.shouldStopDrain(tp, headSequence: nil))
        state.resolveSequences()
        #expect(state.hasUnresolvedSequence(tp))  // b still in flight
        // b succeeded: so a was written too (the broker takes sequences in order).
        state.batchSucceeded(tp, batchID: b, sequence: sb, recordCount: 2, baseOffset: 100)
        state.resolveSequences()
        #expect(!state.hasUnresolvedSequence(tp))
        #expect(state.bumpEpochIfNeeded().isEmpty)
        #expect(state.producerIDAndEpoch.epoch == 0)
        #expect(!state.shouldStopDrain(tp, headSequence: nil))
        #expect(state.assignSequence(tp, batchID: c, recordCount: 1).baseSequence == 4)
    }

    @Test func newBatchesWaitForOlderEpochsToFinish() {
        var state = IdempotentProducerState()
        _ = state.producerIDRequest()
        _ = state.producerIDResponseReceived(InitProducerIdResponse(producerID: 7, producerEpoch: 0))
        let other = TopicPartition("t", 1)
        let a = ProducerBatchID(rawValue: 1), b = ProducerBatchID(rawValue: 2)
        let sa = state.assignSequence(other, batchID: a, recordCount: 1)
        _ = state.assignSequence(tp, batchID: b, recordCount: 1)
        // A gap on tp bumps the epoch; `other` still has a batch of epoch 0 out.
        _ = state.canRetry(tp, batchID: b, sequence: BatchSequence(producerIDAndEpoch: .init(producerID: 7, epoch: 0), baseSequence: 0),
                           error: .outOfOrderSequenceNumber, logStartOffset: -1)
        let rewrites = state.bumpEpochIfNeeded()
        #expect(rewrites == [b: BatchSequence(producerIDAndEpoch: .init(producerID: 7, epoch: 1), baseSequence: 0)])
        #expect(state.shouldStopDrain(other, headSequence: nil))
        state.batchSucceeded(other, batchID: a, sequence: sa, recordCount: 1, baseOffset: 0)
        #expect(!state.shouldStopDrain(other, headSequence: nil))
        // The new epoch starts `other` again at sequence 0.
        #expect(state.assignSequence(other, batchID: ProducerBatchID(rawValue: 3), recordCount: 1)
            == BatchSequence(producerIDAndEpoch: .init(producerID: 7, epoch: 1), baseSequence: 0))
    }

    @Test func sequencesWrapAtInt32Max() {
        #expect(IdempotentProducerState.increment(Int32.max - 1, by: 1) == Int32.max)
        #expect(IdempotentProducerState.increment(Int32.max, by: 1) == 0)
        #expect(IdempotentProducerState.increment(Int32.max - 2, by: 5) == 2)
        #expect(IdempotentProducerState.lastSequence(Int32.max, 3) == 1)
    }

    @Test func splitBatchesTakeOverTheSequenceRange() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero }
        for value in ["a", "b", "c", "d"] { _ = accumulator.add(message(value)) }
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        _ = accumulator.produceResponseReceived(response(for: plan) { _ in result(.messageTooLarge) }, for: plan, now: t0)
        let queued = accumulator.queuedBatches(tp)
        #expect(queued.map(\.sequence?.baseSequence) == [0, 2])
        let first = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(first.batches[0].recordCount == 2)
        #expect(accumulator.drain(broker: 1, now: t0, leaderOf: leaderOne) == nil)  // the second part waits its turn
        _ = accumulator.produceResponseReceived(response(for: first) { _ in result(baseOffset: 0) }, for: first, now: t0)
        let second = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        #expect(second.batches[0].sequence?.baseSequence == 2)
    }
}
