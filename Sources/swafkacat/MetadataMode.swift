import KafkaClient
import KafkaTransport
import KafkaWire
import SwafkacatCore

/// `-L`: the cluster's brokers and topics from one Metadata answer, printed as kcat prints them.
///
/// The cluster client bootstraps (trying the bootstrap brokers until `-m` runs out); the listing is
/// then one Metadata request to one broker, so the answer is printed as that broker gave it (order,
/// errors, controller) and the "from broker" line names it: the first bootstrap server when it is a
/// broker of the cluster, else the broker with the lowest id.
///
/// kcat lists through a producer handle, so its request lets the broker auto-create a topic named
/// with `-t` (librdkafka's producer behaviour); swafkacat's request does the same unless
/// `-X allow.auto.create.topics=false` is given.
struct MetadataMode {
    let runner: Runner

    func run() async -> Int32 {
        let invocation = runner.invocation
        let session = ClientSession(invocation: invocation)
        let client: ClusterClient
        do {
            client = try ClusterClient(configuration: try session.configuration(), logger: session.logger())
        } catch {
            return runner.fatal("\(error)")
        }
        let deadline = ContinuousClock.now + session.timeout
        let topic = invocation.topic
        let allowAutoCreate = !invocation.settings.isSet("allow.auto.create.topics")
            || invocation.settings.value("allow.auto.create.topics") == "true"
        let bootstrap = client.configuration.bootstrapServers
        let listing: MetadataListing
        do throws(KafkaClientError) {
            let snapshot = try await client.metadata(timeout: deadline - .now)
            let brokers = snapshot.sortedBrokers
            guard let origin = brokers.first(where: { bootstrap.contains($0.address) }) ?? brokers.first else {
                throw KafkaClientError.noBrokerAvailable(lastError: nil)
            }
            let response = try await client.send(to: .broker(origin.nodeID), timeout: deadline - .now) { version in
                // Before v4 the broker decides about auto-creation by itself.
                MetadataRequest(topics: topic.map { [Self.requestTopic($0)] } ?? (version == 0 ? [] : nil),
                                allowAutoTopicCreation: allowAutoCreate || version < 4)
            }
            listing = MetadataListing(response, originatingBrokerID: origin.nodeID,
                                      originatingBrokerName: "\(origin.address)/\(origin.nodeID)", queriedTopic: topic)
        } catch {
            await client.shutdown()
            runner.info(2, "Metadata failed: \(error)")
            let text = ClientSession.text(error, unreachable: .transport)
            return runner.fatal("Failed to acquire metadata: \(text)"
                + (text == ErrorText.Local.transport.rawValue
                    ? " (Are the brokers reachable? Also try increasing the metadata timeout with -m <timeout>?)" : ""))
        }
        await client.shutdown()
        let written = invocation.json ? Output.write(listing.json) : Output.write(listing.text)
        return Output.flush() && written ? 0 : runner.fatal("Output write error")
    }

    static func requestTopic(_ name: String) -> MetadataRequest.MetadataRequestTopic {
        var topic = MetadataRequest.MetadataRequestTopic()
        topic.name = name
        return topic
    }
}
