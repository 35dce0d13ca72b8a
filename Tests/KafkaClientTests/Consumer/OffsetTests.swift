@testable import KafkaClient
import KafkaWire
import Testing

/// Encodes `message` at every version in `versions`, to prove the builders fit them all.
func encodes<M: WireMessage>(_ message: M, versions: ClosedRange<Int16>) -> [Int16] {
    versions.filter { version in
        var writer = ByteWriter()
        return (try? message.encode(into: &writer, version: version)) != nil
    }
}

@Suite("Offset tracker")
struct OffsetTrackerTests {
    let a0 = tp("a", 0), a1 = tp("a", 1), b0 = tp("b", 0)

    @Test func committedOffsetsThenResetPolicyForTheRest() {
        var tracker = OffsetTracker(resetPolicy: .earliest)
        #expect(tracker.assign([a1, a0]) == [.fetchCommitted([a0, a1])])
        #expect(tracker[a0]?.position == .awaitingCommitted && tracker[a0]?.fetchPosition == nil)
        let committed: [TopicPartition: CommitOffset?] = [a0: CommitOffset(42, leaderEpoch: 3), a1: nil]
        let lookups = tracker.committedOffsetsReceived(committed)
        #expect(lookups == [.listOffsets([a1: .earliest])])
        #expect(tracker[a0]?.fetchPosition == 42 && tracker[a0]?.committed == CommitOffset(42, leaderEpoch: 3))
        #expect(tracker[a0]?.positionLeaderEpoch == 3)
        #expect(tracker.lookupCompleted(a1, spec: .earliest, offset: 7) == [])
        #expect(tracker[a1]?.fetchPosition == 7)
        // Assigning again changes nothing.
        #expect(tracker.assign([a0]) == [] && tracker[a0]?.fetchPosition == 42)
    }

    @Test func resetPolicyNoneReportsInsteadOfGuessing() {
        var tracker = OffsetTracker(resetPolicy: .none)
        _ = tracker.assign([a0])
        let none: [TopicPartition: CommitOffset?] = [a0: nil]
        #expect(tracker.committedOffsetsReceived(none) == [.noValidOffset([a0])])
        #expect(tracker[a0]?.position == .needsSeek(outOfRangeAt: nil))
        #expect(tracker.seek([a0], to: .offset(5)) == [] && tracker[a0]?.fetchPosition == 5)
        #expect(tracker.offsetOutOfRange(a0, fetchOffset: 5) == [.noValidOffset([a0])])
        #expect(tracker[a0]?.position == .needsSeek(outOfRangeAt: 5))
    }

    @Test func outOfRangeFollowsThePolicyUnlessTheFetchWasStale() {
        var tracker = OffsetTracker(resetPolicy: .latest)
        _ = tracker.assign([a0], from: .offset(100))
        #expect(tracker.offsetOutOfRange(a0, fetchOffset: 90) == [], "the position moved since")
        #expect(tracker.offsetOutOfRange(a0, fetchOffset: 100) == [.listOffsets([a0: .latest])])
        #expect(tracker.lookupCompleted(a0, spec: .earliest, offset: 0) == [], "not the pending lookup")
        _ = tracker.lookupCompleted(a0, spec: .latest, offset: 250)
        #expect(tracker[a0]?.fetchPosition == 250 && tracker[a0]?.highWatermark == 250)
    }

    @Test func everyStartPosition() {
        var tracker = OffsetTracker()
        #expect(tracker.assign([a0], from: .earliest) == [.listOffsets([a0: .earliest])])
        #expect(tracker.assign([a1], from: .fromEnd(10)) == [.listOffsets([a1: .latest])])
        _ = tracker.lookupCompleted(a1, spec: .latest, offset: 100)
        #expect(tracker[a1]?.fetchPosition == 90)
        _ = tracker.seek([a1], to: .fromEnd(500))
        _ = tracker.lookupCompleted(a1, spec: .latest, offset: 100)
        #expect(tracker[a1]?.fetchPosition == 0, "clamped to the start")
        #expect(tracker.assign([b0], from: .timestamp(1_700_000_000_000)) == [.listOffsets([b0: .timestamp(1_700_000_000_000)])])
        // No record at or after the timestamp: start at the end.
        #expect(tracker.lookupCompleted(b0, spec: .timestamp(1_700_000_000_000), offset: -1) == [.listOffsets([b0: .latest])])
        _ = tracker.lookupCompleted(b0, spec: .latest, offset: 12)
        #expect(tracker[b0]?.fetchPosition == 12)
        #expect(tracker.seek([b0], to: .offset(-3)) == [] && tracker[b0]?.position == .needsSeek(outOfRangeAt: nil))
        #expect(tracker.seek([b0], to: .committed) == [.fetchCommitted([b0])])
        #expect(OffsetSpec.timestamp(5).wireTimestamp == 5 && OffsetSpec.earliest.wireTimestamp == -2 && OffsetSpec.latest.wireTimestamp == -1)
    }

