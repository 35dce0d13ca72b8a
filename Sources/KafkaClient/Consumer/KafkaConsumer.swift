import KafkaCompression
import KafkaWire
import Logging
import ServiceLifecycle
import Synchronization

/// A Kafka consumer: manual assignment or group subscription, messages as an `AsyncSequence`
/// (one at a time, or per-partition batches), events (rebalances, ends of partitions, errors) in a
/// second sequence, and offsets marked, committed and sought.
///
/// ```swift
/// let configuration = try KafkaConsumerConfiguration(properties: [
///     "bootstrap.servers": "localhost:9092", "group.id": "billing", "auto.offset.reset": "earliest",
/// ])
/// try await withKafkaConsumer(configuration: configuration) { consumer in
///     try consumer.subscribe(topics: ["orders"])
///     for try await message in consumer.messages {
///         handle(message)
///     }
/// }
/// ```
///
/// Nothing runs until `run()` (a swift-service-lifecycle `Service`: put it in a `ServiceGroup`) or
/// `withKafkaConsumer` runs it: every fetch, heartbeat and commit is a child task of `run()`,
/// and `run()` returns once the consumer has closed (committed what `enable.auto.commit` asks,
/// left its group). Graceful shutdown, `close()` and the end of `withKafkaConsumer`'s body close it.
///
/// Memory: fetched data waits for the application in per-partition buffers bounded by
/// `queued.max.messages.kbytes` (plus the one response in flight); no fetch is sent for a
/// partition whose buffer is full, so a slow reader holds the bound, not the topic.
public final class KafkaConsumer: Sendable {
    /// The validated configuration.
    public let configuration: KafkaConsumerConfiguration
    /// The cluster client the consumer sends through.
    public let cluster: ClusterClient
    let ownsCluster: Bool
    let admin: KafkaAdminClient
    let logger: Logger
    let state: Mutex<ConsumerState>
    /// Bumped whenever records already handed to an iterator may have become stale (seek,
    /// revocation, loss, close): iterators compare it on every message, without the lock.
    @usableFromInline let invalidations = Atomic<UInt64>(0)
    let driverSignal = WakeSignal()
    let groupSignal = WakeSignal()
    let closedSignal = OneShotSignal()
    /// Set when the membership reports `.closed` (revoked, left).
    let membershipClosed = OneShotSignal()
    let jobs: AsyncStream<Job>
    let jobsContinuation: AsyncStream<Job>.Continuation
    let decodingOptions: RecordDecodingOptions
    let fetchConfiguration: FetchConfiguration

    typealias Job = @Sendable () async -> Void

    /// A consumer with a cluster client of its own. Throws `.invalidConfiguration` naming a bad setting.
    public convenience init(configuration: KafkaConsumerConfiguration, logger: Logger = Logger(label: "swafka.consumer"))
        throws(KafkaClientError) {
        try configuration.validate()
        let cluster = try ClusterClient(configuration: configuration.client, logger: logger)
        self.init(validated: configuration, cluster: cluster, ownsCluster: true, logger: logger)
    }

    /// A consumer sending through `cluster` (whose owner shuts it down); `configuration.client` is not used.
    public convenience init(configuration: KafkaConsumerConfiguration, cluster: ClusterClient,
                            logger: Logger = Logger(label: "swafka.consumer")) throws(KafkaClientError) {
        try configuration.validate()
        self.init(validated: configuration, cluster: cluster, ownsCluster: false, logger: logger)
    }

    init(validated configuration: KafkaConsumerConfiguration, cluster: ClusterClient, ownsCluster: Bool, logger: Logger) {
        self.configuration = configuration
        self.cluster = cluster
        self.ownsCluster = ownsCluster
        self.admin = KafkaAdminClient(cluster: cluster)
        self.logger = logger
        self.state = Mutex(ConsumerState(configuration: configuration, now: .now))
        (jobs, jobsContinuation) = AsyncStream.makeStream(of: Job.self)
        decodingOptions = RecordDecodingOptions(compressionProvider: KafkaCompressionProvider(),
                                                verifyChecksums: configuration.checkCRCs)
        fetchConfiguration = configuration.fetch
    }

    // MARK: - Sequences

    /// The messages, one at a time, round robin over the partitions with data. Ends (nil) when
    /// the consumer closes; throws when it fails for good. Meant for one reader at a time.
    public var messages: KafkaConsumerMessages { KafkaConsumerMessages(consumer: self) }

    /// The messages as per-partition batches of at most `maxMessages` (whole fetched batches: a
    /// single fetched batch larger than that comes whole).
    public func batches(maxMessages: Int = 10_000) -> KafkaConsumerBatches {
        KafkaConsumerBatches(consumer: self, maxMessages: max(1, maxMessages))
    }

