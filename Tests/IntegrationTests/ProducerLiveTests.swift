import KafkaClient
import KafkaWire
import Testing

/// The producer against Tansu: every codec, read back with kcat and kafka-python.
@Suite("Producer on Tansu", .enabled(if: TestBed.hasTansu))
struct ProducerTansuTests {
    @Test(arguments: ["none", "gzip", "snappy", "lz4", "zstd"])
    func produceEveryShapeAndReadItBack(codec: String) async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-produce-\(codec)")
        try await ProducerScenarios.createTansuTopic(bootstrap, topic, partitions: 3)
        try await ProducerScenarios.produceAndReadBack(
            bootstrap: bootstrap, topic: topic, partitions: 3, codec: codec,
            readers: [ProducerScenarios.kcatReader, ProducerScenarios.kafkaPythonReader])
    }

    @Test func acksOneWithoutIdempotence() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-acks1")
        try await ProducerScenarios.createTansuTopic(bootstrap, topic, partitions: 2)
        try await ProducerScenarios.produceAndReadBack(
            bootstrap: bootstrap, topic: topic, partitions: 2, codec: "lz4", readers: [ProducerScenarios.kcatReader],
            extra: ["acks": "1", "enable.idempotence": "false"])
    }

    @Test func murmur2PartitionsAgreeWithLibrdkafka() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let ours = ClusterScenarios.uniqueName("swafka-it-murmur-ours")
        let theirs = ClusterScenarios.uniqueName("swafka-it-murmur-rdkafka")
        try await ProducerScenarios.createTansuTopic(bootstrap, ours, partitions: 6)
        try await ProducerScenarios.createTansuTopic(bootstrap, theirs, partitions: 6)
        try await ProducerScenarios.murmur2AgreesWithLibrdkafka(bootstrap: bootstrap, ours: ours, theirs: theirs, partitions: 6)
    }

    @Test func anIdempotentProducerGetsAProducerID() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-idempotent")
        try await ProducerScenarios.createTansuTopic(bootstrap, topic, partitions: 1)
        let configuration = try ProducerScenarios.configuration(bootstrap)
        try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger) { producer in
            _ = try await producer.produceSync(ProducerMessage(topic: topic, value: ByteSlice("x")))
            #expect(producer.isIdempotent == true)
        }
    }

    @Test func anUnknownTopicFailsWithItsName() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-missing")
        let configuration = try ProducerScenarios.configuration(bootstrap, ["topic.metadata.propagation.max.ms": "300"])
        try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger) { producer in
            await #expect(throws: KafkaProducerError.unknownTopic(topic)) {
                try await producer.produceAsync(ProducerMessage(topic: topic, value: ByteSlice("x")))
            }
        }
    }

    @Test func aMessageTooLargeIsRejectedNamingTheSetting() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-large")
        try await ProducerScenarios.createTansuTopic(bootstrap, topic, partitions: 1)
        let configuration = try ProducerScenarios.configuration(bootstrap, ["message.max.bytes": "1000"])
        try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger) { producer in
            do {
                try await producer.produceAsync(ProducerMessage(topic: topic, value: ByteSlice([UInt8](repeating: 1, count: 2000))))
                Issue.record("a 2000-byte message passed message.max.bytes=1000")
            } catch let error as KafkaProducerError {
                guard case let .messageTooLarge(_, setting, limit) = error else {
                    Issue.record("unexpected \(error)")
                    return
                }
                #expect(setting == "message.max.bytes" && limit == 1000)
            }
        }
    }
}

/// The producer against the test bed's shared librdkafka mock cluster (3 brokers, leaders spread):
/// every codec, read back with kcat (kafka-python cannot bootstrap from the mock).
@Suite("Producer on the mock cluster", .enabled(if: TestBed.hasMock))
struct ProducerMockTests {
    @Test(arguments: ["none", "gzip", "snappy", "lz4", "zstd"])
    func produceEveryShapeAndReadItBack(codec: String) async throws {
        let bootstrap = try TestBed.mockBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-produce-\(codec)")
        try ProducerScenarios.createMockTopic(topic, partitions: 3)
        try await ProducerScenarios.produceAndReadBack(bootstrap: bootstrap, topic: topic, partitions: 3, codec: codec,
                                                       readers: [ProducerScenarios.kcatReader], answersLogAppendTime: true)
    }

    @Test func acksZeroDeliversWithoutOffsets() async throws {
        let bootstrap = try TestBed.mockBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-acks0")
        try ProducerScenarios.createMockTopic(topic, partitions: 2)
        let configuration = try ProducerScenarios.configuration(bootstrap, ["acks": "0"])
        let delivered = try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger) { producer in
            try await producer.produceManySync((0..<20).map {
                ProducerMessage(topic: topic, value: ByteSlice("zero-\($0)"), key: ByteSlice("k\($0)"))
            })
        }
        #expect(delivered.count == 20 && delivered.allSatisfy { $0.delivered != nil && $0.delivered?.offset == nil })
        let records = try await PeerReaders.kcatRead(bootstrap: bootstrap, topic: topic, count: 20)
        #expect(Set(records.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } })
                == Set((0..<20).map { "zero-\($0)" }))
    }

    /// `enqueue` (no handle): each message's one report comes on the events sequence, with its label.
    @Test func enqueueReportsOnTheEventsSequence() async throws {
        let bootstrap = try TestBed.mockBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-enqueue")
        try ProducerScenarios.createMockTopic(topic, partitions: 3)
        let configuration = try ProducerScenarios.configuration(bootstrap)
        let (ids, labels) = try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger) { producer, events in
            let reader = Task {
                var labels: [ProducerMessageID: Int] = [:]
                for await event in events {
                    guard case let .deliveryReport(report) = event, report.isAcknowledged else { continue }
                    labels[report.messageID] = report.label as? Int
                }
                return labels
            }
            var ids: [ProducerMessageID] = []
            for index in 0..<50 {
                ids.append(try await producer.enqueue(ProducerMessage(topic: topic, value: ByteSlice("e-\(index)"),
                                                                      key: ByteSlice("k\(index)"), label: index)))
            }
            try await producer.flush()
            return (ids, reader)
        }
        let reported = await labels.value
        #expect(reported.count == 50)
        for (index, id) in ids.enumerated() { #expect(reported[id] == index) }
    }

    @Test func murmur2PartitionsAgreeWithLibrdkafka() async throws {
        let bootstrap = try TestBed.mockBootstrap()
        let ours = ClusterScenarios.uniqueName("swafka-it-murmur-ours")
        let theirs = ClusterScenarios.uniqueName("swafka-it-murmur-rdkafka")
        try ProducerScenarios.createMockTopic(ours, partitions: 6)
        try ProducerScenarios.createMockTopic(theirs, partitions: 6)
        try await ProducerScenarios.murmur2AgreesWithLibrdkafka(bootstrap: bootstrap, ours: ours, theirs: theirs, partitions: 6)
    }
}
