import Foundation
import KafkaClient
import Testing

/// The consumer in manual-assignment mode against Tansu.
@Suite("Consumer against Tansu", .enabled(if: TestBed.hasTansu), .serialized)
struct TansuConsumerTests {
    @Test func assignFromEveryStartPosition() async throws {
        try await ConsumerScenarios.assignStartPositions(TestBed.tansuBootstrap(), peer: "tansu")
    }

    @Test func everyCodec() async throws {
        try await ConsumerScenarios.everyCodec(TestBed.tansuBootstrap(), peer: "tansu")
    }

    @Test func aReadSpanningManyBatches() async throws {
        try await ConsumerScenarios.manyBatches(TestBed.tansuBootstrap(), peer: "tansu")
    }

    @Test func threeSwafkaMembersAndKcatShareAGroup() async throws {
        try await GroupScenarios.sharedGroup(TestBed.tansuBootstrap(), peer: "tansu")
    }

    /// SWAFKA_DEBUG_TOPIC=name reads 1,000 messages of an existing topic (for debugging with SWAFKA_IT_DEBUG).
    @Test(.enabled(if: ProcessInfo.processInfo.environment["SWAFKA_DEBUG_TOPIC"] != nil))
    func readAnExistingTopic() async throws {
        let topic = ProcessInfo.processInfo.environment["SWAFKA_DEBUG_TOPIC"] ?? ""
        let configuration = try ConsumerTests.configuration(TestBed.tansuBootstrap(), group: "swafka-debug", ["fetch.max.wait.ms": "500", "enable.auto.commit": "false", "allow.auto.create.topics": "false"])
        try await ConsumerTests.withConsumer(configuration) { consumer in
            _ = try await consumer.partitionCount(of: topic)
            try consumer.assign([TopicPartition(topic, 0)], from: .earliest)
            let read = try await ConsumerTests.read(consumer, count: 1000, timeout: .seconds(5))
            print("read \(read.count)")
        }
    }

    @Test func aSlowReaderHoldsTheBufferBound() async throws {
        try await ConsumerScenarios.slowReader(TestBed.tansuBootstrap(), peer: "tansu")
    }

    @Test func aRestartResumesFromTheCommittedOffsets() async throws {
        try await GroupScenarios.resumeFromCommitted(TestBed.tansuBootstrap(), peer: "tansu")
    }
}

/// The consumer in manual-assignment mode against the librdkafka mock cluster (3 brokers).
@Suite("Consumer against the mock cluster", .enabled(if: TestBed.hasMock), .serialized)
struct MockConsumerTests {
    @Test func assignFromEveryStartPosition() async throws {
        try await ConsumerScenarios.assignStartPositions(TestBed.mockBootstrap(), peer: "mock")
    }

    @Test func everyCodec() async throws {
        try await ConsumerScenarios.everyCodec(TestBed.mockBootstrap(), peer: "mock")
    }

    @Test func aReadSpanningManyBatches() async throws {
        try await ConsumerScenarios.manyBatches(TestBed.mockBootstrap(), peer: "mock")
    }
}
