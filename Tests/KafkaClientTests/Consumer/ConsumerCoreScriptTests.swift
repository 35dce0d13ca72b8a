@testable import KafkaClient
import KafkaWire
import Testing

/// The pure pieces driven together, as the consumer actor will drive them.
@Suite("Consumer core scripts")
struct ConsumerCoreScriptTests {
    typealias Action = GroupMembershipStateMachine.Action
    let t0 = ContinuousClock.now

    func join(_ actions: [Action]) throws -> JoinGroupRequest {
        for case let .sendJoinGroup(request, _) in actions { return request }
        throw ScriptError.missing("JoinGroup in \(actions)")
    }

    func sync(_ actions: [Action]) throws -> SyncGroupRequest {
        for case let .sendSyncGroup(request) in actions { return request }
        throw ScriptError.missing("SyncGroup in \(actions)")
    }

    enum ScriptError: Error { case missing(String) }

    /// We lead a cooperative group that a second member joins: t-2 moves to the newcomer over
    /// two rebalances and is never owned by both.
    @Test func cooperativeLeaderHandsAPartitionOverInTwoRebalances() throws {
        var config = GroupMembershipConfiguration(groupID: "g")
        config.assignors = [CooperativeStickyAssignor()]
        var me = GroupMembershipStateMachine(configuration: config)
        _ = me.subscribe(topics: ["t"], now: t0)

        /// One rebalance led by us: returns what the newcomer got and our own actions after sync.
        func rebalance(_ joinActions: [Action], generation: Int32, newcomer: MemberSubscription?) throws
            -> (newcomer: [TopicPartition], actions: [Action]) {
            var members = [JoinGroupResponse.JoinGroupResponseMember(memberID: "a-me", metadata: try join(joinActions).protocols[0].metadata)]
            if let newcomer {
                let metadata = try ConsumerProtocolCodec.subscriptionMetadata(
                    topics: newcomer.topics,
                    userData: CooperativeStickyAssignor().subscriptionUserData(ownedPartitions: newcomer.ownedPartitions,
                                                                               generationID: newcomer.generationID ?? -1),
                    ownedPartitions: newcomer.ownedPartitions, generationID: newcomer.generationID ?? -1, rackID: nil)
                members.append(.init(memberID: "b-new", metadata: ByteSlice(metadata)))
            }
            let lookup = me.joinGroupResponseReceived(JoinGroupResponse(generationID: generation, protocolName: "cooperative-sticky",
                                                                        leader: "a-me", memberID: "a-me", members: members), now: t0)
            #expect(lookup == [.fetchAssignmentMetadata(topics: ["t"])])
            let request = try sync(me.assignmentMetadataReceived(partitionCounts: ["t": 3], now: t0))
            var assigned: [String: [TopicPartition]] = [:]
            for assignment in request.assignments {
                assigned[assignment.memberID] = try ConsumerProtocolCodec.decodeAssignment(assignment.assignment).partitions
            }
            let mine = try ConsumerProtocolCodec.assignmentBytes(assigned["a-me"] ?? [])
            return (assigned["b-new"] ?? [], me.syncGroupResponseReceived(SyncGroupResponse(assignment: ByteSlice(mine)), now: t0))
        }

        // Generation 1: alone, everything is ours.
        let first = try rebalance(me.coordinatorFound(nodeID: 1, now: t0), generation: 1, newcomer: nil)
        #expect(first.actions.first == .assignPartitions([tp("t", 0), tp("t", 1), tp("t", 2)]))

        // Generation 2: the newcomer gets nothing yet; we give t-2 up and rejoin at once.
        let second = try rebalance(me.rejoinRequested(now: t0), generation: 2, newcomer: member("b-new", ["t"]))
        #expect(second.newcomer == [])
        #expect(second.actions == [.revokePartitions([tp("t", 2)]), .scheduleHeartbeat(after: .seconds(3))])
        let followUp = me.revocationCompleted([tp("t", 2)], now: t0)
        #expect(followUp.first == .assignPartitions([]))

        // Generation 3: t-2 is free, and the newcomer gets it.
        let third = try rebalance(followUp, generation: 3, newcomer: member("b-new", ["t"], owned: [], generation: 2))
        #expect(third.newcomer == [tp("t", 2)])
        #expect(third.actions == [.assignPartitions([]), .scheduleHeartbeat(after: .seconds(3))])
        #expect(me.ownedPartitions == [tp("t", 0), tp("t", 1)])
    }

    /// Plan, fetch in a session, handle the answer, advance the tracker, report the end once.
    @Test func fetchLoopAdvancesAndReportsTheEndOnce() throws {
        let partition = tp("t", 0)
        var tracker = OffsetTracker()
        _ = tracker.assign([partition], from: .offset(0))
        var session = FetchSessionStateMachine(brokerID: 1, sessionsSupported: true)
        let config = FetchConfiguration()
        var events: [String] = []

        func round(_ batches: [TestBatch], highWatermark: Int64, sessionID: Int32) throws {
            let candidate = FetchCandidate(partition: partition, position: tracker[partition]?.fetchPosition, leader: 1)
            let targets = FetchPlanner.plan([candidate], configuration: config).targets[1] ?? []
            let made = session.makeRequest(targets, configuration: config)
            let request = try #require(made)
            // An incremental request leaves out unchanged partitions: their offset is the tracker's.
            let offset = try #require(request.topics.first?.partitions.first?.fetchOffset ?? tracker[partition]?.fetchPosition)
            let response = FetchResponse(sessionID: sessionID, responses: [.init(topic: "t", partitions: [
                .init(partitionIndex: 0, highWatermark: highWatermark),
            ])])
            #expect(session.responseReceived(response) == .accepted)
            for (tp, data) in FetchResponseHandler.partitions(of: response) {
                let outcome = FetchResponseHandler.handle(data, batches: batches, fetchOffset: offset,
                                                          currentPosition: tracker[tp]?.fetchPosition, isolationLevel: .readUncommitted)
                guard case let .fetched(result) = outcome else { Issue.record("\(outcome)"); continue }
                for case let .deliver(from) in result.dispositions { events.append("records from \(from)") }
                if tracker.fetched(tp, nextOffset: result.nextFetchOffset, highWatermark: result.highWatermark) {
                    events.append("eof at \(tracker[tp]?.fetchPosition ?? -1)")
                }
            }
        }

        try round([.data(0, 4), .data(5, 9)], highWatermark: 12, sessionID: 5)
        try round([.data(10, 11)], highWatermark: 12, sessionID: 5)
        try round([], highWatermark: 12, sessionID: 5)
        try round([.data(12)], highWatermark: 13, sessionID: 5)
        #expect(events == ["records from 0", "records from 5", "records from 10", "eof at 12", "records from 12", "eof at 13"])
        #expect(tracker[partition]?.fetchPosition == 13 && session.sessionID == 5)
    }
}
