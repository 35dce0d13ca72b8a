import KafkaWire
import Logging
import Synchronization

// Group membership: the GroupMembershipStateMachine decides, this file performs its actions.
// Every request is a job (a child task of run()); its answer goes back to the machine under the
// lock, and the machine's next actions are performed in turn. Timers live in the group loop.

extension KafkaConsumer {
    typealias GroupAction = GroupMembershipStateMachine.Action

    // MARK: - The group loop

    func groupLoop() async {
        while !Task.isCancelled {
            let now = ContinuousClock.now
            var commitNow = false
            var refreshSubscription = false
            let step = state.withLock { state -> (closed: Bool, actions: [GroupAction], deadline: ContinuousClock.Instant?) in
                if state.lifecycle == .closed { return (true, [], nil) }
                var actions: [GroupAction] = []
                if var machine = state.membership {
                    if let due = state.heartbeatDeadline, due <= now {
                        state.heartbeatDeadline = nil
                        actions += machine.heartbeatDue(now: now)
                    }
                    if let due = state.retryDeadline, due <= now {
                        state.retryDeadline = nil
                        actions += machine.retryDue(now: now)
                    }
                    // A reader waiting for messages is the application polling.
                    if !state.readers.isEmpty { actions += machine.polled(now: now) }
                    state.membership = machine
                }
                actions = state.absorbTimers(actions, now: now)
                if state.lifecycle == .running, !state.autoCommitInFlight, state.autoCommit.isDue(now: now) {
                    state.autoCommitInFlight = true
                    commitNow = true
                }
                if state.lifecycle == .running, let due = state.nextPatternRefresh, due <= now {
                    refreshSubscription = true
                    state.nextPatternRefresh = now + (configuration.client.metadataMaxAge ?? .seconds(300))
                }
                var deadlines = [state.heartbeatDeadline, state.retryDeadline].compactMap { $0 }
                // The pattern refresh and the auto-commit only count while they can start (running, no
                // commit in flight; the commit signals when it ends): otherwise their deadline stays in
                // the past and the loop would spin until the close or the commit finished.
                if state.lifecycle == .running, let due = state.nextPatternRefresh { deadlines.append(due) }
                if state.lifecycle == .running, !state.autoCommitInFlight, state.autoCommit.uncommittedCount > 0,
                   let due = state.autoCommit.nextDeadline {
                    deadlines.append(due)
                }
                state.groupLoopSteps += 1
                if !state.readers.isEmpty, state.membership != nil { deadlines.append(now + .seconds(1)) }
                return (false, actions, deadlines.min())
            }
            if step.closed { return }
            performGroupActions(step.actions)
            if commitNow { enqueue { await self.autoCommit() } }
            if refreshSubscription { enqueue { await self.refreshSubscription() } }
            await groupSignal.wait(until: step.deadline)
        }
    }

    // MARK: - Actions

    /// Feeds an event to the membership machine and performs what it answers.
    func membershipEvent(_ event: (inout GroupMembershipStateMachine, ContinuousClock.Instant) -> [GroupAction]) {
        let actions = state.withLock { state -> [GroupAction] in
            guard var machine = state.membership else { return [] }
            let now = ContinuousClock.now
            let actions = event(&machine, now)
            state.membership = machine
            return state.absorbTimers(actions, now: now)
        }
        groupSignal.signal()
        performGroupActions(actions)
    }

