@testable import KafkaClient
import KafkaWire
import Testing

/// A batch header built by hand, standing in for the records layer's entries.
struct TestBatch: FetchedBatchHeader, Hashable {
    var baseOffset: Int64
    var lastOffset: Int64
    var producerID: Int64 = -1
    var isTransactional = false
    var isControl = false
    var isAbortMarker = false

    static func data(_ base: Int64, _ last: Int64? = nil) -> TestBatch { TestBatch(baseOffset: base, lastOffset: last ?? base) }
    static func txn(_ producer: Int64, _ base: Int64, _ last: Int64? = nil) -> TestBatch {
        TestBatch(baseOffset: base, lastOffset: last ?? base, producerID: producer, isTransactional: true)
    }
    static func marker(_ producer: Int64, _ offset: Int64, abort: Bool) -> TestBatch {
        TestBatch(baseOffset: offset, lastOffset: offset, producerID: producer, isTransactional: true, isControl: true,
                  isAbortMarker: abort)
    }
}

@Suite("Fetch planner")
struct FetchPlannerTests {
    var config = FetchConfiguration()

    @Test func oneRequestPerBrokerWithEveryFetchablePartition() {
        let candidates = [
            FetchCandidate(partition: tp("b", 0), position: 5, currentLeaderEpoch: 3, leader: 2),
            FetchCandidate(partition: tp("a", 1), position: 10, leader: 1),
            FetchCandidate(partition: tp("a", 0), position: 0, leader: 1, bufferedBytes: 100),
            FetchCandidate(partition: tp("a", 2), position: 7, leader: 2, bufferedBytes: 64 * 1024 * 1024),
            FetchCandidate(partition: tp("a", 3), position: 7, leader: 1, isPaused: true),
            FetchCandidate(partition: tp("a", 4), position: nil, leader: 1),
            FetchCandidate(partition: tp("a", 5), position: 3, leader: nil),
            FetchCandidate(partition: tp("c", 0), position: 1, leader: 3, maxBytesOverride: 5_000_000),
        ]
        let plan = FetchPlanner.plan(candidates, configuration: config)
        #expect(plan.targets[1] == [FetchTarget(partition: tp("a", 0), fetchOffset: 0, maxBytes: 1_048_576),
                                    FetchTarget(partition: tp("a", 1), fetchOffset: 10, maxBytes: 1_048_576)])
        #expect(plan.targets[2] == [FetchTarget(partition: tp("b", 0), fetchOffset: 5, currentLeaderEpoch: 3, maxBytes: 1_048_576)])
        #expect(plan.targets[3]?.first?.maxBytes == 5_000_000)
        #expect(plan.bufferFull == [tp("a", 2)])
        #expect(plan.leaderUnknown == [tp("a", 5)])
        #expect(plan.targets.count == 3)

        let busy = FetchPlanner.plan(candidates, brokersWithFetchInFlight: [1, 3], configuration: config)
        #expect(Array(busy.targets.keys) == [2])
    }

    @Test func aFullTotalBufferStopsAllFetching() {
        var config = config
        config.maxBufferedBytes = 1000
        let candidates = [FetchCandidate(partition: tp("a", 0), position: 0, leader: 1, bufferedBytes: 600),
                          FetchCandidate(partition: tp("a", 1), position: 0, leader: 1, bufferedBytes: 400)]
        let plan = FetchPlanner.plan(candidates, configuration: config)
        #expect(plan.targets.isEmpty && plan.bufferFull == [tp("a", 0), tp("a", 1)])
        config.maxBufferedBytes = 1001
        #expect(FetchPlanner.plan(candidates, configuration: config).targets[1]?.count == 2)
    }
}

@Suite("Fetch sessions (KIP-227)")
struct FetchSessionTests {
    let config = FetchConfiguration()
    let p0 = FetchTarget(partition: tp("t", 0), fetchOffset: 0, maxBytes: 100)
    let p1 = FetchTarget(partition: tp("t", 1), fetchOffset: 0, maxBytes: 100)
    let q0 = FetchTarget(partition: tp("u", 0), fetchOffset: 5, maxBytes: 100)

