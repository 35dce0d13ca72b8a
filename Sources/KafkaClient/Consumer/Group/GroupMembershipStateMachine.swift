import KafkaWire

/// One consumer's membership in a classic consumer group, as a pure state machine.
///
/// ```
/// unsubscribed → findingCoordinator → [preparingJoin] → joining → [awaitingAssignmentMetadata] → syncing → stable
///                        ↑                                  ↑                                                  │
///                        └──── coordinator moved ───────────┴──── rebalance, unknown member, illegal generation ┘
/// stable → pollTimedOut → (polled) → joining …          any → closing → closed          any → failed
/// ```
///
/// Events are facts (a response arrived, a timer fired, the application polled) and each returns
/// the actions the owner must perform, in order. Time is always an argument. The owner sends the
/// requests, reports their responses, runs the rebalance callbacks, and arms one heartbeat timer
/// and one retry timer (a new `schedule…` action replaces the previous one of its kind).
///
/// Rebalance callbacks:
/// - `revokePartitions` gives the application the chance to commit before the partitions go. The
///   machine waits for `revocationCompleted` (naming the same partitions) before it moves on:
///   before JoinGroup (eager protocol, or partitions of topics no longer subscribed), after
///   SyncGroup (cooperative: partitions that moved to another member), and on close.
/// - `losePartitions` says the partitions are already gone (our generation is over, so a commit
///   would be refused): nothing to wait for.
/// - `assignPartitions` follows every successful rebalance with the partitions added, possibly
///   none, as the Java client calls `onPartitionsAssigned`.
///
/// Under the cooperative protocol a member keeps its partitions while it rejoins and sends them in
/// its subscription; if SyncGroup takes some away, it revokes them and rejoins at once, so the
/// leader can hand them to their new owner in a follow-up rebalance (KIP-429).
public struct GroupMembershipStateMachine: Sendable {
    /// What the owner must do.
    public enum Action: Sendable, Equatable {
        /// Find the group's coordinator afresh (FindCoordinator, key type 0), then report
        /// `coordinatorFound` or `coordinatorLookupFailed`.
        case findCoordinator
        /// Send JoinGroup to the coordinator; allow it `timeout` (it waits for the whole group).
        case sendJoinGroup(JoinGroupRequest, timeout: Duration)
        /// We lead this generation: look up the partition counts of `topics` (every member's
        /// subscription), then report `assignmentMetadataReceived`.
        case fetchAssignmentMetadata(topics: [String])
        /// Send SyncGroup to the coordinator.
        case sendSyncGroup(SyncGroupRequest)
        /// Send a heartbeat now.
        case sendHeartbeat(HeartbeatRequest)
        /// Call `heartbeatDue` after this long (replaces any earlier heartbeat timer).
        case scheduleHeartbeat(after: Duration)
        /// Call `retryDue` after this long (replaces any earlier retry timer).
        case scheduleRetry(after: Duration)
        /// Send LeaveGroup for `memberID` (build it with `LeaveGroupRequest.leaving`); report
        /// its response or failure.
        case sendLeaveGroup(memberID: String, groupInstanceID: String?, reason: String)
        /// Rebalance callback: the partitions are being revoked; commit what was processed, then
        /// report `revocationCompleted` with the same partitions.
        case revokePartitions([TopicPartition])
        /// Rebalance callback: these partitions were added (possibly none).
        case assignPartitions([TopicPartition])
        /// Rebalance callback: these partitions were lost; do not commit them.
        case losePartitions([TopicPartition])
        /// The membership cannot continue: report to the application.
        case fail(GroupMembershipError)
        /// `closeRequested` is done: the owner can release the coordinator connection.
        case closed
    }

    private enum AfterCoordinator: Sendable, Equatable {
        case join
        /// Our generation is still valid: just heartbeat to the new coordinator.
        case heartbeat
    }

    private enum Retry: Sendable, Equatable {
        case findCoordinator(then: AfterCoordinator)
        case join
    }

