import Glibc
import KafkaCompression
import KafkaTransport
import KafkaWire
import Logging
import ServiceLifecycle
import Synchronization

/// A Kafka producer: WaterDrop's vocabulary, Swift's concurrency.
///
/// ```swift
/// try await withKafkaProducer(configuration: configuration) { producer in
///     let delivered = try await producer.produceSync(ProducerMessage(topic: "orders", value: ByteSlice("{...}")))
///     let handle = try await producer.produceAsync(ProducerMessage(topic: "orders", value: nil, key: ByteSlice("42")))
///     try await producer.flush()
/// }
/// ```
///
/// - `produceAsync` buffers a message and returns a `DeliveryHandle` at once (waiting only while the
///   buffer is full, up to `max.block.ms`); `produceSync` also waits for the acknowledgment.
/// - Every accepted message ends in exactly one `DeliveryReport`: on its handle, on the events
///   sequence (`makeProducerWithEvents`), and to the instrumentation listener; at shutdown too.
/// - The sender runs inside `run()` (a swift-service-lifecycle `Service`; graceful shutdown drains,
///   cancellation aborts) or inside `withKafkaProducer`, which runs it and closes cleanly.
///
/// Runtime (ARCHITECTURE.md, "The producer's loop"): one `Mutex<ProducerState>` holds the partition
/// router and the record accumulator; callers and the sender lock it, apply one event, unlock, and
/// only then resume continuations or do I/O. The sender loop wakes on linger expiry, on a full
/// batch, on flush and close, and on every response; it drains one request per ready broker
/// (all its ready partitions) and sends each in a child task of `run()`, up to
/// `max.in.flight.requests.per.connection` per broker, each request taking its place on the
/// connection before the next one to that broker is drained, so a partition's batches are written
/// in order.
public final class KafkaProducer: Service, Sendable {
    /// The validated configuration.
    public let configuration: KafkaProducerConfiguration
    /// The cluster client the producer sends through (shut down when `run()` ends).
    public let cluster: ClusterClient
    /// The producer's logger.
    public var logger: Logger { cluster.logger }

    let state: Mutex<ProducerState>
    let wakeup = WakeSignal()
    let events: EventBuffer?
    let listener: (@Sendable (KafkaProducerEvent) -> Void)?
    let metrics: ProducerMetrics
    let builder: ProduceRequestBuilder
    let nextWaiterID = Atomic<UInt64>(0)

