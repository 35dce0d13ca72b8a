import Foundation
import KafkaClient
import KafkaCompression
import KafkaWire
import Metrics
import MetricsTestKit
import Synchronization
import Testing

// Producer bullets of issue 4 that the first live tests did not reach (see ClientCoverage.md):
// handles awaited one by one, a custom partitioner, per-topic codecs with levels, the fail-fast
// buffer policy, delivery.timeout.ms expiry, request.timeout.ms, instrumentation events and the
// swift-metrics instruments.

/// One TestMetrics for the whole test process (swift-metrics bootstraps once per process); each
/// test tells its producer's instruments apart by their `client_id` dimension.
enum IntegrationMetrics {
    static let shared: TestMetrics = {
        let metrics = TestMetrics()
        MetricsSystem.bootstrap(metrics)
        return metrics
    }()
}

/// Collects a producer's instrumentation events.
final class ProducerEventLog: Sendable {
    private let events = Mutex<[KafkaProducerEvent]>([])
    var all: [KafkaProducerEvent] { events.withLock { $0 } }
    func append(_ event: KafkaProducerEvent) { events.withLock { $0.append(event) } }

    var produced: Int { all.filter { if case .messageProduced = $0 { true } else { false } }.count }
    var reports: [DeliveryReport] { all.compactMap { if case let .deliveryReport(report) = $0 { report } else { nil } } }
    var batches: [SentBatch] { all.compactMap { if case let .batchSent(batch) = $0 { batch } else { nil } } }
    var retries: [RetryScheduled] { all.compactMap { if case let .retryScheduled(retry) = $0 { retry } else { nil } } }
    var bufferFull: Int { all.filter { if case .bufferFull = $0 { true } else { false } }.count }
}

/// Everything in partition 0 for an even key, in the last partition for an odd one (a custom
/// partitioner through the `Partitioner` protocol).
struct ParityPartitioner: Partitioner {
    func partition(topic: String, key: ByteSlice?, partitionCount: Int32, availablePartitions: [Int32]) -> Int32? {
        guard let key, let number = Int(String(decoding: key.array, as: UTF8.self)) else { return nil }
        return number.isMultiple(of: 2) ? 0 : partitionCount - 1
    }
}

