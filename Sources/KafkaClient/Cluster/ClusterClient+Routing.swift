import KafkaTransport
import KafkaWire
import Synchronization

extension ClusterClient {
    /// Resolves `target` to a broker, from the metadata and coordinator caches (refreshing them when
    /// stale). One attempt: errors go to the caller's retry loop.
    func resolve(_ target: RequestTarget, deadline: ContinuousClock.Instant) async throws(KafkaClientError) -> ResolvedBroker {
        switch target {
        case .anyBroker:
            guard let first = metadataCandidates().first else { throw .noBrokerAvailable(lastError: nil) }
            return first
        case let .broker(id):
            return try await broker(id, deadline: deadline)
        case let .leader(partition):
            let snapshot = try await metadata(covering: [partition.topic], deadline: deadline)
            let leader = try snapshot.leader(of: partition).get()
            return ResolvedBroker(key: .node(leader.nodeID), address: leader.address)
        case .controller:
            let snapshot = try await metadata(covering: [], deadline: deadline)
            guard let id = snapshot.controllerID, let controller = snapshot.brokers[id] else {
                // Retriable, and refreshes metadata: a controller election may be under way.
                throw .broker(KafkaError(.notController, brokerMessage: "no controller in the cluster metadata"))
            }
            return ResolvedBroker(key: .node(controller.nodeID), address: controller.address)
        case let .coordinator(key):
            let node = try await coordinator(for: key, deadline: deadline)
            return ResolvedBroker(key: .node(node.nodeID), address: node.address)
        }
    }

    /// Broker `id` from the metadata; refreshes once when the cache does not know it.
    func broker(_ id: Int32, deadline: ContinuousClock.Instant) async throws(KafkaClientError) -> ResolvedBroker {
        var snapshot = try await metadata(covering: [], deadline: deadline)
        if snapshot.brokers[id] == nil {
            snapshot = try await refreshMetadata(scope: .topics([]), deadline: deadline)
        }
        guard let broker = snapshot.brokers[id] else { throw .unknownBroker(id) }
        return ResolvedBroker(key: .node(id), address: broker.address)
    }

    // MARK: Coordinators

    /// The coordinator of `key`: cached, else looked up with FindCoordinator (with retries until `timeout`).
    public func coordinator(for key: CoordinatorKey, timeout: Duration? = nil) async throws(KafkaClientError) -> BrokerMetadata {
        try await withRetries(timeout: timeout ?? configuration.defaultApiTimeout) { schedule throws(KafkaClientError) in
            try await coordinator(for: key, deadline: schedule.deadline)
        }
    }

    /// Forgets the cached coordinator of `key` (after NOT_COORDINATOR from it, say).
    public func forgetCoordinator(_ key: CoordinatorKey) {
        _ = coordinators.withLock { $0.removeValue(forKey: key) }
    }

    /// One attempt at the coordinator of `key`.
    func coordinator(for key: CoordinatorKey, deadline: ContinuousClock.Instant) async throws(KafkaClientError) -> BrokerMetadata {
        if let cached = coordinators.withLock({ $0[key] }) { return cached }
        let found = try await findCoordinators(kind: key.kind, keys: [key.key], deadline: deadline)
        guard let result = found[key.key] else {
            throw .unexpectedResponse("FindCoordinator did not answer for \(key)")
        }
        return try result.get()
    }

    /// One FindCoordinator round for `keys` of one kind: a single batched request from v4 on
    /// (KIP-699), one request per key before. Successes are cached; each key gets its own outcome.
    func findCoordinators(kind: CoordinatorKey.Kind, keys: [String], deadline: ContinuousClock.Instant)
        async throws(KafkaClientError) -> [String: Result<BrokerMetadata, KafkaClientError>] {
        let broker = try await resolve(.anyBroker, deadline: deadline)
        let channel = try await pool.channel(for: broker.key, address: broker.address, deadline: deadline)
        let version: Int16
        do {
            guard let versions = channel.apiVersions else { throw TransportError.shutDown }
            version = try versions.version(for: FindCoordinatorRequest.self)
        } catch {
            throw KafkaClientError(error)
        }
        if kind == .transaction && version < 1 {
            throw .unsupported("transaction coordinator lookup needs FindCoordinator v1+ (the broker offers v0)")
        }
        var results: [String: Result<BrokerMetadata, KafkaClientError>] = [:]
        if version >= 4 {
            let response = try await sendOnce(to: broker, deadline: deadline) { version in
                FindCoordinatorRequest(keyType: kind.rawValue, coordinatorKeys: keys)
            }
            for answer in response.coordinators {
                results[answer.key] = Self.coordinatorResult(
                    code: answer.errorCode, message: answer.errorMessage, nodeID: answer.nodeID, host: answer.host,
                    port: answer.port, context: CoordinatorKey(kind: kind, key: answer.key).description)
            }
        } else {
            for key in keys {
                let response = try await sendOnce(to: broker, deadline: deadline) { version in
                    FindCoordinatorRequest(key: key, keyType: version >= 1 ? kind.rawValue : 0)
                }
                results[key] = Self.coordinatorResult(
                    code: response.errorCode, message: response.errorMessage, nodeID: response.nodeID, host: response.host,
                    port: response.port, context: CoordinatorKey(kind: kind, key: key).description)
            }
        }
        let found = results.compactMapValues { try? $0.get() }
        coordinators.withLock { cache in
            for (key, node) in found { cache[CoordinatorKey(kind: kind, key: key)] = node }
        }
        for key in keys where results[key] == nil {
            results[key] = .failure(.unexpectedResponse("FindCoordinator did not answer for \(CoordinatorKey(kind: kind, key: key))"))
        }
        if keys.count == 1, let only = results[keys[0]], case let .failure(error) = only {
            // A single lookup's error is the attempt's error, so the retry loop can classify it.
            throw error
        }
        return results
    }

    static func coordinatorResult(code: ErrorCode, message: String?, nodeID: Int32, host: String, port: Int32,
                                  context: String) -> Result<BrokerMetadata, KafkaClientError> {
        guard code == .none else { return .failure(.broker(KafkaError(code, brokerMessage: message), context: context)) }
        guard nodeID >= 0, !host.isEmpty, (1...65535).contains(port) else {
            return .failure(.broker(KafkaError(.coordinatorNotAvailable, brokerMessage: "no coordinator address"), context: context))
        }
        return .success(BrokerMetadata(nodeID: nodeID, address: BrokerAddress(host: host, port: Int(port))))
    }
}
