import KafkaWire
import Synchronization

// Fetching: the driver loop plans (FetchPlanner, one FetchSessionStateMachine per broker), each
// fetch is a job; its response is decoded on the job's task (the records layer, outside the
// lock), then applied under the lock (FetchResponseHandler per partition, the OffsetTracker,
// the buffers).

/// One fetch to send.
struct FetchJob: Sendable {
    let broker: Int32
    let request: FetchRequest
    let targets: [FetchTarget]
    let topicNames: [KafkaUUID: String]
}

/// One partition of a fetch response, decoded.
struct DecodedPartition: Sendable {
    let partition: TopicPartition
    let data: FetchResponse.PartitionData
    let fetchOffset: Int64
    let entries: [RecordSetEntry]
    /// Each entry's size in the response.
    let sizes: [Int]
    let tail: IncompleteTail?
    let corruption: WireDecodingError?
}

extension KafkaConsumer {
    // MARK: - The driver loop

    func fetchDriverLoop() async {
        while !Task.isCancelled {
            let (lifecycle, topics) = state.withLock { state in
                (state.lifecycle, Set(state.tracker.assigned.map(\.topic)))
            }
            guard lifecycle == .running else { return }
            var metadata = cluster.cachedMetadata
            if !topics.isEmpty {
                // The cache while fresh; a refresh when marked stale (leader moved) or too old.
                if let fresh = try? await cluster.metadata(topics: topics.sorted(), timeout: configuration.client.requestTimeout) {
                    metadata = fresh
                }
            }
            let now = ContinuousClock.now
            let round = state.withLock { state in planRound(&state, metadata: metadata, now: now) }
            if round.fetches.isEmpty, cluster.observer.isEnabled(.fetch) {
                let positions = state.withLock { state in
                    state.tracker.assigned.map { "\($0)@\(String(describing: state.tracker[$0]?.position))" }.joined(separator: ",")
                }
                debug(.fetch, "nothing to fetch now: \(positions); next wake \(String(describing: round.nextWake))")
            }
            for fetch in round.fetches {
                debug(.fetch, "fetching \(fetch.targets.map { "\($0.partition)@\($0.fetchOffset)" }.joined(separator: ",")) from broker \(fetch.broker)")
                enqueue { await self.performFetch(fetch) }
            }
            if !round.lookups.isEmpty {
                let lookups = round.lookups
                enqueue { await self.performLookups(lookups) }
            }
            if !round.staleTopics.isEmpty { cluster.markMetadataStale(topics: round.staleTopics.sorted()) }
            await driverSignal.wait(until: round.nextWake)
        }
    }

    struct FetchRound {
        var fetches: [FetchJob] = []
        var lookups: [PositionLookup] = []
        var staleTopics: Set<String> = []
        var nextWake: ContinuousClock.Instant?
    }