    private enum State: Sendable {
        case unsubscribed
        case findingCoordinator(then: AfterCoordinator)
        case waitingToRetry(Retry)
        /// Waiting for `revocationCompleted` before JoinGroup.
        case preparingJoin
        case joining
        /// Leader: waiting for the partition counts of every member's topics.
        case awaitingAssignmentMetadata(assignor: any ConsumerPartitionAssignor, members: [MemberSubscription])
        case syncing
        case stable
        /// We stopped polling for longer than `max.poll.interval.ms` and left; `polled` rejoins.
        case pollTimedOut
        /// Closing (`unsubscribing` false) or leaving because the subscription became empty.
        case closing(unsubscribing: Bool, leaveSent: Bool)
        case closed
        case failed(GroupMembershipError)
    }

    /// A revocation the application is running.
    private struct PendingRevocation: Sendable {
        var partitions: Set<TopicPartition>
        /// After a cooperative SyncGroup: the new assignment to apply once the revocation is done.
        var assignment: (assigned: Set<TopicPartition>, added: [TopicPartition])?
    }

    private let configuration: GroupMembershipConfiguration
    /// EAGER unless every configured assignor supports COOPERATIVE.
    public let rebalanceProtocol: RebalanceProtocol
    private var state: State = .unsubscribed

    /// The subscribed topics, sorted.
    public private(set) var subscription: [String] = []
    /// Our member id, or empty before the first JoinGroup and after a reset.
    public private(set) var memberID: String = ""
    /// The current generation, or -1.
    public private(set) var generationID: Int32 = -1
    /// The protocol (assignor) the coordinator selected for this generation.
    public private(set) var protocolName: String?
    /// The coordinator's broker id, when known.
    public private(set) var coordinatorID: Int32?
    /// Whether we lead the current generation.
    public private(set) var isLeader = false
    /// The partition counts the leader assigned from: the owner compares them with fresh
    /// metadata and calls `rejoinRequested` when a subscribed topic's partition count changes.
    public private(set) var assignmentSnapshot: [String: Int32]?
    /// The partitions the application owns now.
    public private(set) var ownedPartitions: Set<TopicPartition> = []

    private var pendingRevocation: PendingRevocation?
    private var rejoinPending = false
    private var lastPoll: ContinuousClock.Instant?
    private var lastHeartbeatSuccess: ContinuousClock.Instant?
    private var nextHeartbeatAt: ContinuousClock.Instant?
    /// The generation of the heartbeat in flight, if one is.
    private var heartbeatInFlight: Int32?

    /// A machine for `configuration`, not yet subscribed.
    public init(configuration: GroupMembershipConfiguration) {
        self.configuration = configuration
        self.rebalanceProtocol = RebalanceProtocol.common(to: configuration.assignors)
    }

    // MARK: - Queries

    /// The generation to put in an OffsetCommit, or nil when we are not in one (a commit would
    /// be refused; the application should not treat that as data loss, the next owner resumes
    /// from the last successful commit).
    public var commitGeneration: GroupGeneration? {
        guard generationID >= 0, !memberID.isEmpty else { return nil }
        return GroupGeneration(generationID: generationID, memberID: memberID, groupInstanceID: configuration.groupInstanceID)
    }

    /// True between a completed SyncGroup and the next rebalance.
    public var isStable: Bool {
        if case .stable = state { return true }
        return false
    }

    /// The error that stopped the membership, if it failed.
    public var failure: GroupMembershipError? {
        if case let .failed(error) = state { return error }
        return nil
    }

    /// True once `closeRequested` finished.
    public var isClosed: Bool {
        if case .closed = state { return true }
        return false
    }

    private var isStatic: Bool { configuration.groupInstanceID != nil }

    // MARK: - Application events

    /// The application subscribed to `topics` (replacing any earlier subscription) at `now`.
    /// An empty list unsubscribes: partitions are revoked and the member leaves the group.
    public mutating func subscribe(topics: [String], now: ContinuousClock.Instant) -> [Action] {
        let topics = Set(topics).sorted(by: javaStringLess)
        if lastPoll == nil { lastPoll = now }
        switch state {
        case .closed, .failed, .closing:
            return []
        case .unsubscribed:
            subscription = topics
            // Subscribing is the application at work: the poll deadline starts now.
            lastPoll = now
            if topics.isEmpty { return [] }
            return findCoordinator(then: .join)
        case .stable:
            guard topics != subscription else { return [] }
            subscription = topics
            if topics.isEmpty { return close(unsubscribing: true, now: now) }
            return pendingRevocation == nil ? beginJoin(now: now) : markRejoin()
        case .findingCoordinator, .waitingToRetry, .preparingJoin, .joining, .awaitingAssignmentMetadata, .syncing,
             .pollTimedOut:
            guard topics != subscription else { return [] }
            subscription = topics
            if topics.isEmpty { return close(unsubscribing: true, now: now) }
            // The join in progress carries the old subscription: join again once it completes.
            rejoinPending = true
            return []
        }
    }

