import KafkaTransport
import KafkaWire
import Logging
import Synchronization

/// Where a request must go.
public enum RequestTarget: Sendable, Hashable, CustomStringConvertible {
    /// Any broker (the client picks one it is connected to, else a known or bootstrap broker).
    case anyBroker
    /// The broker with this node id.
    case broker(Int32)
    /// The leader of a partition.
    case leader(TopicPartition)
    /// The cluster's controller (CreateTopics, DeleteTopics, CreatePartitions).
    case controller
    /// The coordinator of a group or transactional id.
    case coordinator(CoordinatorKey)

    public var description: String {
        switch self {
        case .anyBroker: "any broker"
        case let .broker(id): "broker \(id)"
        case let .leader(partition): "leader of \(partition)"
        case .controller: "controller"
        case let .coordinator(key): "coordinator of \(key)"
        }
    }
}

/// A group id or transactional id, whose coordinator FindCoordinator looks up.
public struct CoordinatorKey: Sendable, Hashable, CustomStringConvertible {
    /// What kind of coordinator (FindCoordinator's KeyType).
    public enum Kind: Int8, Sendable, Hashable {
        case group = 0
        case transaction = 1
    }

    /// The kind.
    public var kind: Kind
    /// The group id or transactional id.
    public var key: String

    /// The coordinator of consumer group `id`.
    public static func group(_ id: String) -> CoordinatorKey { CoordinatorKey(kind: .group, key: id) }
    /// The coordinator of transactional id `id`.
    public static func transaction(_ id: String) -> CoordinatorKey { CoordinatorKey(kind: .transaction, key: id) }

    public var description: String { "\(kind == .group ? "group" : "transactional id") \"\(key)\"" }
}

/// The cluster layer every Kafka client builds on: bootstrap, a metadata cache, one connection per
/// broker, request routing, and retries.
///
/// - Bootstrap: the first request connects to a bootstrap server; Metadata then names every broker.
///   When no known broker can be reached, the bootstrap servers are tried again.
/// - Metadata: cached as an immutable `ClusterMetadata` snapshot. A lookup uses the cache while it is
///   younger than `metadata.max.age.ms` and refreshes first otherwise (lazily, on the caller's task).
///   Routing errors (NOT_LEADER_OR_FOLLOWER, UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE,
///   FENCED_LEADER_EPOCH...) and lost connections mark it stale so the retry refreshes it. Concurrent
///   refreshes coalesce into one Metadata request. `run()` optionally keeps it fresh in the
///   background for owners that want no refresh on the request path.
/// - Retries: each operation has a deadline (`default.api.timeout.ms` or the call's `timeout`);
///   retriable failures are retried with `retry.backoff.ms` exponential backoff until then, and
///   non-retriable ones thrown at once as `KafkaClientError`.
///
/// Thread safety: all state is behind `Mutex`es holding pure state machines; I/O happens after the
/// lock is released, on the calling task. The library starts no task of its own.
public final class ClusterClient: Sendable {
    /// The validated configuration.
    public let configuration: ClientConfiguration
    /// The client's logger (with `kafka.client.id` metadata).
    public var logger: Logger { observer.logger }

    let observer: ClientObserver
    let pool: ConnectionPool
    let connector: any BrokerConnector
    let metadataState = Mutex(MetadataState())
    let nextRefreshWaiterID = Atomic<UInt64>(0)
    let coordinators = Mutex<[CoordinatorKey: BrokerMetadata]>([:])
    let shutdownSignal = OneShotSignal()

    /// A client for the cluster `configuration` names, talking over TCP sockets on an event-loop
    /// thread of its own. Throws `.invalidConfiguration` when a setting is invalid.
    /// Call `shutdown()` when done.
    public convenience init(configuration: ClientConfiguration, logger: Logger = Logger(label: "swafka.client"))
        throws(KafkaClientError) {
        try configuration.validate()
        let observer = ClientObserver(logger: Self.tagged(logger, configuration), clientID: configuration.clientID,
                                      debug: configuration.debug)
        let connection = try configuration.makeConnectionConfiguration()
        let connector: SocketConnector
        do {
            connector = try SocketConnector(configuration: connection, observer: observer)
        } catch {
            throw .transport(.connectFailed(configuration.bootstrapServers[0], error))
        }
        self.init(validated: configuration, observer: observer, connector: connector)
    }

