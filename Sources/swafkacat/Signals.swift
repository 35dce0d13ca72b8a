#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Synchronization

/// SIGINT and SIGTERM stop a run cleanly, as in kcat: the producer stops reading and delivers what
/// it has, the consumer stops printing and closes (committing, with `-G`). A closed stdout (SIGPIPE
/// is ignored, so writes fail instead) stops a run the same way.
///
/// The signals are taken off their default action and watched by dispatch sources; the first one
/// calls every registered stop handler (once).
final class RunStop: Sendable {
    static let shared = RunStop()

    private struct State {
        var signal: Int32?
        var handlers: [@Sendable () -> Void] = []
    }

    private let state = Mutex(State())
    /// Kept alive for the life of the process; written once, by `install()`, before any signal can arrive.
    nonisolated(unsafe) private var sources: [any DispatchSourceSignal] = []

    /// Starts watching SIGINT and SIGTERM.
    func install() {
        let queue = DispatchQueue(label: "swafkacat.signals")
        var installed: [any DispatchSourceSignal] = []
        for number in [SIGINT, SIGTERM] {
            #if canImport(Glibc)
            _ = Glibc.signal(number, SIG_IGN)
            #else
            _ = Darwin.signal(number, SIG_IGN)
            #endif
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler { [weak self] in self?.trigger(number) }
            source.resume()
            installed.append(source)
        }
        sources = installed
    }

    /// The signal that stopped the run (SIGPIPE for a closed stdout), nil while none has.
    var signal: Int32? { state.withLock { $0.signal } }

    /// Calls `handler` when the run is told to stop (at once if it already was).
    func onStop(_ handler: @escaping @Sendable () -> Void) {
        let already = state.withLock { state -> Bool in
            if state.signal != nil { return true }
            state.handlers.append(handler)
            return false
        }
        if already { handler() }
    }

    /// Stops the run as `number` does.
    func trigger(_ number: Int32) {
        let handlers = state.withLock { state -> [@Sendable () -> Void] in
            guard state.signal == nil else { return [] }
            state.signal = number
            defer { state.handlers = [] }
            return state.handlers
        }
        for handler in handlers { handler() }
    }
}