    @Test func endOfPartitionIsReportedOncePerArrival() {
        var tracker = OffsetTracker()
        _ = tracker.assign([a0], from: .offset(0))
        let r1 = tracker.fetched(a0, nextOffset: 5, highWatermark: 10)
        #expect(!r1)
        let r2 = tracker.fetched(a0, nextOffset: 10, highWatermark: 10)
        #expect(r2)
        let r3 = tracker.fetched(a0, nextOffset: nil, highWatermark: 10)
        #expect(!r3, "already reported")
        let r4 = tracker.fetched(a0, nextOffset: nil, highWatermark: 12)
        #expect(!r4)
        let r5 = tracker.fetched(a0, nextOffset: 12, highWatermark: 12)
        #expect(r5, "new records arrived, then the end again")
        #expect(tracker[a0]?.fetchPosition == 12)
        let r6 = tracker.fetched(a0, nextOffset: 11, highWatermark: 12)
        #expect(!r6, "a position never moves back")
        #expect(tracker[a0]?.fetchPosition == 12)
    }

    @Test func readCommittedEndsAtTheLastStableOffset() {
        var tracker = OffsetTracker(isolationLevel: .readCommitted)
        _ = tracker.assign([a0], from: .offset(0))
        let r7 = tracker.fetched(a0, nextOffset: 8, highWatermark: 20, lastStableOffset: 8)
        #expect(r7)
        #expect(tracker.lag(a0) == 8)
    }

    @Test func marksMoveForwardAndFeedCommits() {
        var tracker = OffsetTracker()
        _ = tracker.assign([a0, a1], from: .offset(0))
        tracker.delivered(a0, through: 9)
        #expect(tracker.pendingCommits() == [:], "delivered is not processed")
        let r8 = tracker.markProcessed(a0, offset: 4, leaderEpoch: 2)
        #expect(r8)
        let r9 = tracker.markProcessed(a0, offset: 3)
        #expect(!r9, "marks only move forward")
        let r10 = tracker.markProcessed(b0, offset: 3)
        #expect(!r10, "not ours")
        #expect(tracker.pendingCommits() == [a0: CommitOffset(5, leaderEpoch: 2)])
        tracker.commitSucceeded([a0: CommitOffset(5, leaderEpoch: 2)])
        #expect(tracker.pendingCommits() == [:])
        _ = tracker.markProcessed(a1, offset: 0)
        #expect(tracker.revoke([a1]) == [a1: CommitOffset(1)])
        #expect(tracker.assigned == [a0])
        _ = tracker.markProcessed(a0, offset: 8)
        tracker.lose([a0])
        #expect(tracker.assigned == [] && tracker.pendingCommits() == [:])
    }

    @Test func deliveredModeCommitsWhatTheApplicationReceived() {
        var tracker = OffsetTracker(commitSource: .delivered)
        _ = tracker.assign([a0], from: .offset(0))
        tracker.delivered(a0, through: 9, leaderEpoch: 1)
        tracker.delivered(a0, through: 3)
        #expect(tracker.pendingCommits() == [a0: CommitOffset(10, leaderEpoch: 1)])
        // A seek starts deliveries over.
        _ = tracker.seek([a0], to: .offset(2))
        #expect(tracker.pendingCommits() == [:])
        tracker.delivered(a0, through: 3)
        #expect(tracker.pendingCommits() == [a0: CommitOffset(4)])
    }

    @Test func pauseResumeAndLag() {
        var tracker = OffsetTracker()
        _ = tracker.assign([a0], from: .offset(0))
        tracker.pause([a0, b0])
        #expect(tracker[a0]?.isPaused == true && tracker[b0] == nil)
        tracker.resume([a0])
        #expect(tracker[a0]?.isPaused == false)
        #expect(tracker.lag(a0) == nil, "no end known yet")
        _ = tracker.fetched(a0, nextOffset: 50, highWatermark: 100)
        #expect(tracker.lag(a0) == 100 && tracker.consumerLag(a0) == 100, "fetched is not delivered")
        tracker.delivered(a0, through: 59)
        #expect(tracker.lag(a0) == 40 && tracker.consumerLag(a0) == 40)
        tracker.commitSucceeded([a0: CommitOffset(30)])
        #expect(tracker.lag(a0) == 70, "lag counts from the committed offset")
    }
}