    /// A client that reaches brokers through `connector` (an in-memory fake in tests, or another transport).
    public convenience init(configuration: ClientConfiguration, connector: any BrokerConnector,
                            logger: Logger = Logger(label: "swafka.client")) throws(KafkaClientError) {
        try configuration.validate()
        let observer = ClientObserver(logger: Self.tagged(logger, configuration), clientID: configuration.clientID,
                                      debug: configuration.debug)
        self.init(validated: configuration, observer: observer, connector: connector)
    }

    private init(validated configuration: ClientConfiguration, observer: ClientObserver, connector: any BrokerConnector) {
        self.configuration = configuration
        self.observer = observer
        self.connector = connector
        self.pool = ConnectionPool(connector: connector, backoff: configuration.reconnectBackoffPolicy, observer: observer)
    }

    private static func tagged(_ logger: Logger, _ configuration: ClientConfiguration) -> Logger {
        var logger = logger
        logger[metadataKey: "kafka.client.id"] = "\(configuration.clientID)"
        return logger
    }

    /// The debug contexts logging now; change them at any time (like kcat's `-d protocol`).
    public var debug: DebugContexts {
        get { observer.debug }
        set { observer.debug = newValue }
    }

    // MARK: Lifecycle

    /// Keeps the metadata fresh in the background: refreshes it every `metadata.max.age.ms` until the
    /// calling task is cancelled or `shutdown()` is called. Optional: without it, stale metadata is
    /// refreshed on the next lookup. Refresh failures are logged and retried at the next interval.
    public func run() async {
        guard let interval = configuration.metadataMaxAge else {
            await shutdownSignal.wait()
            return
        }
        while !Task.isCancelled {
            // A little before the cache would go stale, so lookups never wait for it.
            guard await shutdownSignal.sleep(for: interval * 0.8), !Task.isCancelled else { return }
            do {
                let scope = metadataState.withLock { MetadataScope.topics($0.interest) }
                _ = try await withRetries(timeout: configuration.defaultApiTimeout) { schedule throws(KafkaClientError) in
                    try await self.refreshMetadata(scope: scope, deadline: schedule.deadline)
                }
            } catch {
                logger.warning("periodic metadata refresh failed: \(error)")
            }
        }
    }

    /// Closes every connection and stops the event loop; requests in flight fail. Idempotent.
    public func shutdown() async {
        guard shutdownSignal.set() else { return }
        pool.shutdown()
        await connector.shutdown()
    }

    /// True once `shutdown()` was called.
    public var isShutDown: Bool { shutdownSignal.isSet }

    // MARK: Sending

    /// Sends a request built for the negotiated version to `target`, retrying retriable failures
    /// (re-routing after metadata or coordinator refreshes) until `timeout` (default
    /// `default.api.timeout.ms`).
    ///
    /// `build` gets the version both sides support and returns the request laid out for it (fields
    /// differ between versions). `check` inspects a response for a top-level error: a retriable one
    /// retries the request, any other is thrown as `.broker`.
    public func send<Request: KafkaRequest>(
        to target: RequestTarget, timeout: Duration? = nil,
        check: (Request.Response) -> KafkaError? = { _ in nil },
        _ build: (Int16) throws -> Request
    ) async throws(KafkaClientError) -> Request.Response {
        try await withRetries(timeout: timeout ?? configuration.defaultApiTimeout) { schedule throws(KafkaClientError) in
            do throws(KafkaClientError) {
                let broker = try await resolve(target, deadline: schedule.deadline)
                let response = try await sendOnce(to: broker, deadline: schedule.deadline, build)
                if let error = check(response) { throw KafkaClientError.broker(error) }
                return response
            } catch {
                invalidate(after: error, target: target)
                throw error
            }
        }
    }

    /// Sends `request` (the same layout at every version) to `target`; see `send(to:timeout:check:_:)`.
    public func send<Request: KafkaRequest>(_ request: Request, to target: RequestTarget, timeout: Duration? = nil)
        async throws(KafkaClientError) -> Request.Response {
        try await send(to: target, timeout: timeout) { _ in request }
    }

