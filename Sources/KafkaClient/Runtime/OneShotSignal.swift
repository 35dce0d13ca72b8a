import Synchronization

/// A flag set once (a client shut down, a consumer closed, a source stopped) that any number of
/// tasks can wait on; waits are cancellable. `package`: the framework's runtime uses it too.
package final class OneShotSignal: Sendable {
    private struct State {
        var isSet = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    package init() {}

    /// Whether the flag is set.
    package var isSet: Bool { state.withLock { $0.isSet } }

    /// Sets the flag and wakes every waiter; false if it was already set.
    @discardableResult
    package func set() -> Bool {
        let (first, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            defer { state.isSet = true; state.waiters.removeAll() }
            return (!state.isSet, Array(state.waiters.values))
        }
        for waiter in waiters { waiter.resume() }
        return first
    }

    /// Returns once the flag is set, or when the task is cancelled.
    package func wait() async {
        let id = state.withLock { state -> UInt64 in
            state.nextID += 1
            return state.nextID
        }
        await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let resumeNow = state.withLock { state -> Bool in
                    if state.isSet || Task.isCancelled { return true }
                    state.waiters[id] = continuation
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
        }
    }

    /// Sleeps for `duration`, or less when the flag is set or the task is cancelled: true when it
    /// slept the whole time (and the flag is still clear).
    package func sleep(for duration: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask { (try? await Task.sleep(for: duration)) != nil }
            group.addTask {
                await self.wait()
                return false
            }
            let slept = await group.next() ?? false
            group.cancelAll()
            return slept && !isSet
        }
    }
}