    func listed(_ request: FetchRequest?) -> [TopicPartition] {
        (request?.topics ?? []).flatMap { topic in topic.partitions.map { tp(topic.topic, $0.partition) } }
    }

    func forgotten(_ request: FetchRequest?) -> [TopicPartition] {
        (request?.forgottenTopicsData ?? []).flatMap { topic in topic.partitions.map { tp(topic.topic, $0) } }
    }

    func moved(_ target: FetchTarget, to offset: Int64) -> FetchTarget {
        var copy = target
        copy.fetchOffset = offset
        return copy
    }

    @Test func fullThenIncrementalListingOnlyChanges() {
        var session = FetchSessionStateMachine(brokerID: 1, sessionsSupported: true)
        let full = session.makeRequest([p1, q0, p0], configuration: config)
        #expect(full?.sessionID == 0 && full?.sessionEpoch == 0)
        #expect(listed(full) == [tp("t", 0), tp("t", 1), tp("u", 0)])
        #expect(full?.maxWaitMs == 500 && full?.minBytes == 1 && full?.maxBytes == 52_428_800 && full?.isolationLevel == 0)
        #expect(session.makeRequest([p0], configuration: config) == nil, "one request in flight")
        #expect(session.responseReceived(FetchResponse(sessionID: 77)) == .accepted)
        #expect(session.sessionID == 77)

        // Nothing changed: an empty incremental fetch (a long poll).
        let idle = session.makeRequest([p0, p1, q0], configuration: config)
        #expect(idle?.sessionID == 77 && idle?.sessionEpoch == 1 && listed(idle) == [] && forgotten(idle) == [])
        _ = session.responseReceived(FetchResponse(sessionID: 77))

        // p0 advanced, q0's buffer filled up (left out): p0 listed, q0 forgotten.
        let next = session.makeRequest([moved(p0, to: 40), p1], configuration: config)
        #expect(next?.sessionEpoch == 2 && listed(next) == [tp("t", 0)] && forgotten(next) == [tp("u", 0)])
        #expect(next?.topics.first?.partitions.first?.fetchOffset == 40)
        _ = session.responseReceived(FetchResponse(sessionID: 77))

        // q0 comes back: added again.
        let back = session.makeRequest([moved(p0, to: 40), p1, q0], configuration: config)
        #expect(back?.sessionEpoch == 3 && listed(back) == [tp("u", 0)] && forgotten(back) == [])
    }

    @Test func sessionErrorsFallBackToFullFetches() {
        var session = FetchSessionStateMachine(brokerID: 1, sessionsSupported: true)
        _ = session.makeRequest([p0, p1], configuration: config)
        _ = session.responseReceived(FetchResponse(sessionID: 77))
        _ = session.makeRequest([p0, p1], configuration: config)
        #expect(session.responseReceived(FetchResponse(errorCode: .invalidFetchSessionEpoch)) == .sessionError(.invalidFetchSessionEpoch))
        // Close session 77 and open a new one, listing everything.
        let reopen = session.makeRequest([p0, p1], configuration: config)
        #expect(reopen?.sessionID == 77 && reopen?.sessionEpoch == 0 && listed(reopen) == [tp("t", 0), tp("t", 1)])
        _ = session.responseReceived(FetchResponse(sessionID: 78))
        _ = session.makeRequest([p0, p1], configuration: config)
        #expect(session.responseReceived(FetchResponse(errorCode: .fetchSessionIdNotFound)) == .sessionError(.fetchSessionIdNotFound))
        let fresh = session.makeRequest([p0], configuration: config)
        #expect(fresh?.sessionID == 0 && fresh?.sessionEpoch == 0 && listed(fresh) == [tp("t", 0)])
    }

