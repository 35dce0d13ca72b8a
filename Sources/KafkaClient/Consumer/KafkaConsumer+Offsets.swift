import KafkaTransport
import KafkaWire
import Synchronization

// Offsets: marking, committing (sync, async, automatic, on revocation and close), position
// lookups (committed offsets on assignment, ListOffsets for earliest/latest/timestamp/from-end),
// and committed-offset and lag queries.

extension KafkaConsumer {
    // MARK: - Marking

    /// Marks `message` (and everything before it in its partition) as processed: the next commit
    /// carries `message.offset + 1`. Marks only move forward; a mark for a partition we no longer
    /// own is ignored (returns false).
    @discardableResult
    public func markAsProcessed(_ message: KafkaConsumerMessage, metadata: String? = nil) -> Bool {
        markAsProcessed(message.topicPartition, offset: message.offset, leaderEpoch: message.leaderEpoch, metadata: metadata)
    }

    /// Marks the record at `offset` of `partition` as processed (Karafka's `mark_as_consumed`).
    @discardableResult
    public func markAsProcessed(_ partition: TopicPartition, offset: Int64, leaderEpoch: Int32? = nil,
                                metadata: String? = nil) -> Bool {
        (try? update { state, effects in
            guard state.tracker.markProcessed(partition, offset: offset, leaderEpoch: leaderEpoch, metadata: metadata) else {
                return false
            }
            // The first mark since the last commit starts the interval's timer: the group loop,
            // asleep without a deadline while nothing was marked, must look again.
            let firstMark = state.autoCommit.uncommittedCount == 0
            state.autoCommit.marked()
            if firstMark || state.autoCommit.isDue(now: .now) { effects.wakeGroup = true }
            return true
        }) ?? false
    }

    // MARK: - Committing

    /// Commits what was marked as processed (and not committed yet), waiting for the answer.
    /// Returns what was committed.
    @discardableResult
    public func commit(timeout: Duration? = nil) async throws(KafkaConsumerError) -> [TopicPartition: CommitOffset] {
        guard configuration.groupID != nil else { throw .groupIDRequired }
        let pending = state.withLock { state in
            state.autoCommit.committed(now: .now)
            return state.tracker.pendingCommits()
        }
        guard !pending.isEmpty else { return [:] }
        do {
            return try await commitOffsets(pending, timeout: timeout ?? configuration.client.defaultApiTimeout)
        } catch {
            throw .commitFailed(pending, error)
        }
    }

    /// Commits these offsets (each the next offset to consume), waiting for the answer.
    @discardableResult
    public func commit(_ offsets: [TopicPartition: Int64], timeout: Duration? = nil) async throws(KafkaConsumerError)
        -> [TopicPartition: CommitOffset] {
        guard configuration.groupID != nil else { throw .groupIDRequired }
        let commits = offsets.mapValues { CommitOffset($0) }
        do {
            return try await commitOffsets(commits, timeout: timeout ?? configuration.client.defaultApiTimeout)
        } catch {
            throw .commitFailed(commits, error)
        }
    }

    /// Commits what was marked, without waiting: the commit runs as one of `run()`'s tasks and
    /// reports `.offsetsCommitted` or `.error(.commitFailed)` on `events`.
    public func commitAsync() throws(KafkaConsumerError) {
        guard configuration.groupID != nil else { throw .groupIDRequired }
        let pending = state.withLock { state in
            state.autoCommit.committed(now: .now)
            return state.tracker.pendingCommits()
        }
        guard !pending.isEmpty else { return }
        enqueue { await self.commitReportingFailure(pending) }
    }

    /// Commits these offsets without waiting (see `commitAsync()`).
    public func commitAsync(_ offsets: [TopicPartition: Int64]) throws(KafkaConsumerError) {
        guard configuration.groupID != nil else { throw .groupIDRequired }
        let commits = offsets.mapValues { CommitOffset($0) }
        enqueue { await self.commitReportingFailure(commits) }
    }

    /// The automatic commit (interval or threshold).
    func autoCommit() async {
        let pending = state.withLock { state in
            state.autoCommit.committed(now: .now)
            return state.tracker.pendingCommits()
        }
        if !pending.isEmpty { await commitReportingFailure(pending) }
        state.withLock { $0.autoCommitInFlight = false }
        groupSignal.signal()
    }

