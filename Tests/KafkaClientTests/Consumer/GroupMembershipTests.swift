@testable import KafkaClient
import KafkaWire
import Testing

/// Event scripts for the group membership state machine: every path of the classic protocol,
/// no sockets, time passed in.
@Suite("Group membership state machine")
struct GroupMembershipTests {
    typealias Machine = GroupMembershipStateMachine
    let t0 = ContinuousClock.now

    func config(_ assignors: [any ConsumerPartitionAssignor] = [RangeAssignor()], instance: String? = nil)
        -> GroupMembershipConfiguration {
        var c = GroupMembershipConfiguration(groupID: "g", groupInstanceID: instance)
        c.assignors = assignors
        return c
    }

    var cooperative: GroupMembershipConfiguration { config([CooperativeStickyAssignor()]) }

    func at(_ seconds: Double) -> ContinuousClock.Instant { t0 + .milliseconds(Int64(seconds * 1000)) }

    func joinResponse(_ code: ErrorCode = .none, member: String = "m-1", leader: String = "other", generation: Int32 = 1,
                      protocolName: String = "range", members: [JoinGroupResponse.JoinGroupResponseMember] = [],
                      skip: Bool = false) -> JoinGroupResponse {
        JoinGroupResponse(errorCode: code, generationID: code == .none ? generation : -1, protocolName: protocolName,
                          leader: leader, skipAssignment: skip, memberID: member, members: members)
    }

    func syncResponse(_ partitions: [TopicPartition], code: ErrorCode = .none) throws -> SyncGroupResponse {
        SyncGroupResponse(errorCode: code, assignment: ByteSlice(try ConsumerProtocolCodec.assignmentBytes(partitions)))
    }

    func joinRequest(_ actions: [Machine.Action]) -> JoinGroupRequest? {
        for case let .sendJoinGroup(request, _) in actions { return request }
        return nil
    }

    func syncRequest(_ actions: [Machine.Action]) -> SyncGroupRequest? {
        for case let .sendSyncGroup(request) in actions { return request }
        return nil
    }

    func heartbeat(_ m: Machine) -> Machine.Action {
        .sendHeartbeat(HeartbeatRequest(groupID: "g", generationID: m.generationID, memberID: m.memberID,
                                        groupInstanceID: nil))
    }

    /// Subscribes, finds the coordinator, joins as a follower and syncs `partitions` at t0.
    func stableMember(_ configuration: GroupMembershipConfiguration, topics: [String] = ["t"],
                      partitions: [TopicPartition] = [tp("t", 0), tp("t", 1)], protocolName: String = "range") throws -> Machine {
        var m = Machine(configuration: configuration)
        _ = m.subscribe(topics: topics, now: t0)
        _ = m.coordinatorFound(nodeID: 7, now: t0)
        _ = m.joinGroupResponseReceived(joinResponse(protocolName: protocolName), now: t0)
        _ = m.syncGroupResponseReceived(try syncResponse(partitions), now: t0)
        #expect(m.isStable)
        return m
    }

    // MARK: - Joining

