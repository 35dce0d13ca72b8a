// swafka-tour: the README's main job. It talks to a real broker through every layer Swafka has
// so far and prints what it sees: discovery and metadata, topic administration, offsets, and a
// record batch built, compressed and read back by the wire layer.
//
//   swift run swafka-tour 127.0.0.1:9092
import KafkaClient
import KafkaCompression
import KafkaWire

@main
struct Tour {
    static func main() async {
        let arguments = CommandLine.arguments.dropFirst()
        guard let bootstrap = arguments.first else {
            print("usage: swafka-tour HOST:PORT[,HOST:PORT...]")
            exitProcess(2)
        }
        do {
            try await tour(bootstrap: bootstrap)
        } catch {
            print("tour failed: \(error)")
            exitProcess(1)
        }
    }

    static func tour(bootstrap: String) async throws {
        let configuration = try ClientConfiguration(properties: [
            "bootstrap.servers": bootstrap, "client.id": "swafka-tour",
        ])
        try await KafkaAdminClient.withAdminClient(configuration) { admin in
            print("== cluster (discovered from \(bootstrap))")
            let cluster = try await admin.describeCluster()
            print("cluster id \(cluster.clusterID ?? "-"), controller \(cluster.controllerID.map(String.init) ?? "-")")
            for broker in cluster.brokers {
                print("  broker \(broker.nodeID) at \(broker.address)\(broker.rack.map { " rack \($0)" } ?? "")")
            }

            let topic = "swafka-tour-\(UInt32.random(in: 0...UInt32.max))"
            print("== create topic \(topic) with 3 partitions")
            try await admin.createTopic(NewTopic(name: topic, partitions: 3, configs: ["retention.ms": "600000"]))
            let described = try await waitForTopic(admin, topic)
            for partition in described.partitions.sorted(by: { $0.partition < $1.partition }) {
                print("  partition \(partition.partition): leader \(partition.leader.map(String.init) ?? "none"), replicas \(partition.replicas)")
            }

            print("== offsets")
            let partitions = described.partitions.map { TopicPartition(topic, $0.partition) }.sorted()
            let latest = try await admin.listOffsets(Dictionary(uniqueKeysWithValues: partitions.map { ($0, .latest) }))
            for partition in partitions {
                print("  \(partition): end offset \(try latest[partition]?.get().offset.map(String.init) ?? "?")")
            }

            print("== a record batch through the wire layer (lz4)")
            try recordBatchRoundTrip()

            print("== delete topic \(topic)")
            try await admin.deleteTopic(topic)
            print("done")
        }
    }

    /// Metadata can lag a CreateTopics answer for a moment: ask until the topic has its partitions.
    static func waitForTopic(_ admin: KafkaAdminClient, _ name: String) async throws -> TopicMetadata {
        for _ in 0..<50 {
            if let topic = try? await admin.describeTopics([name])[name]?.get(), !topic.partitions.isEmpty {
                return topic
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw KafkaClientError.unknownTopic(name)
    }

    static func recordBatchRoundTrip() throws {
        let provider = KafkaCompressionProvider()
        var encoder = try RecordBatchEncoder(attributes: RecordBatch.Attributes(compression: .lz4),
                                             compressionProvider: provider)
        for index in 0..<1000 {
            try encoder.append(timestamp: 1_700_000_000_000 + Int64(index), key: ByteSlice("key-\(index % 10)"),
                               value: ByteSlice(String(repeating: "swafka ", count: 14)),
                               headers: [RecordHeader(key: "index", value: ByteSlice("\(index)"))])
        }
        let bytes = try encoder.finish()
        let batch = try RecordBatch(decoding: bytes, options: RecordDecodingOptions(compressionProvider: provider))
        let plain = batch.records.reduce(0) { $0 + ($1.value?.count ?? 0) + ($1.key?.count ?? 0) }
        print("  1000 records, \(plain) bytes of keys and values -> \(bytes.count) bytes on the wire; CRC-32C verified;"
              + " first value \"\(batch.records[0].value?.utf8String ?? "")\"")
    }
}

#if canImport(Glibc)
import Glibc
func exitProcess(_ code: Int32) -> Never { exit(code) }
#endif