    /// The application polled at `now`. A member that left for polling too late rejoins.
    public mutating func polled(now: ContinuousClock.Instant) -> [Action] {
        lastPoll = now
        switch state {
        case .pollTimedOut:
            return coordinatorID == nil ? findCoordinator(then: .join) : beginJoin(now: now)
        case .unsubscribed, .findingCoordinator, .waitingToRetry, .preparingJoin, .joining, .awaitingAssignmentMetadata,
             .syncing, .stable, .closing, .closed, .failed:
            return []
        }
    }

    /// Something outside the group protocol calls for a rebalance: the leader saw a subscribed
    /// topic's partition count change, or the application asked for one.
    public mutating func rejoinRequested(now: ContinuousClock.Instant) -> [Action] {
        switch state {
        case .stable:
            return pendingRevocation == nil ? beginJoin(now: now) : markRejoin()
        case .findingCoordinator, .waitingToRetry, .preparingJoin, .joining, .awaitingAssignmentMetadata, .syncing:
            return markRejoin()
        case .unsubscribed, .pollTimedOut, .closing, .closed, .failed:
            return []
        }
    }

    private mutating func markRejoin() -> [Action] {
        rejoinPending = true
        return []
    }

    /// The application finished the revocation callback for `partitions` (having committed
    /// what it wanted to). A completion for other partitions than the pending ones is stale and ignored.
    public mutating func revocationCompleted(_ partitions: [TopicPartition], now: ContinuousClock.Instant) -> [Action] {
        guard let pending = pendingRevocation, pending.partitions == Set(partitions) else { return [] }
        pendingRevocation = nil
        ownedPartitions.subtract(pending.partitions)
        switch state {
        case .preparingJoin:
            // A heartbeat may have found the coordinator gone while the application revoked.
            return coordinatorID == nil ? findCoordinator(then: .join) : sendJoin()
        case let .closing(unsubscribing, _):
            return finishClose(unsubscribing: unsubscribing, now: now)
        case .stable, .findingCoordinator(then: .heartbeat):
            guard let (assigned, added) = pending.assignment else { return [] }
            // Cooperative: the partitions that moved are released; take the rest of the new
            // assignment, then rejoin so the leader can give the released ones away.
            ownedPartitions = assigned
            rejoinPending = true
            var actions: [Action] = [.assignPartitions(added)]
            if case .stable = state { actions += beginJoin(now: now) }
            return actions
        case .unsubscribed, .findingCoordinator(then: .join), .waitingToRetry, .joining, .awaitingAssignmentMetadata,
             .syncing, .pollTimedOut, .closed, .failed:
            return []
        }
    }

    /// The application closes the consumer: revoke (committing) what we own, leave the group
    /// (dynamic members only), then `.closed`.
    public mutating func closeRequested(now: ContinuousClock.Instant) -> [Action] {
        switch state {
        case .closed, .closing:
            return []
        case .unsubscribed, .failed:
            state = .closed
            return [.closed]
        case .findingCoordinator, .waitingToRetry, .preparingJoin, .joining, .awaitingAssignmentMetadata, .syncing,
             .stable, .pollTimedOut:
            return close(unsubscribing: false, now: now)
        }
    }

    private mutating func close(unsubscribing: Bool, now: ContinuousClock.Instant) -> [Action] {
        state = .closing(unsubscribing: unsubscribing, leaveSent: false)
        rejoinPending = false
        heartbeatInFlight = nil
        if pendingRevocation != nil {
            // Let the revocation in progress finish; its cooperative follow-up no longer applies.
            pendingRevocation?.assignment = nil
            return []
        }
        return finishClose(unsubscribing: unsubscribing, now: now)
    }

