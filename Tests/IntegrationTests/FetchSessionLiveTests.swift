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
            let partitions = (0..<3).map { TopicPartition(topic, Int32($0)) }
            func note() {
                for (broker, machine) in consumer.state.withLock({ $0.sessions }) where machine.sessionID != 0 {
                    seen[broker] = machine.sessionID
                }
            }
            // Two partitions first; the third joins an open session (an incremental add), then
            // the first leaves it (the session forgets it).
            try consumer.assign(Array(partitions.prefix(2)), from: .earliest)
            var messages = try await ConsumerTests.read(consumer, count: 100)
            note()
            try consumer.assign(partitions, from: .earliest)
            messages += try await ConsumerTests.read(consumer, count: 200)
            note()
            try consumer.assign(Array(partitions.suffix(2)), from: .earliest)
            try ConsumerTests.produce(bootstrap, topic: topic, partition: 2, lines: ConsumerScenarios.lines(5, from: 100, prefix: "p2-"))
            let last = try await ConsumerTests.read(consumer, count: 5, timeout: .seconds(20))
            note()
            for tp in partitions {
                let offsets = messages.filter { $0.topicPartition == tp }.map(\.offset)
                #expect(offsets == Array(0..<100), "[\(peer), sessions \(sessions)] \(tp): \(offsets.count) records")
            }
            #expect(last.map(\.offset) == Array(100..<105) && last.allSatisfy { $0.partition == 2 },
                    "[\(peer), sessions \(sessions)] after dropping partition 0: \(last.map(\.topicPartition))")
        }
        print("[\(peer)] fetch sessions \(sessions ? "on" : "off"): sessions opened \(seen)")
        return seen
    }

    @Test(.enabled(if: TestBed.hasTansu)) func tansu() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let opened = try await Self.read(bootstrap, sessions: true, peer: "tansu")
        #expect(try await Self.read(bootstrap, sessions: false, peer: "tansu").isEmpty)
        _ = opened
    }

    @Test(.enabled(if: TestBed.hasMock)) func mock() async throws {
        let bootstrap = try TestBed.mockBootstrap()
        let opened = try await Self.read(bootstrap, sessions: true, peer: "mock")
        #expect(try await Self.read(bootstrap, sessions: false, peer: "mock").isEmpty)
        _ = opened
    }
}