    /// A producer without an events sequence (reports come on the handles and to `instrumentation`).
    ///
    /// `instrumentation` is called synchronously, without any lock held, for every event
    /// (`messageProduced` included): keep it short. Throws `.invalidConfiguration` naming a bad setting.
    public convenience init(configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "swafka.producer"),
                            instrumentation: (@Sendable (KafkaProducerEvent) -> Void)? = nil) throws(KafkaClientError) {
        try configuration.validate()
        let cluster = try ClusterClient(configuration: configuration.client, logger: logger)
        self.init(validated: configuration, cluster: cluster, events: nil, instrumentation: instrumentation)
    }

    /// A producer over a cluster client of the caller's (another `BrokerConnector`, say); the
    /// producer shuts it down when `run()` ends.
    public convenience init(configuration: KafkaProducerConfiguration, cluster: ClusterClient, withEvents: Bool = false,
                            instrumentation: (@Sendable (KafkaProducerEvent) -> Void)? = nil) throws(KafkaClientError) {
        try configuration.validate()
        self.init(validated: configuration, cluster: cluster, events: withEvents ? EventBuffer() : nil,
                  instrumentation: instrumentation)
    }

    /// A producer and its events sequence: delivery reports and instrumentation events, kept until
    /// read, so read them.
    public static func makeProducerWithEvents(
        configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "swafka.producer"),
        instrumentation: (@Sendable (KafkaProducerEvent) -> Void)? = nil
    ) throws(KafkaClientError) -> (KafkaProducer, KafkaProducerEvents) {
        try configuration.validate()
        let cluster = try ClusterClient(configuration: configuration.client, logger: logger)
        let producer = KafkaProducer(validated: configuration, cluster: cluster, events: EventBuffer(),
                                     instrumentation: instrumentation)
        return (producer, producer.eventSequence!)
    }

    private init(validated configuration: KafkaProducerConfiguration, cluster: ClusterClient, events: EventBuffer?,
                 instrumentation: (@Sendable (KafkaProducerEvent) -> Void)?) {
        self.configuration = configuration
        self.cluster = cluster
        self.events = events
        self.listener = instrumentation
        self.metrics = ProducerMetrics(clientID: configuration.client.clientID)
        self.builder = ProduceRequestBuilder(
            acks: configuration.acks, timeout: configuration.client.requestTimeout,
            compression: configuration.compression, topicCompression: configuration.topicCompression,
            encoder: RecordBatchV2Encoder(provider: KafkaCompressionProvider()))
        let accumulator = RecordAccumulator(configuration: configuration.accumulatorConfiguration(
            idempotence: configuration.wantsIdempotence))
        self.state = Mutex(ProducerState(accumulator: accumulator,
                                         router: PartitionRouter(partitioner: configuration.partitioner)))
    }

    /// The events sequence, when the producer was made with one.
    public var eventSequence: KafkaProducerEvents? { events.map(KafkaProducerEvents.init(buffer:)) }

    // MARK: Producing

    /// Buffers `message` and returns at once with a handle on its delivery report.
    ///
    /// Waits only while the topic's metadata is unknown (up to `topic.metadata.propagation.max.ms`)
    /// or the buffer is full (up to `max.block.ms`, then `bufferFull`; at once with `max.block.ms=0`).
    /// Throws `KafkaProducerError` for a message that cannot be accepted (too large, unknown topic
    /// or partition, producer closed or failed), `CancellationError` when cancelled while waiting.
    @inlinable
    @discardableResult
    public func produceAsync(_ message: ProducerMessage) async throws -> DeliveryHandle {
        // The common case (route known, room in the buffer) is synchronous: inlined here, it costs
        // the caller no async call.
        if let handle = try tryProduce(message) { return handle }
        return try await produceWaiting(message)
    }

    /// Buffers `message` as `produceAsync` does, without a handle: its delivery report comes only
    /// on the events sequence and to the instrumentation listener (librdkafka's produce with a
    /// delivery report callback). Cheaper per message: no promise is allocated and fulfilled.
    /// Returns the message's ID, which its report carries.
    @inlinable
    @discardableResult
    public func enqueue(_ message: ProducerMessage) async throws -> ProducerMessageID {
        if let id = try tryProduce(message, promise: nil) { return id }
        return try await produceWaiting(message, withHandle: false).messageID
    }

    @inlinable
    func tryProduce(_ message: ProducerMessage) throws(KafkaProducerError) -> DeliveryHandle? {
        let promise = DeliveryPromise(userLabel: message.label)
        return try tryProduce(message, promise: promise).map { DeliveryHandle(messageID: $0, promise: promise) }
    }

    /// Appends `message` if its topic's route is known and the buffer has room; nil when the
    /// caller must wait (metadata, room). Throws when the message can never be accepted.
    @usableFromInline
    func tryProduce(_ message: ProducerMessage, promise: DeliveryPromise?) throws(KafkaProducerError) -> ProducerMessageID? {
        let now = ContinuousClock.now
        let wallClock = Self.currentTimeMs()
        let linger = configuration.linger
        let attempt = state.withLock { state -> AppendAttempt in
            guard let route = state.route(of: message.topic) else { return .needsRoute }
            let partition: Int32
            switch state.choosePartition(for: message, route: route) {
            case let .success(chosen): partition = chosen
            case let .failure(error): return .rejected(error)
            }
            let label: (any Sendable)? = promise ?? message.label
            switch state.accumulator.append(message, label: label, partition: partition, now: now,
                                            currentTimeMs: wallClock) {
            case let .appended(id, batchFull):
                let lingerEnd = now + linger
                var wake = batchFull
                if !wake, state.nextEvaluation.map({ $0 > lingerEnd }) ?? true { wake = true }
                if wake { state.nextEvaluation = min(state.nextEvaluation ?? lingerEnd, lingerEnd) }
                return .appended(id, partition, wake: wake)
            case .bufferFull:
                return .bufferFull(messages: 0, bytes: 0)
            case let .rejected(error):
                return .rejected(error)
            }
        }
        switch attempt {
        case let .appended(id, partition, wake):
            if wake { wakeup.signal() }
            metrics.accepted()
            listener?(.messageProduced(ProducedMessage(messageID: id, topic: message.topic, partition: partition)))
            return id
        case let .rejected(error):
            throw error
        case .needsRoute, .bufferFull:
            return nil
        }
    }

    /// `produceAsync` when it has to wait: for the topic's metadata, or for room in the buffer.
    @usableFromInline
    func produceWaiting(_ message: ProducerMessage, withHandle: Bool = true) async throws -> DeliveryHandle {
        let promise = DeliveryPromise(userLabel: message.label)
        var message = message
        if withHandle { message.label = promise }
        var roomDeadline: ContinuousClock.Instant? = nil
        let linger = configuration.linger
        while true {
            let now = ContinuousClock.now
            let wallClock = Self.currentTimeMs()
            let attempt = state.withLock { state -> AppendAttempt in
                guard let route = state.route(of: message.topic) else { return .needsRoute }
                let partition: Int32
                switch state.choosePartition(for: message, route: route) {
                case let .success(chosen): partition = chosen
                case let .failure(error): return .rejected(error)
                }
                switch state.accumulator.append(message, partition: partition, now: now, currentTimeMs: wallClock) {
                case let .appended(id, batchFull):
                    // Wake the sender when a batch filled, or when it would otherwise look later
                    // than this message's linger ends (a new batch after an idle period).
                    let lingerEnd = now + linger
                    var wake = batchFull
                    if !wake, state.nextEvaluation.map({ $0 > lingerEnd }) ?? true {
                        wake = true
                    }
                    if wake { state.nextEvaluation = min(state.nextEvaluation ?? lingerEnd, lingerEnd) }
                    return .appended(id, partition, wake: wake)
                case .bufferFull:
                    return .bufferFull(messages: state.accumulator.bufferedMessages, bytes: state.accumulator.bufferedBytes)
                case let .rejected(error):
                    return .rejected(error)
                }
            }
            switch attempt {
            case let .appended(id, partition, wake):
                if wake { wakeup.signal() }
                metrics.accepted()
                listener?(.messageProduced(ProducedMessage(messageID: id, topic: message.topic, partition: partition)))
                return DeliveryHandle(messageID: id, promise: promise)
            case .needsRoute:
                try await loadRoute(message.topic)
            case let .rejected(error):
                throw error
            case let .bufferFull(messages, bytes):
                metrics.bufferWasFull()
                publish([.bufferFull(topic: message.topic, messages: messages, bytes: bytes)])
                // A full buffer makes every batch sendable at once: tell the sender.
                wakeup.signal()
                switch configuration.bufferFullPolicy {
                case .failFast:
                    throw KafkaProducerError.bufferFull(messages: messages, bytes: bytes)
                case let .wait(timeout):
                    let deadline = roomDeadline ?? now + timeout
                    roomDeadline = deadline
                    let retry = await waitForRoom(recordSize: message.recordSizeUpperBound, until: deadline)
                    try Task.checkCancellation()
                    if !retry { throw KafkaProducerError.bufferFull(messages: messages, bytes: bytes) }
                }
            }
        }
    }

    /// Produces `message` and waits for its acknowledgment: where it landed, or why not (the
    /// message's `KafkaProducerError`).
    public func produceSync(_ message: ProducerMessage) async throws -> DeliveredMessage {
        let handle = try await produceAsync(message)
        return try await handle.delivered()
    }

    /// Buffers every message in order (as `produceAsync`) and returns their handles. A message
    /// that cannot be accepted throws; the messages before it were accepted and get their reports.
    public func produceManyAsync(_ messages: [ProducerMessage]) async throws -> [DeliveryHandle] {
        var handles: [DeliveryHandle] = []
        handles.reserveCapacity(messages.count)
        for message in messages {
            handles.append(try await produceAsync(message))
        }
        return handles
    }

    /// Produces every message and waits for all their reports, in the order given.
    public func produceManySync(_ messages: [ProducerMessage]) async throws -> [DeliveryReport] {
        let handles = try await produceManyAsync(messages)
        var reports: [DeliveryReport] = []
        reports.reserveCapacity(handles.count)
        for handle in handles { reports.append(try await handle.waitForReport()) }
        return reports
    }

    /// Sends everything buffered now and waits until every message accepted before the call has
    /// its delivery report (`run()` must be running). Throws `CancellationError` if cancelled.
    public func flush() async throws {
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let (outcome, done) = state.withLock { state -> (ProducerState.Outcome, Bool) in
                    let (flush, actions) = state.accumulator.beginFlush()
                    let outcome = state.settle(actions)
                    if actions.completedFlushes.contains(flush) || state.lifecycle == .finished || Task.isCancelled {
                        return (outcome, true)
                    }
                    state.flushWaiters[id] = (flush, continuation)
                    return (outcome, false)
                }
                deliver(outcome)
                wakeup.signal()
                if done { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.flushWaiters.removeValue(forKey: id) }?.continuation.resume()
        }
        try Task.checkCancellation()
    }

    /// Stops accepting messages, sends everything buffered, and returns once every message has its
    /// delivery report. `run()` (or `withKafkaProducer`) must be running to drain: it then returns too.
    public func close() async {
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let (outcome, done) = state.withLock { state -> (ProducerState.Outcome, Bool) in
                state.closeRequested = true
                let outcome = state.settle(state.accumulator.close())
                if state.accumulator.isClosed || state.lifecycle == .finished { return (outcome, true) }
                state.closeWaiters[id] = continuation
                return (outcome, false)
            }
            deliver(outcome)
            wakeup.signal()
            if done { continuation.resume() }
        }
    }

    /// Starts a graceful close without waiting for it (what a lifecycle graceful shutdown does).
    public func beginClose() {
        let outcome = state.withLock { state -> ProducerState.Outcome in
            state.closeRequested = true
            return state.settle(state.accumulator.close())
        }
        deliver(outcome)
        wakeup.signal()
    }

    /// Closes without draining: every message still held, queued or in flight, fails with
    /// `aborted` now (its report says so), and nothing more is accepted.
    public func closeNow() {
        let outcome = state.withLock { state -> ProducerState.Outcome in
            state.closeRequested = true
            return state.settle(state.accumulator.abort())
        }
        deliver(outcome)
        wakeup.signal()
    }

    // MARK: Queries

    /// Messages accepted and not yet reported (queued or in flight).
    public var bufferedMessages: Int { state.withLock { $0.accumulator.bufferedMessages } }

    /// Upper-bound bytes of the messages accepted and not yet reported: what `buffer.memory` bounds.
    public var bufferedBytes: Int { state.withLock { $0.accumulator.bufferedBytes } }

    /// The number of partitions of `topic`, from the metadata (fetched if needed).
    public func partitionCount(of topic: String) async throws -> Int {
        if let count = state.withLock({ $0.routes[topic]?.partitionCount }) { return Int(count) }
        try await loadRoute(topic)
        return Int(state.withLock { $0.routes[topic]?.partitionCount } ?? 0)
    }

    /// Whether the producer uses idempotence: nil until that is known (the broker's answer to
    /// InitProducerId, or its lack of the API, decides when `enable.idempotence` is auto).
    public var isIdempotent: Bool? {
        state.withLock { state in
            guard let idempotence = state.accumulator.idempotence else { return false }
            return idempotence.isReady ? true : nil
        }
    }

    // MARK: Lifecycle

    /// Runs the sender until the producer is closed and every message reported.
    ///
    /// A graceful shutdown of the surrounding `ServiceGroup` closes the producer (draining it);
    /// cancelling the task aborts it (`closeNow`). Returns when nothing is left; throws `closed`
    /// when called a second time.
    public func run() async throws {
        let canStart = state.withLock { state -> Bool in
            guard state.lifecycle == .idle else { return false }
            state.lifecycle = .running
            return true
        }
        guard canStart else { throw KafkaProducerError.closed }
        await withTaskCancellationHandler {
            await withGracefulShutdownHandler {
                await withDiscardingTaskGroup { group in
                    group.addTask { await self.cluster.run() }
                    await self.senderLoop(&group)
                    group.cancelAll()
                }
            } onGracefulShutdown: {
                self.beginClose()
            }
        } onCancel: {
            self.closeNow()
        }
        await cluster.shutdown()
        let outcome = state.withLock { state -> ProducerState.Outcome in
            state.lifecycle = .finished
            // Anyone still waiting for room or a flush: nothing more will come.
            var outcome = state.settle(ProducerActions())
            outcome.room += state.roomWaiters.values.map { ($0.continuation, true) }
            state.roomWaiters.removeAll()
            outcome.flushes += state.flushWaiters.values.map(\.continuation)
            state.flushWaiters.removeAll()
            return outcome
        }
        deliver(outcome)
        events?.finish()
    }

    // MARK: Helpers

    enum AppendAttempt {
        case appended(ProducerMessageID, Int32, wake: Bool)
        case needsRoute
        case bufferFull(messages: Int, bytes: Int)
        case rejected(KafkaProducerError)
    }

    /// Fetches `topic`'s metadata and adds its route, waiting up to
    /// `topic.metadata.propagation.max.ms` for a topic the cluster does not know yet.
    func loadRoute(_ topic: String) async throws {
        let deadline = ContinuousClock.now + configuration.topicMetadataPropagationTimeout
        while true {
            let metadata: ClusterMetadata
            do {
                metadata = try await cluster.metadata(topics: [topic])
            } catch {
                throw Self.producerError(error)
            }
            if let described = metadata.topics[topic], !described.partitions.isEmpty {
                state.withLock { $0.addRoute(described) }
                return
            }
            if let code = metadata.topicErrors[topic], code != .unknownTopicOrPartition, !code.isRetriable {
                throw KafkaProducerError.broker(KafkaError(code, brokerMessage: "topic \(topic)"))
            }
            guard ContinuousClock.now < deadline else { throw KafkaProducerError.unknownTopic(topic) }
            try await Task.sleep(for: configuration.client.retryBackoff)
            cluster.markMetadataStale(topics: [topic])
        }
    }

    /// Waits until reports free room (true: try again), the deadline passes or the task is
    /// cancelled (false). The sender resumes expired waiters.
    func waitForRoom(recordSize: Int, until deadline: ContinuousClock.Instant) async -> Bool {
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        let retry = await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { state -> Bool? in
                    if state.accumulator.hasRoom(forRecordSize: recordSize) || state.lifecycle == .finished
                        || state.closeRequested {
                        return true
                    }
                    if Task.isCancelled || ContinuousClock.now >= deadline { return false }
                    state.roomWaiters[id] = ProducerState.RoomWaiter(deadline: deadline, continuation: continuation)
                    return nil
                }
                if let now { continuation.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { $0.roomWaiters.removeValue(forKey: id) }?.continuation.resume(returning: false)
        }
        // The sender times the waiter out: it must know the deadline.
        wakeup.signal()
        return retry
    }

    /// Milliseconds since the Unix epoch (a record's create time).
    static func currentTimeMs() -> Int64 {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        return Int64(now.tv_sec) * 1000 + Int64(now.tv_nsec) / 1_000_000
    }

    /// A failure of the layers below as a producer error.
    static func producerError(_ error: any Error) -> KafkaProducerError {
        switch error {
        case let error as KafkaProducerError: error
        case let error as KafkaClientError: producerError(error)
        case let error as TransportError: error == .cancelled ? .aborted : .transport(error)
        case is CancellationError: .aborted
        default: producerError(KafkaClientError(error))
        }
    }

    static func producerError(_ error: KafkaClientError) -> KafkaProducerError {
        switch error {
        case let .transport(transport): transport == .cancelled ? .aborted : .transport(transport)
        case let .broker(kafkaError, _): .broker(kafkaError)
        case let .timedOut(after, last): last.map(producerError) ?? .transport(.requestTimedOut(api: .produce, correlationID: -1, after: after))
        case let .noBrokerAvailable(last):
            last.map(producerError) ?? .broker(KafkaError(.leaderNotAvailable, brokerMessage: "no broker could be reached"))
        case let .unknownBroker(id):
            .broker(KafkaError(.leaderNotAvailable, brokerMessage: "broker \(id) is not in the metadata"))
        case let .unknownTopic(topic): .unknownTopic(topic)
        case let .unknownPartition(topic, _): .broker(KafkaError(.unknownTopicOrPartition, brokerMessage: "topic \(topic)"))
        case let .invalidConfiguration(setting, reason): .encodingFailed("invalid configuration: \(setting): \(reason)")
        case let .unexpectedResponse(text): .broker(KafkaError(.unknownServerError, brokerMessage: text))
        case let .unsupported(text): .broker(KafkaError(.unsupportedVersion, brokerMessage: text))
        case .shutDown: .closed
        case .cancelled: .aborted
        }
    }
}

