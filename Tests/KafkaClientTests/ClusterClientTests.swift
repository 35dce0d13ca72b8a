@testable import KafkaClient
import KafkaTransport
import KafkaWire
import Synchronization
import Testing

/// The cluster client over an in-memory cluster: bootstrap, routing, retries, coalescing.
@Suite("Cluster client (fake transport)")
struct ClusterClientTests {
    func client(_ fake: FakeCluster, bootstrap: [BrokerAddress]? = nil,
                _ configure: (inout ClientConfiguration) -> Void = { _ in }) throws -> ClusterClient {
        var configuration = ClientConfiguration(bootstrapServers: bootstrap ?? [fake.address(of: 1)])
        configuration.retryBackoff = .milliseconds(1)
        configuration.retryBackoffMax = .milliseconds(5)
        configuration.reconnectBackoff = .milliseconds(1)
        configuration.reconnectBackoffMax = .milliseconds(5)
        // Generous: the whole test run shares two cores, and a starved task must not hit a deadline.
        configuration.defaultApiTimeout = .seconds(60)
        configure(&configuration)
        return try ClusterClient(configuration: configuration, connector: fake)
    }

    @Test func bootstrapFromOneBrokerDiscoversTheOthersAndKeepsOneConnectionPerBroker() async throws {
        let fake = FakeCluster.threeBrokers()
        let client = try client(fake)
        let metadata = try await client.metadata()
        #expect(metadata.sortedBrokers.map(\.nodeID) == [1, 2, 3])
        #expect(metadata.brokers[2]?.rack == "r2" && metadata.controllerID == 3 && metadata.clusterID == "fake-cluster")
        // The bootstrap connection becomes broker 1's: asking broker 1 does not connect again.
        _ = try await client.apiVersions(broker: 1)
        _ = try await client.apiVersions(broker: 2)
        #expect(fake.connects == [fake.address(of: 1), fake.address(of: 2)])
        await client.shutdown()
    }

    @Test func whenEveryKnownBrokerIsDownTheBootstrapListIsTriedAgain() async throws {
        let fake = FakeCluster.threeBrokers()
        let spare = BrokerAddress(host: "127.0.0.1", port: 9004)
        let client = try client(fake, bootstrap: [fake.address(of: 1), spare])
        _ = try await client.metadata()
        fake.model.withLock { model in
            for index in model.brokers.indices { model.brokers[index].up = false }
            model.brokers.append(.init(id: 4, address: spare))
        }
        client.markMetadataStale(topics: nil)
        let metadata = try await client.metadata()
        #expect(metadata.brokers[4] != nil)
        #expect(fake.requests(.metadata).last?.broker == spare)
        await client.shutdown()
    }

    @Test func concurrentRefreshesCoalesceIntoOneMetadataRequest() async throws {
        let fake = FakeCluster.threeBrokers()
        let client = try client(fake)
        _ = try await client.metadata(topics: ["t"])
        let before = fake.requests(.metadata).count
        fake.model.withLock { $0.holdMetadata = true }
        client.markMetadataStale(topics: nil)
        try await withThrowingTaskGroup(of: ClusterMetadata.self) { group in
            for _ in 0..<20 {
                group.addTask { try await client.metadata(topics: ["t"]) }
            }
            // Wait until one request is held and the other 19 callers wait for it.
            while fake.heldMetadataCount < 1 || client.metadataState.withLock({ $0.refresh.waiterCount }) < 19 {
                try await Task.sleep(for: .milliseconds(1))
            }
            fake.releaseMetadata()
            for try await metadata in group { #expect(metadata.topics["t"]?.partitions.count == 2) }
        }
        #expect(fake.requests(.metadata).count == before + 1)
        await client.shutdown()
    }

    @Test func aWaiterKeepsItsOwnDeadlineAndCancellation() async throws {
        let fake = FakeCluster.threeBrokers()
        let client = try client(fake)
        _ = try await client.metadata(topics: ["t"])
        fake.model.withLock { $0.holdMetadata = true }
        client.markMetadataStale(topics: nil)
        let leader = Task { try await client.metadata(topics: ["t"]) }
        while fake.heldMetadataCount < 1 { try await Task.sleep(for: .milliseconds(1)) }
        // This caller joins the held round but gives up at its own deadline.
        await #expect {
            _ = try await client.metadata(topics: ["t"], timeout: .milliseconds(50))
        } throws: { error in
            guard case let .timedOut(_, last)? = error as? KafkaClientError else { return false }
            return last?.isRetriable == true
        }
        // And this one when cancelled.
        let cancelled = Task { try await client.metadata(topics: ["t"]) }
        while client.metadataState.withLock({ $0.refresh.waiterCount }) < 1 { try await Task.sleep(for: .milliseconds(1)) }
        cancelled.cancel()
        await #expect(throws: KafkaClientError.cancelled) { _ = try await cancelled.value }
        fake.releaseMetadata()
        #expect(try await leader.value.topics["t"] != nil)
        await client.shutdown()
    }