    @Test func theBrokerMayDeclineOrCloseSessions() {
        var session = FetchSessionStateMachine(brokerID: 1, sessionsSupported: true)
        _ = session.makeRequest([p0], configuration: config)
        #expect(session.responseReceived(FetchResponse(sessionID: 0)) == .accepted)
        let again = session.makeRequest([p0], configuration: config)
        #expect(again?.sessionID == 0 && again?.sessionEpoch == 0 && listed(again) == [tp("t", 0)], "no session: full again")
        _ = session.responseReceived(FetchResponse(sessionID: 5))
        _ = session.makeRequest([p0], configuration: config)
        #expect(session.responseReceived(FetchResponse(sessionID: 0)) == .accepted, "closed by the broker, data still good")
        #expect(session.makeRequest([p0], configuration: config)?.sessionEpoch == 0)
    }

    @Test func aLostRequestRestartsTheSession() {
        var session = FetchSessionStateMachine(brokerID: 1, sessionsSupported: true)
        _ = session.makeRequest([p0], configuration: config)
        _ = session.responseReceived(FetchResponse(sessionID: 9))
        _ = session.makeRequest([p0], configuration: config)
        session.requestFailed()
        let retry = session.makeRequest([p0], configuration: config)
        #expect(retry?.sessionID == 9 && retry?.sessionEpoch == 0 && listed(retry) == [tp("t", 0)])
        #expect(session.responseReceived(FetchResponse()) == .accepted)
        #expect(session.responseReceived(FetchResponse()) == .unexpected)
    }

    @Test func nothingToFetchDropsTheSession() {
        var session = FetchSessionStateMachine(brokerID: 1, sessionsSupported: true)
        _ = session.makeRequest([p0], configuration: config)
        _ = session.responseReceived(FetchResponse(sessionID: 9))
        #expect(session.makeRequest([], configuration: config) == nil)
        let next = session.makeRequest([p1], configuration: config)
        #expect(next?.sessionID == 9 && next?.sessionEpoch == 0 && listed(next) == [tp("t", 1)] && forgotten(next) == [])
    }

    @Test func epochsWrapToOne() {
        var session = FetchSessionStateMachine(brokerID: 1, sessionsSupported: true)
        _ = session.makeRequest([p0], configuration: config)
        _ = session.responseReceived(FetchResponse(sessionID: 3))
        var epochs: [Int32] = []
        for _ in 0..<3 {
            epochs.append(session.makeRequest([p0], configuration: config)?.sessionEpoch ?? 0)
            _ = session.responseReceived(FetchResponse(sessionID: 3))
        }
        #expect(epochs == [1, 2, 3])
        var wrapped = FetchSessionStateMachine(brokerID: 1, resumingSession: 3, epoch: Int32.max)
        #expect(wrapped.makeRequest([p0], configuration: config)?.sessionEpoch == Int32.max)
        _ = wrapped.responseReceived(FetchResponse(sessionID: 3))
        #expect(wrapped.makeRequest([p0], configuration: config)?.sessionEpoch == 1)
    }

    @Test func withoutSessionsEveryFetchIsFull() {
        var session = FetchSessionStateMachine(brokerID: 1, sessionsSupported: false)
        for _ in 0..<2 {
            let request = session.makeRequest([p0, q0], configuration: config)
            #expect(request?.sessionID == 0 && request?.sessionEpoch == -1 && listed(request).count == 2)
            #expect(session.responseReceived(FetchResponse(sessionID: 0)) == .accepted)
        }
        var late = FetchSessionStateMachine(brokerID: 1, sessionsSupported: true)
        late.sessionsUnsupported()
        #expect(late.makeRequest([p0], configuration: config)?.sessionEpoch == -1)
    }

    @Test func requestsEncodeAtEveryFetchVersion() {
        var config = config
        config.isolationLevel = .readCommitted
        var session = FetchSessionStateMachine(brokerID: 1, sessionsSupported: true)
        var target = p0
        target.topicID = KafkaUUID(high: 1, low: 2)
        let full = session.makeRequest([target, q0], configuration: config)
        #expect(full.map { encodes($0, versions: 4...17) } == Array(4...17))
        _ = session.responseReceived(FetchResponse(sessionID: 1))
        let incremental = session.makeRequest([q0], configuration: config)
        #expect(incremental?.forgottenTopicsData.first?.topicID == KafkaUUID(high: 1, low: 2))
        #expect(incremental.map { encodes($0, versions: 7...17) } == Array(7...17))
        var sessionless = FetchSessionStateMachine(brokerID: 1, sessionsSupported: false)
        let old = sessionless.makeRequest([p0], configuration: FetchConfiguration())
        #expect(old.map { encodes($0, versions: 0...17) } == Array(0...17))
    }
}

