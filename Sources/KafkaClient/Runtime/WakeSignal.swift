import Synchronization

/// A one-waiter wake-up flag for the client's loops (the producer's sender, the consumer's fetch
/// driver and group loop): `signal()` wakes the waiter, or, when nobody waits, makes the next `wait`
/// return at once (signals do not queue up beyond one, so a signal sent while the loop is busy is
/// not lost).
final class WakeSignal: Sendable {
    private struct State {
        var pending = false
        var waiter: CheckedContinuation<Void, Never>?
    }

    private let state = Mutex(State())

    /// Wakes the waiter, or arms the next wait.
    func signal() {
        let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
            if let waiter = state.waiter {
                state.waiter = nil
                return waiter
            }
            state.pending = true
            return nil
        }
        waiter?.resume()
    }

    /// Returns when signalled (consuming the signal), at `deadline` (nil: none), or on cancellation.
    /// Returning at once still yields, so a loop whose deadline is already due lets other tasks
    /// run (the cooperative pool has as many threads as cores: two loops that never suspend can
    /// starve everything else).
    func wait(until deadline: ContinuousClock.Instant?) async {
        if state.withLock({ state in defer { state.pending = false }; return state.pending }) {
            await Task.yield()
            return
        }
        guard let deadline else {
            await waitForSignal()
            return
        }
        if deadline <= .now {
            await Task.yield()
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { await self.waitForSignal() }
            group.addTask { try? await Task.sleep(until: deadline, clock: .continuous) }
            await group.next()
            group.cancelAll()
        }
    }

    private func waitForSignal() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let now = state.withLock { state -> Bool in
                    if state.pending || Task.isCancelled {
                        state.pending = false
                        return true
                    }
                    state.waiter = continuation
                    return false
                }
                if now { continuation.resume() }
            }
        } onCancel: {
            state.withLock { state in defer { state.waiter = nil }; return state.waiter }?.resume()
        }
    }
}