    @Test func staleMetadataIsRefreshedOnAccess() async throws {
        let fake = FakeCluster.threeBrokers()
        let client = try client(fake) { $0.metadataMaxAge = .milliseconds(50) }
        _ = try await client.metadata(topics: ["t"])
        _ = try await client.metadata(topics: ["t"])
        #expect(fake.requests(.metadata).count == 1)
        try await Task.sleep(for: .milliseconds(60))
        _ = try await client.metadata(topics: ["t"])
        #expect(fake.requests(.metadata).count == 2)
        await client.shutdown()
    }

    @Test func runKeepsMetadataFreshUntilShutdown() async throws {
        let fake = FakeCluster.threeBrokers()
        let client = try client(fake) { $0.metadataMaxAge = .milliseconds(20) }
        _ = try await client.metadata(topics: ["t"])
        let runner = Task { await client.run() }
        while fake.requests(.metadata).count < 3 { try await Task.sleep(for: .milliseconds(5)) }
        await client.shutdown()
        await runner.value  // returns once shut down
        #expect(fake.requests(.metadata).count >= 3)
    }

    @Test func requestsGoToThePartitionLeaderOneRequestPerBroker() async throws {
        let fake = FakeCluster.threeBrokers()
        let admin = KafkaAdminClient(cluster: try client(fake))
        let offsets = try await admin.listOffsets([TopicPartition("t", 0): .latest, TopicPartition("t", 1): .earliest])
        #expect(try offsets[TopicPartition("t", 0)]?.get() == ListedOffset(offset: 10, leaderEpoch: 0))
        #expect(try offsets[TopicPartition("t", 1)]?.get().offset == 0)
        #expect(Set(fake.requests(.listOffsets).map(\.broker)) == [fake.address(of: 1), fake.address(of: 2)])
        #expect(fake.requests(.listOffsets).count == 2)
        await admin.cluster.shutdown()
    }

    @Test func aLeaderMoveIsFollowedWithoutSurfacingAnError() async throws {
        let fake = FakeCluster.threeBrokers()
        let admin = KafkaAdminClient(cluster: try client(fake))
        _ = try await admin.listOffsets([TopicPartition("t", 0): .latest])
        fake.model.withLock { model in
            model.topics["t"]?[0].leader = 3
            model.topics["t"]?[0].epoch = 1
        }
        let offsets = try await admin.listOffsets([TopicPartition("t", 0): .latest])
        #expect(try offsets[TopicPartition("t", 0)]?.get() == ListedOffset(offset: 10, leaderEpoch: 1))
        // Broker 1 said NOT_LEADER_OR_FOLLOWER; metadata was refreshed and broker 3 asked.
        #expect(fake.requests(.listOffsets).map(\.broker).suffix(2) == [fake.address(of: 1), fake.address(of: 3)])
        await admin.cluster.shutdown()
    }

    @Test func aBrokerThatGoesDownIsRoutedAroundAfterARefresh() async throws {
        let fake = FakeCluster.threeBrokers()
        let admin = KafkaAdminClient(cluster: try client(fake))
        _ = try await admin.listOffsets([TopicPartition("t", 0): .latest])
        fake.model.withLock { model in
            model.brokers[0].up = false
            model.topics["t"]?[0].leader = 2
        }
        let offsets = try await admin.listOffsets([TopicPartition("t", 0): .latest])
        #expect(try offsets[TopicPartition("t", 0)]?.get().offset == 10)
        #expect(fake.requests(.listOffsets).last?.broker == fake.address(of: 2))
        await admin.cluster.shutdown()
    }

    @Test func injectedRetriableErrorsAreRetried() async throws {
        let fake = FakeCluster.threeBrokers()
        fake.model.withLock { $0.injected[.listOffsets] = [.leaderNotAvailable, .requestTimedOut] }
        let admin = KafkaAdminClient(cluster: try client(fake))
        let offsets = try await admin.listOffsets([TopicPartition("t", 0): .latest])
        #expect(try offsets[TopicPartition("t", 0)]?.get().offset == 10)
        #expect(fake.requests(.listOffsets).count == 3)
        await admin.cluster.shutdown()
    }

