import Foundation
@testable import KafkaClient
import KafkaWire
import Synchronization
import Testing

/// Fetch sessions (KIP-227) against the test bed's brokers: which brokers open a session, and
/// that reading through one (incremental fetches adding and dropping partitions) or without one
/// (full fetches) delivers the same records. `@testable` to look at the consumer's per-broker
/// session machines.
@Suite("Fetch sessions live", .serialized)
struct FetchSessionLiveTests {
    /// Sessions seen while reading `topic`'s partitions (broker → session ID).
    static func read(_ bootstrap: String, sessions: Bool, peer: String) async throws -> [Int32: Int32] {
        let topic = ClusterScenarios.uniqueName("swafka-it-session")
        try await ConsumerTests.createTopic(bootstrap, topic, partitions: 3)
        for p in 0..<3 {
            try ConsumerTests.produce(bootstrap, topic: topic, partition: Int32(p), lines: ConsumerScenarios.lines(100, prefix: "p\(p)-"))
        }
        var configuration = try ConsumerTests.configuration(bootstrap, group: nil, ["max.partition.fetch.bytes": "512"])
        configuration.useFetchSessions = sessions
        var seen: [Int32: Int32] = [:]
        try await ConsumerTests.withConsumer(configuration) { consumer in
            let (p0, p1, p2) = (TopicPartition(topic, 0), TopicPartition(topic, 1), TopicPartition(topic, 2))
            func note() {
                for (broker, machine) in consumer.state.withLock({ $0.sessions }) where machine.sessionID != 0 {
                    seen[broker] = machine.sessionID
                }
            }
            let collector = MessageCollector()
            async let reading: Void = collector.run(consumer)
            // Two partitions first; the third joins (in a session: an incremental add), then the
            // first leaves (the session forgets it) while the others go on.
            try consumer.assign([p0: .earliest, p1: .earliest])
            #expect(try await collector.waitFor(200))
            note()
            try consumer.assign([p0: .offset(100), p1: .offset(100), p2: .earliest])
            #expect(try await collector.waitFor(300))
            note()
            try consumer.assign([p1: .offset(100), p2: .offset(100)])
            try ConsumerTests.produce(bootstrap, topic: topic, partition: 0, lines: ConsumerScenarios.lines(5, from: 100, prefix: "p0-"))
            try ConsumerTests.produce(bootstrap, topic: topic, partition: 2, lines: ConsumerScenarios.lines(5, from: 100, prefix: "p2-"))
            #expect(try await collector.waitFor(305))
            try await Task.sleep(for: .milliseconds(500))
            note()
            #expect(collector.offsets(p0) == Array(0..<100), "[\(peer), sessions \(sessions)] p0 \(collector.offsets(p0).count) records")
            #expect(collector.offsets(p1) == Array(0..<100), "[\(peer), sessions \(sessions)] p1 \(collector.offsets(p1).count) records")
            #expect(collector.offsets(p2) == Array(0..<105), "[\(peer), sessions \(sessions)] p2 \(collector.offsets(p2).count) records")
            await consumer.close()
            await reading
        }
        print("[\(peer)] fetch sessions \(sessions ? "on" : "off"): sessions opened \(seen)")
        return seen
    }

    @Test(.enabled(if: TestBed.hasTansu)) func tansu() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        // Tansu answers every Fetch with session ID 0 (no sessions): the consumer goes on with full fetches.
        let opened = try await Self.read(bootstrap, sessions: true, peer: "tansu")
        #expect(opened.isEmpty, "Tansu opened fetch sessions \(opened): check the incremental path here")
        #expect(try await Self.read(bootstrap, sessions: false, peer: "tansu").isEmpty)
    }

    @Test(.enabled(if: TestBed.hasMock)) func mock() async throws {
        let bootstrap = try TestBed.mockBootstrap()
        // The mock (librdkafka 2.0.2) answers every Fetch with session ID 0 too.
        let opened = try await Self.read(bootstrap, sessions: true, peer: "mock")
        #expect(opened.isEmpty, "the mock opened fetch sessions \(opened): check the incremental path here")
        #expect(try await Self.read(bootstrap, sessions: false, peer: "mock").isEmpty)
    }
}
