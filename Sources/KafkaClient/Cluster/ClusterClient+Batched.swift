import KafkaTransport
import KafkaWire
import Synchronization

extension ClusterClient {
    /// Runs an operation over many items (partitions, groups, brokers) that must each go to a
    /// particular broker: items are grouped by the broker `route` resolves them to, one request per
    /// broker is sent (brokers in parallel), and only the items whose answers carry retriable errors
    /// are routed and sent again, after backoff, until `timeout`.
    ///
    /// `send` gets a broker, its items and the deadline, and returns each item's outcome; an error it
    /// throws (a lost connection) is every item's outcome. Items left failing at the deadline get
    /// `.timedOut` with their last error. Returns an outcome for every item.
    func sendBatched<Item: Hashable & Sendable, Value: Sendable>(
        _ items: [Item], timeout: Duration?,
        route: (Item) -> RequestTarget,
        send: @escaping @Sendable (ResolvedBroker, [Item], ContinuousClock.Instant) async throws(KafkaClientError)
            -> [Item: Result<Value, KafkaClientError>]
    ) async throws(KafkaClientError) -> [Item: Result<Value, KafkaClientError>] {
        let limit = timeout ?? configuration.defaultApiTimeout
        var schedule = RetrySchedule(timeout: limit, backoff: configuration.retryBackoffPolicy)
        var seen = Set<Item>()
        var pending = items.filter { seen.insert($0).inserted }
        var results: [Item: Result<Value, KafkaClientError>] = [:]
        var lastErrors: [Item: KafkaClientError] = [:]

        while true {
            if isShutDown { throw .shutDown }
            if Task.isCancelled { throw .cancelled }
            var retry: [Item] = []
            func settle(_ item: Item, _ outcome: Result<Value, KafkaClientError>) {
                switch outcome {
                case .success:
                    results[item] = outcome
                case let .failure(error):
                    guard RetryDecision.decide(error).retry else {
                        results[item] = outcome
                        return
                    }
                    invalidate(after: error, target: route(item))
                    lastErrors[item] = error
                    retry.append(item)
                }
            }

            // Look coordinators up in one batch (FindCoordinator v4+ takes many keys).
            let coordinatorFailures = await prefetchCoordinators(pending.map(route), deadline: schedule.deadline)
            var batches: [ResolvedBroker: [Item]] = [:]
            var order: [ResolvedBroker] = []
            // Targets resolve once per round, so items for "any broker" share one request.
            var resolved: [RequestTarget: ResolvedBroker] = [:]
            for item in pending {
                let target = route(item)
                if case let .coordinator(key) = target, let failure = coordinatorFailures[key] {
                    settle(item, .failure(failure))
                    continue
                }
                do {
                    let broker: ResolvedBroker
                    if let known = resolved[target] {
                        broker = known
                    } else {
                        broker = try await resolve(target, deadline: schedule.deadline)
                        resolved[target] = broker
                    }
                    if batches[broker] == nil { order.append(broker) }
                    batches[broker, default: []].append(item)
                } catch {
                    if error == .cancelled || error == .shutDown { throw error }
                    settle(item, .failure(error))
                }
            }

            let deadline = schedule.deadline
            let answers = await withTaskGroup(
                of: (ResolvedBroker, Result<[Item: Result<Value, KafkaClientError>], KafkaClientError>).self
            ) { group in
                for broker in order {
                    let batch = batches[broker] ?? []
                    group.addTask {
                        do throws(KafkaClientError) {
                            return (broker, .success(try await send(broker, batch, deadline)))
                        } catch {
                            return (broker, .failure(error))
                        }
                    }
                }
                var collected: [(ResolvedBroker, Result<[Item: Result<Value, KafkaClientError>], KafkaClientError>)] = []
                for await answer in group { collected.append(answer) }
                return collected
            }
            for (broker, answer) in answers {
                let batch = batches[broker] ?? []
                switch answer {
                case let .success(outcomes):
                    for item in batch {
                        settle(item, outcomes[item] ?? .failure(.unexpectedResponse("no answer for \(item) from \(broker.key)")))
                    }
                case let .failure(error):
                    if error == .cancelled || error == .shutDown { throw error }
                    for item in batch { settle(item, .failure(error)) }
                }
            }

            pending = retry
            if pending.isEmpty { return results }
            guard let delay = schedule.nextDelay() else {
                for item in pending { results[item] = .failure(.timedOut(after: limit, lastError: lastErrors[item])) }
                return results
            }
            observer.debug(.broker, "retrying \(pending.count) item(s) in \(formatMilliseconds(delay))")
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw .cancelled
            }
        }
    }

    /// Looks up, in one FindCoordinator round per kind, the coordinators among `targets` not cached.
    /// Returns the keys whose lookup failed, with why.
    func prefetchCoordinators(_ targets: [RequestTarget], deadline: ContinuousClock.Instant) async
        -> [CoordinatorKey: KafkaClientError] {
        var missing: [CoordinatorKey.Kind: [String]] = [:]
        let cached = coordinators.withLock { $0 }
        for case let .coordinator(key) in Set(targets) where cached[key] == nil {
            missing[key.kind, default: []].append(key.key)
        }
        var failures: [CoordinatorKey: KafkaClientError] = [:]
        for (kind, keys) in missing where keys.count > 1 {
            do {
                let found = try await findCoordinators(kind: kind, keys: keys.sorted(), deadline: deadline)
                for (key, outcome) in found {
                    if case let .failure(error) = outcome { failures[CoordinatorKey(kind: kind, key: key)] = error }
                }
            } catch {
                for key in keys { failures[CoordinatorKey(kind: kind, key: key)] = error }
            }
        }
        // A single missing key is looked up by `resolve` itself.
        return failures
    }
}