    @Test func followerJoinsWithTheMemberIdRetryThenSyncsAndHeartbeats() throws {
        var m = Machine(configuration: config())
        #expect(m.subscribe(topics: ["t"], now: t0) == [.findCoordinator])
        let join = m.coordinatorFound(nodeID: 7, now: t0)
        let first = try #require(joinRequest(join))
        #expect(first.memberID == "" && first.groupID == "g" && first.protocolType == "consumer")
        #expect(first.sessionTimeoutMs == 45_000 && first.rebalanceTimeoutMs == 300_000)
        #expect(join == [.sendJoinGroup(first, timeout: .seconds(305))])
        #expect(first.protocols.map(\.name) == ["range"])
        let subscription = try MemberSubscription(memberID: "x", groupInstanceID: nil, metadata: first.protocols[0].metadata)
        #expect(subscription.topics == ["t"] && subscription.ownedPartitions.isEmpty && subscription.generationID == nil)

        // KIP-394: the coordinator names us and asks for a second join with that id.
        let retry = m.joinGroupResponseReceived(joinResponse(.memberIdRequired, member: "m-1"), now: t0)
        #expect(joinRequest(retry)?.memberID == "m-1")

        let sync = m.joinGroupResponseReceived(joinResponse(generation: 4), now: t0)
        #expect(sync == [.sendSyncGroup(SyncGroupRequest(groupID: "g", generationID: 4, memberID: "m-1",
                                                         protocolType: "consumer", protocolName: "range"))])
        #expect(!m.isLeader)

        let assigned = m.syncGroupResponseReceived(try syncResponse([tp("t", 1), tp("t", 0)]), now: t0)
        #expect(assigned == [.assignPartitions([tp("t", 0), tp("t", 1)]), .scheduleHeartbeat(after: .seconds(3))])
        #expect(m.isStable && m.ownedPartitions == [tp("t", 0), tp("t", 1)])
        #expect(m.commitGeneration == GroupGeneration(generationID: 4, memberID: "m-1", groupInstanceID: nil))

        // While a heartbeat is in flight the timer only guards the session deadline.
        #expect(m.heartbeatDue(now: at(3)) == [heartbeat(m), .scheduleHeartbeat(after: .seconds(42))])
        #expect(m.heartbeatResponseReceived(HeartbeatResponse(), generationID: 4, now: at(3.1)) == [.scheduleHeartbeat(after: .milliseconds(2900))])
        // A timer that fires early only reschedules.
        #expect(m.heartbeatDue(now: at(4)) == [.scheduleHeartbeat(after: .seconds(2))])
    }

    @Test func leaderAssignsFromEveryMembersSubscription() throws {
        var m = Machine(configuration: config([RangeAssignor(), RoundRobinAssignor()]))
        _ = m.subscribe(topics: ["a"], now: t0)
        _ = m.coordinatorFound(nodeID: 1, now: t0)
        let mine = try ConsumerProtocolCodec.subscriptionMetadata(topics: ["a"], userData: nil, ownedPartitions: [], generationID: -1, rackID: nil)
        let theirs = try ConsumerProtocolCodec.subscriptionMetadata(topics: ["a", "b"], userData: nil, ownedPartitions: [], generationID: -1, rackID: nil)
        let members = [JoinGroupResponse.JoinGroupResponseMember(memberID: "m-2", metadata: ByteSlice(theirs)),
                       JoinGroupResponse.JoinGroupResponseMember(memberID: "m-1", metadata: ByteSlice(mine)),
                       JoinGroupResponse.JoinGroupResponseMember(memberID: "m-3", metadata: ByteSlice([0xFF]))]
        let lookup = m.joinGroupResponseReceived(joinResponse(leader: "m-1", protocolName: "roundrobin", members: members), now: t0)
        #expect(lookup == [.fetchAssignmentMetadata(topics: ["a", "b"])])
        #expect(m.isLeader && m.protocolName == "roundrobin")

        let sync = try #require(syncRequest(m.assignmentMetadataReceived(partitionCounts: ["a": 3, "b": 1], now: t0)))
        #expect(sync.protocolName == "roundrobin" && sync.generationID == 1)
        #expect(sync.assignments.map(\.memberID) == ["m-1", "m-2", "m-3"])
        let decoded = try sync.assignments.map { try ConsumerProtocolCodec.decodeAssignment($0.assignment).partitions }
        // m-3's metadata is unreadable: it subscribes to nothing and gets nothing.
        #expect(decoded == [[tp("a", 0), tp("a", 2)], [tp("a", 1), tp("b", 0)], []])
        #expect(m.assignmentSnapshot == ["a": 3, "b": 1])
    }

    @Test func aStaticLeaderToldToSkipAssignmentSyncsLikeAFollower() {
        var m = Machine(configuration: config(instance: "i-1"))
        _ = m.subscribe(topics: ["t"], now: t0)
        #expect(joinRequest(m.coordinatorFound(nodeID: 1, now: t0))?.groupInstanceID == "i-1")
        let sync = syncRequest(m.joinGroupResponseReceived(joinResponse(leader: "m-1", skip: true), now: t0))
        #expect(sync?.assignments == [] && sync?.groupInstanceID == "i-1")
    }

    @Test func joinErrorsRetryRefindOrFail() {
        var m = Machine(configuration: config())
        _ = m.subscribe(topics: ["t"], now: t0)
        _ = m.coordinatorFound(nodeID: 1, now: t0)
        #expect(m.joinGroupResponseReceived(joinResponse(.coordinatorLoadInProgress), now: t0) == [.scheduleRetry(after: .milliseconds(100))])
        #expect(joinRequest(m.retryDue(now: at(0.1))) != nil)
        #expect(m.joinGroupResponseReceived(joinResponse(.notCoordinator), now: t0) == [.scheduleRetry(after: .milliseconds(100))])
        #expect(m.retryDue(now: at(0.2)) == [.findCoordinator])
        #expect(m.coordinatorLookupFailed(now: at(0.3)) == [.scheduleRetry(after: .milliseconds(100))])
        #expect(m.retryDue(now: at(0.4)) == [.findCoordinator])
        #expect(joinRequest(m.coordinatorFound(nodeID: 2, now: at(0.5))) != nil && m.coordinatorID == 2)
        #expect(joinRequest(m.joinGroupResponseReceived(joinResponse(.unknownMemberId), now: t0))?.memberID == "")
        #expect(m.requestFailed(.joinGroup, now: t0) == [.scheduleRetry(after: .milliseconds(100))])
        #expect(m.retryDue(now: at(1)) == [.findCoordinator])
        _ = m.coordinatorFound(nodeID: 2, now: at(1))
        let fatal = m.joinGroupResponseReceived(joinResponse(.groupAuthorizationFailed), now: at(1))
        #expect(fatal == [.fail(GroupMembershipError(.groupAuthorizationFailed, in: .joinGroup))])
        #expect(m.failure?.code == .groupAuthorizationFailed)
        #expect(m.heartbeatDue(now: at(5)) == [] && m.subscribe(topics: ["u"], now: at(5)) == [])
    }

    @Test func aProtocolWeDoNotSpeakIsFatal() {
        var m = Machine(configuration: config())
        _ = m.subscribe(topics: ["t"], now: t0)
        _ = m.coordinatorFound(nodeID: 1, now: t0)
        let result = m.joinGroupResponseReceived(joinResponse(protocolName: "roundrobin"), now: t0)
        guard case let .fail(error) = result.last else { Issue.record("expected fail, got \(result)"); return }
        #expect(error.code == .inconsistentGroupProtocol)
    }

    // MARK: - Rebalances

    @Test func eagerRebalanceRevokesEverythingBeforeRejoining() throws {
        var m = try stableMember(config())
        let revoke = m.heartbeatDue(now: at(3)) + m.heartbeatResponseReceived(HeartbeatResponse(errorCode: .rebalanceInProgress), generationID: 1, now: at(3))
        #expect(revoke.last == .revokePartitions([tp("t", 0), tp("t", 1)]))
        // Still a member of generation 1 while revoking: commits go through, heartbeats continue.
        #expect(m.commitGeneration?.generationID == 1)
        #expect(m.revocationCompleted([tp("t", 0)], now: at(3.5)) == [], "a completion for other partitions is stale")
        let join = try #require(joinRequest(m.revocationCompleted([tp("t", 0), tp("t", 1)], now: at(4))))
        #expect(join.memberID == "m-1")
        #expect(try MemberSubscription(memberID: "m-1", groupInstanceID: nil, metadata: join.protocols[0].metadata).ownedPartitions == [])
        _ = m.joinGroupResponseReceived(joinResponse(generation: 2), now: at(4))
        #expect(m.syncGroupResponseReceived(try syncResponse([tp("t", 1)]), now: at(4))
                == [.assignPartitions([tp("t", 1)]), .scheduleHeartbeat(after: .seconds(3))])
    }

    @Test func cooperativeRebalanceKeepsPartitionsAndRevokesOnlyWhatMoves() throws {
        var m = try stableMember(cooperative, partitions: [tp("t", 0), tp("t", 1), tp("t", 2)], protocolName: "cooperative-sticky")
        #expect(m.rebalanceProtocol == .cooperative)
        _ = m.heartbeatDue(now: at(3))
        let join = try #require(joinRequest(m.heartbeatResponseReceived(HeartbeatResponse(errorCode: .rebalanceInProgress),
                                                                         generationID: 1, now: at(3))))
        let sent = try MemberSubscription(memberID: "m-1", groupInstanceID: nil, metadata: join.protocols[0].metadata)
        #expect(sent.ownedPartitions == [tp("t", 0), tp("t", 1), tp("t", 2)] && sent.generationID == 1)
        #expect(sent.userData == [0, 0, 0, 1])
        #expect(m.ownedPartitions.count == 3, "nothing is revoked before the join")

        // Generation 2 moves t-2 away: revoke it, keep heartbeating, then take the rest and rejoin.
        _ = m.joinGroupResponseReceived(joinResponse(generation: 2, protocolName: "cooperative-sticky"), now: at(4))
        let sync = m.syncGroupResponseReceived(try syncResponse([tp("t", 0), tp("t", 1)]), now: at(4))
        #expect(sync == [.revokePartitions([tp("t", 2)]), .scheduleHeartbeat(after: .seconds(3))])
        let afterRevoke = m.revocationCompleted([tp("t", 2)], now: at(5))
        #expect(afterRevoke.first == .assignPartitions([]))
        let followUp = try #require(joinRequest(afterRevoke))
        #expect(try MemberSubscription(memberID: "m-1", groupInstanceID: nil, metadata: followUp.protocols[0].metadata).ownedPartitions
                == [tp("t", 0), tp("t", 1)])
        _ = m.joinGroupResponseReceived(joinResponse(generation: 3, protocolName: "cooperative-sticky"), now: at(5))
        #expect(m.syncGroupResponseReceived(try syncResponse([tp("t", 0), tp("t", 1), tp("t", 5)]), now: at(5))
                == [.assignPartitions([tp("t", 5)]), .scheduleHeartbeat(after: .seconds(3))])
    }

    @Test func cooperativeSubscriptionChangeRevokesOnlyDroppedTopics() throws {
        var m = try stableMember(cooperative, topics: ["a", "b"], partitions: [tp("a", 0), tp("b", 0)], protocolName: "cooperative-sticky")
        #expect(m.subscribe(topics: ["a"], now: at(1)) == [.revokePartitions([tp("b", 0)])])
        let join = try #require(joinRequest(m.revocationCompleted([tp("b", 0)], now: at(1))))
        let sent = try MemberSubscription(memberID: "m-1", groupInstanceID: nil, metadata: join.protocols[0].metadata)
        #expect(sent.topics == ["a"] && sent.ownedPartitions == [tp("a", 0)])
    }

    @Test func unknownMemberLosesPartitionsAndRejoinsAsNew() throws {
        var m = try stableMember(config())
        _ = m.heartbeatDue(now: at(3))
        let result = m.heartbeatResponseReceived(HeartbeatResponse(errorCode: .unknownMemberId), generationID: 1, now: at(3))
        #expect(result.first == .losePartitions([tp("t", 0), tp("t", 1)]))
        #expect(joinRequest(result)?.memberID == "")
        #expect(m.generationID == -1 && m.ownedPartitions.isEmpty && m.commitGeneration == nil)
    }

    @Test func illegalGenerationLosesPartitionsButKeepsTheMemberID() throws {
        var m = try stableMember(config())
        let result = m.syncGroupResponseReceived(SyncGroupResponse(errorCode: .illegalGeneration), now: t0)
        #expect(result == [], "not syncing: ignored")
        _ = m.heartbeatDue(now: at(3))
        let lost = m.heartbeatResponseReceived(HeartbeatResponse(errorCode: .illegalGeneration), generationID: 1, now: at(3))
        #expect(lost.first == .losePartitions([tp("t", 0), tp("t", 1)]))
        #expect(joinRequest(lost)?.memberID == "m-1")
        // The same errors during SyncGroup.
        _ = m.joinGroupResponseReceived(joinResponse(generation: 2), now: at(4))
        #expect(joinRequest(m.syncGroupResponseReceived(SyncGroupResponse(errorCode: .unknownMemberId), now: at(4)))?.memberID == "")
        _ = m.joinGroupResponseReceived(joinResponse(generation: 3), now: at(4))
        #expect(joinRequest(m.syncGroupResponseReceived(SyncGroupResponse(errorCode: .rebalanceInProgress), now: at(4)))?.memberID == "m-1")
    }

    @Test func aFencedStaticMemberStopsForGood() throws {
        var m = try stableMember(config(instance: "i-1"))
        _ = m.heartbeatDue(now: at(3))
        let result = m.heartbeatResponseReceived(HeartbeatResponse(errorCode: .fencedInstanceId), generationID: 1, now: at(3))
        #expect(result == [.losePartitions([tp("t", 0), tp("t", 1)]),
                           .fail(GroupMembershipError(.fencedInstanceId, in: .heartbeat))])
        #expect(m.closeRequested(now: at(4)) == [.closed])
    }

    @Test func aMovedCoordinatorIsFoundAgainWithoutARebalance() throws {
        var m = try stableMember(config())
        _ = m.heartbeatDue(now: at(3))
        #expect(m.heartbeatResponseReceived(HeartbeatResponse(errorCode: .notCoordinator), generationID: 1, now: at(3)) == [.findCoordinator])
        let resumed = m.coordinatorFound(nodeID: 9, now: at(3.5))
        #expect(resumed == [heartbeat(m), .scheduleHeartbeat(after: .milliseconds(41_500))])
        #expect(m.isStable && m.generationID == 1 && m.coordinatorID == 9 && m.ownedPartitions.count == 2)
        // A lost connection does the same.
        #expect(m.requestFailed(.heartbeat, now: at(4)) == [.findCoordinator])
    }

    @Test func coordinatorTroubleDuringSyncRefindsThenRejoins() throws {
        var m = Machine(configuration: config())
        _ = m.subscribe(topics: ["t"], now: t0)
        _ = m.coordinatorFound(nodeID: 1, now: t0)
        _ = m.joinGroupResponseReceived(joinResponse(), now: t0)
        #expect(m.syncGroupResponseReceived(SyncGroupResponse(errorCode: .coordinatorNotAvailable), now: t0)
                == [.scheduleRetry(after: .milliseconds(100))])
        #expect(m.retryDue(now: at(0.1)) == [.findCoordinator])
        #expect(joinRequest(m.coordinatorFound(nodeID: 3, now: at(0.2)))?.memberID == "m-1")
        _ = m.joinGroupResponseReceived(joinResponse(generation: 2), now: at(0.2))
        #expect(m.requestFailed(.syncGroup, now: at(0.3)) == [.scheduleRetry(after: .milliseconds(100))])
        #expect(m.requestFailed(.heartbeat, now: at(0.3)) == [], "no heartbeat outside a generation")
    }

    @Test func theLeaderRebalancesWhenPartitionCountsChange() throws {
        var m = try stableMember(config())
        // The owner saw a subscribed topic grow and asks for a rebalance.
        #expect(m.rejoinRequested(now: at(1)) == [.revokePartitions([tp("t", 0), tp("t", 1)])])
        #expect(m.rejoinRequested(now: at(1)) == [], "already rebalancing")
        #expect(joinRequest(m.revocationCompleted([tp("t", 0), tp("t", 1)], now: at(2))) != nil)
    }

    @Test func staleHeartbeatAnswersAreIgnored() throws {
        var m = try stableMember(config())
        _ = m.heartbeatDue(now: at(3))
        #expect(m.heartbeatResponseReceived(HeartbeatResponse(errorCode: .rebalanceInProgress), generationID: 0, now: at(3)) == [])
        #expect(m.isStable)
    }

    @Test func rejoinRequestedWhileJoiningWaitsForTheJoinToFinish() throws {
        var m = Machine(configuration: config())
        _ = m.subscribe(topics: ["t"], now: t0)
        _ = m.coordinatorFound(nodeID: 1, now: t0)
        #expect(m.subscribe(topics: ["t", "u"], now: t0) == [])
        _ = m.joinGroupResponseReceived(joinResponse(), now: t0)
        let after = m.syncGroupResponseReceived(try syncResponse([tp("t", 0)]), now: t0)
        // Assigned, then at once revoked for the eager rejoin with the new subscription.
        #expect(after == [.assignPartitions([tp("t", 0)]), .revokePartitions([tp("t", 0)])])
        let join = try #require(joinRequest(m.revocationCompleted([tp("t", 0)], now: t0)))
        #expect(try MemberSubscription(memberID: "", groupInstanceID: nil, metadata: join.protocols[0].metadata).topics == ["t", "u"])
    }

    @Test func anAssignmentOfATopicWeDroppedIsTakenThenCorrected() throws {
        var m = Machine(configuration: cooperative)
        _ = m.subscribe(topics: ["t"], now: t0)
        _ = m.coordinatorFound(nodeID: 1, now: t0)
        _ = m.joinGroupResponseReceived(joinResponse(protocolName: "cooperative-sticky"), now: t0)
        let actions = m.syncGroupResponseReceived(try syncResponse([tp("old", 0), tp("t", 0)]), now: t0)
        #expect(actions.first == .assignPartitions([tp("old", 0), tp("t", 0)]))
        #expect(actions.dropFirst().first == .revokePartitions([tp("old", 0)]))
    }

    @Test func commitFailuresFeedTheMembership() throws {
        var m = try stableMember(config())
        #expect(m.offsetCommitFailed(.requestTimedOut, generationID: 1, now: t0) == [])
        #expect(m.offsetCommitFailed(.rebalanceInProgress, generationID: 0, now: t0) == [], "a stale generation")
        #expect(m.offsetCommitFailed(.rebalanceInProgress, generationID: 1, now: t0) == [.revokePartitions([tp("t", 0), tp("t", 1)])])
    }

    // MARK: - Liveness

    @Test func sessionExpiresWithoutSuccessfulHeartbeats() throws {
        var m = try stableMember(config())
        #expect(m.heartbeatDue(now: at(3)).first == heartbeat(m))
        // The response never comes: the timer now waits for the session deadline.
        #expect(m.heartbeatDue(now: at(6)) == [.scheduleHeartbeat(after: .seconds(39))])
        let expired = m.heartbeatDue(now: at(45))
        #expect(expired == [.losePartitions([tp("t", 0), tp("t", 1)]), .findCoordinator])
        #expect(m.memberID == "" && m.generationID == -1)
        #expect(joinRequest(m.coordinatorFound(nodeID: 1, now: at(45)))?.memberID == "")
    }

    @Test func aStaticMemberThatStopsPollingDoesNotLeave() throws {
        var m = try stableMember(config(instance: "i-1"))
        #expect(m.heartbeatDue(now: at(301)) == [.losePartitions([tp("t", 0), tp("t", 1)])])
    }

    @Test func aMemberThatStopsPollingLeavesAndRejoinsOnTheNextPoll() throws {
        var m = try stableMember(config())
        _ = m.polled(now: at(0))
        var now = at(0)
        var last: [Machine.Action] = []
        // Heartbeat successfully every 3 s; the timer never sleeps past the poll deadline.
        for _ in 0..<120 {
            last = m.heartbeatDue(now: now)
            guard case let .scheduleHeartbeat(after)? = last.last else { break }
            if last.contains(heartbeat(m)) { _ = m.heartbeatResponseReceived(HeartbeatResponse(), generationID: 1, now: now) }
            now = now + after
        }
        #expect(now == at(300.001))
        // Not polled for max.poll.interval.ms: give the partitions up and leave.
        #expect(last == [.losePartitions([tp("t", 0), tp("t", 1)]),
                         .sendLeaveGroup(memberID: "m-1", groupInstanceID: nil, reason: "consumer poll timeout has expired")])
        #expect(m.heartbeatDue(now: now + .seconds(3)) == [])
        #expect(joinRequest(m.polled(now: now + .seconds(10)))?.memberID == "")
    }

    // MARK: - Leaving

    @Test func closeRevokesThenLeaves() throws {
        var m = try stableMember(config())
        #expect(m.closeRequested(now: at(1)) == [.revokePartitions([tp("t", 0), tp("t", 1)])])
        #expect(m.commitGeneration != nil, "the revocation may still commit")
        #expect(m.revocationCompleted([tp("t", 0), tp("t", 1)], now: at(1))
                == [.sendLeaveGroup(memberID: "m-1", groupInstanceID: nil, reason: "the consumer is closing")])
        #expect(m.leaveGroupResponseReceived(LeaveGroupResponse(), now: at(1)) == [.closed])
        #expect(m.isClosed && m.closeRequested(now: at(2)) == [])
    }

    @Test func aStaticMemberClosesWithoutLeaving() throws {
        var m = try stableMember(config(instance: "i-1"))
        _ = m.closeRequested(now: at(1))
        #expect(m.revocationCompleted([tp("t", 0), tp("t", 1)], now: at(1)) == [.closed])
    }

    @Test func unsubscribingLeavesButStaysUsable() throws {
        var m = try stableMember(config())
        #expect(m.subscribe(topics: [], now: at(1)) == [.revokePartitions([tp("t", 0), tp("t", 1)])])
        #expect(m.revocationCompleted([tp("t", 0), tp("t", 1)], now: at(1))
                == [.sendLeaveGroup(memberID: "m-1", groupInstanceID: nil, reason: "the consumer unsubscribed")])
        #expect(m.requestFailed(.leaveGroup, now: at(1)) == [])
        #expect(m.subscribe(topics: ["t"], now: at(2)) == [.findCoordinator])
    }

    @Test func closingWhileJoiningLeavesWithTheIdWeHave() {
        var m = Machine(configuration: config())
        _ = m.subscribe(topics: ["t"], now: t0)
        #expect(m.closeRequested(now: t0) == [.closed], "no member id yet: nothing to leave")
        var n = Machine(configuration: config())
        _ = n.subscribe(topics: ["t"], now: t0)
        _ = n.coordinatorFound(nodeID: 1, now: t0)
        _ = n.joinGroupResponseReceived(joinResponse(.memberIdRequired), now: t0)
        #expect(n.closeRequested(now: t0) == [.sendLeaveGroup(memberID: "m-1", groupInstanceID: nil, reason: "the consumer is closing")])
        #expect(n.joinGroupResponseReceived(joinResponse(), now: t0) == [])
    }

    @Test func leaveRequestsFitEveryVersion() {
        #expect(LeaveGroupRequest.leaving(groupID: "g", memberID: "m", groupInstanceID: nil, reason: "r", version: 2)
                == LeaveGroupRequest(groupID: "g", memberID: "m"))
        #expect(LeaveGroupRequest.leaving(groupID: "g", memberID: "m", groupInstanceID: "i", reason: "r", version: 4).members
                == [.init(memberID: "m", groupInstanceID: "i", reason: nil)])
        #expect(LeaveGroupRequest.leaving(groupID: "g", memberID: "m", groupInstanceID: nil, reason: "r", version: 5).members.first?.reason == "r")
    }
}