@Suite("Fetch response handling")
struct FetchResponseHandlingTests {
    func data(_ code: ErrorCode = .none, hw: Int64 = 100, lso: Int64 = -1,
              aborted: [FetchResponse.AbortedTransaction]? = nil) -> FetchResponse.PartitionData {
        FetchResponse.PartitionData(errorCode: code, highWatermark: hw, lastStableOffset: lso, abortedTransactions: aborted)
    }

    func fetched(_ outcome: PartitionFetchOutcome) -> FetchedPartition? {
        if case let .fetched(partition) = outcome { return partition }
        return nil
    }

    @Test func errorsAreSortedIntoWhatToDo() {
        func outcome(_ code: ErrorCode) -> PartitionFetchOutcome {
            FetchResponseHandler.handle(data(code), batches: [TestBatch](), fetchOffset: 5, currentPosition: 5,
                                        isolationLevel: .readUncommitted)
        }
        #expect(outcome(.offsetOutOfRange) == .offsetOutOfRange(fetchOffset: 5))
        #expect(outcome(.notLeaderOrFollower) == .refreshMetadata(.notLeaderOrFollower, newLeader: nil, leaderEpoch: nil))
        #expect(outcome(.fencedLeaderEpoch) == .refreshMetadata(.fencedLeaderEpoch, newLeader: nil, leaderEpoch: nil))
        #expect(outcome(.unknownTopicOrPartition) == .refreshMetadata(.unknownTopicOrPartition, newLeader: nil, leaderEpoch: nil))
        #expect(outcome(.unknownLeaderEpoch) == .retry(.unknownLeaderEpoch))
        #expect(outcome(.topicAuthorizationFailed) == .failed(.topicAuthorizationFailed))
        #expect(outcome(.notEnoughReplicas) == .retry(.notEnoughReplicas))
        #expect(outcome(.invalidRequest) == .failed(.invalidRequest))

        var moved = data(.notLeaderOrFollower)
        moved.currentLeader = FetchResponse.LeaderIdAndEpoch(leaderID: 4, leaderEpoch: 9)
        #expect(FetchResponseHandler.handle(moved, batches: [TestBatch](), fetchOffset: 5, currentPosition: 5, isolationLevel: .readUncommitted)
                == .refreshMetadata(.notLeaderOrFollower, newLeader: 4, leaderEpoch: 9))
        #expect(FetchResponseHandler.handle(data(), batches: [TestBatch.data(5)], fetchOffset: 5, currentPosition: 9,
                                            isolationLevel: .readUncommitted) == .stale)
    }

    @Test func positionAdvancesByCompleteBatchesOnly() throws {
        // A compressed batch 0...9 straddles fetch offset 6; then 10...14; then a partial tail.
        let batches = [TestBatch.data(0, 4), TestBatch.data(5, 9), TestBatch.data(10, 14)]
        let result = try #require(fetched(FetchResponseHandler.handle(
            data(hw: 30), batches: [batches[0], TestBatch.data(3, 9), batches[2]], incompleteTailSize: 5000,
            fetchOffset: 6, currentPosition: 6, isolationLevel: .readUncommitted)))
        #expect(result.dispositions == [.alreadyConsumed, .deliver(fromOffset: 6), .deliver(fromOffset: 10)])
        #expect(result.nextFetchOffset == 15 && result.highWatermark == 30 && result.requiredFetchSize == nil)

        // Only a partial batch that exceeds the limit (a pre-KIP-74 broker): ask for more room.
        let stuck = try #require(fetched(FetchResponseHandler.handle(
            data(), batches: [TestBatch](), incompleteTailSize: 5000, fetchOffset: 15, currentPosition: 15, isolationLevel: .readUncommitted)))
        #expect(stuck.nextFetchOffset == nil && stuck.requiredFetchSize == 5000)

        // Corruption after one good batch: deliver it, stop before the bad one.
        let bad = WireDecodingError(.crcMismatch(expected: 1, actual: 2), at: 70)
        let corrupt = try #require(fetched(FetchResponseHandler.handle(
            data(), batches: [TestBatch.data(15, 16)], corruption: bad, fetchOffset: 15, currentPosition: 15, isolationLevel: .readUncommitted)))
        #expect(corrupt.nextFetchOffset == 17 && corrupt.corruption == bad)
    }

    @Test func readCommittedDropsAbortedTransactionsAndMarkers() throws {
        // Producer 1's transaction at 10 aborts (marker 13); producer 2's commits (marker 14);
        // producer 1 starts a new transaction at 16 that is not aborted.
        let batches: [TestBatch] = [
            .txn(1, 10), .txn(2, 11), .txn(1, 12), .marker(1, 13, abort: true), .marker(2, 14, abort: false),
            .data(15), .txn(1, 16, 17),
        ]
        let aborted = [FetchResponse.AbortedTransaction(producerID: 1, firstOffset: 10)]
        let committed = try #require(fetched(FetchResponseHandler.handle(
            data(hw: 20, lso: 18, aborted: aborted), batches: batches, fetchOffset: 10, currentPosition: 10, isolationLevel: .readCommitted)))
        #expect(committed.dispositions == [.aborted, .deliver(fromOffset: 11), .aborted, .control, .control,
                                           .deliver(fromOffset: 15), .deliver(fromOffset: 16)])
        #expect(committed.nextFetchOffset == 18 && committed.lastStableOffset == 18)

        let uncommitted = try #require(fetched(FetchResponseHandler.handle(
            data(hw: 20, aborted: aborted), batches: batches, fetchOffset: 10, currentPosition: 10, isolationLevel: .readUncommitted)))
        #expect(uncommitted.dispositions == [.deliver(fromOffset: 10), .deliver(fromOffset: 11), .deliver(fromOffset: 12), .control,
                                             .control, .deliver(fromOffset: 15), .deliver(fromOffset: 16)])
    }

    @Test func aProducersSuccessiveAbortedTransactions() {
        var filter = AbortedTransactionFilter([.init(producerID: 1, firstOffset: 20), .init(producerID: 1, firstOffset: 10)])
        let script: [(TestBatch, Bool)] = [
            (.txn(1, 10), true), (.marker(1, 11, abort: true), false), (.txn(1, 15), false), (.marker(1, 16, abort: false), false),
            (.txn(1, 20, 22), true), (.data(23), false), (.marker(1, 24, abort: true), false), (.txn(1, 25), false),
        ]
        for (batch, expected) in script { #expect(filter.isAborted(batch) == expected, "batch at \(batch.baseOffset)") }
        // A transaction whose first offset falls inside a batch counts from that batch.
        var inside = AbortedTransactionFilter([.init(producerID: 7, firstOffset: 33)])
        let straddling = inside.isAborted(TestBatch.txn(7, 30, 35))
        #expect(straddling)
        #expect(!AbortedTransactionFilter(nil).isAbortedCopy(TestBatch.txn(7, 30)))
    }

    @Test func partitionsAreNamedByNameOrID() {
        let id = KafkaUUID(high: 5, low: 6)
        let response = FetchResponse(responses: [
            .init(topic: "named", partitions: [.init(partitionIndex: 0), .init(partitionIndex: 1)]),
            .init(topicID: id, partitions: [.init(partitionIndex: 2)]),
            .init(topicID: KafkaUUID(high: 9, low: 9), partitions: [.init(partitionIndex: 0)]),
        ])
        #expect(FetchResponseHandler.partitions(of: response, topicNames: [id: "byID"]).map(\.partition)
                == [tp("named", 0), tp("named", 1), tp("byID", 2)])
    }
}

extension AbortedTransactionFilter {
    func isAbortedCopy(_ batch: TestBatch) -> Bool {
        var copy = self
        return copy.isAborted(batch)
    }
}
