import Foundation
import KafkaClient
import KafkaWire
import Logging
import Synchronization
import Testing

/// Producer scenarios run against each broker of the test bed: produce every shape of message,
/// then read it back with other clients and compare every field.
enum ProducerScenarios {
    static func configuration(_ bootstrap: String, _ extra: [String: String] = [:]) throws -> KafkaProducerConfiguration {
        var properties = ["bootstrap.servers": bootstrap, "client.id": "swafka-it-producer", "request.timeout.ms": "30000",
                          "retry.backoff.ms": "50", "retry.backoff.max.ms": "500", "linger.ms": "5"]
        properties.merge(extra) { _, new in new }
        if let debug = ProcessInfo.processInfo.environment["SWAFKA_IT_DEBUG"] { properties["debug"] = debug }
        return try KafkaProducerConfiguration(properties: properties)
    }

    /// A message the test remembers how to check.
    struct Expected {
        var message: ProducerMessage
        var partition: Int32?
    }

    /// Every shape: keys, repeated headers, a null header value, a tombstone, a null key, an empty key
    /// and value, an explicit partition, a partition key, an explicit timestamp; then `count` keyed
    /// messages with compressible values.
    static func sampleMessages(topic: String, partitions: Int32, count: Int) -> [Expected] {
        func murmur(_ key: String) -> Int32? {
            BuiltInPartitioner.murmur2Random.partition(topic: topic, key: ByteSlice(key), partitionCount: partitions,
                                                       availablePartitions: Array(0..<partitions))
        }
        var expected: [Expected] = [
            Expected(message: ProducerMessage(topic: topic, value: ByteSlice("value-0"), key: ByteSlice("key-0"),
                                              headers: [.init("trace", ByteSlice("a")), .init("trace", ByteSlice("b")),
                                                        .init("empty", ByteSlice(""))]),
                     partition: murmur("key-0")),
            Expected(message: .tombstone(topic: topic, key: ByteSlice("key-1")), partition: murmur("key-1")),
            Expected(message: ProducerMessage(topic: topic, value: ByteSlice("no key")), partition: nil),
            Expected(message: ProducerMessage(topic: topic, value: ByteSlice("explicit"), key: ByteSlice("key-3"),
                                              partitioning: .explicit(partitions - 1)),
                     partition: partitions - 1),
            Expected(message: ProducerMessage(topic: topic, value: ByteSlice("by partition key"), key: ByteSlice("key-4"),
                                              partitioning: .key(ByteSlice("customer-7"))),
                     partition: murmur("customer-7")),
            Expected(message: ProducerMessage(topic: topic, value: ByteSlice(""), key: ByteSlice(""),
                                              timestampMs: 1_600_000_000_123),
                     partition: murmur("")),
            Expected(message: ProducerMessage(topic: topic, value: ByteSlice("null header"), key: ByteSlice("key-6"),
                                              headers: [.init("nothing", nil), .init("after", ByteSlice("x"))]),
                     partition: murmur("key-6")),
        ]
        let filler = String(repeating: "the quick brown fox jumps over the lazy dog ", count: 4)
        for index in 0..<count {
            let key = "k-\(index % 7)"
            expected.append(Expected(
                message: ProducerMessage(topic: topic, value: ByteSlice("async-\(index) \(filler)"), key: ByteSlice(key),
                                         headers: [.init("index", ByteSlice("\(index)"))], label: index),
                partition: murmur(key)))
        }
        return expected
    }

    typealias Reader = (name: String, read: @Sendable (String, String, Int) async throws -> [ReadRecord])

    static let kcatReader: Reader = ("kcat", { try await PeerReaders.kcatRead(bootstrap: $0, topic: $1, count: $2) })
    static let kafkaPythonReader: Reader = ("kafka-python", {
        try await PeerReaders.kafkaPythonRead(bootstrap: $0, topic: $1, count: $2)
    })