    private mutating func finishClose(unsubscribing: Bool, now: ContinuousClock.Instant) -> [Action] {
        if !ownedPartitions.isEmpty {
            if commitGeneration != nil { return revoke(ownedPartitions, assignment: nil) }
            let lost = loseOwned()
            return lost + finishClose(unsubscribing: unsubscribing, now: now)
        }
        // Static members stay in the group until their session times out, so a restart within
        // it gets the same partitions back without a rebalance (KIP-345).
        if !isStatic && !memberID.isEmpty {
            state = .closing(unsubscribing: unsubscribing, leaveSent: true)
            let reason = unsubscribing ? "the consumer unsubscribed" : "the consumer is closing"
            return [.sendLeaveGroup(memberID: memberID, groupInstanceID: nil, reason: reason)]
        }
        return leaveCompleted(unsubscribing: unsubscribing)
    }

    private mutating func leaveCompleted(unsubscribing: Bool) -> [Action] {
        resetGeneration(resetMemberID: true)
        if unsubscribing {
            state = .unsubscribed
            return []
        }
        state = .closed
        return [.closed]
    }

    /// LeaveGroup was answered (whatever the answer: we are gone either way).
    public mutating func leaveGroupResponseReceived(_ response: LeaveGroupResponse, now: ContinuousClock.Instant) -> [Action] {
        guard case let .closing(unsubscribing, leaveSent: true) = state else { return [] }
        return leaveCompleted(unsubscribing: unsubscribing)
    }

    // MARK: - Coordinator

    private mutating func findCoordinator(then next: AfterCoordinator) -> [Action] {
        coordinatorID = nil
        state = .findingCoordinator(then: next)
        return [.findCoordinator]
    }

    /// FindCoordinator answered: broker `nodeID` coordinates our group.
    public mutating func coordinatorFound(nodeID: Int32, now: ContinuousClock.Instant) -> [Action] {
        guard case let .findingCoordinator(next) = state else { return [] }
        coordinatorID = nodeID
        switch next {
        case .join:
            return beginJoin(now: now)
        case .heartbeat:
            state = .stable
            if rejoinPending && pendingRevocation == nil { return beginJoin(now: now) }
            // Heartbeat the new coordinator at once: if it does not know us, better learn it now.
            nextHeartbeatAt = now
            return heartbeatDue(now: now)
        }
    }

    /// FindCoordinator failed (an error code or a transport failure): retry after the backoff.
    public mutating func coordinatorLookupFailed(now: ContinuousClock.Instant) -> [Action] {
        guard case let .findingCoordinator(next) = state else { return [] }
        return retry(.findCoordinator(then: next))
    }

    /// The retry timer fired.
    public mutating func retryDue(now: ContinuousClock.Instant) -> [Action] {
        guard case let .waitingToRetry(retry) = state else { return [] }
        switch retry {
        case let .findCoordinator(next): return findCoordinator(then: next)
        case .join: return beginJoin(now: now)
        }
    }

    private mutating func retry(_ retry: Retry) -> [Action] {
        state = .waitingToRetry(retry)
        return [.scheduleRetry(after: configuration.retryBackoff)]
    }

    // MARK: - Join and sync

    /// Starts a rebalance: first revoke what must go (everything under eager; partitions of
    /// topics we no longer subscribe to under cooperative), then JoinGroup.
    private mutating func beginJoin(now: ContinuousClock.Instant) -> [Action] {
        heartbeatInFlight = nil
        let mustGo = rebalanceProtocol == .eager
            ? ownedPartitions
            : ownedPartitions.filter { !subscription.contains($0.topic) }
        if !mustGo.isEmpty {
            if commitGeneration == nil {
                let lost = loseOwned()
                return lost + beginJoin(now: now)
            }
            state = .preparingJoin
            return revoke(mustGo, assignment: nil)
        }
        return sendJoin()
    }

