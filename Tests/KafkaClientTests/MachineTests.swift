@testable import KafkaClient
import KafkaTransport
import KafkaWire
import Testing

@Suite("Metadata refresh coalescing (state machine)")
struct MetadataRefreshMachineTests {
    let metadata = ClusterMetadata(fetchedAt: .now)

    @Test func firstCallerLeadsAndCoveredCallersJoin() {
        var machine = MetadataRefreshMachine<Int>()
        #expect(machine.refreshRequested(scope: .topics(["a", "b"]), waiterID: 0, waiter: 0) == .topics(["a", "b"]))
        #expect(machine.refreshRequested(scope: .topics(["a"]), waiterID: 1, waiter: 1) == nil)
        #expect(machine.refreshRequested(scope: .topics([]), waiterID: 2, waiter: 2) == nil)
        #expect(machine.waiterCount == 2)
        let resumed = machine.refreshFinished(.success(metadata))
        #expect(resumed.map(\.0) == [1, 2])
        #expect(resumed.allSatisfy { if case .finished(.success) = $0.1 { true } else { false } })
        #expect(!machine.isRefreshing)
    }

    @Test func uncoveredCallersQueueForOneNextRoundLedByTheFirst() {
        var machine = MetadataRefreshMachine<Int>()
        _ = machine.refreshRequested(scope: .topics(["a"]), waiterID: 0, waiter: 0)
        #expect(machine.refreshRequested(scope: .topics(["b"]), waiterID: 1, waiter: 1) == nil)
        #expect(machine.refreshRequested(scope: .topics(["c"]), waiterID: 2, waiter: 2) == nil)
        #expect(machine.refreshRequested(scope: .topics(["a"]), waiterID: 3, waiter: 3) == nil)  // joins the current round
        let resumed = machine.refreshFinished(.failure(.noBrokerAvailable(lastError: nil)))
        #expect(resumed.count == 2)
        #expect(resumed[0].0 == 3)
        guard case .finished(.failure) = resumed[0].1 else { Issue.record("\(resumed[0].1)"); return }
        #expect(resumed[1].0 == 1)
        guard case let .lead(scope) = resumed[1].1 else { Issue.record("\(resumed[1].1)"); return }
        #expect(scope == .topics(["b", "c"]))
        // Waiter 2 now waits for the round waiter 1 leads.
        #expect(machine.isRefreshing && machine.waiterCount == 1)
        #expect(machine.refreshFinished(.success(metadata)).map(\.0) == [2])
    }

    @Test func allTopicsCoversEverything() {
        #expect(MetadataScope.allTopics.covers(.topics(["x"])))
        #expect(!MetadataScope.topics(["x"]).covers(.allTopics))
        #expect(MetadataScope.topics(["x", "y"]).covers(.topics(["y"])))
        #expect(MetadataScope.topics(["x"]).union(.topics(["y"])) == .topics(["x", "y"]))
        #expect(MetadataScope.topics(["x"]).union(.allTopics) == .allTopics)
    }

    @Test func waitersThatGiveUpLeave() {
        var machine = MetadataRefreshMachine<Int>()
        _ = machine.refreshRequested(scope: .topics(["a"]), waiterID: 0, waiter: 0)
        _ = machine.refreshRequested(scope: .topics(["a"]), waiterID: 1, waiter: 1)
        _ = machine.refreshRequested(scope: .topics(["b"]), waiterID: 2, waiter: 2)
        #expect(machine.waiterGaveUp(1) == 1)
        #expect(machine.waiterGaveUp(2) == 2)
        #expect(machine.waiterGaveUp(2) == nil)
        #expect(machine.waiterGaveUp(0) == nil)  // the leader is not waiting
        // The queued round emptied: finishing promotes nobody.
        #expect(machine.refreshFinished(.success(metadata)).isEmpty)
        #expect(!machine.isRefreshing)
    }