extension ProducerState {
    /// The partition for `message`: explicit as given (checked), else the router's choice, which
    /// may ask the accumulator whether the sticky partition's batch is still open.
    mutating func choosePartition(for message: ProducerMessage, route: TopicRoute) -> Result<Int32, KafkaProducerError> {
        if case let .explicit(partition) = message.partitioning {
            guard partition >= 0 && partition < route.partitionCount else {
                return .failure(.unknownPartition(topic: message.topic, partition: partition, partitionCount: route.partitionCount))
            }
            return .success(partition)
        }
        // The router is moved out while it runs, so its callback can read the accumulator.
        var router = PartitionRouter(partitioner: BuiltInPartitioner.random)
        swap(&router, &self.router)
        defer { swap(&router, &self.router) }
        let topic = message.topic
        return router.partition(for: message, partitionCount: route.partitionCount, availablePartitions: route.available,
                                hasOpenBatch: { self.accumulator.hasOpenBatch(TopicPartition(topic, $0), recordSize: $1) })
    }
}

extension ProducerMessage {
    /// A tombstone: a null value for `key`, which a compacted topic reads as "delete this key".
    public static func tombstone(topic: String, key: ByteSlice, headers: [Header] = [],
                                 partitioning: Partitioning = .automatic, label: (any Sendable)? = nil) -> ProducerMessage {
        ProducerMessage(topic: topic, value: nil, key: key, headers: headers, partitioning: partitioning, label: label)
    }
}

