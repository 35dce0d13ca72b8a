import KafkaClient
import Testing

/// The cluster client and admin API against Tansu (single broker, memory storage).
@Suite("Cluster client against Tansu", .enabled(if: TestBed.hasTansu), .serialized)
struct TansuClusterTests {
    @Test func bootstrapDiscoversTheBroker() async throws {
        try await ClusterScenarios.bootstrapDiscoversBrokers(TestBed.tansuBootstrap(), expectedBrokers: 1)
    }

    @Test func versionNegotiationPicksTheHighestCommonVersion() async throws {
        try await ClusterScenarios.versionNegotiation(TestBed.tansuBootstrap(), peer: "tansu")
    }

    @Test func topicLifecycle() async throws {
        // Tansu 0.6 creates topics on CreateTopics with validateOnly, offers no CreatePartitions, and
        // closes the connection on DeleteRecords although it advertises v0-2 (confluent-kafka 2.16
        // sees the same: "Broker transport failure").
        try await ClusterScenarios.topicLifecycle(
            TestBed.tansuBootstrap(),
            peer: PeerQuirks(honoursValidateOnly: false, supportsCreatePartitions: false, supportsDeleteRecords: false))
    }

    @Test func groupLifecycle() async throws {
        try await ClusterScenarios.groupLifecycle(TestBed.tansuBootstrap())
    }

    @Test func protocolTraceSwitchesOnAtRuntime() async throws {
        try await ClusterScenarios.protocolTrace(TestBed.tansuBootstrap())
    }
}