@Suite("Auto-commit policy")
struct AutoCommitPolicyTests {
    let t0 = ContinuousClock.now

    @Test func intervalAndThresholdEachTrigger() {
        var policy = AutoCommitPolicy(interval: .seconds(5), threshold: 3, now: t0)
        #expect(!policy.isDue(now: t0 + .seconds(10)), "nothing to commit")
        policy.marked()
        #expect(!policy.isDue(now: t0 + .seconds(1)))
        #expect(policy.isDue(now: t0 + .seconds(5)))
        policy.marked(count: 2)
        #expect(policy.isDue(now: t0 + .seconds(1)), "three marked")
        policy.committed(now: t0 + .seconds(1))
        #expect(policy.uncommittedCount == 0 && policy.nextDeadline == t0 + .seconds(6))
    }

    @Test func zeroOrNilTurnsATriggerOff() {
        var timeOnly = AutoCommitPolicy(interval: .seconds(1), threshold: 0, now: t0)
        timeOnly.marked(count: 1000)
        #expect(!timeOnly.isDue(now: t0) && timeOnly.isDue(now: t0 + .seconds(1)))
        var countOnly = AutoCommitPolicy(interval: .zero, threshold: 2, now: t0)
        countOnly.marked()
        #expect(!countOnly.isDue(now: t0 + .seconds(3600)) && countOnly.nextDeadline == nil)
        countOnly.marked()
        #expect(countOnly.isDue(now: t0))
        var manual = AutoCommitPolicy(interval: nil, threshold: nil, now: t0)
        manual.marked(count: 10)
        #expect(!manual.isDue(now: t0 + .seconds(3600)))
    }
}

@Suite("Offset requests")
struct OffsetRequestTests {
    @Test func commitRequestCarriesGenerationEpochsAndMetadata() {
        let generation = GroupGeneration(generationID: 5, memberID: "m-1", groupInstanceID: nil)
        let request = OffsetCommitRequest.committing([tp("b", 0): CommitOffset(9), tp("a", 1): CommitOffset(4, leaderEpoch: 2, metadata: "x")],
                                                     groupID: "g", generation: generation)
        #expect(request.generationIDOrMemberEpoch == 5 && request.memberID == "m-1")
        #expect(request.topics.map(\.name) == ["a", "b"])
        #expect(request.topics[0].partitions == [.init(partitionIndex: 1, committedOffset: 4, committedLeaderEpoch: 2, committedMetadata: "x")])
        #expect(request.topics[1].partitions == [.init(partitionIndex: 0, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: "")])
        #expect(encodes(request, versions: OffsetCommitRequest.validVersions) == Array(OffsetCommitRequest.validVersions))
        let standalone = OffsetCommitRequest.committing([tp("a", 0): CommitOffset(1)], groupID: "g", generation: nil)
        #expect(standalone.generationIDOrMemberEpoch == -1 && standalone.memberID == "")
    }

    @Test func commitOutcomesAreClassified() {
        let sent = [tp("a", 0): CommitOffset(1), tp("a", 1): CommitOffset(2), tp("a", 2): CommitOffset(3), tp("b", 0): CommitOffset(4)]
        let response = OffsetCommitResponse(topics: [.init(name: "a", partitions: [
            .init(partitionIndex: 0, errorCode: .none),
            .init(partitionIndex: 1, errorCode: .rebalanceInProgress),
            .init(partitionIndex: 2, errorCode: .notCoordinator),
        ])])
        let outcome = OffsetCommitOutcome(response, sent: sent)
        #expect(outcome.committed == [tp("a", 0): CommitOffset(1)])
        #expect(outcome.groupError == .rebalanceInProgress)
        #expect(outcome.coordinatorMoved)
        #expect(outcome.retriable == [tp("a", 2): CommitOffset(3), tp("b", 0): CommitOffset(4)])
        #expect(outcome.failed[tp("b", 0)] == OffsetFailure(.unknownServerError, .retry))
        #expect(OffsetErrorDisposition.forCommit(.offsetMetadataTooLarge) == .fail)
        #expect(OffsetErrorDisposition.forCommit(.fencedInstanceId) == .groupError)
    }