    /// Decides, under the lock, what to fetch and look up now.
    func planRound(_ state: inout ConsumerState, metadata: ClusterMetadata?, now: ContinuousClock.Instant) -> FetchRound {
        var round = FetchRound()
        func wake(at instant: ContinuousClock.Instant) {
            round.nextWake = min(round.nextWake ?? instant, instant)
        }
        var stillDelayed: [(notBefore: ContinuousClock.Instant, lookup: PositionLookup)] = []
        for delayed in state.delayedLookups {
            if delayed.notBefore <= now { state.pendingLookups.append(delayed.lookup) } else {
                stillDelayed.append(delayed)
                wake(at: delayed.notBefore)
            }
        }
        state.delayedLookups = stillDelayed
        round.lookups = state.pendingLookups
        state.pendingLookups = []

        var candidates: [FetchCandidate] = []
        var topicNames: [KafkaUUID: String] = [:]
        for tp in state.tracker.assigned {
            guard let offsets = state.tracker[tp], var runtime = state.partitions[tp] else { continue }
            var blocked = offsets.isPaused
            if let until = runtime.backoffUntil {
                if until > now {
                    blocked = true
                    wake(at: until)
                } else {
                    runtime.backoffUntil = nil
                    state.partitions[tp] = runtime
                }
            }
            let topic = metadata?.topics[tp.topic]
            let partition = topic?.partition(tp.partition)
            let topicID = topic?.topicID ?? .zero
            if topicID != .zero { topicNames[topicID] = tp.topic }
            candidates.append(FetchCandidate(
                partition: tp, topicID: topicID, position: offsets.fetchPosition, currentLeaderEpoch: partition?.leaderEpoch,
                leader: partition?.leader, bufferedBytes: runtime.bytes, isPaused: blocked,
                maxBytesOverride: runtime.maxBytesOverride))
        }
        var busy = state.fetchesInFlight
        for (broker, until) in state.brokerBackoff {
            if until > now {
                busy.insert(broker)
                wake(at: until)
            } else {
                state.brokerBackoff[broker] = nil
            }
        }
        let plan = FetchPlanner.plan(candidates, brokersWithFetchInFlight: busy, configuration: fetchConfiguration)
        if !plan.leaderUnknown.isEmpty {
            round.staleTopics.formUnion(plan.leaderUnknown.map(\.topic))
            wake(at: now + configuration.client.retryBackoff)
        }
        for broker in plan.targets.keys.sorted() {
            guard let targets = plan.targets[broker] else { continue }
            var session = state.sessions[broker]
                ?? FetchSessionStateMachine(brokerID: broker, sessionsSupported: fetchConfiguration.useFetchSessions)
            let request = session.makeRequest(targets, configuration: fetchConfiguration)
            state.sessions[broker] = session
            guard let request else { continue }
            state.fetchesInFlight.insert(broker)
            round.fetches.append(FetchJob(broker: broker, request: request, targets: targets, topicNames: topicNames))
        }
        return round
    }

    // MARK: - One fetch

    func performFetch(_ job: FetchJob) async {
        let allTopicIDsKnown = job.targets.allSatisfy { $0.topicID != .zero }
        let response: FetchResponse
        var version: Int16 = 0
        do {
            let deadline = ContinuousClock.now + configuration.client.requestTimeout + configuration.fetchMaxWait
            let broker = try await cluster.resolve(.broker(job.broker), deadline: deadline)
            response = try await cluster.sendOnce(
                to: broker, deadline: deadline, maxVersion: allTopicIDsKnown ? nil : 12,
                requestTimeout: configuration.client.requestTimeout + configuration.fetchMaxWait
            ) { negotiated in
                version = negotiated
                return job.request
            }
        } catch {
            fetchFailed(job, error)
            return
        }
        let decoded = decode(response, job: job)
        var effects = ConsumerEffects()
        var staleTopics: Set<String> = []
        state.withLock { state in
            state.fetchesInFlight.remove(job.broker)
            var session = state.sessions[job.broker]
            let outcome = session?.responseReceived(response) ?? .unexpected
            if version < 7 { session?.sessionsUnsupported() }
            state.sessions[job.broker] = session
            effects.wakeDriver = true
            guard case .accepted = outcome else {
                if case let .sessionError(code) = outcome { debug(.fetch, "fetch session error from broker \(job.broker): \(code)") }
                return
            }
            let now = ContinuousClock.now
            for partition in decoded {
                apply(partition, to: &state, now: now, staleTopics: &staleTopics, effects: &effects)
            }
        }
        if !staleTopics.isEmpty { cluster.markMetadataStale(topics: staleTopics.sorted()) }
        perform(effects)
    }

    private func fetchFailed(_ job: FetchJob, _ error: KafkaClientError) {
        state.withLock { state in
            state.fetchesInFlight.remove(job.broker)
            state.sessions[job.broker]?.requestFailed()
            state.brokerBackoff[job.broker] = .now + configuration.client.retryBackoff
        }
        if error != .cancelled && error != .shutDown {
            debug(.fetch, "fetch from broker \(job.broker) failed: \(error)")
            cluster.invalidate(after: error, target: .broker(job.broker))
        }
        driverSignal.signal()
    }

