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
