import Foundation
import KafkaClient
import KafkaWire
import Logging
import ServiceLifecycle
import Synchronization
import Testing

/// The producer under faults, each test on a private librdkafka mock cluster of its own: injected
/// retriable errors, a broker going down and back, leaders moving mid-stream. With idempotence
/// on, the log must hold each message once, in per-partition order, and every message must get
/// exactly one delivery report.
///
/// The mock checks sequence numbers only for transactional producers, so it accepts what a real
/// broker would refuse: these tests show that retries neither lose, duplicate nor reorder records
/// here; the sequence rules themselves are tested against a sequence-checking log in
/// KafkaClientTests (IdempotentLogTests).
@Suite("Producer faults on a private mock cluster", .enabled(if: PrivateMockCluster.isAvailable))
struct ProducerFaultTests {
    let topic = "stream"

    func start(brokers: Int = 3) throws -> PrivateMockCluster {
        if brokers == 1 { return try PrivateMockCluster(brokers: 1, topics: ["\(topic):1:1"]) }
        let mock = try PrivateMockCluster(brokers: brokers, topics: ["\(topic):3:3"])
        try mock.command("leader \(topic) 0 1", "leader \(topic) 1 2", "leader \(topic) 2 3")
        return mock
    }

    func configuration(_ mock: PrivateMockCluster, _ extra: [String: String] = [:]) throws -> KafkaProducerConfiguration {
        try ProducerScenarios.configuration(mock.bootstrap, [
            "batch.num.messages": "10", "linger.ms": "2", "reconnect.backoff.ms": "10", "reconnect.backoff.max.ms": "100",
            "retry.backoff.ms": "20", "retry.backoff.max.ms": "200", "request.timeout.ms": "5000",
            "enable.idempotence": "true",
        ].merging(extra) { _, new in new })
    }