    private mutating func sendJoin() -> [Action] {
        state = .joining
        rejoinPending = false
        isLeader = false
        var protocols: [JoinGroupRequest.JoinGroupRequestProtocol] = []
        let owned = ownedPartitions.sorted()
        for assignor in configuration.assignors {
            do {
                let metadata = try ConsumerProtocolCodec.subscriptionMetadata(
                    topics: subscription,
                    userData: assignor.subscriptionUserData(ownedPartitions: owned, generationID: generationID),
                    ownedPartitions: owned, generationID: generationID, rackID: configuration.rackID)
                protocols.append(.init(name: assignor.name, metadata: ByteSlice(metadata)))
            } catch {
                return fail(GroupMembershipError(.invalidRequest, in: .joinGroup, detail: "subscription: \(error)"))
            }
        }
        let request = JoinGroupRequest(
            groupID: configuration.groupID, sessionTimeoutMs: Self.milliseconds(configuration.sessionTimeout),
            rebalanceTimeoutMs: Self.milliseconds(configuration.rebalanceTimeout), memberID: memberID,
            groupInstanceID: configuration.groupInstanceID, protocolType: ConsumerProtocolCodec.protocolType,
            protocols: protocols)
        return [.sendJoinGroup(request, timeout: configuration.joinGroupRequestTimeout)]
    }

    /// JoinGroup answered.
    public mutating func joinGroupResponseReceived(_ response: JoinGroupResponse, now: ContinuousClock.Instant) -> [Action] {
        guard case .joining = state else {
            // A join that completes after close began still names our member id, which the
            // LeaveGroup must carry.
            if case .closing(_, leaveSent: false) = state, response.errorCode == .none { memberID = response.memberID }
            return []
        }
        switch response.errorCode {
        case .none:
            if let type = response.protocolType, type != ConsumerProtocolCodec.protocolType {
                return fail(GroupMembershipError(.inconsistentGroupProtocol, in: .joinGroup, detail: "protocol type \(type)"))
            }
            guard let name = response.protocolName,
                  let assignor = configuration.assignors.first(where: { $0.name == name }) else {
                return fail(GroupMembershipError(.inconsistentGroupProtocol, in: .joinGroup,
                                                 detail: "protocol \(response.protocolName ?? "null") is not ours"))
            }
            memberID = response.memberID
            generationID = response.generationID
            protocolName = name
            isLeader = response.leader == response.memberID
            guard isLeader && !response.skipAssignment else {
                assignmentSnapshot = nil
                return sendSync(assignments: [])
            }
            // A member whose metadata we cannot read is treated as subscribing to nothing: it
            // gets an empty assignment, and the rest of the group keeps working.
            let members = response.members.map { joined in
                (try? MemberSubscription(memberID: joined.memberID, groupInstanceID: joined.groupInstanceID,
                                         metadata: joined.metadata))
                    ?? MemberSubscription(memberID: joined.memberID, groupInstanceID: joined.groupInstanceID, topics: [])
            }
            state = .awaitingAssignmentMetadata(assignor: assignor, members: members)
            return [.fetchAssignmentMetadata(topics: Set(members.flatMap(\.topics)).sorted(by: javaStringLess))]
        case .memberIdRequired:
            // KIP-394: a new member must join again with the id the coordinator chose for it.
            memberID = response.memberID
            return sendJoin()
        case .unknownMemberId:
            return resetAndRejoin(resetMemberID: true, now: now)
        case .illegalGeneration:
            return resetAndRejoin(resetMemberID: false, now: now)
        case .rebalanceInProgress, .coordinatorLoadInProgress:
            return retry(.join)
        case .notCoordinator, .coordinatorNotAvailable:
            return retry(.findCoordinator(then: .join))
        default:
            return failOrRetry(response.errorCode, in: .joinGroup, retry: .join)
        }
    }

    /// Leader: the partition counts of the members' topics (topics missing from metadata are left out).
    public mutating func assignmentMetadataReceived(partitionCounts: [String: Int32], now: ContinuousClock.Instant) -> [Action] {
        guard case let .awaitingAssignmentMetadata(assignor, members) = state else { return [] }
        let result = assignor.assign(partitionCounts: partitionCounts, subscriptions: members)
        var assignments: [SyncGroupRequest.SyncGroupRequestAssignment] = []
        for member in members.sorted(by: { javaStringLess($0.memberID, $1.memberID) }) {
            do {
                let bytes = try ConsumerProtocolCodec.assignmentBytes(result[member.memberID] ?? [])
                assignments.append(.init(memberID: member.memberID, assignment: ByteSlice(bytes)))
            } catch {
                return fail(GroupMembershipError(.invalidRequest, in: .syncGroup, detail: "assignment: \(error)"))
            }
        }
        assignmentSnapshot = partitionCounts
        return sendSync(assignments: assignments)
    }

