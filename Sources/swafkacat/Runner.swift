import KafkaTransport
import KafkaWire
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
            return notAvailable("Query mode (-Q)", needs: "the cluster client's offsets-for-times (branch cluster)")
        case .createTopics, .deleteTopics, .listGroups:
            return notAvailable("\(invocation.mode.flag)", needs: "the cluster client's admin API (branch cluster)")
        case .decode:
            return notAvailable("--decode", needs: "KafkaWireJSON, the JSON forms of messages (branch json-tool)")
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

    /// The bootstrap brokers from `bootstrap.servers`.
    var bootstrapAddresses: [BrokerAddress] {
        (BrokerList.parseList(invocation.settings.value("bootstrap.servers") ?? "") ?? [])
            .map { BrokerAddress(host: $0.host, port: $0.port) }
    }

    /// Connection settings from the property map.
    var connectionConfiguration: ConnectionConfiguration {
        var configuration = ConnectionConfiguration()
        let settings = invocation.settings
        configuration.clientID = settings.value("client.id")
        if let ms = settings.value("request.timeout.ms").flatMap(Int64.init) { configuration.requestTimeout = .milliseconds(ms) }
        if let ms = settings.value("socket.connection.setup.timeout.ms").flatMap(Int64.init) { configuration.connectTimeout = .milliseconds(ms) }
        if let bytes = settings.value("receive.message.max.bytes").flatMap(Int.init) { configuration.maximumResponseSize = bytes }
        configuration.socket.noDelay = settings.value("socket.nagle.disable") == "true"
        configuration.socket.keepAlive = settings.value("socket.keepalive.enable") == "true"
        return configuration
    }

    /// The wait between rounds of connection attempts.
    var reconnectBackoff: ExponentialBackoff {
        let base = invocation.settings.value("reconnect.backoff.ms").flatMap(Int64.init) ?? 50
        let maximum = invocation.settings.value("reconnect.backoff.max.ms").flatMap(Int64.init) ?? 1000
        return ExponentialBackoff(base: .milliseconds(max(base, 1)), maximum: .milliseconds(max(maximum, base, 1)))
    }

    /// `-d protocol` / `-d broker` traces on stderr.
    var observer: (any ConnectionObserver)? {
        invocation.debug.contains(.protocol) ? ProtocolTrace() : nil
    }
}

/// `-d protocol`: one stderr line per request and response.
struct ProtocolTrace: ConnectionObserver {
    func requestSent(apiKey: ApiKey, apiVersion: Int16, correlationID: Int32, broker: BrokerAddress, bytes: Int) {
        Output.error("%7|swafkacat|SEND|\(broker)| Sent \(apiKey.name)Request (v\(apiVersion), \(bytes) bytes @ correlation id \(correlationID))\n")
    }

    func responseReceived(apiKey: ApiKey, apiVersion: Int16, correlationID: Int32, broker: BrokerAddress, bytes: Int) {
        Output.error("%7|swafkacat|RECV|\(broker)| Received \(apiKey.name)Response (v\(apiVersion), \(bytes) bytes, correlation id \(correlationID))\n")
    }
}

/// Runs `body` with a deadline; nil when the deadline passed first.
func withDeadline<T: Sendable>(_ deadline: Duration, _ body: @escaping @Sendable () async throws -> T) async throws -> T? {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try? await Task.sleep(for: deadline)
            return nil
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { return nil }
        return first
    }
}
