import KafkaTransport
import KafkaWire
import SwafkacatCore

/// `-L`: one Metadata request to the first bootstrap broker that answers, printed as kcat prints it.
///
/// kcat lists through a producer handle, whose Metadata requests let the broker auto-create a topic
/// named with `-t` (librdkafka's producer default); swafkacat does the same unless
/// `-X allow.auto.create.topics=false`. This talks to one broker over KafkaTransport; it moves to the
/// cluster client's metadata once that is in the build.
struct MetadataMode {
    let runner: Runner

    struct Answer: Sendable {
        let response: MetadataResponse
        let address: BrokerAddress
    }

    func run() async -> Int32 {
        let invocation = runner.invocation
        let addresses = runner.bootstrapAddresses
        let configuration = runner.connectionConfiguration
        let observer = runner.observer
        let topic = invocation.topic
        let allowAutoCreate = invocation.settings.value("allow.auto.create.topics") != "false"
        let backoff = runner.reconnectBackoff
        let loop: TransportEventLoop
        do {
            loop = try TransportEventLoop(name: "swafkacat-io")
        } catch {
            return runner.fatal("Failed to create the I/O loop: \(error)")
        }
        defer { Task { await loop.shutdown() } }
        let answer: Answer?
        do {
            answer = try await withDeadline(.seconds(invocation.metadataTimeoutSeconds)) {
                try await Self.fetch(addresses: addresses, configuration: configuration, observer: observer, loop: loop,
                                     topic: topic, allowAutoCreate: allowAutoCreate, debug: invocation.debug,
                                     backoff: backoff, verbosity: invocation.verbosity)
            }
        } catch {
            return failure(.transport, detail: "\(error)")
        }
        guard let answer else { return failure(.transport, detail: "no broker answered within \(invocation.metadataTimeoutSeconds) s") }
        let origin = answer.response.brokers.first { $0.host == answer.address.host && Int($0.port) == answer.address.port }
        let listing = MetadataListing(answer.response, originatingBrokerID: origin?.nodeID ?? -1,
                                      originatingBrokerName: "\(answer.address)/\(origin.map { String($0.nodeID) } ?? "bootstrap")",
                                      queriedTopic: topic)
        let written = invocation.json ? Output.write(listing.json) : Output.write(listing.text)
        Output.flush()
        return written ? 0 : runner.fatal("Output write error")
    }

    func failure(_ error: ErrorText.Local, detail: String) -> Int32 {
        runner.info(2, "Metadata failed: \(detail)")
        return runner.fatal("Failed to acquire metadata: \(error.rawValue)"
            + (error == .transport ? " (Are the brokers reachable? Also try increasing the metadata timeout with -m <timeout>?)" : ""))
    }

    /// Tries each bootstrap broker in turn, and the whole list again after a backoff, until one answers
    /// (the caller's deadline, `-m`, ends the attempts, as librdkafka keeps reconnecting until then).
    static func fetch(addresses: [BrokerAddress], configuration: ConnectionConfiguration, observer: (any ConnectionObserver)?,
                      loop: TransportEventLoop, topic: String?, allowAutoCreate: Bool, debug: DebugContext,
                      backoff: ExponentialBackoff, verbosity: Int) async throws -> Answer {
        var reported: Set<BrokerAddress> = []
        var attempt = 0
        while true {
            for address in addresses {
                do {
                    return try await ask(address, configuration: configuration, observer: observer, loop: loop, topic: topic,
                                         allowAutoCreate: allowAutoCreate, debug: debug)
                } catch {
                    // librdkafka logs each failure; swafkacat logs the first per broker (every one with -d broker).
                    if debug.contains(.broker) || (verbosity >= 1 && reported.insert(address).inserted) {
                        Output.error("%3|swafkacat|FAIL|\(address)/bootstrap: \(error)\n")
                    }
                    if case TransportError.unsupportedVersion = error { throw error }
                }
            }
            try await Task.sleep(for: backoff.delay(attempt: attempt))
            attempt += 1
        }
    }

    static func ask(_ address: BrokerAddress, configuration: ConnectionConfiguration, observer: (any ConnectionObserver)?,
                    loop: TransportEventLoop, topic: String?, allowAutoCreate: Bool, debug: DebugContext) async throws -> Answer {
        let connection = try await BrokerConnection.connect(to: address, configuration: configuration, loop: loop, observer: observer)
        defer { connection.closeNow() }
        if debug.contains(.broker) { Output.error("%7|swafkacat|CONNECT|\(address)/bootstrap: connected\n") }
        let version = try connection.negotiatedVersion(for: MetadataRequest.self)
        // Before v4 the broker decides about auto-creation by itself.
        let request = MetadataRequest(topics: topic.map { [requestTopic($0)] } ?? (version == 0 ? [] : nil),
                                      allowAutoTopicCreation: allowAutoCreate || version < 4)
        let response = try await connection.send(request, version: version)
        if debug.contains(.metadata) {
            Output.error("%7|swafkacat|METADATA|\(address)/bootstrap: \(response.brokers.count) brokers, \(response.topics.count) topics, controller \(response.controllerID)\n")
        }
        return Answer(response: response, address: address)
    }

    static func requestTopic(_ name: String) -> MetadataRequest.MetadataRequestTopic {
        var topic = MetadataRequest.MetadataRequestTopic()
        topic.name = name
        return topic
    }
}
