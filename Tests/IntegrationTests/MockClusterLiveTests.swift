import KafkaClient
import KafkaWire
import Testing

/// The cluster client and admin API against librdkafka's mock cluster (3 brokers).
///
/// The mock has no CreateTopics: topics are auto-created by Metadata requests that allow it
/// (`allow.auto.create.topics=true`), with the mock's default partition count and replication.
@Suite("Cluster client against the librdkafka mock cluster", .enabled(if: TestBed.hasMock), .serialized)
struct MockClusterTests {
    @Test func bootstrapFromOneBrokerDiscoversAllThree() async throws {
        try await ClusterScenarios.bootstrapDiscoversBrokers(TestBed.mockBootstrap(), expectedBrokers: 3)
    }

    @Test func versionNegotiationPicksTheHighestCommonVersion() async throws {
        try await ClusterScenarios.versionNegotiation(TestBed.mockBootstrap(), peer: "librdkafka mock")
    }

    @Test func adminOperationsTheMockOffers() async throws {
        try await ClusterScenarios.mockAdmin(TestBed.mockBootstrap())
    }

    @Test func protocolTraceSwitchesOnAtRuntime() async throws {
        try await ClusterScenarios.protocolTrace(TestBed.mockBootstrap())
    }
}