    @Test func aNonRetriableErrorIsSurfacedByName() async throws {
        let fake = FakeCluster.threeBrokers()
        fake.model.withLock { $0.injected[.listOffsets] = [.topicAuthorizationFailed] }
        let admin = KafkaAdminClient(cluster: try client(fake))
        let offsets = try await admin.listOffsets([TopicPartition("t", 0): .latest])
        let error = try #require(offsets[TopicPartition("t", 0)]?.failure)
        #expect(error == .broker(KafkaError(.topicAuthorizationFailed), context: "t-0"))
        #expect(error.description.contains("TOPIC_AUTHORIZATION_FAILED"))
        #expect(fake.requests(.listOffsets).count == 1)
        await admin.cluster.shutdown()
    }

    @Test func retriableErrorsGiveUpAtTheDeadlineWithTheLastError() async throws {
        let fake = FakeCluster.threeBrokers()
        fake.model.withLock { $0.injected[.describeGroups] = Array(repeating: .coordinatorLoadInProgress, count: 10_000) }
        let admin = KafkaAdminClient(cluster: try client(fake))
        let groups = try await admin.describeGroups(["g"], timeout: .milliseconds(100))
        #expect(groups["g"]?.failure == .timedOut(after: .milliseconds(100),
                                                  lastError: .broker(KafkaError(.coordinatorLoadInProgress), context: "group g")))
        await admin.cluster.shutdown()
    }

    @Test func apiVersionMaxCapsTheNegotiatedVersion() async throws {
        let fake = FakeCluster.threeBrokers()
        let capped = KafkaAdminClient(cluster: try client(fake) { $0.apiVersionCaps = [.listOffsets: 3] })
        #expect(try await capped.listOffsets([TopicPartition("t", 0): .latest])[TopicPartition("t", 0)]?.get().offset == 10)
        #expect(fake.requests(.listOffsets).map(\.version) == [3])
        await capped.cluster.shutdown()
        // Without the cap, the highest version both sides know.
        let admin = KafkaAdminClient(cluster: try client(fake))
        _ = try await admin.listOffsets([TopicPartition("t", 0): .latest])
        #expect(fake.requests(.listOffsets).map(\.version).last.map { $0 > 3 } == true)
        await admin.cluster.shutdown()
    }

    @Test func anUnknownTopicFailsAtOnce() async throws {
        let fake = FakeCluster.threeBrokers()
        let admin = KafkaAdminClient(cluster: try client(fake))
        let offsets = try await admin.listOffsets([TopicPartition("missing", 0): .latest])
        #expect(offsets[TopicPartition("missing", 0)]?.failure == .unknownTopic("missing"))
        #expect(fake.requests(.listOffsets).isEmpty)
        await admin.cluster.shutdown()
    }

    @Test func coordinatorLookupsUseTheBatchedFormFromV4() async throws {
        let fake = FakeCluster.threeBrokers()
        fake.model.withLock { $0.coordinators["h"] = 3 }
        let admin = KafkaAdminClient(cluster: try client(fake))
        let groups = try await admin.describeGroups(["g", "h"])
        #expect(try groups["g"]?.get().coordinator == 2)
        #expect(try groups["h"]?.get().coordinator == 3)
        #expect(fake.requests(.findCoordinator).map(\.version) == [6])
        #expect(Set(fake.requests(.describeGroups).map(\.broker)) == [fake.address(of: 2), fake.address(of: 3)])
        await admin.cluster.shutdown()
    }

    @Test func coordinatorLookupsUseOneRequestPerKeyBeforeV4() async throws {
        let fake = FakeCluster.threeBrokers()
        fake.model.withLock { model in
            model.coordinators["h"] = 3
            model.versions[.findCoordinator] = 0...3
        }
        let admin = KafkaAdminClient(cluster: try client(fake))
        let groups = try await admin.describeGroups(["g", "h"])
        #expect(try groups["g"]?.get().coordinator == 2)
        #expect(try groups["h"]?.get().coordinator == 3)
        #expect(fake.requests(.findCoordinator).map(\.version) == [3, 3])
        await admin.cluster.shutdown()
    }

    @Test func transactionalCoordinatorsNeedFindCoordinatorV1() async throws {
        let fake = FakeCluster.threeBrokers()
        fake.model.withLock { $0.versions[.findCoordinator] = 0...0 }
        let cluster = try client(fake)
        await #expect(throws: KafkaClientError.self) { _ = try await cluster.coordinator(for: .transaction("tx")) }
        #expect(fake.requests(.findCoordinator).isEmpty)
        _ = try await cluster.coordinator(for: .group("g"))
        #expect(fake.requests(.findCoordinator).map(\.version) == [0])
        await cluster.shutdown()
    }

    @Test func notCoordinatorLooksTheCoordinatorUpAgain() async throws {
        let fake = FakeCluster.threeBrokers()
        let admin = KafkaAdminClient(cluster: try client(fake))
        #expect(try await admin.describeGroups(["g"])["g"]?.get().coordinator == 2)
        fake.model.withLock { $0.coordinators["g"] = 1 }
        #expect(try await admin.describeGroups(["g"])["g"]?.get().coordinator == 1)
        #expect(fake.requests(.findCoordinator).count == 2)
        #expect(fake.requests(.describeGroups).map(\.broker) == [fake.address(of: 2), fake.address(of: 2), fake.address(of: 1)])
        await admin.cluster.shutdown()
    }

    @Test func controllerRequestsFollowTheController() async throws {
        let fake = FakeCluster.threeBrokers()
        let admin = KafkaAdminClient(cluster: try client(fake))
        let created = try await admin.createTopic(NewTopic(name: "new", partitions: 3, replicationFactor: 1))
        #expect(created.topicID == KafkaUUID(high: 7, low: 7) && created.partitions == 3)
        #expect(fake.requests(.createTopics).map(\.broker) == [fake.address(of: 3)])
        fake.model.withLock { $0.controller = 1 }
        let again = try await admin.createTopics([NewTopic(name: "newer", partitions: 1, replicationFactor: 1),
                                                  NewTopic(name: "new", partitions: 1, replicationFactor: 1)])
        #expect(try again["newer"]?.get().name == "newer")
        #expect(again["new"]?.failure?.errorCode == .topicAlreadyExists)
        #expect(fake.requests(.createTopics).map(\.broker) == [fake.address(of: 3), fake.address(of: 3), fake.address(of: 1)])
        await admin.cluster.shutdown()
    }

    @Test func requestLayoutsFollowTheNegotiatedVersion() async throws {
        let fake = FakeCluster.threeBrokers()
        fake.model.withLock { $0.versions[.createTopics] = 0...3 }
        let admin = KafkaAdminClient(cluster: try client(fake))
        // Broker-default partition counts need v4; the client says so instead of sending a request that cannot encode.
        let results = try await admin.createTopics([NewTopic(name: "x")])
        guard case .unsupported? = results["x"]?.failure else { Issue.record("\(results)"); return }
        #expect(fake.requests(.createTopics).isEmpty)
        #expect(try await admin.createTopic(NewTopic(name: "x", partitions: 1, replicationFactor: 1)).partitions == nil)
        #expect(fake.requests(.createTopics).map(\.version) == [3])
        await admin.cluster.shutdown()
    }

    @Test func concurrentCallersShareOneConnectAttempt() async throws {
        let fake = FakeCluster.threeBrokers()
        let client = try client(fake)
        _ = try await client.metadata()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<10 { group.addTask { _ = try await client.apiVersions(broker: 2) } }
            try await group.waitForAll()
        }
        #expect(fake.connects.filter { $0 == fake.address(of: 2) }.count == 1)
        await client.shutdown()
    }

    @Test func anUnreachableBrokerIsNotRetriedBeforeItsReconnectBackoff() async throws {
        let fake = FakeCluster.threeBrokers()
        let client = try client(fake) {
            $0.reconnectBackoff = .seconds(3600)
            $0.reconnectBackoffMax = .seconds(3600)
        }
        _ = try await client.metadata()
        fake.model.withLock { $0.brokers[1].up = false }
        for _ in 0..<3 {
            await #expect(throws: KafkaClientError.self) { _ = try await client.apiVersions(broker: 2, timeout: .milliseconds(50)) }
        }
        #expect(fake.connects.filter { $0 == fake.address(of: 2) }.count == 1)
        await client.shutdown()
    }

    @Test func afterShutdownEveryCallFails() async throws {
        let fake = FakeCluster.threeBrokers()
        let client = try client(fake)
        await client.shutdown()
        await #expect(throws: KafkaClientError.shutDown) { _ = try await client.metadata() }
        #expect(client.isShutDown)
    }
}
