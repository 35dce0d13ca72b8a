import Synchronization

/// A one-way flag that long waits (the `run()` loop's sleeps) can wait on.
final class ShutdownSignal: Sendable {
    private struct State {
        var isSet = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextID: UInt64 = 0
    }

    private let state = Mutex(State())

    var isSet: Bool { state.withLock { $0.isSet } }

    /// Sets the flag and wakes every waiter; false if it was already set.
    @discardableResult
    func set() -> Bool {
        let (first, waiters) = state.withLock { state -> (Bool, [CheckedContinuation<Void, Never>]) in
            defer { state.isSet = true; state.waiters.removeAll() }
            return (!state.isSet, Array(state.waiters.values))
        }
        for waiter in waiters { waiter.resume() }
        return first
    }

    /// Sleeps for `duration`; returns early (true) when the flag is set, and false after a full sleep
    /// or when the task is cancelled.
    func sleep(for duration: Duration) async -> Bool {
        await withTaskGroup(of: Bool.self) { group in
            group.addTask {
                try? await Task.sleep(for: duration)
                return false
            }
            group.addTask { await self.wait() }
            let first = await group.next() ?? false
            group.cancelAll()
            return first
        }
    }

    /// Waits until the flag is set (true) or the task is cancelled (false).
    private func wait() async -> Bool {
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
        return isSet
    }
}