    @Test func aCancelledLeaderHandsTheRoundToAWaiter() {
        var machine = MetadataRefreshMachine<Int>()
        _ = machine.refreshRequested(scope: .allTopics, waiterID: 0, waiter: 0)
        _ = machine.refreshRequested(scope: .topics(["a"]), waiterID: 1, waiter: 1)
        _ = machine.refreshRequested(scope: .topics(["b"]), waiterID: 2, waiter: 2)
        let handOver = machine.leaderCancelled()
        #expect(handOver.map(\.0) == [1])
        guard case .lead(.allTopics) = handOver.first?.1 else { Issue.record("\(handOver)"); return }
        #expect(machine.refreshFinished(.success(metadata)).map(\.0) == [2])
        // No waiter left: a cancelled leader just ends the round.
        _ = machine.refreshRequested(scope: .allTopics, waiterID: 9, waiter: 9)
        #expect(machine.leaderCancelled().isEmpty)
        #expect(!machine.isRefreshing)
    }
}

extension MetadataRefreshSignal: CustomStringConvertible {
    public var description: String {
        switch self {
        case let .lead(scope): "lead(\(scope))"
        case let .finished(result): "finished(\(result))"
        }
    }
}

@Suite("Connection pool (state machine)")
struct ConnectionPoolMachineTests {
    final class Channel: Sendable {
        let name: String
        init(_ name: String) { self.name = name }
    }

    typealias Machine = ConnectionPoolMachine<Channel, Int>
    let a = BrokerAddress(host: "a", port: 1)
    let b = BrokerAddress(host: "b", port: 2)
    let now = ContinuousClock.now

    func request(_ machine: inout Machine, _ key: PoolKey, _ address: BrokerAddress, waiter: Int,
                 at time: ContinuousClock.Instant? = nil, closed: Bool = false) -> (Machine.Decision, Channel?) {
        let (decision, close) = machine.connectionRequested(key: key, address: address, now: time ?? now, waiterID: UInt64(waiter),
                                                            waiter: waiter, isClosed: { _ in closed })
        return (decision, close)
    }

    @Test func concurrentCallersShareOneConnectAttempt() {
        var machine = Machine()
        guard case .connect(reconnect: false) = request(&machine, .node(1), a, waiter: 0).0 else { Issue.record("first connects"); return }
        guard case .wait = request(&machine, .node(1), a, waiter: 1).0 else { Issue.record("second waits"); return }
        guard case .wait = request(&machine, .node(1), a, waiter: 2).0 else { Issue.record("third waits"); return }
        let channel = Channel("1")
        let (waiters, discard) = machine.connectSucceeded(key: .node(1), address: a, channel: channel)
        #expect(Set(waiters) == [1, 2] && !discard)
        guard case let .use(used) = request(&machine, .node(1), a, waiter: 3).0 else { Issue.record("then used"); return }
        #expect(used === channel)
    }

    @Test func failuresBackOffThenReconnect() {
        var machine = Machine()
        _ = request(&machine, .node(1), a, waiter: 0)
        _ = request(&machine, .node(1), a, waiter: 1)
        let failed = machine.connectFailed(key: .node(1), address: a, error: .transport(.shutDown), now: now,
                                           delay: { attempt in .milliseconds(100 << attempt) })
        #expect(failed == [1])
        guard case let .backoff(until, _) = request(&machine, .node(1), a, waiter: 2, at: now + .milliseconds(50)).0 else {
            Issue.record("in backoff"); return
        }
        #expect(until == now + .milliseconds(100))
        #expect(machine.isBackingOff(.node(1), now: now + .milliseconds(99)))
        guard case .connect(reconnect: true) = request(&machine, .node(1), a, waiter: 3, at: now + .milliseconds(100)).0 else {
            Issue.record("reconnects after backoff"); return
        }
        // The second failure doubles the backoff.
        _ = machine.connectFailed(key: .node(1), address: a, error: .transport(.shutDown), now: now, delay: { .milliseconds(100 << $0) })
        guard case let .backoff(until2, _) = request(&machine, .node(1), a, waiter: 4, at: now).0 else { Issue.record("backoff"); return }
        #expect(until2 == now + .milliseconds(200))
    }

