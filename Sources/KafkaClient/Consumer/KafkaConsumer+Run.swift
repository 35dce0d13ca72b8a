import KafkaWire
import Synchronization
import Logging
import ServiceLifecycle

// The consumer's runtime: one `run()` owns every task. It runs two loops as child tasks (the
// fetch driver, which plans fetches and position lookups, and the group loop, which fires the
// membership's heartbeat and retry timers, auto-commits and re-checks pattern subscriptions), and
// turns every job the consumer queues (a fetch, a lookup, a group request, a commit) into one more
// child task. Jobs report back under the lock and may queue further jobs. When closing has
// finished, the job queue ends, the remaining children are cancelled and `run()` returns.

extension KafkaConsumer: Service {
    /// Runs the consumer until it is closed (by `close()`, graceful shutdown, or cancellation).
    /// Throws `KafkaConsumerError.closed` if it already ran, and the consumer's failure (a fenced
    /// group member) if it stopped because of one.
    public func run() async throws {
        let started = state.withLock { state -> Bool in
            guard state.lifecycle == .idle else { return false }
            state.lifecycle = .running
            return true
        }
        guard started else { throw KafkaConsumerError.closed }
        debug(.consumer, "consumer started")
        await withGracefulShutdownHandler {
            await withTaskCancellationHandler {
                await withDiscardingTaskGroup { group in
                    group.addTask { await self.fetchDriverLoop() }
                    group.addTask { await self.groupLoop() }
                    for await job in jobs {
                        group.addTask { await job() }
                    }
                    group.cancelAll()
                }
            } onCancel: {
                self.beginClose()
            }
        } onGracefulShutdown: {
            self.beginClose()
        }
        if ownsCluster { await cluster.shutdown() }
        closedSignal.set()
        debug(.consumer, "consumer closed")
        if let failure = state.withLock({ $0.failure }), case .groupFailed = failure { throw failure }
    }

    /// Queues `job` as a child task of `run()` (dropped once the consumer has closed).
    func enqueue(_ job: @escaping Job) {
        jobsContinuation.yield(job)
    }

    // MARK: - Effects

    /// Performs what a state transition asked for, outside the lock.
    func perform(_ effects: ConsumerEffects) {
        for reader in effects.resumeReaders { reader.resume() }
        for (reader, event) in effects.resumeEventReaders { reader.resume(returning: event) }
        if !effects.lookups.isEmpty {
            state.withLock { $0.pendingLookups += effects.lookups }
            driverSignal.signal()
        }
        if effects.wakeDriver { driverSignal.signal() }
        if effects.wakeGroup { groupSignal.signal() }
        if !effects.groupActions.isEmpty { performGroupActions(effects.groupActions) }
    }

    // MARK: - Closing

    /// Starts closing: no more messages; then revoke (committing), leave, and end `run()`.
    func beginClose() {
        enum Start { case nothing, neverRan, closing }
        var effects = ConsumerEffects()
        let start = state.withLock { state -> Start in
            switch state.lifecycle {
            case .idle:
                state.lifecycle = .closed
                invalidations.add(1, ordering: .relaxed)
                state.releaseReaders(effects: &effects)
                return .neverRan
            case .running:
                state.lifecycle = .closing
                invalidations.add(1, ordering: .relaxed)
                if configuration.enableAutoOffsetStore { state.storeHandedOut(of: nil) }
                state.activeChunks.removeAll()
                state.releaseReaders(effects: &effects)
                return .closing
            case .closing, .closed:
                return .nothing
            }
        }
        perform(effects)
        switch start {
        case .nothing:
            return
        case .neverRan:
            jobsContinuation.finish()
            closedSignal.set()
        case .closing:
            debug(.consumer, "closing")
            driverSignal.signal()
            enqueue { await self.closeSequence() }
        }
    }

    /// Revokes and leaves (group), or commits (manual assignment), within a bound, then ends `run()`.
    private func closeSequence() async {
        let bound = max(configuration.sessionTimeout, configuration.client.requestTimeout)
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                if self.state.withLock({ $0.membership != nil }) {
                    let actions = self.state.withLock { state -> [GroupMembershipStateMachine.Action] in
                        var machine = state.membership
                        let actions = machine?.closeRequested(now: .now) ?? []
                        state.membership = machine
                        return state.absorbTimers(actions, now: .now)
                    }
                    self.groupSignal.signal()
                    self.performGroupActions(actions)
                    await self.membershipClosed.wait()
                } else if self.configuration.enableAutoCommit, self.configuration.groupID != nil {
                    let pending = self.state.withLock { $0.tracker.pendingCommits() }
                    if !pending.isEmpty { _ = try? await self.commitOffsets(pending, timeout: bound) }
                }
            }
            group.addTask { try? await Task.sleep(for: bound) }
            await group.next()
            group.cancelAll()
        }
        finishClose()
    }

    /// The membership reported `.closed` (or close gave up waiting): end `run()`.
    func finishClose() {
        var effects = ConsumerEffects()
        state.withLock { state in
            guard state.lifecycle != .closed else { return }
            state.lifecycle = .closed
            state.releaseReaders(effects: &effects)
            state.removePartitions(state.tracker.assigned)
        }
        perform(effects)
        jobsContinuation.finish()
        driverSignal.signal()
        groupSignal.signal()
    }

    // MARK: - Logging

    func debug(_ context: DebugContexts, _ message: @autoclosure () -> Logger.Message) {
        cluster.observer.debug(context, message())
    }
}