@Suite("Producer coverage on the shared mock cluster", .enabled(if: TestBed.hasMock))
struct ProducerCoverageMockTests {
    /// produceAsync handles awaited one by one, produceManySync's reports, produceManyAsync's
    /// handles, all placed by a custom partitioner; kcat finds each message where its report said.
    @Test func handlesAwaitedAndACustomPartitioner() async throws {
        let bootstrap = try TestBed.mockBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-custom-partitioner")
        try ProducerScenarios.createMockTopic(topic, partitions: 3)
        var configuration = try ProducerScenarios.configuration(bootstrap)
        configuration.partitioner = ParityPartitioner()
        func message(_ index: Int) -> ProducerMessage {
            ProducerMessage(topic: topic, value: ByteSlice("parity-\(index)"), key: ByteSlice("\(index)"))
        }
        let delivered = try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger) { producer in
            var delivered: [Int: DeliveredMessage] = [:]
            for index in 0..<10 {
                let handle = try await producer.produceAsync(message(index))
                delivered[index] = try await handle.delivered()
            }
            let reports = try await producer.produceManySync((10..<20).map(message))
            for (offset, report) in reports.enumerated() { delivered[10 + offset] = try report.result.get() }
            let handles = try await producer.produceManyAsync((20..<30).map(message))
            for (offset, handle) in handles.enumerated() { delivered[20 + offset] = try await handle.delivered() }
            return delivered
        }
        #expect(delivered.count == 30)
        for (index, message) in delivered {
            #expect(message.partition == (index.isMultiple(of: 2) ? 0 : 2), "message \(index) reported in \(message.partition)")
        }
        let records = try await PeerReaders.kcatRead(bootstrap: bootstrap, topic: topic, count: 30)
        #expect(records.count == 30)
        for record in records {
            guard let index = record.key.flatMap({ Int(String(decoding: $0, as: UTF8.self)) }) else {
                Issue.record("unkeyed record \(record)")
                continue
            }
            #expect(record.partition == delivered[index]?.partition && record.offset == delivered[index]?.offset,
                    "kcat found \(index) at \(record.partition)@\(record.offset), its report said \(String(describing: delivered[index]))")
        }
    }

    /// `compression.type.per.topic` with levels: each topic's batches go out with its own codec and
    /// level (gzip level 9 smaller than level 1 for the same records, every codec smaller than
    /// none), and kcat reads every topic back intact.
    @Test func perTopicCompressionWithLevels() async throws {
        let bootstrap = try TestBed.mockBootstrap()
        let base = ClusterScenarios.uniqueName("swafka-it-codec-levels")
        let names = ["none", "gzip1", "gzip9", "zstd19", "default"]
        let topics = Dictionary(uniqueKeysWithValues: names.map { ($0, "\(base)-\($0)") })
        for name in names { try ProducerScenarios.createMockTopic(topics[name]!, partitions: 1) }
        let perTopic = "\(topics["none"]!)=none,\(topics["gzip1"]!)=gzip:1,\(topics["gzip9"]!)=gzip:9,\(topics["zstd19"]!)=zstd:19"
        let configuration = try ProducerScenarios.configuration(bootstrap, [
            "compression.type": "lz4", "compression.type.per.topic": perTopic, "linger.ms": "200",
        ])
        #expect(configuration.compression(for: topics["gzip9"]!) == ProducerCompression(.gzip, level: 9))
        // Text that compresses, but not trivially (so gzip's levels differ): words from a fixed
        // pseudo-random sequence.
        let words = ["kafka", "swift", "broker", "record", "batch", "offset", "leader", "replica", "fetch", "commit",
                     "group", "member", "epoch", "session", "topic", "partition"]
        var seed: UInt64 = 0x5EED
        func nextWord() -> String {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return words[Int(seed >> 60)] + String(seed >> 50 & 0x3FF)
        }
        let values = (0..<200).map { _ in (0..<120).map { _ in nextWord() }.joined(separator: " ") }
        let log = ProducerEventLog()
        try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger,
                                    instrumentation: { log.append($0) }) { producer in
            for name in names {
                _ = try await producer.produceManyAsync(values.map { ProducerMessage(topic: topics[name]!, value: ByteSlice($0)) })
            }
            try await producer.flush()
        }
        var bytes: [String: Int] = [:]
        var records: [String: Int] = [:]
        for batch in log.batches {
            guard let name = names.first(where: { topics[$0] == batch.topicPartition.topic }) else { continue }
            bytes[name, default: 0] += batch.bytes
            records[name, default: 0] += batch.recordCount
        }
        print("[codec levels] batch bytes per topic: \(bytes.sorted { $0.key < $1.key }), records \(records)")
        #expect(names.allSatisfy { records[$0] == values.count }, "\(records)")
        let plain = bytes["none"] ?? 0
        #expect(plain > values.reduce(0) { $0 + $1.utf8.count }, "uncompressed batches hold every value byte")
        for name in ["gzip1", "gzip9", "zstd19", "default"] {
            #expect((bytes[name] ?? .max) < plain * 3 / 4, "\(name): \(bytes[name] ?? -1) bytes vs \(plain) uncompressed")
        }
        #expect((bytes["gzip9"] ?? .max) < (bytes["gzip1"] ?? 0), "gzip level 9 smaller than level 1")
        #expect((bytes["zstd19"] ?? .max) < (bytes["default"] ?? 0), "zstd level 19 smaller than the default lz4")
        for name in names {
            let read = try await PeerReaders.kcatRead(bootstrap: bootstrap, topic: topics[name]!, count: values.count)
            #expect(read.map { $0.value.map { String(decoding: $0, as: UTF8.self) } } == values, "kcat read \(name) back")
        }
        // The batches as stored: each topic's codec in the batch attributes.
        let expected: [String: CompressionCodec] = ["none": .none, "gzip1": .gzip, "gzip9": .gzip, "zstd19": .zstd, "default": .lz4]
        for name in names {
            let codecs = try await Self.storedCodecs(bootstrap, topic: topics[name]!)
            #expect(!codecs.isEmpty && codecs.allSatisfy { $0 == expected[name] }, "\(name): stored batches \(codecs)")
        }
    }

    /// The compression codec of every batch stored in partition 0 of `topic`, from a raw Fetch
    /// (v12 or lower, by name: the mock's highest is 11).
    static func storedCodecs(_ bootstrap: String, topic: String) async throws -> [CompressionCodec] {
        let cluster = try ClusterClient(configuration: ClusterScenarios.configuration(bootstrap), logger: ClusterScenarios.logger)
        defer { Task { await cluster.shutdown() } }
        let response = try await cluster.send(to: .leader(TopicPartition(topic, 0))) { _ in
            FetchRequest(maxWaitMs: 0, minBytes: 1, maxBytes: 50_000_000, topics: [
                FetchRequest.FetchTopic(topic: topic, partitions: [
                    FetchRequest.FetchPartition(partition: 0, fetchOffset: 0, partitionMaxBytes: 50_000_000),
                ]),
            ])
        }
        var codecs: [CompressionCodec] = []
        for topicData in response.responses {
            for partition in topicData.partitions {
                var reader = RecordBatchReader(partition.records ?? ByteSlice([]),
                                               options: RecordDecodingOptions(compressionProvider: KafkaCompressionProvider()))
                while let entry = try reader.next() {
                    if case let .batch(batch) = entry { codecs.append(batch.attributes.compression) }
                }
            }
        }
        return codecs
    }

    /// Instrumentation events and swift-metrics instruments count what happened: messages
    /// produced, reports, batches and their bytes; the queue gauges return to zero.
    @Test func instrumentationEventsAndMetrics() async throws {
        let metrics = IntegrationMetrics.shared
        let bootstrap = try TestBed.mockBootstrap()
        let topic = ClusterScenarios.uniqueName("swafka-it-metrics")
        try ProducerScenarios.createMockTopic(topic, partitions: 2)
        let clientID = ClusterScenarios.uniqueName("swafka-it-metrics")
        let configuration = try ProducerScenarios.configuration(bootstrap, ["client.id": clientID, "linger.ms": "20"])
        let log = ProducerEventLog()
        let count = 60
        try await withKafkaProducer(configuration: configuration, logger: ClusterScenarios.logger,
                                    instrumentation: { log.append($0) }) { producer in
            let reports = try await producer.produceManySync((0..<count).map {
                ProducerMessage(topic: topic, value: ByteSlice("metric-\($0)"), key: ByteSlice("k\($0)"))
            })
            let acknowledged = reports.allSatisfy { $0.isAcknowledged }
            #expect(acknowledged)
            // Rejected at enqueue: no event, no count.
            await #expect(throws: KafkaProducerError.self) {
                try await producer.produceAsync(ProducerMessage(topic: topic, value: ByteSlice([UInt8](repeating: 0, count: 2_000_000))))
            }
        }
        let batches = log.batches
        #expect(log.produced == count)
        #expect(log.reports.count == count && log.reports.allSatisfy(\.isAcknowledged))
        #expect(batches.reduce(0) { $0 + $1.recordCount } == count && batches.allSatisfy { $0.attempt == 1 })
        let dimensions = [("client_id", clientID)]
        #expect(try metrics.expectCounter("swafka_producer_messages_total", dimensions).totalValue == Int64(count))
        #expect(try metrics.expectCounter("swafka_producer_delivered_total", dimensions).totalValue == Int64(count))
        #expect(try metrics.expectCounter("swafka_producer_errors_total", dimensions).totalValue == 0)
        #expect(try metrics.expectCounter("swafka_producer_batches_total", dimensions).totalValue == Int64(batches.count))
        #expect(try metrics.expectCounter("swafka_producer_bytes_total", dimensions).totalValue
                == Int64(batches.reduce(0) { $0 + $1.bytes }))
        #expect(try metrics.expectCounter("swafka_producer_retries_total", dimensions).totalValue == 0)
        let queuedMessages = try metrics.expectGauge("swafka_producer_queued_messages", dimensions)
        let queuedBytes = try metrics.expectGauge("swafka_producer_queued_bytes", dimensions)
        #expect((queuedMessages.values.max() ?? 0) > 0 && (queuedBytes.values.max() ?? 0) > 0, "the gauges saw the queue")
        #expect(queuedMessages.lastValue == 0 && queuedBytes.lastValue == 0, "the gauges end at zero")
    }
}