    func performGroupActions(_ actions: [GroupAction]) {
        guard let groupID = configuration.groupID else { return }
        for action in actions {
            switch action {
            case .findCoordinator:
                enqueue { await self.findCoordinator(groupID) }
            case let .sendJoinGroup(request, timeout):
                debug(.cgrp, "joining group \(groupID) as \(request.memberID.isEmpty ? "a new member" : request.memberID)")
                enqueue {
                    do {
                        let response = try await self.sendToCoordinator(requestTimeout: timeout) { _ in request }
                        self.debug(.cgrp, "JoinGroup: \(response.errorCode), generation \(response.generationID), leader \(response.leader == response.memberID)")
                        self.membershipEvent { $0.joinGroupResponseReceived(response, now: $1) }
                    } catch {
                        self.debug(.cgrp, "JoinGroup failed: \(error)")
                        self.membershipEvent { $0.requestFailed(.joinGroup, now: $1) }
                    }
                }
            case let .fetchAssignmentMetadata(topics):
                enqueue {
                    do {
                        let metadata = try await self.cluster.metadata(topics: topics)
                        var counts: [String: Int32] = [:]
                        for topic in topics {
                            if let described = metadata.topics[topic] { counts[topic] = Int32(described.partitions.count) }
                        }
                        self.membershipEvent { $0.assignmentMetadataReceived(partitionCounts: counts, now: $1) }
                    } catch {
                        self.membershipEvent { $0.requestFailed(.assignmentMetadata, now: $1) }
                    }
                }
            case let .sendSyncGroup(request):
                enqueue {
                    do {
                        let response = try await self.sendToCoordinator { _ in request }
                        self.debug(.cgrp, "SyncGroup: \(response.errorCode)")
                        self.membershipEvent { $0.syncGroupResponseReceived(response, now: $1) }
                    } catch {
                        self.membershipEvent { $0.requestFailed(.syncGroup, now: $1) }
                    }
                }
            case let .sendHeartbeat(request):
                enqueue {
                    do {
                        let response = try await self.sendToCoordinator { _ in request }
                        if response.errorCode != .none { self.debug(.cgrp, "Heartbeat: \(response.errorCode)") }
                        self.membershipEvent { $0.heartbeatResponseReceived(response, generationID: request.generationID, now: $1) }
                    } catch {
                        self.membershipEvent { $0.requestFailed(.heartbeat, now: $1) }
                    }
                }
            case let .scheduleHeartbeat(after):
                state.withLock { $0.heartbeatDeadline = .now + after }
                groupSignal.signal()
            case let .scheduleRetry(after):
                state.withLock { $0.retryDeadline = .now + after }
                groupSignal.signal()
            case let .sendLeaveGroup(memberID, groupInstanceID, reason):
                debug(.cgrp, "leaving group \(groupID): \(reason)")
                enqueue {
                    do {
                        let response = try await self.sendToCoordinator { version in
                            LeaveGroupRequest.leaving(groupID: groupID, memberID: memberID, groupInstanceID: groupInstanceID,
                                                      reason: reason, version: version)
                        }
                        self.membershipEvent { $0.leaveGroupResponseReceived(response, now: $1) }
                    } catch {
                        self.membershipEvent { $0.requestFailed(.leaveGroup, now: $1) }
                    }
                }
            case let .revokePartitions(partitions):
                enqueue { await self.revoke(partitions) }
            case let .assignPartitions(partitions):
                debug(.cgrp, "assigned \(partitions)")
                try? update { state, effects in
                    state.addPartitions(partitions, from: .committed, effects: &effects)
                    state.emit(.partitionsAssigned(partitions), effects: &effects)
                }
            case let .losePartitions(partitions):
                debug(.cgrp, "lost \(partitions)")
                try? update { state, effects in
                    state.removePartitions(partitions)
                    state.tracker.lose(partitions)
                    invalidations.add(1, ordering: .relaxed)
                    state.emit(.partitionsLost(partitions), effects: &effects)
                }
            case let .fail(error):
                logger.error("consumer group \(groupID) failed: \(error)")
                try? update { state, effects in
                    state.failure = .groupFailed(error)
                    invalidations.add(1, ordering: .relaxed)
                    state.emit(.error(.groupFailed(error)), effects: &effects)
                    state.releaseReaders(effects: &effects)
                }
                beginClose()
            case .closed:
                membershipClosed.set()
            }
        }
    }

    private func findCoordinator(_ groupID: String) async {
        cluster.forgetCoordinator(.group(groupID))
        do {
            let node = try await cluster.coordinator(for: .group(groupID), timeout: configuration.client.requestTimeout)
            debug(.cgrp, "group \(groupID) coordinator: \(node)")
            membershipEvent { $0.coordinatorFound(nodeID: node.nodeID, now: $1) }
        } catch {
            debug(.cgrp, "FindCoordinator for \(groupID) failed: \(error)")
            membershipEvent { $0.coordinatorLookupFailed(now: $1) }
        }
    }