    private mutating func sendSync(assignments: [SyncGroupRequest.SyncGroupRequestAssignment]) -> [Action] {
        state = .syncing
        return [.sendSyncGroup(SyncGroupRequest(
            groupID: configuration.groupID, generationID: generationID, memberID: memberID,
            groupInstanceID: configuration.groupInstanceID, protocolType: ConsumerProtocolCodec.protocolType,
            protocolName: protocolName, assignments: assignments))]
    }

    /// SyncGroup answered.
    public mutating func syncGroupResponseReceived(_ response: SyncGroupResponse, now: ContinuousClock.Instant) -> [Action] {
        guard case .syncing = state else { return [] }
        switch response.errorCode {
        case .none:
            if let type = response.protocolType, type != ConsumerProtocolCodec.protocolType {
                return fail(GroupMembershipError(.inconsistentGroupProtocol, in: .syncGroup, detail: "protocol type \(type)"))
            }
            if let name = response.protocolName, name != protocolName {
                return fail(GroupMembershipError(.inconsistentGroupProtocol, in: .syncGroup, detail: "protocol \(name)"))
            }
            guard let assignment = try? ConsumerProtocolCodec.decodeAssignment(response.assignment) else {
                // A leader sent bytes we cannot read. Rejoining gives the group a new leader
                // election and assignment; the coordinator removes us if it never improves.
                return retry(.join)
            }
            return applyAssignment(Set(assignment.partitions), now: now)
        case .rebalanceInProgress:
            return beginJoin(now: now)
        case .unknownMemberId:
            return resetAndRejoin(resetMemberID: true, now: now)
        case .illegalGeneration:
            return resetAndRejoin(resetMemberID: false, now: now)
        case .notCoordinator, .coordinatorNotAvailable:
            return retry(.findCoordinator(then: .join))
        default:
            return failOrRetry(response.errorCode, in: .syncGroup, retry: .join)
        }
    }

    private mutating func applyAssignment(_ assigned: Set<TopicPartition>, now: ContinuousClock.Instant) -> [Action] {
        // A leader with an older view of our subscription may assign topics we dropped: take
        // the assignment (it is this generation's truth) and rejoin to correct it.
        if assigned.contains(where: { !subscription.contains($0.topic) }) { rejoinPending = true }
        let revoked = ownedPartitions.subtracting(assigned)
        let added = assigned.subtracting(ownedPartitions).sorted()
        state = .stable
        lastHeartbeatSuccess = now
        nextHeartbeatAt = now + configuration.heartbeatInterval
        heartbeatInFlight = nil
        if !revoked.isEmpty {
            // Keep heartbeating while the application revokes: the generation is valid.
            return revoke(revoked, assignment: (assigned, added)) + [.scheduleHeartbeat(after: nextTimer(now: now))]
        }
        ownedPartitions = assigned
        var actions: [Action] = [.assignPartitions(added)]
        if rejoinPending { return actions + beginJoin(now: now) }
        actions.append(.scheduleHeartbeat(after: nextTimer(now: now)))
        return actions
    }

    private mutating func revoke(_ partitions: Set<TopicPartition>,
                                 assignment: (assigned: Set<TopicPartition>, added: [TopicPartition])?) -> [Action] {
        pendingRevocation = PendingRevocation(partitions: partitions, assignment: assignment)
        return [.revokePartitions(partitions.sorted())]
    }

    // MARK: - Heartbeats and liveness

    /// Whether our generation is live and heartbeats keep it so: stable, and while the
    /// application revokes before a join (the Java client's heartbeat thread runs then too).
    private var isHeartbeating: Bool {
        switch state {
        case .stable, .preparingJoin: true
        case .unsubscribed, .findingCoordinator, .waitingToRetry, .joining, .awaitingAssignmentMetadata, .syncing,
             .pollTimedOut, .closing, .closed, .failed: false
        }
    }