/// Producer policies that need a broker of their own (slowed down, or taken down).
@Suite("Producer coverage on a private mock cluster", .enabled(if: PrivateMockCluster.isAvailable))
struct ProducerCoveragePrivateMockTests {
    let topic = "stream"

    func configuration(_ mock: PrivateMockCluster, _ extra: [String: String]) throws -> KafkaProducerConfiguration {
        try ProducerScenarios.configuration(mock.bootstrap, [
            "reconnect.backoff.ms": "10", "reconnect.backoff.max.ms": "100", "retry.backoff.ms": "20",
            "retry.backoff.max.ms": "200",
        ].merging(extra) { _, new in new })
    }

    /// `max.block.ms=0`: a full buffer fails `produceAsync` at once with `bufferFull` (librdkafka's
    /// QUEUE_FULL), counted by the event and the metric; what was accepted is still delivered.
    /// With a wait (`max.block.ms` 300) against a broker slower than that, the wait ends in
    /// `bufferFull` too.
    @Test func aFullBufferFailsFastOrAfterItsWait() async throws {
        let metrics = IntegrationMetrics.shared
        let mock = try PrivateMockCluster(brokers: 1, topics: ["\(topic):1:1"])
        defer { mock.stop() }
        let clientID = ClusterScenarios.uniqueName("swafka-it-failfast")
        let value = ByteSlice([UInt8](repeating: UInt8(ascii: "f"), count: 500))
        for (policy, maxBlock) in [("fail fast", "0"), ("wait 300 ms", "300")] {
            let log = ProducerEventLog()
            let producer = try KafkaProducer(configuration: configuration(mock, [
                "client.id": clientID, "buffer.memory": "4000", "max.block.ms": maxBlock, "linger.ms": "0", "batch.size": "1000",
            ]), logger: ClusterScenarios.logger, instrumentation: { log.append($0) })
            // Warm up (metadata, producer ID) before the broker slows down.
            try await producer.runScoped {
                _ = try await producer.produceSync(ProducerMessage(topic: topic, value: value))
                try mock.command("broker rtt 1 1500")
                var handles: [DeliveryHandle] = []
                var failure: KafkaProducerError?
                for _ in 0..<100 {
                    do {
                        handles.append(try await producer.produceAsync(ProducerMessage(topic: topic, value: value)))
                    } catch let error as KafkaProducerError {
                        failure = error
                        break
                    }
                }
                guard case .bufferFull? = failure else {
                    Issue.record("[\(policy)] 100 messages of 500 bytes fit a 4000-byte buffer: \(String(describing: failure))")
                    return
                }
                #expect(!handles.isEmpty && handles.count < 10, "[\(policy)] \(handles.count) accepted")
                try mock.command("broker rtt 1 0")
                try await producer.flush()
                #expect(handles.allSatisfy { $0.report?.isAcknowledged == true }, "[\(policy)] the accepted ones are delivered")
            }
            #expect(log.bufferFull >= 1, "[\(policy)] a bufferFull event")
        }
        #expect(try metrics.expectCounter("swafka_producer_buffer_full_total", [("client_id", clientID)]).totalValue >= 2)
    }