    /// One attempt at a request to the coordinator the membership knows.
    func sendToCoordinator<Request: KafkaRequest>(requestTimeout: Duration? = nil, _ build: (Int16) throws -> Request)
        async throws(KafkaClientError) -> Request.Response {
        guard let node = state.withLock({ $0.membership?.coordinatorID }) else {
            throw .broker(KafkaError(.coordinatorNotAvailable), context: "group coordinator")
        }
        let timeout = requestTimeout ?? configuration.client.requestTimeout
        let deadline = ContinuousClock.now + timeout
        let broker = try await cluster.resolve(.broker(node), deadline: deadline)
        return try await cluster.sendOnce(to: broker, deadline: deadline, requestTimeout: timeout, build)
    }

    // MARK: - Rebalance callbacks

    /// Revokes `partitions`: stop delivering them, let the application finish (the event), commit
    /// what is marked (`enable.auto.commit`), then tell the membership.
    private func revoke(_ partitions: [TopicPartition]) async {
        debug(.cgrp, "revoking \(partitions)")
        let (observed, running) = (try? update { state, _ in
            if configuration.enableAutoOffsetStore { state.storeHandedOut(of: Set(partitions)) }
            state.invalidate(partitions)
            invalidations.add(1, ordering: .relaxed)
            return (state.eventsObserved, state.lifecycle == .running)
        }) ?? (false, false)
        if observed {
            let completion = WakeSignal()
            try? update { state, effects in
                state.emit(.partitionsRevoked(KafkaConsumerRevocation(partitions: partitions, completion: completion)),
                           effects: &effects)
            }
            // While closing the application is not expected to answer: it asked to close.
            let bound = running ? (configuration.rebalanceTimeout ?? configuration.maxPollInterval) : .milliseconds(100)
            await completion.wait(until: .now + bound)
        }
        if configuration.enableAutoCommit {
            let pending = state.withLock { state in state.tracker.pendingCommits().filter { partitions.contains($0.key) } }
            if !pending.isEmpty {
                do {
                    _ = try await commitOffsets(pending, timeout: configuration.client.requestTimeout)
                } catch {
                    try? update { state, effects in state.emit(.error(.commitFailed(pending, error)), effects: &effects) }
                }
            }
        }
        let actions = state.withLock { state -> [GroupAction] in
            _ = state.tracker.revoke(partitions)
            state.removePartitions(partitions)
            guard var machine = state.membership else { return [] }
            let now = ContinuousClock.now
            let actions = machine.revocationCompleted(partitions, now: now)
            state.membership = machine
            return state.absorbTimers(actions, now: now)
        }
        groupSignal.signal()
        performGroupActions(actions)
    }

    // MARK: - Subscription upkeep

    /// Resolves pattern subscriptions against the cluster's topics, and, when we lead, rejoins if
    /// a subscribed topic's partition count changed.
    private func refreshSubscription() async {
        guard case let .subscribed(topics, patterns) = state.withLock({ $0.mode }) else { return }
        var resolved = Set(topics)
        if !patterns.isEmpty {
            guard let metadata = try? await cluster.refreshMetadata(.allTopics, timeout: configuration.client.requestTimeout)
            else { return }
            let expressions = patterns.compactMap { try? Regex($0) }
            for (name, topic) in metadata.topics where !topic.isInternal {
                if expressions.contains(where: { (try? $0.firstMatch(in: name)) != nil }) { resolved.insert(name) }
            }
        }
        let snapshot = state.withLock { $0.membership?.isLeader == true ? $0.membership?.assignmentSnapshot : nil }
        var changed = false
        if let snapshot, let metadata = try? await cluster.refreshMetadata(.topics(Set(snapshot.keys)),
                                                                              timeout: configuration.client.requestTimeout) {
            changed = snapshot.contains { name, count in
                metadata.topics[name].map { Int32($0.partitions.count) != count } ?? false
            }
        }
        membershipEvent { machine, now in
            var actions = machine.subscribe(topics: resolved.sorted(), now: now)
            if changed { actions += machine.rejoinRequested(now: now) }
            return actions
        }
    }
}