    /// Reads every partition's records (outside the lock: this is the costly part).
    func decode(_ response: FetchResponse, job: FetchJob) -> [DecodedPartition] {
        var offsets: [TopicPartition: Int64] = [:]
        for target in job.targets { offsets[target.partition] = target.fetchOffset }
        var result: [DecodedPartition] = []
        for (tp, data) in FetchResponseHandler.partitions(of: response, topicNames: job.topicNames) {
            guard let fetchOffset = offsets[tp] else { continue }
            var reader = RecordBatchReader(data.records ?? ByteSlice([]), options: decodingOptions)
            var entries: [RecordSetEntry] = []
            var sizes: [Int] = []
            var corruption: WireDecodingError?
            var start = reader.offset
            do {
                while let entry = try reader.next() {
                    entries.append(entry)
                    sizes.append(reader.offset - start)
                    start = reader.offset
                }
            } catch {
                corruption = error
            }
            result.append(DecodedPartition(partition: tp, data: data, fetchOffset: fetchOffset, entries: entries, sizes: sizes,
                                           tail: corruption == nil ? reader.incompleteTail : nil, corruption: corruption))
        }
        return result
    }

    /// Applies one decoded partition: buffers its records, moves the position, handles errors.
    func apply(_ decoded: DecodedPartition, to state: inout ConsumerState, now: ContinuousClock.Instant,
               staleTopics: inout Set<String>, effects: inout ConsumerEffects) {
        let tp = decoded.partition
        guard var runtime = state.partitions[tp], let offsets = state.tracker[tp] else { return }
        let outcome = FetchResponseHandler.handle(
            decoded.data, batches: decoded.entries, incompleteTailSize: decoded.tail?.declaredSize,
            corruption: decoded.corruption, fetchOffset: decoded.fetchOffset, currentPosition: offsets.fetchPosition,
            isolationLevel: configuration.isolationLevel)
        switch outcome {
        case let .fetched(fetched):
            var items: [BufferItem] = []
            var bytes = 0
            var leaderEpoch: Int32?
            for (index, disposition) in fetched.dispositions.enumerated() {
                let entry = decoded.entries[index]
                if case let .batch(batch) = entry, batch.partitionLeaderEpoch >= 0 { leaderEpoch = batch.partitionLeaderEpoch }
                guard case let .deliver(fromOffset) = disposition else { continue }
                let records = entry.fetchedRecords
                var start = 0
                while start < records.count && records[start].offset < fromOffset { start += 1 }
                guard start < records.count else { continue }
                let size = decoded.sizes[index]
                items.append(.records(RecordChunk(partition: tp, records: records, start: start, bytes: size, epoch: runtime.epoch)))
                bytes += size
            }
            let reachedEnd = state.tracker.fetched(
                tp, nextOffset: fetched.nextFetchOffset, leaderEpoch: leaderEpoch, highWatermark: fetched.highWatermark,
                lastStableOffset: fetched.lastStableOffset, logStartOffset: fetched.logStartOffset)
            if reachedEnd, configuration.enablePartitionEOF, let position = state.tracker[tp]?.fetchPosition {
                items.append(.endOfPartition(position))
            }
            if let required = fetched.requiredFetchSize {
                runtime.maxBytesOverride = Int32(clamping: required)
            } else if fetched.nextFetchOffset != nil {
                runtime.maxBytesOverride = nil
            }
            state.partitions[tp] = runtime
            if let corruption = fetched.corruption {
                let at = state.tracker[tp]?.fetchPosition ?? decoded.fetchOffset
                state.tracker.pause([tp])
                state.emit(.error(.corruptRecords(tp, offset: at, corruption)), effects: &effects)
            }
            state.enqueue(items, bytes: bytes, for: tp, effects: &effects)
        case let .offsetOutOfRange(fetchOffset):
            debug(.fetch, "\(tp): offset \(fetchOffset) out of range")
            effects.lookups += state.tracker.offsetOutOfRange(tp, fetchOffset: fetchOffset)
        case let .refreshMetadata(code, _, _):
            debug(.fetch, "\(tp): \(code), refreshing metadata")
            staleTopics.insert(tp.topic)
            runtime.backoffUntil = now + configuration.client.retryBackoff
            state.partitions[tp] = runtime
        case let .retry(code):
            debug(.fetch, "\(tp): \(code), retrying")
            runtime.backoffUntil = now + configuration.fetchErrorBackoff
            state.partitions[tp] = runtime
        case let .failed(code):
            runtime.backoffUntil = now + configuration.fetchErrorBackoff
            state.partitions[tp] = runtime
            state.emit(.error(.fetchFailed(tp, .broker(KafkaError(code), context: "\(tp)"))), effects: &effects)
        case .stale:
            break
        }
    }
}