    private func commitReportingFailure(_ offsets: [TopicPartition: CommitOffset]) async {
        do {
            _ = try await commitOffsets(offsets, timeout: configuration.client.defaultApiTimeout)
        } catch {
            debug(.cgrp, "commit failed: \(error)")
            try? update { state, effects in state.emit(.error(.commitFailed(offsets, error)), effects: &effects) }
        }
    }

    /// Sends OffsetCommit until every offset is committed, one fails for good, or `timeout`
    /// passes. Group errors go to the membership (a rebalance, a fenced generation).
    func commitOffsets(_ offsets: [TopicPartition: CommitOffset], timeout: Duration) async throws(KafkaClientError)
        -> [TopicPartition: CommitOffset] {
        guard let groupID = configuration.groupID else { throw .unsupported("committing offsets needs group.id") }
        let deadline = ContinuousClock.now + timeout
        var schedule = RetrySchedule(timeout: timeout, backoff: configuration.client.retryBackoffPolicy)
        var remaining = offsets
        var committed: [TopicPartition: CommitOffset] = [:]
        while true {
            let generation = state.withLock { $0.membership?.commitGeneration }
            let sent = remaining
            let left = max(deadline - .now, .milliseconds(1))
            let response = try await cluster.send(to: .coordinator(.group(groupID)), timeout: left) { version in
                var request = OffsetCommitRequest.committing(sent, groupID: groupID, generation: generation)
                if version < 6 {
                    // CommittedLeaderEpoch is v6+ (ignorable): older brokers keep no epoch.
                    for t in request.topics.indices {
                        for p in request.topics[t].partitions.indices { request.topics[t].partitions[p].committedLeaderEpoch = -1 }
                    }
                }
                if version < 7 { request.groupInstanceID = nil }
                return request
            }
            let outcome = OffsetCommitOutcome(response, sent: sent)
            var effects = ConsumerEffects()
            state.withLock { state in
                state.tracker.commitSucceeded(outcome.committed)
                if let code = outcome.groupError, let generation, var machine = state.membership {
                    let now = ContinuousClock.now
                    effects.groupActions = state.absorbTimers(
                        machine.offsetCommitFailed(code, generationID: generation.generationID, now: now), now: now)
                    state.membership = machine
                }
                if !outcome.committed.isEmpty { state.emit(.offsetsCommitted(outcome.committed), effects: &effects) }
            }
            perform(effects)
            committed.merge(outcome.committed) { _, new in new }
            if !outcome.committed.isEmpty {
                debug(.cgrp, "committed \(outcome.committed.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" }.joined(separator: ","))")
            }
            if outcome.coordinatorMoved { cluster.forgetCoordinator(.group(groupID)) }
            if outcome.failed.isEmpty { return committed }
            let retriable = outcome.retriable
            if let fatal = outcome.failed.sorted(by: { $0.key < $1.key }).first(where: { retriable[$0.key] == nil }) {
                throw .broker(KafkaError(fatal.value.code), context: "committing \(fatal.key)")
            }
            guard let delay = schedule.nextDelay() else {
                let code = outcome.failed.values.first?.code ?? .unknownServerError
                throw .timedOut(after: timeout, lastError: .broker(KafkaError(code), context: "commit"))
            }
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw .cancelled
            }
            remaining = retriable
        }
    }

    // MARK: - Queries

    /// The group's committed offsets of `partitions` (nil where it has none).
    public func committed(_ partitions: [TopicPartition], timeout: Duration? = nil) async throws(KafkaConsumerError)
        -> [TopicPartition: CommitOffset?] {
        guard let groupID = configuration.groupID else { throw .groupIDRequired }
        do {
            let response = try await cluster.send(to: .coordinator(.group(groupID)), timeout: timeout) { version in
                OffsetFetchRequest.fetching(partitions, groupID: groupID,
                                            requireStable: configuration.isolationLevel == .readCommitted, version: version)
            }
            let outcome = OffsetFetchOutcome(response, groupID: groupID, requested: partitions)
            if let code = outcome.groupError { throw KafkaClientError.broker(KafkaError(code), context: "group \(groupID)") }
            if let (tp, code) = outcome.failed.first { throw KafkaClientError.broker(KafkaError(code), context: "\(tp)") }
            return outcome.offsets
        } catch {
            throw .positionLookupFailed(partitions, KafkaClientError(error))
        }
    }

    /// Per partition: the records between the group's committed offset and the end of the log
    /// (ListOffsets latest: the last stable offset in read_committed), nil when the group has no
    /// commit for it.
    public func committedLag(_ partitions: [TopicPartition], timeout: Duration? = nil) async throws(KafkaConsumerError)
        -> [TopicPartition: Int64?] {
        let committed = try await committed(partitions, timeout: timeout)
        let ends: [TopicPartition: Result<ListedOffset, KafkaClientError>]
        do {
            ends = try await listOffsets(Dictionary(uniqueKeysWithValues: partitions.map { ($0, OffsetSpec.latest) }))
        } catch {
            throw .positionLookupFailed(partitions, error)
        }
        var lags: [TopicPartition: Int64?] = [:]
        for tp in partitions {
            guard let commit = committed[tp] ?? nil, case let .success(end)? = ends[tp], let endOffset = end.offset else {
                lags[tp] = .some(nil)
                continue
            }
            lags[tp] = max(endOffset - commit.offset, 0)
        }
        return lags
    }

    // MARK: - Position lookups

    /// Performs the tracker's lookups; failures are retried after `fetch.error.backoff.ms`.
    func performLookups(_ lookups: [PositionLookup]) async {
        for lookup in lookups {
            switch lookup {
            case let .fetchCommitted(partitions):
                await lookUpCommitted(partitions)
            case let .listOffsets(specs):
                await lookUpOffsets(specs)
            case let .noValidOffset(partitions):
                try? update { state, effects in state.emit(.error(.noValidOffset(partitions)), effects: &effects) }
            }
        }
    }

    private func retryLater(_ lookup: PositionLookup) {
        state.withLock { $0.delayedLookups.append((.now + configuration.fetchErrorBackoff, lookup)) }
        driverSignal.signal()
    }

    private func lookUpCommitted(_ partitions: [TopicPartition]) async {
        guard let groupID = configuration.groupID else {
            // No group: no commits; auto.offset.reset decides.
            try? update { state, effects in
                effects.lookups += state.tracker.committedOffsetsReceived(Dictionary(uniqueKeysWithValues: partitions.map { ($0, nil) }))
                effects.wakeDriver = true
            }
            return
        }
        do {
            let response = try await cluster.send(to: .coordinator(.group(groupID))) { version in
                OffsetFetchRequest.fetching(partitions, groupID: groupID,
                                            requireStable: configuration.isolationLevel == .readCommitted, version: version)
            }
            let outcome = OffsetFetchOutcome(response, groupID: groupID, requested: partitions)
            debug(.consumer, "committed offsets: \(outcome.offsets.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value.map(\.description) ?? "none")" }.joined(separator: ","))")
            try? update { state, effects in
                effects.lookups += state.tracker.committedOffsetsReceived(outcome.offsets)
                effects.wakeDriver = true
                if let code = outcome.groupError, outcome.retry.isEmpty {
                    state.emit(.error(.positionLookupFailed(partitions, .broker(KafkaError(code), context: "group \(groupID)"))),
                               effects: &effects)
                }
                if !outcome.failed.isEmpty {
                    let failed = outcome.failed.keys.sorted()
                    state.emit(.error(.positionLookupFailed(failed, .broker(KafkaError(outcome.failed[failed[0]] ?? .unknownServerError)))),
                               effects: &effects)
                }
            }
            let again = outcome.retry + outcome.failed.keys.sorted()
                + (outcome.groupError != nil && outcome.retry.isEmpty ? partitions : [])
            if !again.isEmpty { retryLater(.fetchCommitted(again)) }
        } catch {
            if error == .cancelled || error == .shutDown { return }
            try? update { state, effects in state.emit(.error(.positionLookupFailed(partitions, error)), effects: &effects) }
            retryLater(.fetchCommitted(partitions))
        }
    }

    /// One ListOffsets per partition leader (one attempt; failures are retried by the caller).
    func listOffsets(_ specs: [TopicPartition: OffsetSpec]) async throws(KafkaClientError)
        -> [TopicPartition: Result<ListedOffset, KafkaClientError>] {
        let metadata = try await cluster.metadata(topics: Array(Set(specs.keys.map(\.topic))))
        var byLeader: [Int32: [TopicPartition]] = [:]
        var results: [TopicPartition: Result<ListedOffset, KafkaClientError>] = [:]
        for tp in specs.keys.sorted() {
            guard let leader = metadata.topics[tp.topic]?.partition(tp.partition)?.leader else {
                results[tp] = .failure(.broker(KafkaError(.leaderNotAvailable), context: "\(tp)"))
                cluster.markMetadataStale(topics: [tp.topic])
                continue
            }
            byLeader[leader, default: []].append(tp)
        }
        let isolationLevel = configuration.isolationLevel
        for (leader, partitions) in byLeader.sorted(by: { $0.key < $1.key }) {
            var usedVersion: Int16 = 0
            do throws(KafkaClientError) {
                let deadline = ContinuousClock.now + configuration.client.requestTimeout
                let broker = try await cluster.resolve(.broker(leader), deadline: deadline)
                let response = try await cluster.sendOnce(to: broker, deadline: deadline) { version in
                    usedVersion = version
                    return try KafkaAdminClient.listOffsetsRequest(partitions, specs: specs, epochs: [:],
                                                                  isolationLevel: isolationLevel, version: version)
                }
                for topic in response.topics {
                    for answer in topic.partitions {
                        let tp = TopicPartition(topic.name, answer.partitionIndex)
                        guard answer.errorCode == .none else {
                            results[tp] = .failure(.broker(KafkaError(answer.errorCode), context: "\(tp)"))
                            if OffsetErrorDisposition.forListOffsets(answer.errorCode) == .refreshAndRetry {
                                cluster.markMetadataStale(topics: [tp.topic])
                            }
                            continue
                        }
                        let offset = usedVersion == 0 ? (answer.oldStyleOffsets.first ?? -1) : answer.offset
                        results[tp] = .success(ListedOffset(offset: offset >= 0 ? offset : nil,
                                                            leaderEpoch: answer.leaderEpoch >= 0 ? answer.leaderEpoch : nil))
                    }
                }
            } catch {
                if error == .cancelled || error == .shutDown { throw error }
                cluster.invalidate(after: error, target: .broker(leader))
                for tp in partitions { results[tp] = .failure(error) }
            }
            for tp in partitions where results[tp] == nil {
                results[tp] = .failure(.unexpectedResponse("ListOffsets did not answer for \(tp)"))
            }
        }
        return results
    }

    private func lookUpOffsets(_ specs: [TopicPartition: OffsetSpec]) async {
        do {
            let results = try await listOffsets(specs)
            debug(.consumer, "offset lookups: \(results.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))")
            var failed: [TopicPartition: OffsetSpec] = [:]
            var lastError: KafkaClientError?
            try? update { state, effects in
                for (tp, result) in results {
                    guard let spec = specs[tp] else { continue }
                    switch result {
                    case let .success(listed):
                        effects.lookups += state.tracker.lookupCompleted(tp, spec: spec, offset: listed.offset,
                                                                          leaderEpoch: listed.leaderEpoch)
                    case let .failure(error):
                        failed[tp] = spec
                        lastError = error
                    }
                }
                effects.wakeDriver = true
                if let lastError { state.emit(.error(.positionLookupFailed(failed.keys.sorted(), lastError)), effects: &effects) }
            }
            if !failed.isEmpty { retryLater(.listOffsets(failed)) }
        } catch {
            debug(.consumer, "offset lookups failed: \(error)")
            if error == .cancelled || error == .shutDown { return }
            try? update { state, effects in state.emit(.error(.positionLookupFailed(specs.keys.sorted(), error)), effects: &effects) }
            retryLater(.listOffsets(specs))
        }
    }
}