    /// Rebalances, ends of partitions, commits and errors. Events are kept (up to 10,000) only
    /// once this sequence has been iterated; before that they are dropped, and revocations do
    /// not wait for the application.
    public var events: KafkaConsumerEvents { KafkaConsumerEvents(consumer: self) }

    // MARK: - Assignment and subscription

    /// Consumes exactly these partitions from these positions, outside any group rebalance
    /// (partitions assigned before and not listed are dropped). `.committed` needs `group.id`.
    public func assign(_ positions: [TopicPartition: StartPosition]) throws(KafkaConsumerError) {
        if configuration.groupID == nil, positions.values.contains(.committed) { throw .groupIDRequired }
        try update { state, effects throws(KafkaConsumerError) in
            if case .subscribed = state.mode { throw KafkaConsumerError.subscribed }
            state.mode = .assigned
            let removed = state.tracker.assigned.filter { positions[$0] == nil }
            state.removePartitions(removed)
            state.tracker.lose(removed)
            var byStart: [StartPosition: [TopicPartition]] = [:]
            for (tp, start) in positions { byStart[start, default: []].append(tp) }
            for (start, tps) in byStart {
                let fresh = tps.filter { state.partitions[$0] == nil }
                let known = tps.filter { state.partitions[$0] != nil }
                state.addPartitions(fresh, from: start, effects: &effects)
                if !known.isEmpty {
                    state.invalidate(known)
                    effects.lookups += state.tracker.seek(known, to: start)
                }
            }
        }
    }

    /// Consumes `partitions`, all from `start`; see `assign(_:)`.
    public func assign(_ partitions: [TopicPartition], from start: StartPosition) throws(KafkaConsumerError) {
        try assign(Dictionary(partitions.map { ($0, start) }, uniquingKeysWith: { first, _ in first }))
    }

    /// The partitions consumed now (assigned manually, or by the group).
    public var assignment: [TopicPartition] { state.withLock { $0.tracker.assigned } }

    /// Joins the group (`group.id`) for these topics; entries starting with `^` are regular
    /// expressions matched against the cluster's topics (re-checked every `metadata.max.age.ms`).
    /// Replaces an earlier subscription; an empty list leaves the group.
    public func subscribe(topics: [String]) throws(KafkaConsumerError) {
        guard configuration.groupID != nil else { throw .groupIDRequired }
        let literal = topics.filter { !$0.hasPrefix("^") }
        let patterns = topics.filter { $0.hasPrefix("^") }
        for pattern in patterns where (try? Regex(pattern)) == nil { throw .invalidPattern(pattern) }
        try update { state, effects throws(KafkaConsumerError) in
            if state.mode == .assigned { throw KafkaConsumerError.assigned }
            state.mode = .subscribed(topics: literal, patterns: patterns)
            if patterns.isEmpty {
                // Re-checked now and then: a leader rejoins when a topic's partition count changes.
                state.nextPatternRefresh = .now + (configuration.client.metadataMaxAge ?? .seconds(300))
                effects.groupActions += state.membership?.subscribe(topics: literal, now: .now) ?? []
            } else {
                // The group loop resolves the patterns against the cluster's topics, then subscribes.
                state.nextPatternRefresh = .now
                effects.wakeGroup = true
            }
        }
    }

    /// Joins the group for every topic whose whole name matches `pattern` (a regular expression).
    public func subscribe(pattern: String) throws(KafkaConsumerError) {
        try subscribe(topics: [pattern.hasPrefix("^") ? pattern : "^" + pattern])
    }

    // MARK: - Positions

    /// Moves `partitions` to `position`: buffered messages are dropped and delivery restarts there.
    public func seek(_ partitions: [TopicPartition], to position: StartPosition) {
        try? update { state, effects in
            let owned = partitions.filter { state.partitions[$0] != nil }
            state.invalidate(owned)
            effects.lookups += state.tracker.seek(owned, to: position)
            effects.wakeDriver = true
        }
    }

    /// Moves one partition to `offset`.
    public func seek(_ partition: TopicPartition, to offset: Int64) {
        seek([partition], to: .offset(offset))
    }

    /// Stops fetching `partitions` (messages already handed to an iterator still arrive); what was
    /// buffered is dropped and fetched again on `resume`.
    public func pause(_ partitions: [TopicPartition]) {
        try? update { state, effects in
            let owned = partitions.filter { state.partitions[$0] != nil }
            state.tracker.pause(owned)
            for tp in owned {
                guard let runtime = state.partitions[tp], runtime.hasItems else { continue }
                // Fetch again from where the application stands, once resumed.
                let position = state.tracker[tp]?.applicationPosition
                state.totalBuffered -= runtime.bytes
                var cleared = runtime
                cleared.queue.removeAll()
                cleared.head = 0
                cleared.bytes = 0
                state.partitions[tp] = cleared
                if let position { _ = state.tracker.seek([tp], to: .offset(position)) }
            }
            effects.wakeDriver = true
        }
    }