    /// Produces `count` keyed messages, running `fault` after message `faultAt` (and `later` after
    /// `laterAt`), then checks reports and the log.
    func stream(_ mock: PrivateMockCluster, count: Int = 400, extra: [String: String] = [:], faultAt: Int = 100,
                fault: @escaping () async throws -> Void,
                laterAt: Int = 250, later: @escaping () async throws -> Void = {}) async throws {
        let (producer, events) = try KafkaProducer.makeProducerWithEvents(configuration: configuration(mock, extra),
                                                                          logger: ClusterScenarios.logger)
        let collector = Task {
            var reports: [ProducerMessageID: Int] = [:]
            var retries = 0
            for await event in events {
                switch event {
                case let .deliveryReport(report): reports[report.messageID, default: 0] += 1
                case .retryScheduled: retries += 1
                default: break
                }
            }
            return (reports, retries)
        }
        let handles = try await producer.runScoped { () async throws -> [DeliveryHandle] in
            var handles: [DeliveryHandle] = []
            for index in 0..<count {
                handles.append(try await producer.produceAsync(ProducerMessage(
                    topic: topic, value: ByteSlice("m-\(index)"), key: ByteSlice("key-\(index % 12)"))))
                if index == faultAt { try await fault() }
                if index == laterAt { try await later() }
                // Spread the stream over time so the faults land in the middle of it.
                if index % 20 == 19 { try await Task.sleep(for: .milliseconds(5)) }
            }
            try await producer.flush()
            return handles
        }
        let (reports, retries) = await collector.value
        // Every message exactly one report, and every one a success.
        #expect(reports.count == count && reports.values.allSatisfy { $0 == 1 }, "reports: \(reports.count) of \(count)")
        var delivered: [Int: DeliveredMessage] = [:]
        for (index, handle) in handles.enumerated() {
            switch handle.report?.result {
            case let .success(message)?: delivered[index] = message
            case let .failure(error)?: Issue.record("message \(index) failed: \(error)")
            case nil: Issue.record("message \(index) has no report")
            }
        }
        print("[fault test] \(count) messages, \(retries) retries")
        let records = try await PeerReaders.kcatRead(bootstrap: mock.bootstrap, topic: topic, count: count)
        // Each once...
        let values = records.compactMap { $0.value.map { String(decoding: $0, as: UTF8.self) } }
        #expect(values.count == count && Set(values).count == count, "read \(values.count), distinct \(Set(values).count)")
        // ... in per-partition order, where the reports said.
        for partition in Set(records.map(\.partition)) {
            let indices = records.filter { $0.partition == partition }.sorted { $0.offset < $1.offset }
                .compactMap { $0.value.flatMap { Int(String(decoding: $0.dropFirst(2), as: UTF8.self)) } }
            #expect(indices == indices.sorted(), "partition \(partition) out of order: \(indices)")
        }
        for record in records {
            guard let index = record.value.flatMap({ Int(String(decoding: $0.dropFirst(2), as: UTF8.self)) }) else { continue }
            #expect(delivered[index]?.partition == record.partition && delivered[index]?.offset == record.offset,
                    "message \(index): report \(String(describing: delivered[index])) vs log \(record.partition)@\(record.offset)")
        }
    }

    @Test func injectedRetriableErrorsNeitherLoseDuplicateNorReorder() async throws {
        let mock = try start()
        defer { mock.stop() }
        // One request in flight per connection here: an error injected into one request while the
        // next ones of the same partition are in flight makes a real broker refuse those with
        // OUT_OF_ORDER_SEQUENCE_NUMBER (and the producer resend them in order), but the mock does
        // not check sequences of non-transactional producers and appends them. That case, with 5
        // in flight, is IdempotentLogTests' (a sequence-checking log); the other fault tests fail
        // every request in flight at once and run with 5.
        try await stream(mock, extra: ["max.in.flight.requests.per.connection": "1"], fault: {
            try mock.command("errors push Produce NOT_LEADER_OR_FOLLOWER REQUEST_TIMED_OUT NOT_LEADER_OR_FOLLOWER _TRANSPORT REQUEST_TIMED_OUT")
        }, later: {
            try mock.command("broker errors 2 Produce NOT_LEADER_OR_FOLLOWER REQUEST_TIMED_OUT")
        })
    }

    @Test func aBrokerGoingDownAndBack() async throws {
        let mock = try start()
        defer { mock.stop() }
        try await stream(mock, fault: {
            // The mock does not move leaders off a downed broker: move them, as a controller would.
            try mock.command("broker down 2")
            try await Task.sleep(for: .milliseconds(200))
            try mock.command("leader \(topic) 1 3")
        }, later: {
            try mock.command("broker up 2", "leader \(topic) 1 2")
        })
    }

    @Test func leadersMovingMidStream() async throws {
        let mock = try start()
        defer { mock.stop() }
        try await stream(mock, fault: {
            try mock.command("leader \(topic) 0 2")
        }, later: {
            try mock.command("leader \(topic) 2 1", "leader \(topic) 0 3")
        })
    }

    /// A producer far faster than a slow broker: buffered bytes never pass `buffer.memory`.
    @Test func aFastProducerStaysUnderBufferMemory() async throws {
        let mock = try start(brokers: 1)
        defer { mock.stop() }
        try mock.command("broker rtt 1 50")
        let bound = 20_000
        let configuration = try configuration(mock, [
            "buffer.memory": String(bound), "batch.size": "4000", "batch.num.messages": "1000", "linger.ms": "1",
        ])
        let value = ByteSlice([UInt8](repeating: UInt8(ascii: "x"), count: 500))
        let fullEvents = Atomic<Int>(0)
        let producer = try KafkaProducer(configuration: configuration, logger: ClusterScenarios.logger, instrumentation: { event in
            if case .bufferFull = event { fullEvents.add(1, ordering: .relaxed) }
        })
        let peak = Atomic<Int>(0)
        let sampling = Atomic<Bool>(true)
        let sampler = Task {
            while sampling.load(ordering: .relaxed) {
                let buffered = producer.bufferedBytes
                if buffered > peak.load(ordering: .relaxed) { peak.store(buffered, ordering: .relaxed) }
                try? await Task.sleep(for: .milliseconds(1))
            }
        }
        let count = 400
        let reports = try await producer.runScoped {
            var handles: [DeliveryHandle] = []
            for index in 0..<count {
                handles.append(try await producer.produceAsync(ProducerMessage(topic: topic, value: value, key: ByteSlice("\(index)"))))
                let buffered = producer.bufferedBytes
                if buffered > peak.load(ordering: .relaxed) { peak.store(buffered, ordering: .relaxed) }
            }
            try await producer.flush()
            return handles.compactMap(\.report)
        }
        sampling.store(false, ordering: .relaxed)
        await sampler.value
        print("[backpressure] peak buffered \(peak.load(ordering: .relaxed)) bytes (bound \(bound)); buffer-full waits: \(fullEvents.load(ordering: .relaxed))")
        #expect(reports.count == count && reports.allSatisfy(\.isAcknowledged))
        #expect(peak.load(ordering: .relaxed) <= bound)
        #expect(peak.load(ordering: .relaxed) > bound / 2, "the producer did fill its buffer")
        #expect(fullEvents.load(ordering: .relaxed) > 0, "the producer outran the broker")
    }

    /// close() with messages in flight to a slow broker: every message is delivered before it returns.
    @Test func closeDeliversEverythingInFlight() async throws {
        let mock = try start(brokers: 1)
        defer { mock.stop() }
        try mock.command("broker rtt 1 300")
        let producer = try KafkaProducer(configuration: configuration(mock, ["linger.ms": "0"]), logger: ClusterScenarios.logger)
        let running = Task { try await producer.run() }
        var handles: [DeliveryHandle] = []
        for index in 0..<200 {
            handles.append(try await producer.produceAsync(ProducerMessage(topic: topic, value: ByteSlice("c-\(index)"))))
        }
        await producer.close()
        #expect(handles.allSatisfy { $0.report?.isAcknowledged == true }, "\(handles.filter { $0.report == nil }.count) unreported")
        try await running.value
        await #expect(throws: KafkaProducerError.closed) {
            try await producer.produceAsync(ProducerMessage(topic: topic, value: ByteSlice("late")))
        }
    }

    /// A graceful shutdown of the service group drains the producer; cancelling run() aborts and
    /// still reports every message.
    @Test func gracefulShutdownDrainsAndCancellationReports() async throws {
        let mock = try start(brokers: 1)
        defer { mock.stop() }
        try mock.command("broker rtt 1 200")
        let producer = try KafkaProducer(configuration: configuration(mock), logger: ClusterScenarios.logger)
        let group = ServiceGroup(services: [producer], logger: ClusterScenarios.logger)
        let running = Task { try await group.run() }
        var handles: [DeliveryHandle] = []
        for index in 0..<100 {
            handles.append(try await producer.produceAsync(ProducerMessage(topic: topic, value: ByteSlice("g-\(index)"))))
        }
        await group.triggerGracefulShutdown()
        try await running.value
        #expect(handles.allSatisfy { $0.report?.isAcknowledged == true })

        let aborted = try KafkaProducer(configuration: configuration(mock), logger: ClusterScenarios.logger)
        let task = Task { try await aborted.run() }
        var more: [DeliveryHandle] = []
        for index in 0..<100 {
            more.append(try await aborted.produceAsync(ProducerMessage(topic: topic, value: ByteSlice("a-\(index)"))))
        }
        try await Task.sleep(for: .milliseconds(50))
        task.cancel()
        try await task.value
        // Each message has exactly its one report: delivered, or aborted.
        for handle in more {
            let report = try #require(handle.report)
            if let error = report.error { #expect(error == .aborted) }
        }
    }
}
