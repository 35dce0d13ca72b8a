import KafkaSecurity
import KafkaTransport
import KafkaWire

/// What to do after an attempt failed: give up, or retry after refreshing what the failure says is stale.
///
/// Pure: the cluster client applies the decision (marks metadata stale, forgets a coordinator,
/// drops a connection) and backs off with `retry.backoff.ms` before the next attempt, until the
/// operation's deadline.
struct RetryDecision: Equatable, Sendable {
    /// Whether to try again.
    var retry: Bool
    /// Refresh metadata before the next attempt (the leader or controller may have moved).
    var refreshMetadata: Bool = false
    /// Look the coordinator up again before the next attempt.
    var findCoordinator: Bool = false
    /// The connection used is unusable: forget it.
    var dropConnection: Bool = false

    static let fail = RetryDecision(retry: false)

    /// Classifies `error`.
    ///
    /// - Transport failures retry when `TransportError.isRetriable` says so (connection lost, timeout,
    ///   connect failure): the broker may be gone, so metadata is refreshed and a coordinator on it
    ///   looked up again.
    /// - Kafka errors retry when Kafka marks them retriable; routing errors (NOT_LEADER_OR_FOLLOWER,
    ///   UNKNOWN_TOPIC_OR_PARTITION, LEADER_NOT_AVAILABLE, FENCED/UNKNOWN_LEADER_EPOCH, NOT_CONTROLLER,
    ///   ...) also refresh metadata, and coordinator errors (NOT_COORDINATOR, COORDINATOR_NOT_AVAILABLE)
    ///   find the coordinator again.
    /// - Everything else (configuration, unknown topic per fresh metadata, unsupported versions,
    ///   malformed responses, cancellation) fails at once.
    static func decide(_ error: KafkaClientError) -> RetryDecision {
        switch error {
        case let .transport(transport):
            guard transport.isRetriable else { return .fail }
            return RetryDecision(retry: true, refreshMetadata: true, findCoordinator: true, dropConnection: true)
        case let .broker(kafka, _):
            let code = kafka.code
            if Self.coordinatorErrors.contains(code) {
                return RetryDecision(retry: true, findCoordinator: true)
            }
            if Self.metadataErrors.contains(code) {
                return RetryDecision(retry: true, refreshMetadata: true)
            }
            return code.isRetriable ? RetryDecision(retry: true) : .fail
        case let .noBrokerAvailable(.transport(.tlsFailed(_, tls))?) where !tls.isRetriable:
            // An untrusted, expired or misnamed certificate, or a refused client certificate, is a
            // configuration problem: retrying until the deadline would only hide it.
            return .fail
        case .noBrokerAvailable:
            return RetryDecision(retry: true, refreshMetadata: true)
        case .timedOut, .invalidConfiguration, .unknownTopic, .unknownPartition, .unknownBroker, .unexpectedResponse,
             .unsupported, .shutDown, .cancelled:
            return .fail
        }
    }

    /// Errors meaning the client's metadata is out of date.
    static let metadataErrors: Set<ErrorCode> = [
        .notLeaderOrFollower, .unknownTopicOrPartition, .leaderNotAvailable, .fencedLeaderEpoch, .unknownLeaderEpoch,
        .notController, .brokerNotAvailable, .replicaNotAvailable, .kafkaStorageError, .unknownTopicId,
        .inconsistentTopicId, .offsetNotAvailable,
    ]

    /// Errors meaning the coordinator moved or is not ready.
    static let coordinatorErrors: Set<ErrorCode> = [.notCoordinator, .coordinatorNotAvailable]
}

/// The deadline of one client operation and the backoff between its attempts.
struct RetrySchedule: Sendable {
    let start: ContinuousClock.Instant
    let deadline: ContinuousClock.Instant
    let timeout: Duration
    let backoff: ExponentialBackoff
    private(set) var attempt = 0

    init(timeout: Duration, backoff: ExponentialBackoff, now: ContinuousClock.Instant = .now) {
        self.start = now
        self.timeout = timeout
        self.deadline = now + timeout
        self.backoff = backoff
    }

    /// Time left before the deadline (zero once past it).
    func remaining(now: ContinuousClock.Instant = .now) -> Duration { max(.zero, deadline - now) }

    /// The delay before the next attempt, or nil when the deadline leaves no room for one.
    mutating func nextDelay(now: ContinuousClock.Instant = .now) -> Duration? {
        let delay = backoff.delay(attempt: attempt)
        attempt += 1
        return now + delay < deadline ? delay : nil
    }
}