// MARK: Scoped use

/// Runs a producer for the duration of `body`: starts its sender, hands it to `body`, then closes
/// it (every message buffered is sent and reported) and waits for the sender to end, also when
/// `body` throws.
@discardableResult
public func withKafkaProducer<Result>(
    configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "swafka.producer"),
    instrumentation: (@Sendable (KafkaProducerEvent) -> Void)? = nil,
    _ body: (KafkaProducer) async throws -> Result
) async throws -> Result {
    let producer = try KafkaProducer(configuration: configuration, logger: logger, instrumentation: instrumentation)
    return try await producer.runScoped { try await body(producer) }
}

/// `withKafkaProducer` with the producer's events sequence (delivery reports and instrumentation
/// events): read it, in a child task or a loop of `body`'s, as the events are kept until read.
@discardableResult
public func withKafkaProducer<Result>(
    configuration: KafkaProducerConfiguration, logger: Logger = Logger(label: "swafka.producer"),
    instrumentation: (@Sendable (KafkaProducerEvent) -> Void)? = nil,
    _ body: (KafkaProducer, KafkaProducerEvents) async throws -> Result
) async throws -> Result {
    let (producer, events) = try KafkaProducer.makeProducerWithEvents(configuration: configuration, logger: logger,
                                                                       instrumentation: instrumentation)
    return try await producer.runScoped { try await body(producer, events) }
}

extension KafkaProducer {
    /// Runs `run()` in a child task around `body`, then closes and waits for it.
    @discardableResult
    public func runScoped<Result>(_ body: () async throws -> Result) async throws -> Result {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.run() }
            let outcome: Swift.Result<Result, any Error>
            do {
                outcome = .success(try await body())
            } catch {
                outcome = .failure(error)
            }
            await close()
            try await group.waitForAll()
            return try outcome.get()
        }
    }
}
