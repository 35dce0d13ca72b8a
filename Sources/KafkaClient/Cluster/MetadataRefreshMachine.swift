/// Coalesces metadata refreshes: however many callers ask at once, one Metadata request is in flight.
///
/// A caller that asks while a request is in flight joins it when the request covers what it needs
/// (its topics, or all topics), and is queued for the next round otherwise. When a round ends, its
/// waiters get the outcome, and the first queued caller leads the next round for every queued caller
/// with the union of their scopes. The caller that leads does the I/O on its own task: there is no
/// background task. If the leader is cancelled, the next waiter takes over the same round; a waiter
/// that gives up (cancelled, or its own deadline passed) just leaves.
///
/// Pure: `Waiter` is whatever the owner resumes (a continuation; an integer in tests).
struct MetadataRefreshMachine<Waiter> {
    typealias Signal = MetadataRefreshSignal

    private typealias Entry = (id: UInt64, waiter: Waiter)

    private enum State {
        case idle
        case inFlight(scope: MetadataScope, waiters: [Entry])
    }

    private var state: State = .idle
    private var queued: (scope: MetadataScope, waiters: [Entry])? = nil

    /// True while a Metadata request is in flight.
    var isRefreshing: Bool {
        if case .inFlight = state { return true }
        return false
    }

    /// The number of callers waiting (joined or queued).
    var waiterCount: Int {
        var count = queued?.waiters.count ?? 0
        if case let .inFlight(_, waiters) = state { count += waiters.count }
        return count
    }

    /// A caller needs metadata for `scope`. Returns the scope to request when the caller must send the
    /// request itself (it leads the round), nil when it waits (its waiter is resumed later).
    mutating func refreshRequested(scope: MetadataScope, waiterID: UInt64, waiter: Waiter) -> MetadataScope? {
        let entry = (id: waiterID, waiter: waiter)
        switch state {
        case .idle:
            state = .inFlight(scope: scope, waiters: [])
            return scope
        case let .inFlight(current, waiters) where current.covers(scope):
            state = .inFlight(scope: current, waiters: waiters + [entry])
            return nil
        case .inFlight:
            if let pending = queued {
                queued = (pending.scope.union(scope), pending.waiters + [entry])
            } else {
                queued = (scope, [entry])
            }
            return nil
        }
    }

    /// A waiting caller gives up (cancelled, or past its own deadline): returns its waiter to resume,
    /// nil when it is no longer waiting (already resumed, or leading).
    mutating func waiterGaveUp(_ waiterID: UInt64) -> Waiter? {
        if case .inFlight(let scope, var waiters) = state, let index = waiters.firstIndex(where: { $0.id == waiterID }) {
            let entry = waiters.remove(at: index)
            state = .inFlight(scope: scope, waiters: waiters)
            return entry.waiter
        }
        if var pending = queued, let index = pending.waiters.firstIndex(where: { $0.id == waiterID }) {
            let entry = pending.waiters.remove(at: index)
            queued = pending.waiters.isEmpty ? nil : pending
            return entry.waiter
        }
        return nil
    }

    /// The leader's request ended. Returns whom to resume with what: the round's waiters get the
    /// outcome; the first queued waiter (if any) leads the next round.
    mutating func refreshFinished(_ outcome: Result<ClusterMetadata, KafkaClientError>) -> [(Waiter, Signal)] {
        guard case let .inFlight(_, waiters) = state else { return [] }
        var resume = waiters.map { ($0.waiter, Signal.finished(outcome)) }
        state = .idle
        if let next = queued, let first = next.waiters.first {
            queued = nil
            state = .inFlight(scope: next.scope, waiters: Array(next.waiters.dropFirst()))
            resume.append((first.waiter, .lead(next.scope)))
        }
        return resume
    }

    /// The leader was cancelled before its request ended: the first waiter of the round takes it over
    /// (with the same scope); with no waiter, the round is abandoned.
    mutating func leaderCancelled() -> [(Waiter, Signal)] {
        guard case let .inFlight(scope, waiters) = state else { return [] }
        if let first = waiters.first {
            state = .inFlight(scope: scope, waiters: Array(waiters.dropFirst()))
            return [(first.waiter, .lead(scope))]
        }
        state = .idle
        // Nobody waits for this round; a queued round still needs a leader.
        if let next = queued, let first = next.waiters.first {
            queued = nil
            state = .inFlight(scope: next.scope, waiters: Array(next.waiters.dropFirst()))
            return [(first.waiter, .lead(next.scope))]
        }
        return []
    }
}

/// What a caller of the refresh machine is told.
enum MetadataRefreshSignal: Sendable {
    /// Send a Metadata request for this scope, then report `refreshFinished` (or `leaderCancelled`).
    case lead(MetadataScope)
    /// The round this caller waited for ended with this outcome.
    case finished(Result<ClusterMetadata, KafkaClientError>)
}
