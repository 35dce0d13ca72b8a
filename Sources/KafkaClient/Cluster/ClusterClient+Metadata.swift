import KafkaTransport
import KafkaWire
import Synchronization
import Logging

/// The metadata cache: the current snapshot, the topics the client routes to, and the refresh machine.
struct MetadataState {
    var snapshot: ClusterMetadata? = nil
    /// Topics looked up for routing; every refresh asks for all of them, so one request serves all.
    var interest: Set<String> = []
    var refresh = MetadataRefreshMachine<CheckedContinuation<MetadataRefreshSignal, Never>>()
}

extension ClusterClient {
    /// The metadata snapshot the client holds now, nil before the first refresh.
    public var cachedMetadata: ClusterMetadata? { metadataState.withLock { $0.snapshot } }

    /// Metadata that answers for `topics` (and the brokers): from the cache while it is younger than
    /// `metadata.max.age.ms`, else refreshed first.
    public func metadata(topics: [String] = [], timeout: Duration? = nil) async throws(KafkaClientError) -> ClusterMetadata {
        try await withRetries(timeout: timeout ?? configuration.defaultApiTimeout) { schedule throws(KafkaClientError) in
            try await metadata(covering: Set(topics), deadline: schedule.deadline)
        }
    }

    /// Asks the cluster now (coalesced with any refresh in flight that covers `scope`), updates the
    /// cache, and returns the new snapshot.
    public func refreshMetadata(_ scope: MetadataScope = .allTopics, timeout: Duration? = nil) async throws(KafkaClientError)
        -> ClusterMetadata {
        try await withRetries(timeout: timeout ?? configuration.defaultApiTimeout) { schedule throws(KafkaClientError) in
            try await refreshMetadata(scope: scope, deadline: schedule.deadline)
        }
    }

    /// Marks cached metadata stale: the given topics, or everything (brokers too) when nil.
    public func markMetadataStale(topics: [String]?) {
        metadataState.withLock { state in
            guard var snapshot = state.snapshot else { return }
            if let topics {
                snapshot.markStale(topics: topics)
            } else {
                snapshot.markAllStale(now: .now, maxAge: configuration.metadataMaxAge)
            }
            state.snapshot = snapshot
        }
        observer.debug(.metadata, "metadata marked stale: \(topics.map { $0.joined(separator: ",") } ?? "all")")
    }

    /// One attempt at metadata covering `topics`: the cache when fresh, else one (coalesced) refresh.
    func metadata(covering topics: Set<String>, deadline: ContinuousClock.Instant) async throws(KafkaClientError)
        -> ClusterMetadata {
        let maxAge = configuration.metadataMaxAge
        let (cached, scope) = metadataState.withLock { state -> (ClusterMetadata?, MetadataScope) in
            state.interest.formUnion(topics)
            let now = ContinuousClock.now
            if let snapshot = state.snapshot, !snapshot.brokers.isEmpty, snapshot.brokersAreFresh(maxAge: maxAge, now: now),
               topics.allSatisfy({ snapshot.isFresh(topic: $0, maxAge: maxAge, now: now) }) {
                return (snapshot, .topics([]))
            }
            return (nil, .topics(state.interest))
        }
        if let cached { return cached }
        return try await refreshMetadata(scope: scope, deadline: deadline)
    }

    /// One coalesced refresh: leads a Metadata request, or waits for the one in flight.
    func refreshMetadata(scope: MetadataScope, deadline: ContinuousClock.Instant) async throws(KafkaClientError)
        -> ClusterMetadata {
        let signal = await joinRefresh(scope: scope, deadline: deadline)
        switch signal {
        case let .finished(outcome):
            return try outcome.get()
        case let .lead(leadScope):
            let outcome: Result<ClusterMetadata, KafkaClientError>
            do {
                outcome = .success(try await fetchMetadata(scope: leadScope, deadline: deadline))
            } catch {
                if error == .cancelled || Task.isCancelled {
                    // Hand the round to a waiter rather than failing everyone with our cancellation.
                    let handOver = metadataState.withLock { $0.refresh.leaderCancelled() }
                    for (waiter, next) in handOver { waiter.resume(returning: next) }
                    throw .cancelled
                }
                outcome = .failure(error)
            }
            let resume = metadataState.withLock { $0.refresh.refreshFinished(outcome) }
            for (waiter, next) in resume { waiter.resume(returning: next) }
            return try outcome.get()
        }
    }