    /// Fetches `partitions` again.
    public func resume(_ partitions: [TopicPartition]) {
        try? update { state, effects in
            state.tracker.resume(partitions)
            for tp in partitions {
                state.partitions[tp]?.backoffUntil = nil
                state.requeue(tp)
            }
            effects.wakeDriver = true
        }
    }

    /// The partitions paused now.
    public var paused: [TopicPartition] {
        state.withLock { state in state.tracker.assigned.filter { state.tracker[$0]?.isPaused == true } }
    }

    /// The next offset the application will receive from `partition`, when known.
    public func position(_ partition: TopicPartition) -> Int64? {
        state.withLock { $0.tracker[partition]?.applicationPosition ?? $0.tracker[partition]?.fetchPosition }
    }

    /// Per assigned partition: the messages between the application's position and the end of
    /// the partition (high watermark, or last stable offset in read_committed) as of the last
    /// fetch; nil while unknown.
    public func lag() -> [TopicPartition: Int64?] {
        state.withLock { state in
            Dictionary(uniqueKeysWithValues: state.tracker.assigned.map { tp in
                (tp, state.tracker.consumerLag(tp) ?? state.tracker[tp].flatMap { offsets in
                    offsets.fetchPosition.flatMap { position in offsets.highWatermark.map { max($0 - position, 0) } }
                })
            })
        }
    }

    /// The fetched bytes waiting in the consumer's buffers now (what `queued.max.messages.kbytes` bounds).
    public var bufferedBytes: Int { state.withLock { $0.totalBuffered } }

    /// The most fetched bytes buffered at once since the consumer was created.
    public var maxBufferedBytesSeen: Int { state.withLock { $0.maxBufferedSeen } }

    /// The group's member id and generation, when in one.
    public var groupGeneration: GroupGeneration? { state.withLock { $0.membership?.commitGeneration } }

    /// The number of partitions of `topic`, from the cluster's metadata.
    public func partitionCount(of topic: String) async throws(KafkaClientError) -> Int {
        let metadata = try await cluster.metadata(topics: [topic])
        guard let described = metadata.topics[topic] else { throw .unknownTopic(topic) }
        return described.partitions.count
    }

    // MARK: - Lifecycle

    /// Closes the consumer: stops delivering, revokes (committing with `enable.auto.commit`),
    /// leaves the group, and waits until `run()` has finished. Idempotent.
    public func close() async {
        beginClose()
        await closedSignal.wait()
    }

    /// Whether the consumer has closed.
    public var isClosed: Bool { state.withLock { $0.lifecycle == .closed } }

    // MARK: - Helpers

    /// Runs `body` under the lock, then performs its effects.
    func update<T>(_ body: (inout ConsumerState, inout ConsumerEffects) throws(KafkaConsumerError) -> T)
        throws(KafkaConsumerError) -> T {
        var effects = ConsumerEffects()
        let result: Result<T, KafkaConsumerError> = state.withLock { state in
            do throws(KafkaConsumerError) {
                return .success(try body(&state, &effects))
            } catch {
                return .failure(error)
            }
        }
        perform(effects)
        return try result.get()
    }

    /// Bumps the invalidation counter so iterators re-check their chunk.
    func invalidateIterators() {
        invalidations.add(1, ordering: .relaxed)
    }
}

extension KafkaConsumerError {
    /// `subscribe` after `assign` (or the reverse) without closing.
    static var assigned: KafkaConsumerError { .modeConflict("the consumer has manually assigned partitions: it cannot also subscribe") }
    static var subscribed: KafkaConsumerError { .modeConflict("the consumer is subscribed to a group: it cannot also assign partitions") }
}

/// Runs `body` with a consumer whose `run()` goes on in a child task meanwhile; when `body`
/// returns or throws, the consumer closes (committing and leaving its group) before this returns.
public func withKafkaConsumer<Result: Sendable>(
    configuration: KafkaConsumerConfiguration, logger: Logger = Logger(label: "swafka.consumer"),
    _ body: (KafkaConsumer) async throws -> Result
) async throws -> Result {
    let consumer = try KafkaConsumer(configuration: configuration, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        group.addTask { try await consumer.run() }
        do {
            let result = try await body(consumer)
            await consumer.close()
            try await group.waitForAll()
            return result
        } catch {
            await consumer.close()
            try? await group.waitForAll()
            throw error
        }
    }
}
