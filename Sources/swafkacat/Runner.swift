import SwafkacatCore

/// Runs one invocation's mode and returns the exit status.
struct Runner {
    let invocation: Invocation

    /// kcat's fatal error: `% ERROR: message` on stderr, status 1.
    func fatal(_ message: String) -> Int32 {
        Output.flush()
        Output.error("% ERROR: \(message)\n")
        return 1
    }

    /// A `% message` line when the verbosity is at least `level`.
    func info(_ level: Int, _ message: String) {
        if invocation.verbosity >= level { Output.error("% \(message)\n") }
    }

    func run() async -> Int32 {
        switch invocation.mode {
        case .metadata:
            return await MetadataMode(runner: self).run()
        case .query:
            return await QueryMode(runner: self).run()
        case .createTopics:
            return await AdminModes(runner: self).createTopics()
        case .deleteTopics:
            return await AdminModes(runner: self).deleteTopics()
        case .listGroups:
            return await AdminModes(runner: self).listGroups()
        case let .decode(path):
            return DecodeMode(runner: self, path: path).run()
        case .produce:
            return await ProduceMode(runner: self).run()
        case .consume:
            return await ConsumeMode(runner: self, group: false).run()
        case .group:
            return await ConsumeMode(runner: self, group: true).run()
        }
    }
}