    /// Produces the sample (the first messages with `produceSync`, the rest with `produceManyAsync`
    /// and `flush`), checks the reports, and reads the topic back with every reader.
    static func produceAndReadBack(bootstrap: String, topic: String, partitions: Int32, codec: String,
                                   readers: [Reader], extra: [String: String] = [:],
                                   answersLogAppendTime: Bool = false) async throws {
        let expected = sampleMessages(topic: topic, partitions: partitions, count: 40)
        let configuration = try configuration(bootstrap, ["compression.type": codec].merging(extra) { _, new in new })
        let delivered = try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger) { producer, events in
            let counter = Task {
                var reports = 0
                for await event in events {
                    if case .deliveryReport = event { reports += 1 }
                }
                return reports
            }
            var delivered: [DeliveredMessage] = []
            for item in expected.prefix(7) {
                delivered.append(try await producer.produceSync(item.message))
            }
            let handles = try await producer.produceManyAsync(expected.dropFirst(7).map(\.message))
            try await producer.flush()
            for (offset, handle) in handles.enumerated() {
                let report = try #require(handle.report, "flush returned before message \(offset + 7) was reported")
                #expect(report.label as? Int == offset, "the label comes back in the report")
                delivered.append(try report.result.get())
            }
            #expect(producer.bufferedMessages == 0 && producer.bufferedBytes == 0)
            return (delivered, counter)
        }
        // The events sequence ended with run(), after one report per message.
        #expect(await delivered.1.value == expected.count)
        let reports = delivered.0
        #expect(Set(reports.map { "\($0.partition)@\($0.offset ?? -1)" }).count == expected.count, "distinct offsets")
        for (item, report) in zip(expected, reports) {
            #expect(report.topic == topic && report.offset != nil)
            if let partition = item.partition { #expect(report.partition == partition, "\(item.message.value?.description ?? "nil")") }
            if answersLogAppendTime {
                // The librdkafka mock answers every produce with LogAppendTimeMs 1234 (a CreateTime
                // topic's broker says -1); Swafka reports what the broker said, as the Java client does.
                #expect(report.timestampType == .logAppendTime)
            } else {
                #expect(report.timestampType == .createTime)
                if let timestamp = item.message.timestampMs { #expect(report.timestampMs == timestamp) }
            }
        }
        for reader in readers {
            let records = try await reader.read(bootstrap, topic, expected.count)
            #expect(records.count == expected.count, "\(reader.name) read \(records.count) of \(expected.count)")
            let byPosition = Dictionary(records.map { ("\($0.partition)@\($0.offset)", $0) }, uniquingKeysWith: { first, _ in first })
            for (item, report) in zip(expected, reports) {
                guard let record = byPosition["\(report.partition)@\(report.offset ?? -1)"] else {
                    Issue.record("\(reader.name): nothing at \(report)")
                    continue
                }
                let message = item.message
                #expect(record.key == message.key?.array, "\(reader.name) key at \(report)")
                #expect(record.value == message.value?.array, "\(reader.name) value at \(report)")
                #expect(record.headers == message.headers.map { ReadHeader(name: $0.name, value: $0.value?.array) },
                        "\(reader.name) headers at \(report): \(record)")
                if let timestamp = item.message.timestampMs {
                    #expect(record.timestampMs == timestamp, "\(reader.name) timestamp at \(report)")
                }
                if report.timestampType == .createTime {
                    #expect(record.timestampMs == report.timestampMs, "\(reader.name) timestamp at \(report)")
                }
                #expect(record.timestampType == "create")
            }
        }
    }

    /// Creates `topic` with `partitions` partitions on Tansu and waits until its metadata shows it.
    static func createTansuTopic(_ bootstrap: String, _ topic: String, partitions: Int32) async throws {
        let admin = try KafkaAdminClient(configuration: ClusterScenarios.configuration(bootstrap), logger: ClusterScenarios.logger)
        _ = try await admin.createTopic(NewTopic(name: topic, partitions: partitions, replicationFactor: 1))
        _ = try await ClusterScenarios.waitForTopic(admin, topic, partitions: Int(partitions))
        await admin.shutdown()
    }

    /// Creates `topic` on the test bed's shared mock cluster.
    static func createMockTopic(_ topic: String, partitions: Int32) throws {
        guard let control = ProcessInfo.processInfo.environment["SWAFKA_MOCK_CONTROL"] else {
            throw TestBedMissing(name: "SWAFKA_MOCK_CONTROL")
        }
        let replies = try ControlConnection.send(["topic create \(topic) \(partitions)"], to: control)
        guard replies.first?.hasPrefix("ok") == true else { throw MockCommandFailed(command: "topic create", reply: replies.first ?? "") }
    }

    /// Keys produced by Swafka (murmur2_random) and by kcat with librdkafka's murmur2_random land in
    /// the same partitions.
    static func murmur2AgreesWithLibrdkafka(bootstrap: String, ours: String, theirs: String, partitions: Int32) async throws {
        let keys = (0..<60).map { "user-\($0 * 7919)" }
        let configuration = try configuration(bootstrap, ["partitioner": "murmur2_random"])
        try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger) { producer in
            _ = try await producer.produceManySync(keys.map {
                ProducerMessage(topic: ours, value: ByteSlice("v"), key: ByteSlice($0))
            })
        }
        try await PeerReaders.kcatProduce(bootstrap: bootstrap, topic: theirs, lines: keys.map { "\($0):v" },
                                          extra: ["partitioner=murmur2_random"])
        let mine = try await PeerReaders.kcatRead(bootstrap: bootstrap, topic: ours, count: keys.count)
        let librdkafka = try await PeerReaders.kcatRead(bootstrap: bootstrap, topic: theirs, count: keys.count)
        func partitions(_ records: [ReadRecord]) -> [String: Int32] {
            Dictionary(records.map { (String(decoding: $0.key ?? [], as: UTF8.self), $0.partition) }, uniquingKeysWith: { a, _ in a })
        }
        let ourMap = partitions(mine)
        let theirMap = partitions(librdkafka)
        #expect(ourMap.count == keys.count && theirMap.count == keys.count)
        #expect(ourMap == theirMap)
        #expect(Set(ourMap.values).count > 1, "keys spread over several partitions")
    }
}
