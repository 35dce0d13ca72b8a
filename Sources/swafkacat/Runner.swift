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
            return notAvailable("Producer mode (-P)", needs: "the producer wired to the cluster client")
        case .consume:
            return notAvailable("Consumer mode (-C)", needs: "the consumer wired to the cluster client")
        case .group:
            return notAvailable("KafkaConsumer mode (-G)", needs: "the group consumer wired to the cluster client")
        }
    }

    /// Modes whose client layer is not in this build: a clear error, never made-up output.
    func notAvailable(_ what: String, needs: String) -> Int32 {
        fatal("\(what) is not available yet in swafkacat \(Usage.version): it needs \(needs)")
    }
}