    @Test func offsetFetchIsShapedPerVersion() {
        let partitions = [tp("b", 0), tp("a", 1), tp("a", 0)]
        let v7 = OffsetFetchRequest.fetching(partitions, groupID: "g", requireStable: true, version: 7)
        #expect(v7.groupID == "g" && v7.requireStable && v7.topics?.map(\.name) == ["a", "b"])
        #expect(v7.topics?.first?.partitionIndexes == [0, 1])
        let v6 = OffsetFetchRequest.fetching(partitions, groupID: "g", requireStable: true, version: 6)
        #expect(!v6.requireStable && encodes(v6, versions: 1...6) == Array(1...6))
        let v8 = OffsetFetchRequest.fetching(partitions, groupID: "g", requireStable: false, version: 8)
        #expect(v8.groups.first?.groupID == "g" && v8.groups.first?.topics?.count == 2)
        #expect(encodes(v8, versions: 8...9) == [8, 9])
        #expect(encodes(v7, versions: 7...7) == [7])
    }

    @Test func offsetFetchAnswersOfBothShapes() {
        let old = OffsetFetchResponse(topics: [.init(name: "a", partitions: [
            .init(partitionIndex: 0, committedOffset: 10, committedLeaderEpoch: 4, metadata: "m", errorCode: .none),
            .init(partitionIndex: 1, committedOffset: -1, committedLeaderEpoch: -1, metadata: "", errorCode: .none),
            .init(partitionIndex: 2, committedOffset: -1, errorCode: .unstableOffsetCommit),
            .init(partitionIndex: 3, committedOffset: -1, errorCode: .topicAuthorizationFailed),
        ])])
        let requested = (0...4).map { tp("a", $0) }
        let outcome = OffsetFetchOutcome(old, groupID: "g", requested: requested)
        #expect(outcome.offsets[tp("a", 0)] == CommitOffset(10, leaderEpoch: 4, metadata: "m"))
        #expect(outcome.offsets[tp("a", 1)] == .some(nil))
        #expect(outcome.offsets[tp("a", 4)] == .some(nil), "not in the answer: no commit")
        #expect(outcome.retry == [tp("a", 2)])
        #expect(outcome.failed == [tp("a", 3): .topicAuthorizationFailed])

        let new = OffsetFetchResponse(groups: [.init(groupID: "g", topics: [.init(name: "a", partitions: [
            .init(partitionIndex: 0, committedOffset: 3, committedLeaderEpoch: -1, metadata: nil, errorCode: .none),
        ])])])
        #expect(OffsetFetchOutcome(new, groupID: "g", requested: [tp("a", 0)]).offsets == [tp("a", 0): CommitOffset(3)])
        let loading = OffsetFetchResponse(groups: [.init(groupID: "g", errorCode: .coordinatorLoadInProgress)])
        let retry = OffsetFetchOutcome(loading, groupID: "g", requested: [tp("a", 1), tp("a", 0)])
        #expect(retry.groupError == .coordinatorLoadInProgress && retry.retry == [tp("a", 0), tp("a", 1)])
    }

    @Test func listOffsetsRequestsAndAnswers() {
        let request = ListOffsetsRequest.lookingUp([tp("a", 1): .earliest, tp("a", 0): .timestamp(99)], isolationLevel: .readCommitted,
                                                   leaderEpochs: [tp("a", 0): 6])
        #expect(request.replicaID == -1 && request.isolationLevel == 1)
        #expect(request.topics.first?.partitions == [.init(partitionIndex: 0, currentLeaderEpoch: 6, timestamp: 99),
                                                     .init(partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -2)])
        #expect(encodes(request, versions: 2...10) == Array(2...10))
        let response = ListOffsetsResponse(topics: [.init(name: "a", partitions: [
            .init(partitionIndex: 0, errorCode: .none, timestamp: 99, offset: 17, leaderEpoch: 6),
            .init(partitionIndex: 1, errorCode: .none, oldStyleOffsets: [5]),
            .init(partitionIndex: 2, errorCode: .none, offset: -1),
            .init(partitionIndex: 3, errorCode: .fencedLeaderEpoch),
        ])])
        #expect(OffsetLookupResult.results(of: response) == [
            tp("a", 0): .found(offset: 17, leaderEpoch: 6), tp("a", 1): .found(offset: 5, leaderEpoch: nil),
            tp("a", 2): .found(offset: nil, leaderEpoch: nil), tp("a", 3): .failed(.fencedLeaderEpoch, .refreshAndRetry),
        ])
    }
}