    /// The heartbeat timer fired: check the poll and session deadlines, heartbeat if it is time,
    /// and schedule the next check.
    public mutating func heartbeatDue(now: ContinuousClock.Instant) -> [Action] {
        guard isHeartbeating else { return [] }
        if let lastPoll, now - lastPoll > configuration.maxPollInterval {
            return pollIntervalExceeded(now: now)
        }
        if let lastHeartbeatSuccess, now - lastHeartbeatSuccess >= configuration.sessionTimeout {
            // The coordinator has surely expired us: our partitions are someone else's now.
            let lost = loseOwned()
            resetGeneration(resetMemberID: true)
            return lost + findCoordinator(then: .join)
        }
        var actions: [Action] = []
        if heartbeatInFlight == nil, coordinatorID != nil, now >= (nextHeartbeatAt ?? now) {
            heartbeatInFlight = generationID
            nextHeartbeatAt = now + configuration.heartbeatInterval
            actions.append(.sendHeartbeat(HeartbeatRequest(
                groupID: configuration.groupID, generationID: generationID, memberID: memberID,
                groupInstanceID: configuration.groupInstanceID)))
        }
        actions.append(.scheduleHeartbeat(after: nextTimer(now: now)))
        return actions
    }

    /// When the heartbeat timer should fire next: the next heartbeat (unless one is in flight),
    /// the poll deadline, or the session deadline, whichever comes first.
    private func nextTimer(now: ContinuousClock.Instant) -> Duration {
        var deadlines: [ContinuousClock.Instant] = []
        if heartbeatInFlight == nil, let nextHeartbeatAt { deadlines.append(nextHeartbeatAt) }
        if let lastPoll { deadlines.append(lastPoll + configuration.maxPollInterval + .milliseconds(1)) }
        if let lastHeartbeatSuccess { deadlines.append(lastHeartbeatSuccess + configuration.sessionTimeout) }
        guard let first = deadlines.min() else { return configuration.heartbeatInterval }
        return max(first - now, .zero)
    }

    private mutating func pollIntervalExceeded(now: ContinuousClock.Instant) -> [Action] {
        // The application is stuck: give the partitions to someone who is not. A dynamic member
        // leaves now; a static one lets its session expire, as the Java client does.
        let lost = loseOwned()
        let leavingID = memberID
        resetGeneration(resetMemberID: true)
        state = .pollTimedOut
        guard !isStatic, !leavingID.isEmpty else { return lost }
        return lost + [.sendLeaveGroup(memberID: leavingID, groupInstanceID: nil,
                                       reason: "consumer poll timeout has expired")]
    }

    /// A heartbeat sent in `generationID` was answered. Answers to heartbeats of an earlier
    /// generation are ignored.
    public mutating func heartbeatResponseReceived(_ response: HeartbeatResponse, generationID sentIn: Int32,
                                                   now: ContinuousClock.Instant) -> [Action] {
        guard heartbeatInFlight == sentIn, sentIn == generationID else { return [] }
        heartbeatInFlight = nil
        guard isHeartbeating else { return [] }
        return groupErrorReceived(response.errorCode, in: .heartbeat, now: now)
    }

    /// An OffsetCommit sent in `generationID` failed with a group error (REBALANCE_IN_PROGRESS,
    /// UNKNOWN_MEMBER_ID, ILLEGAL_GENERATION, FENCED_INSTANCE_ID, NOT_COORDINATOR...): the
    /// membership reacts as it does to a heartbeat with that error.
    public mutating func offsetCommitFailed(_ errorCode: ErrorCode, generationID sentIn: Int32,
                                            now: ContinuousClock.Instant) -> [Action] {
        guard sentIn == generationID, isHeartbeating, errorCode != .none else { return [] }
        return groupErrorReceived(errorCode, in: .offsetCommit, now: now)
    }