    @Test func aClosedConnectionIsReplacedAndAMovedBrokerClosesTheOld() {
        var machine = Machine()
        _ = request(&machine, .node(1), a, waiter: 0)
        let first = Channel("first")
        _ = machine.connectSucceeded(key: .node(1), address: a, channel: first)
        guard case .connect(reconnect: true) = request(&machine, .node(1), a, waiter: 1, closed: true).0 else {
            Issue.record("closed channel reconnects"); return
        }
        let second = Channel("second")
        _ = machine.connectSucceeded(key: .node(1), address: a, channel: second)
        let (decision, stale) = request(&machine, .node(1), b, waiter: 2)
        guard case .connect(reconnect: false) = decision else { Issue.record("moved broker connects anew"); return }
        #expect(stale === second)
        // A connect to the old address that finishes late is discarded.
        #expect(machine.connectSucceeded(key: .node(1), address: a, channel: Channel("late")).discard)
    }

    @Test func bootstrapConnectionsAreAdoptedAndDepartedBrokersDropped() {
        var machine = Machine()
        _ = request(&machine, .bootstrap(a), a, waiter: 0)
        let bootstrap = Channel("bootstrap")
        _ = machine.connectSucceeded(key: .bootstrap(a), address: a, channel: bootstrap)
        _ = request(&machine, .node(7), b, waiter: 1)
        _ = machine.connectSucceeded(key: .node(7), address: b, channel: Channel("seven"))
        let closing = machine.brokersChanged([1: a])
        #expect(closing.map(\.name) == ["seven"])
        guard case let .use(adopted) = request(&machine, .node(1), a, waiter: 2).0 else { Issue.record("adopted"); return }
        #expect(adopted === bootstrap)
        #expect(machine.readyChannels.map(\.key) == [.node(1)])
    }

    @Test func cancelledWaitersLeaveAndShutdownFailsTheRest() {
        var machine = Machine()
        _ = request(&machine, .node(1), a, waiter: 0)
        _ = request(&machine, .node(1), a, waiter: 1)
        _ = request(&machine, .node(1), a, waiter: 2)
        #expect(machine.waiterCancelled(key: .node(1), waiterID: 1) == 1)
        #expect(machine.waiterCancelled(key: .node(1), waiterID: 1) == nil)
        let (_, waiters) = machine.shutdown()
        #expect(waiters == [2])
        guard case .shutDown = request(&machine, .node(1), a, waiter: 3).0 else { Issue.record("shut"); return }
    }
}

@Suite("Retry classification")
struct RetryDecisionTests {
    @Test(arguments: [
        (KafkaClientError.broker(KafkaError(.notLeaderOrFollower)), RetryDecision(retry: true, refreshMetadata: true)),
        (.broker(KafkaError(.unknownTopicOrPartition)), RetryDecision(retry: true, refreshMetadata: true)),
        (.broker(KafkaError(.leaderNotAvailable)), RetryDecision(retry: true, refreshMetadata: true)),
        (.broker(KafkaError(.fencedLeaderEpoch)), RetryDecision(retry: true, refreshMetadata: true)),
        (.broker(KafkaError(.notController)), RetryDecision(retry: true, refreshMetadata: true)),
        (.broker(KafkaError(.notCoordinator)), RetryDecision(retry: true, findCoordinator: true)),
        (.broker(KafkaError(.coordinatorNotAvailable)), RetryDecision(retry: true, findCoordinator: true)),
        (.broker(KafkaError(.coordinatorLoadInProgress)), RetryDecision(retry: true)),
        (.broker(KafkaError(.requestTimedOut)), RetryDecision(retry: true)),
        (.broker(KafkaError(.topicAuthorizationFailed)), RetryDecision.fail),
        (.broker(KafkaError(.topicAlreadyExists)), RetryDecision.fail),
        (.broker(KafkaError(ErrorCode(rawValue: 999))), RetryDecision.fail),
        (.transport(.connectionClosed(BrokerAddress(host: "h", port: 1), reason: "x")),
         RetryDecision(retry: true, refreshMetadata: true, findCoordinator: true, dropConnection: true)),
        (.transport(.requestTimedOut(api: .metadata, correlationID: 1, after: .seconds(1))),
         RetryDecision(retry: true, refreshMetadata: true, findCoordinator: true, dropConnection: true)),
        (.transport(.unsupportedVersion(api: .createTopics, ours: 0...7, theirs: nil)), RetryDecision.fail),
        (.noBrokerAvailable(lastError: nil), RetryDecision(retry: true, refreshMetadata: true)),
        (.unknownTopic("t"), RetryDecision.fail), (.cancelled, RetryDecision.fail), (.shutDown, RetryDecision.fail),
        (.timedOut(after: .seconds(1), lastError: nil), RetryDecision.fail),
        (.invalidConfiguration(setting: "x", reason: "y"), RetryDecision.fail),
    ])
    func classifies(error: KafkaClientError, expected: RetryDecision) {
        #expect(RetryDecision.decide(error) == expected)
    }

