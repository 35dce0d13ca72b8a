#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Synchronization

/// Progress of a long produce or consume run on stderr (messages, MB, rate), rewritten in place
/// about once a second, only when stderr is a terminal (and not with `-q`); silent otherwise, so
/// scripts and tests see kcat's stderr.
final class ProgressLine: Sendable {
    private struct State {
        var messages = 0
        var bytes = 0
        var lastPrint: ContinuousClock.Instant
        var printed = false
    }

    let enabled: Bool
    let verb: String
    private let start = ContinuousClock.now
    private let state: Mutex<State>

    init(verb: String, verbosity: Int) {
        self.verb = verb
        self.enabled = verbosity >= 1 && isatty(2) == 1
        self.state = Mutex(State(lastPrint: .now))
    }

    /// One more message of `bytes` bytes.
    func add(bytes: Int) {
        guard enabled else { return }
        let line = state.withLock { state -> String? in
            state.messages += 1
            state.bytes += bytes
            let now = ContinuousClock.now
            guard now - state.lastPrint >= .seconds(1) else { return nil }
            state.lastPrint = now
            state.printed = true
            return text(state)
        }
        if let line { Output.error("\r" + line) }
    }

    /// Ends the line (with the final counts) if one was printed.
    func finish() {
        guard enabled else { return }
        let line = state.withLock { state in state.printed ? text(state) : nil }
        if let line { Output.error("\r" + line + "\n") }
    }

    private func text(_ state: State) -> String {
        let seconds = max(Double((ContinuousClock.now - start).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - start).components.seconds), 0.001)
        let megabytes = Double(state.bytes) / 1_000_000
        let rate = Int(Double(state.messages) / seconds)
        let mb = (megabytes * 10).rounded() / 10
        return "% \(state.messages) messages \(verb), \(mb) MB, \(rate) msg/s   "
    }
}
