import KafkaWire
import Synchronization

/// A topic as the producer routes to it: partition count and each partition's leader, rebuilt from
/// the cluster client's metadata snapshot whenever a new one arrives.
struct TopicRoute: Sendable {
    var partitionCount: Int32
    /// Leader node id by partition index; nil while a partition has none.
    var leaders: [Int32?]
    /// Partitions with a leader, ascending (the partitioners' `availablePartitions`).
    var available: [Int32]

    init(_ topic: TopicMetadata) {
        let count = Int(topic.partitions.map { $0.partition + 1 }.max() ?? 0)
        var leaders = [Int32?](repeating: nil, count: count)
        for partition in topic.partitions where partition.partition >= 0 {
            leaders[Int(partition.partition)] = partition.leader
        }
        self.partitionCount = Int32(count)
        self.leaders = leaders
        self.available = leaders.indices.filter { leaders[$0] != nil }.map { Int32($0) }
    }

    func leader(of partition: Int32) -> Int32? {
        partition >= 0 && Int(partition) < leaders.count ? leaders[Int(partition)] : nil
    }
}

/// Everything a `KafkaProducer` holds behind its one lock: the pure core (router and accumulator)
/// plus the bookkeeping of the loop that drives it (requests in flight per broker, waiters).
///
/// STYLE: lock, transition, unlock, then act. Every method here is a transition; the continuations
/// it hands back are resumed, and the I/O it asks for started, after the lock is released.
struct ProducerState: Sendable {
    enum Lifecycle: Sendable {
        /// `run()` has not started: messages are buffered, nothing is sent.
        case idle
        /// `run()` drives the sender.
        case running
        /// `run()` has returned: nothing more is accepted or sent.
        case finished
    }

    /// Someone waiting for room in a full buffer.
    struct RoomWaiter: Sendable {
        var deadline: ContinuousClock.Instant
        var continuation: CheckedContinuation<Bool, Never>
    }

    var accumulator: RecordAccumulator
    var router: PartitionRouter
    var lifecycle: Lifecycle = .idle
    var closeRequested = false

    /// Routes of the topics produced to, and the snapshot they were built from.
    var routes: [String: TopicRoute] = [:] {
        didSet { lastRoute = nil }
    }
    /// The route of the topic produced to last: a stream to one topic skips hashing its name.
    private var lastRoute: (topic: String, route: TopicRoute)? = nil

    /// The route of `topic`, if known.
    mutating func route(of topic: String) -> TopicRoute? {
        if let last = lastRoute, last.topic == topic { return last.route }
        guard let route = routes[topic] else { return nil }
        lastRoute = (topic, route)
        return route
    }
    var routesBuiltAt: ContinuousClock.Instant? = nil

    /// Produce requests written or being written, per broker.
    var inFlightRequests: [Int32: Int] = [:]
    /// Brokers whose last drained request has not yet taken its place on the connection: the next
    /// request to that broker waits, so a partition's batches reach the broker in drain order.
    var submitting: Set<Int32> = []
    /// When the sender next looks at the accumulator unless woken; nil: only when woken.
    var nextEvaluation: ContinuousClock.Instant? = nil

    /// InitProducerId: one at a time, not again before `producerIDNotBefore` after a failure.
    var producerIDRequestInFlight = false
    var producerIDNotBefore: ContinuousClock.Instant? = nil

    /// Topics whose metadata must be refreshed, and whether a refresh is running.
    var pendingRefresh: Set<String> = []
    var refreshInFlight = false

    var flushWaiters: [UInt64: (flush: FlushID, continuation: CheckedContinuation<Void, Never>)] = [:]
    var closeWaiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
    var roomWaiters: [UInt64: RoomWaiter] = [:]

    init(accumulator: RecordAccumulator, router: PartitionRouter) {
        self.accumulator = accumulator
        self.router = router
    }

    /// What to do once the lock is released, after any transition.
    struct Outcome: Sendable {
        var actions = ProducerActions()
        var flushes: [CheckedContinuation<Void, Never>] = []
        var closers: [CheckedContinuation<Void, Never>] = []
        /// Room waiters to resume: true to try again, false when their time is up.
        var room: [(CheckedContinuation<Bool, Never>, Bool)] = []
        var bufferedMessages = 0
        var bufferedBytes = 0

        var isEmpty: Bool { actions.isEmpty && flushes.isEmpty && closers.isEmpty && room.isEmpty }
    }