    private mutating func groupErrorReceived(_ code: ErrorCode, in request: GroupRequestKind,
                                             now: ContinuousClock.Instant) -> [Action] {
        let preparingJoin: Bool
        if case .preparingJoin = state { preparingJoin = true } else { preparingJoin = false }
        switch code {
        case .none:
            lastHeartbeatSuccess = now
            return [.scheduleHeartbeat(after: nextTimer(now: now))]
        case .rebalanceInProgress:
            // Already rejoining, or revoking (which ends in a rejoin): nothing more to start.
            if preparingJoin { return [] }
            return pendingRevocation == nil ? beginJoin(now: now) : markRejoin()
        case .unknownMemberId:
            return resetAndRejoin(resetMemberID: true, now: now)
        case .illegalGeneration:
            return resetAndRejoin(resetMemberID: false, now: now)
        case .notCoordinator, .coordinatorNotAvailable:
            // The group moved; our generation is still good at the new coordinator. While
            // revoking before a join, the join will look the coordinator up.
            if preparingJoin {
                coordinatorID = nil
                return []
            }
            return findCoordinator(then: .heartbeat)
        case .fencedInstanceId, .groupAuthorizationFailed:
            return fail(GroupMembershipError(code, in: request))
        default:
            // A commit's other errors (retriable or about offsets) are the commit's business.
            if request == .offsetCommit { return [] }
            if code.isRetriable {
                nextHeartbeatAt = now + configuration.retryBackoff
                return [.scheduleHeartbeat(after: nextTimer(now: now))]
            }
            return fail(GroupMembershipError(code, in: request))
        }
    }

    /// A request could not be completed at all (connection lost, timeout): the coordinator may
    /// be gone, so find it again, then carry on with what was interrupted.
    public mutating func requestFailed(_ request: GroupRequestKind, now: ContinuousClock.Instant) -> [Action] {
        switch request {
        case .findCoordinator:
            return coordinatorLookupFailed(now: now)
        case .joinGroup:
            guard case .joining = state else { return [] }
            return retry(.findCoordinator(then: .join))
        case .assignmentMetadata:
            guard case .awaitingAssignmentMetadata = state else { return [] }
            return retry(.findCoordinator(then: .join))
        case .syncGroup:
            guard case .syncing = state else { return [] }
            return retry(.findCoordinator(then: .join))
        case .heartbeat:
            heartbeatInFlight = nil
            switch state {
            case .stable:
                return findCoordinator(then: .heartbeat)
            case .preparingJoin:
                coordinatorID = nil
                return []
            case .unsubscribed, .findingCoordinator, .waitingToRetry, .joining, .awaitingAssignmentMetadata, .syncing,
                 .pollTimedOut, .closing, .closed, .failed:
                return []
            }
        case .leaveGroup:
            guard case let .closing(unsubscribing, leaveSent: true) = state else { return [] }
            return leaveCompleted(unsubscribing: unsubscribing)
        case .offsetCommit:
            // The commit is retried by its owner; the membership only cares about group errors.
            return []
        }
    }

    // MARK: - Resets and failures

    /// Our generation is over: the partitions are lost (the next owner may already have them),
    /// then join again, as a new member if the coordinator forgot us.
    private mutating func resetAndRejoin(resetMemberID: Bool, now: ContinuousClock.Instant) -> [Action] {
        let lost = loseOwned()
        resetGeneration(resetMemberID: resetMemberID)
        return lost + beginJoin(now: now)
    }

    private mutating func loseOwned() -> [Action] {
        pendingRevocation = nil
        guard !ownedPartitions.isEmpty else { return [] }
        let lost = ownedPartitions.sorted()
        ownedPartitions = []
        return [.losePartitions(lost)]
    }

    private mutating func resetGeneration(resetMemberID: Bool) {
        generationID = -1
        isLeader = false
        assignmentSnapshot = nil
        heartbeatInFlight = nil
        if resetMemberID { memberID = "" }
    }

    private mutating func failOrRetry(_ code: ErrorCode, in request: GroupRequestKind, retry next: Retry) -> [Action] {
        code.isRetriable ? retry(next) : fail(GroupMembershipError(code, in: request))
    }

    /// Fatal: what we own is lost (a fenced static member has been replaced by a newer instance
    /// of itself, which owns them now).
    private mutating func fail(_ error: GroupMembershipError) -> [Action] {
        let lost = loseOwned()
        resetGeneration(resetMemberID: true)
        state = .failed(error)
        return lost + [.fail(error)]
    }

    private static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        let total = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: total)
    }
}