    /// Joins the refresh machine: returns at once when this caller leads, else when the round it
    /// waits for ends, when its task is cancelled, or at its own `deadline`, whichever comes first
    /// (a caller with a short deadline does not wait out a leader with a longer one).
    func joinRefresh(scope: MetadataScope, deadline: ContinuousClock.Instant) async -> MetadataRefreshSignal {
        let id = nextRefreshWaiterID.add(1, ordering: .relaxed).newValue
        let started = ContinuousClock.now
        return await withTaskGroup(of: MetadataRefreshSignal?.self) { group in
            group.addTask {
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (continuation: CheckedContinuation<MetadataRefreshSignal, Never>) in
                        let lead = self.metadataState.withLock { $0.refresh.refreshRequested(scope: scope, waiterID: id, waiter: continuation) }
                        if let lead { continuation.resume(returning: .lead(lead)) }
                    }
                } onCancel: {
                    self.metadataState.withLock { $0.refresh.waiterGaveUp(id) }?.resume(returning: .finished(.failure(.cancelled)))
                }
            }
            group.addTask {
                try? await Task.sleep(until: deadline, clock: .continuous)
                if Task.isCancelled { return nil }
                let timeout = KafkaClientError.transport(.requestTimedOut(api: .metadata, correlationID: -1,
                                                                          after: ContinuousClock.now - started))
                self.metadataState.withLock { $0.refresh.waiterGaveUp(id) }?.resume(returning: .finished(.failure(timeout)))
                return nil
            }
            var signal: MetadataRefreshSignal = .finished(.failure(.cancelled))
            for await answer in group {
                guard let answer else { continue }
                signal = answer
                group.cancelAll()
                break
            }
            return signal
        }
    }

    /// Sends one Metadata request for `scope`, trying brokers in `metadataCandidates()` order until one
    /// answers, and applies the answer to the cache.
    func fetchMetadata(scope: MetadataScope, deadline: ContinuousClock.Instant) async throws(KafkaClientError)
        -> ClusterMetadata {
        var lastError: KafkaClientError? = nil
        for broker in metadataCandidates() {
            if ContinuousClock.now >= deadline { break }
            do {
                let allowAutoCreate = configuration.allowAutoCreateTopics
                let response = try await sendOnce(to: broker, deadline: deadline) { version in
                    Self.metadataRequest(scope: scope, version: version, allowAutoCreate: allowAutoCreate)
                }
                return applyMetadata(response, scope: scope, from: broker)
            } catch {
                if error == .cancelled || error == .shutDown { throw error }
                // Wrong credentials or mechanism: every broker would say the same, and retrying would
                // hammer them with failed logins. The caller gets the typed error at once.
                if case .transport(.authenticationFailed) = error { throw error }
                observer.debug(.metadata, "Metadata request to \(broker.key) failed: \(error)")
                lastError = error
            }
        }
        throw .noBrokerAvailable(lastError: lastError)
    }

    /// Stores a Metadata response in the cache and tells the pool and the trace about the brokers.
    func applyMetadata(_ response: MetadataResponse, scope: MetadataScope, from broker: ResolvedBroker) -> ClusterMetadata {
        let now = ContinuousClock.now
        let (previous, snapshot) = metadataState.withLock { state -> (ClusterMetadata?, ClusterMetadata) in
            let previous = state.snapshot
            var snapshot = previous ?? ClusterMetadata(fetchedAt: now)
            snapshot.apply(response, scope: scope, now: now)
            state.snapshot = snapshot
            // Topics that do not exist are not worth asking about again and again.
            for (name, code) in snapshot.topicErrors where code == .unknownTopicOrPartition { state.interest.remove(name) }
            return (previous, snapshot)
        }
        pool.brokersChanged(snapshot.brokers.mapValues(\.address))
        observer.brokersChanged(snapshot.sortedBrokers)
        observer.metadataRefreshed()
        if observer.isEnabled(.metadata) {
            observer.debug(.metadata, "\(Self.describeChange(from: previous, to: snapshot, scope: scope)) (from \(broker.key))")
        }
        return snapshot
    }

    /// The Metadata request for `scope` laid out for `version`.
    static func metadataRequest(scope: MetadataScope, version: Int16, allowAutoCreate: Bool) -> MetadataRequest {
        var request = MetadataRequest()
        switch scope {
        case .allTopics:
            // v0 asks for every topic with an empty array; later versions with null.
            request.topics = version >= 1 ? nil : []
        case let .topics(names):
            // At v0 an empty array means every topic: there is no way to ask for brokers only.
            request.topics = names.sorted().map { MetadataRequest.MetadataRequestTopic(name: $0) }
        }
        // Before v4 the field does not exist (the broker decides), and only its default encodes.
        request.allowAutoTopicCreation = version >= 4 ? allowAutoCreate : true
        return request
    }

    /// Brokers to send a Metadata (or any-broker) request to, best first: ready connections, then
    /// known brokers, then bootstrap servers; brokers waiting out a reconnect backoff come last.
    func metadataCandidates() -> [ResolvedBroker] {
        let snapshot = metadataState.withLock { $0.snapshot }
        let ready = Set(pool.readyKeys)
        let known = snapshot?.sortedBrokers ?? []
        var seen = Set<PoolKey>()
        var candidates: [ResolvedBroker] = []
        func add(_ broker: ResolvedBroker) {
            if seen.insert(broker.key).inserted { candidates.append(broker) }
        }
        let knownBrokers = known.map { ResolvedBroker(key: .node($0.nodeID), address: $0.address) }
        for broker in knownBrokers.shuffled() where ready.contains(broker.key) { add(broker) }
        for key in ready {
            if case let .bootstrap(address) = key { add(ResolvedBroker(key: key, address: address)) }
        }
        for broker in knownBrokers.shuffled() { add(broker) }
        for address in configuration.bootstrapServers.shuffled() {
            // A bootstrap server that is a known broker goes through that broker's connection.
            if let node = known.first(where: { $0.address == address }) {
                add(ResolvedBroker(key: .node(node.nodeID), address: address))
            } else {
                add(ResolvedBroker(key: .bootstrap(address), address: address))
            }
        }
        let available = candidates.filter { !pool.isBackingOff($0.key) }
        let backingOff = candidates.filter { pool.isBackingOff($0.key) }
        return available + backingOff
    }

    /// A one-line summary of what a refresh changed, for the `metadata` debug context.
    static func describeChange(from old: ClusterMetadata?, to new: ClusterMetadata, scope: MetadataScope) -> String {
        var parts = ["metadata for \(scope): \(new.brokers.count) brokers, controller \(new.controllerID.map(String.init) ?? "none")"]
        if let old {
            let added = Set(new.brokers.keys).subtracting(old.brokers.keys).sorted()
            let removed = Set(old.brokers.keys).subtracting(new.brokers.keys).sorted()
            if !added.isEmpty { parts.append("brokers added \(added)") }
            if !removed.isEmpty { parts.append("brokers removed \(removed)") }
            var moved: [String] = []
            for (name, topic) in new.topics {
                guard let before = old.topics[name] else { continue }
                for partition in topic.partitions where before.partition(partition.partition)?.leader != partition.leader {
                    moved.append("\(TopicPartition(name, partition.partition))->\(partition.leader.map(String.init) ?? "none")")
                }
            }
            if !moved.isEmpty { parts.append("leaders moved \(moved.sorted().joined(separator: " "))") }
        }
        if !new.topicErrors.isEmpty {
            parts.append("topic errors " + new.topicErrors.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.name)" }.joined(separator: " "))
        }
        return parts.joined(separator: "; ")
    }
}