    @Test func errorsReportRetriabilityAndTheirKafkaName() {
        let error = KafkaClientError.broker(KafkaError(.topicAuthorizationFailed, brokerMessage: "denied"), context: "topic t")
        #expect(!error.isRetriable)
        #expect(error.description == "topic t: TOPIC_AUTHORIZATION_FAILED (29): denied")
        #expect(error.errorCode == .topicAuthorizationFailed)
        let timedOut = KafkaClientError.timedOut(after: .seconds(2), lastError: .broker(KafkaError(.leaderNotAvailable)))
        #expect(timedOut.isRetriable && timedOut.errorCode == .leaderNotAvailable)
        #expect(timedOut.description.contains("LEADER_NOT_AVAILABLE"))
        #expect(KafkaClientError(TransportError.cancelled) == .cancelled)
        #expect(KafkaClientError(CancellationError()) == .cancelled)
        #expect(KafkaClientError(KafkaError(.notCoordinator)) == .broker(KafkaError(.notCoordinator)))
    }

    @Test func theScheduleStopsBeforeTheDeadline() {
        let start = ContinuousClock.now
        var schedule = RetrySchedule(timeout: .milliseconds(100), backoff: ExponentialBackoff(base: .milliseconds(30),
                                                                                              maximum: .milliseconds(30), jitter: 0),
                                     now: start)
        #expect(schedule.nextDelay(now: start) == .milliseconds(30))
        #expect(schedule.nextDelay(now: start + .milliseconds(60)) == .milliseconds(30))
        #expect(schedule.nextDelay(now: start + .milliseconds(75)) == nil)
        #expect(schedule.remaining(now: start + .seconds(1)) == .zero)
    }
}

@Suite("Error codes in responses")
struct ErrorCodeCollectorTests {
    @Test func collectsNestedAndTaggedErrorCodesAtTheirVersions() {
        var response = CreateTopicsResponse(topics: [
            .init(name: "a", errorCode: .topicAlreadyExists, topicConfigErrorCode: .invalidConfig),
            .init(name: "b", errorCode: .none),
        ])
        #expect(ErrorCodeCollector.errorCodes(in: response, version: 7) == [.topicAlreadyExists, .invalidConfig])
        // TopicConfigErrorCode is v5+: at v4 it is not part of the message.
        #expect(ErrorCodeCollector.errorCodes(in: response, version: 4) == [.topicAlreadyExists])
        response.topics[1].errorCode = .notController
        #expect([ErrorCode.topicAlreadyExists, .invalidConfig, .notController].summary == "TOPIC_ALREADY_EXISTS, INVALID_CONFIG, NOT_CONTROLLER")

        let metadata = MetadataResponse(topics: [
            .init(errorCode: .leaderNotAvailable, name: "t", partitions: [
                .init(errorCode: .leaderNotAvailable, partitionIndex: 0), .init(errorCode: .none, partitionIndex: 1),
            ]),
        ])
        #expect(ErrorCodeCollector.errorCodes(in: metadata, version: 12).summary == "LEADER_NOT_AVAILABLE x2")

        let coordinators = FindCoordinatorResponse(errorCode: .notCoordinator, coordinators: [.init(key: "g", errorCode: .coordinatorNotAvailable)])
        #expect(ErrorCodeCollector.errorCodes(in: coordinators, version: 4) == [.coordinatorNotAvailable])
        #expect(ErrorCodeCollector.errorCodes(in: coordinators, version: 3) == [.notCoordinator])
    }
}
