import KafkaClient
import KafkaWire
import Testing

/// Faults on a private librdkafka mock cluster (3 brokers): a broker goes down, a leader moves,
/// retriable errors are injected, a non-retriable one is injected. Each test starts its own cluster.
///
/// ListOffsets stays at v3 on these clusters, as on every cluster the launcher starts: librdkafka
/// 2.0's mock writes the v4+ LeaderEpoch as 8 bytes (Scripts/testbed/mock-cluster/mock_cluster.c).
@Suite("Fault handling on a private mock cluster", .enabled(if: PrivateMockCluster.isAvailable))
struct MockFaultTests {
    let topic = "faults"

    func start() throws -> (PrivateMockCluster, KafkaAdminClient) {
        let mock = try PrivateMockCluster(topics: ["\(topic):3:3"])
        try mock.command("leader \(topic) 0 1", "leader \(topic) 1 2", "leader \(topic) 2 3")
        let configuration = try ClusterScenarios.configuration(mock.bootstrap, [
            "reconnect.backoff.ms": "10", "reconnect.backoff.max.ms": "100", "retry.backoff.max.ms": "200",
        ])
        return (mock, try KafkaAdminClient(configuration: configuration, logger: ClusterScenarios.logger))
    }

    func endOffset(_ admin: KafkaAdminClient, _ partition: Int32, timeout: Duration? = nil) async throws
        -> Result<ListedOffset, KafkaClientError>? {
        try await admin.listOffsets([TopicPartition(topic, partition): .latest], timeout: timeout)[TopicPartition(topic, partition)]
    }

    @Test func aBrokerGoingDownReroutesAfterAMetadataRefresh() async throws {
        let (mock, admin) = try start()
        defer { mock.stop() }
        #expect(try await endOffset(admin, 0)?.get().offset == 0)
        let before = try await admin.cluster.metadata(topics: [topic]).topics[topic]?.partition(0)?.leader
        #expect(before == 1)
        // The mock does not move leaders off a downed broker: move it, as a real controller would.
        try mock.command("broker down 1", "leader \(topic) 0 2")
        #expect(try await endOffset(admin, 0)?.get().offset == 0)
        #expect(admin.cluster.cachedMetadata?.topics[topic]?.partition(0)?.leader == 2)
        try mock.command("broker up 1")
        await admin.shutdown()
    }

    @Test func aLeaderMoveIsHandledWithoutSurfacingAnError() async throws {
        let (mock, admin) = try start()
        defer { mock.stop() }
        #expect(try await endOffset(admin, 1)?.get().offset == 0)
        try mock.command("leader \(topic) 1 3")
        // Broker 2 now answers NOT_LEADER_OR_FOLLOWER; the client refreshes and asks broker 3.
        #expect(try await endOffset(admin, 1)?.get().offset == 0)
        #expect(admin.cluster.cachedMetadata?.topics[topic]?.partition(1)?.leader == 3)
        await admin.shutdown()
    }

    @Test func injectedRetriableErrorsAreRetried() async throws {
        let (mock, admin) = try start()
        defer { mock.stop() }
        _ = try await admin.cluster.metadata(topics: [topic])
        try mock.command("errors push ListOffsets NOT_LEADER_OR_FOLLOWER REQUEST_TIMED_OUT LEADER_NOT_AVAILABLE",
                         "errors push Metadata _TRANSPORT")
        #expect(try await endOffset(admin, 2)?.get().offset == 0)
        await admin.shutdown()
    }

    @Test func anInjectedNonRetriableErrorIsSurfacedByName() async throws {
        let (mock, admin) = try start()
        defer { mock.stop() }
        _ = try await admin.cluster.metadata(topics: [topic])
        try mock.command("errors push ListOffsets TOPIC_AUTHORIZATION_FAILED")
        let outcome = try await endOffset(admin, 0)
        guard case let .failure(error)? = outcome else {
            Issue.record("expected TOPIC_AUTHORIZATION_FAILED, got \(String(describing: outcome))")
            return
        }
        #expect(error.errorCode == .topicAuthorizationFailed && !error.isRetriable)
        #expect(error.description.contains("TOPIC_AUTHORIZATION_FAILED"))
        await admin.shutdown()
    }

    @Test func aMovedCoordinatorIsLookedUpAgain() async throws {
        let (mock, admin) = try start()
        defer { mock.stop() }
        let group = ClusterScenarios.uniqueName("faults-group")
        let partition = TopicPartition(topic, 0)
        try mock.command("coordinator group \(group) 2")
        #expect(try await admin.committedOffsets(group: group, partitions: [partition]).isEmpty)
        #expect(try await admin.cluster.coordinator(for: .group(group)).nodeID == 2)
        // librdkafka 2.0's mock serves a group on any broker; make the old coordinator say NOT_COORDINATOR.
        try mock.command("coordinator group \(group) 3", "broker errors 2 OffsetFetch NOT_COORDINATOR")
        #expect(try await admin.committedOffsets(group: group, partitions: [partition]).isEmpty)
        #expect(try await admin.cluster.coordinator(for: .group(group)).nodeID == 3)
        await admin.shutdown()
    }

    @Test func everyBrokerDownTimesOutThenRecovers() async throws {
        let (mock, admin) = try start()
        defer { mock.stop() }
        _ = try await admin.cluster.metadata(topics: [topic])
        try mock.command("broker down 1", "broker down 2", "broker down 3")
        admin.cluster.markMetadataStale(topics: nil)
        await #expect {
            _ = try await admin.cluster.metadata(topics: [topic], timeout: .milliseconds(500))
        } throws: { error in
            guard case let .timedOut(_, last?)? = error as? KafkaClientError else { return false }
            return last.isRetriable
        }
        try mock.command("broker up 1", "broker up 2", "broker up 3")
        #expect(try await admin.cluster.metadata(topics: [topic]).brokers.count == 3)
        await admin.shutdown()
    }
}