    /// `delivery.timeout.ms`: with the broker gone, every message gets exactly one report, a
    /// `deliveryTimedOut` failure, and the errors counter counts them.
    @Test func deliveryTimeoutExpiresEveryMessageWithAReport() async throws {
        let metrics = IntegrationMetrics.shared
        let mock = try PrivateMockCluster(brokers: 1, topics: ["\(topic):2:1"])
        defer { mock.stop() }
        let clientID = ClusterScenarios.uniqueName("swafka-it-expiry")
        let log = ProducerEventLog()
        let producer = try KafkaProducer(configuration: configuration(mock, [
            "client.id": clientID, "delivery.timeout.ms": "1500", "request.timeout.ms": "1000", "linger.ms": "5",
        ]), logger: ClusterScenarios.logger, instrumentation: { log.append($0) })
        let failedWarmUps = Atomic<Int>(0)
        let reports = try await producer.runScoped {
            // Warm up (metadata, producer ID) while the broker is up; on a loaded machine one
            // attempt may itself run out of its 1.5 s.
            for attempt in 1...10 {
                do {
                    _ = try await producer.produceSync(ProducerMessage(topic: topic, value: ByteSlice("before")))
                    break
                } catch {
                    failedWarmUps.add(1, ordering: .relaxed)
                    if attempt == 10 { throw error }
                }
            }
            try mock.command("broker down 1")
            var handles: [DeliveryHandle] = []
            for index in 0..<20 {
                handles.append(try await producer.produceAsync(ProducerMessage(topic: topic, value: ByteSlice("lost-\(index)"))))
            }
            var reports: [DeliveryReport] = []
            for handle in handles { reports.append(try await handle.waitForReport()) }
            try mock.command("broker up 1")
            return reports
        }
        #expect(reports.count == 20)
        for report in reports {
            guard case .deliveryTimedOut? = report.error else {
                Issue.record("expected deliveryTimedOut, got \(report.result)")
                continue
            }
        }
        let warmUpFailures = failedWarmUps.load(ordering: .relaxed)
        #expect(log.reports.count == 21 + warmUpFailures && log.reports.filter(\.isAcknowledged).count == 1, "one report per message")
        #expect(try metrics.expectCounter("swafka_producer_errors_total", [("client_id", clientID)]).totalValue
                == Int64(20 + warmUpFailures))
    }

    /// `request.timeout.ms`: a broker answering slower than that makes the producer give up on
    /// the request and retry (a `retryScheduled` event and the retries counter); once the broker is
    /// fast again, every message is acknowledged. (The mock appended the timed-out requests too
    /// and does not check idempotent sequences, so its log may hold them twice: not checked here;
    /// IdempotentLogTests covers the sequence rules.)
    @Test func aRequestTimeoutIsRetried() async throws {
        let metrics = IntegrationMetrics.shared
        let mock = try PrivateMockCluster(brokers: 1, topics: ["\(topic):1:1"])
        defer { mock.stop() }
        let clientID = ClusterScenarios.uniqueName("swafka-it-reqtimeout")
        let log = ProducerEventLog()
        let producer = try KafkaProducer(configuration: configuration(mock, [
            "client.id": clientID, "request.timeout.ms": "400", "delivery.timeout.ms": "30000", "linger.ms": "0",
        ]), logger: ClusterScenarios.logger, instrumentation: { log.append($0) })
        let reports = try await producer.runScoped {
            _ = try await producer.produceSync(ProducerMessage(topic: topic, value: ByteSlice("warm-up")))
            try mock.command("broker rtt 1 1000")
            var handles: [DeliveryHandle] = []
            for index in 0..<10 {
                handles.append(try await producer.produceAsync(ProducerMessage(topic: topic, value: ByteSlice("slow-\(index)"))))
            }
            // Let at least one request time out, then answer promptly again.
            for _ in 0..<100 where log.retries.isEmpty { try await Task.sleep(for: .milliseconds(50)) }
            try mock.command("broker rtt 1 0")
            var reports: [DeliveryReport] = []
            for handle in handles { reports.append(try await handle.waitForReport()) }
            return reports
        }
        let retries = log.retries
        print("[request timeout] retries: \(retries.map { "\($0.topicPartition) attempt \($0.attempts): \($0.error)" })")
        #expect(!retries.isEmpty, "a request timed out and was retried")
        #expect(reports.count == 10 && reports.allSatisfy(\.isAcknowledged), "\(reports.map(\.result))")
        #expect(try metrics.expectCounter("swafka_producer_retries_total", [("client_id", clientID)]).totalValue
                == Int64(retries.count))
    }
}

extension ProducerFaultTests {
    /// Idempotence errors injected on a live (mock) broker: OUT_OF_ORDER_SEQUENCE_NUMBER (45) for
    /// the next expected batch and UNKNOWN_PRODUCER_ID (59) make the producer bump its epoch (or
    /// retry) and resend; each message still lands once, in order, with one successful report.
    /// The mock does not produce these errors by itself (it checks no sequences of a
    /// non-transactional producer): they are pushed, one request in flight so that each hits a
    /// single batch. The rules themselves are IdempotenceTests'.
    @Test func injectedIdempotenceErrorsAreRecoveredFrom() async throws {
        let mock = try start()
        defer { mock.stop() }
        try await stream(mock, extra: ["max.in.flight.requests.per.connection": "1"], fault: {
            try mock.command("errors push Produce 45 59")
        }, later: {
            try mock.command("errors push Produce 59 45")
        })
    }
}