    /// Runs `attempt` until it succeeds, fails with a non-retriable error, or the deadline passes.
    func withRetries<T>(timeout: Duration, _ attempt: (RetrySchedule) async throws(KafkaClientError) -> T)
        async throws(KafkaClientError) -> T {
        var schedule = RetrySchedule(timeout: timeout, backoff: configuration.retryBackoffPolicy)
        while true {
            if isShutDown { throw .shutDown }
            if Task.isCancelled { throw .cancelled }
            do {
                return try await attempt(schedule)
            } catch {
                let decision = RetryDecision.decide(error)
                guard decision.retry else { throw error }
                guard let delay = schedule.nextDelay() else {
                    throw .timedOut(after: timeout, lastError: error)
                }
                observer.debug(.broker, "retrying in \(formatMilliseconds(delay)) after: \(error)")
                do {
                    try await Task.sleep(for: delay)
                } catch {
                    throw .cancelled
                }
            }
        }
    }

    /// Applies what a failed attempt says is stale: metadata, the coordinator.
    func invalidate(after error: KafkaClientError, target: RequestTarget) {
        let decision = RetryDecision.decide(error)
        guard decision.retry else { return }
        if decision.refreshMetadata {
            if case let .leader(partition) = target, case .broker = error {
                markMetadataStale(topics: [partition.topic])
            } else {
                markMetadataStale(topics: nil)
            }
        }
        if decision.findCoordinator, case let .coordinator(key) = target {
            _ = coordinators.withLock { $0.removeValue(forKey: key) }
        }
    }

    /// Sends once to a resolved broker: picks the version, builds, sends, records metrics. A
    /// transport failure drops the connection from the pool.
    ///
    /// `maxVersion` caps the version (the consumer's Fetch stays at v12 while a topic id is
    /// unknown); `requestTimeout` replaces `request.timeout.ms` for this request (a JoinGroup the
    /// coordinator may hold for the whole rebalance timeout).
    func sendOnce<Request: KafkaRequest>(to broker: ResolvedBroker, deadline: ContinuousClock.Instant,
                                         maxVersion: Int16? = nil, requestTimeout: Duration? = nil,
                                         _ build: (Int16) throws -> Request) async throws(KafkaClientError) -> Request.Response {
        let channel = try await pool.channel(for: broker.key, address: broker.address, deadline: deadline)
        var version: Int16
        do {
            guard let versions = channel.apiVersions else { throw TransportError.shutDown }
            version = try versions.version(for: Request.self)
            if let maxVersion = [maxVersion, configuration.apiVersionCaps[Request.apiKey]].compactMap({ $0 }).min(),
               maxVersion < version {
                guard let theirs = versions.ranges[Request.apiKey], theirs.contains(maxVersion) else {
                    throw KafkaClientError.unsupported("\(Request.apiKey.name) v\(maxVersion) or lower is needed; the broker offers \(versions.ranges[Request.apiKey].map { "v\($0.lowerBound)-\($0.upperBound)" } ?? "none")")
                }
                version = maxVersion
            }
        } catch {
            throw KafkaClientError(error)
        }
        let request: Request
        do {
            request = try build(version)
        } catch {
            throw KafkaClientError(error)
        }
        let remaining = deadline - .now
        let timeout = max(.milliseconds(1), min(requestTimeout ?? configuration.requestTimeout, remaining))
        let started = ContinuousClock.now
        do {
            let response = try await channel.send(request, version: version, timeout: timeout)
            observer.requestCompleted(api: Request.apiKey, broker: broker.nodeID, duration: .now - started)
            return response
        } catch {
            let failure = KafkaClientError(error)
            observer.requestFailed(api: Request.apiKey, error: failure)
            if case let .transport(transport) = failure, transport.isRetriable {
                pool.connectionFailed(key: broker.key, channel: channel)
            }
            throw failure
        }
    }

    /// The versions broker `nodeID` (nil: any broker) offers, connecting if needed.
    public func apiVersions(broker nodeID: Int32? = nil, timeout: Duration? = nil) async throws(KafkaClientError)
        -> BrokerApiVersions {
        try await withRetries(timeout: timeout ?? configuration.defaultApiTimeout) { schedule throws(KafkaClientError) in
            let broker = try await resolve(nodeID.map(RequestTarget.broker) ?? .anyBroker, deadline: schedule.deadline)
            let channel = try await pool.channel(for: broker.key, address: broker.address, deadline: schedule.deadline)
            guard let versions = channel.apiVersions else { throw KafkaClientError.transport(.shutDown) }
            return versions
        }
    }
}

/// A request destination resolved to a connection key and an address.
struct ResolvedBroker: Sendable, Hashable {
    let key: PoolKey
    let address: BrokerAddress
    /// The node id, nil for a bootstrap server.
    var nodeID: Int32? {
        if case let .node(id) = key { return id }
        return nil
    }
}