    /// Wraps accumulator actions with the continuations they release.
    mutating func settle(_ actions: ProducerActions) -> Outcome {
        var outcome = Outcome()
        outcome.actions = actions
        if !actions.completedFlushes.isEmpty {
            let done = Set(actions.completedFlushes)
            for (id, waiter) in flushWaiters where done.contains(waiter.flush) {
                flushWaiters[id] = nil
                outcome.flushes.append(waiter.continuation)
            }
        }
        if !actions.reports.isEmpty && !roomWaiters.isEmpty {
            // Reports freed memory: every waiter tries again (those that still find no room wait again).
            outcome.room = roomWaiters.values.map { ($0.continuation, true) }
            roomWaiters.removeAll()
        }
        if accumulator.isClosed || lifecycle == .finished {
            outcome.closers = Array(closeWaiters.values)
            closeWaiters.removeAll()
        }
        outcome.bufferedMessages = accumulator.bufferedMessages
        outcome.bufferedBytes = accumulator.bufferedBytes
        return outcome
    }

    /// The leader lookup the accumulator takes, over a copy of the routes.
    static func leaders(_ routes: [String: TopicRoute]) -> (TopicPartition) -> Int32? {
        { routes[$0.topic]?.leader(of: $0.partition) }
    }

    /// Rebuilds the routes of the topics produced to from a new metadata snapshot.
    mutating func updateRoutes(from metadata: ClusterMetadata) {
        guard routesBuiltAt != metadata.fetchedAt else { return }
        routesBuiltAt = metadata.fetchedAt
        for name in routes.keys {
            if let topic = metadata.topics[name] { routes[name] = TopicRoute(topic) }
        }
    }

    /// Adds (or replaces) the route of `topic`.
    mutating func addRoute(_ topic: TopicMetadata) {
        routes[topic.name] = TopicRoute(topic)
    }

    // MARK: The sender's step

    /// What one pass of the sender decided.
    struct SenderStep: Sendable {
        var outcome: Outcome
        var plans: [ProduceRequestPlan] = []
        var producerIDRequest: InitProducerIdRequest? = nil
        var startRefresh = false
        var sleepUntil: ContinuousClock.Instant? = nil
        var done = false
    }

    /// One pass: expire, time out room waiters, ask for a producer ID, find ready brokers, drain
    /// one request's worth for each broker that may take one more, and decide when to look again.
    mutating func senderStep(now: ContinuousClock.Instant, maxInFlight: Int) -> SenderStep {
        let actions = accumulator.expireBatches(now: now)
        var expiredRoom: [(CheckedContinuation<Bool, Never>, Bool)] = []
        var earliestRoomDeadline: ContinuousClock.Instant? = nil
        for (id, waiter) in roomWaiters {
            if waiter.deadline <= now {
                roomWaiters[id] = nil
                expiredRoom.append((waiter.continuation, false))
            } else {
                earliestRoomDeadline = RecordAccumulator.earliest(earliestRoomDeadline, waiter.deadline)
            }
        }
        var step = SenderStep(outcome: Outcome())

        var producerIDWait: ContinuousClock.Instant? = nil
        if !producerIDRequestInFlight {
            if let notBefore = producerIDNotBefore, notBefore > now {
                producerIDWait = notBefore
            } else if let request = accumulator.producerIDRequest() {
                producerIDRequestInFlight = true
                producerIDNotBefore = nil
                step.producerIDRequest = request
            }
        }

        let leaderOf = Self.leaders(routes)
        let check = accumulator.ready(now: now, leaderOf: leaderOf)
        if !check.unknownLeaderTopics.isEmpty { pendingRefresh.formUnion(check.unknownLeaderTopics) }
        for broker in check.readyBrokers.sorted() {
            guard !submitting.contains(broker), inFlightRequests[broker, default: 0] < maxInFlight else { continue }
            guard let plan = accumulator.drain(broker: broker, now: now, leaderOf: leaderOf) else { continue }
            submitting.insert(broker)
            inFlightRequests[broker, default: 0] += 1
            step.plans.append(plan)
        }
        if !pendingRefresh.isEmpty && !refreshInFlight {
            refreshInFlight = true
            step.startRefresh = true
        }
        var next = check.nextCheck
        if let deadline = earliestRoomDeadline { next = RecordAccumulator.earliest(next, deadline) }
        if let wait = producerIDWait { next = RecordAccumulator.earliest(next, wait) }
        nextEvaluation = next
        step.sleepUntil = next
        step.done = accumulator.isClosed
        step.outcome = settle(actions)
        step.outcome.room += expiredRoom
        return step
    }
}
