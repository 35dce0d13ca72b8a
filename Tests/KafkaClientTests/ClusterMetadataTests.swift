@testable import KafkaClient
import KafkaTransport
import KafkaWire
import Testing

@Suite("Metadata cache")
struct ClusterMetadataTests {
    let now = ContinuousClock.now

    func response(topics: [MetadataResponse.MetadataResponseTopic], controller: Int32 = 2) -> MetadataResponse {
        MetadataResponse(
            brokers: [.init(nodeID: 1, host: "h1", port: 9092, rack: "east"), .init(nodeID: 2, host: "h2", port: 9093, rack: nil)],
            clusterID: "cluster-x", controllerID: controller, topics: topics)
    }

    func topic(_ name: String, leaders: [Int32], error: ErrorCode = .none) -> MetadataResponse.MetadataResponseTopic {
        .init(errorCode: error, name: name, topicID: KafkaUUID(high: 1, low: 2), isInternal: name.hasPrefix("__"),
              partitions: leaders.enumerated().map { index, leader in
                  .init(partitionIndex: Int32(index), leaderID: leader, leaderEpoch: 5 + Int32(index), replicaNodes: [1, 2],
                        isrNodes: [leader], offlineReplicas: leader == 1 ? [2] : [])
              })
    }

    @Test func aResponseBecomesASnapshot() throws {
        let metadata = ClusterMetadata(response(topics: [topic("t", leaders: [2, 1]), topic("__consumer_offsets", leaders: [1])]),
                                       fetchedAt: now)
        #expect(metadata.clusterID == "cluster-x" && metadata.controllerID == 2)
        #expect(metadata.sortedBrokers == [BrokerMetadata(nodeID: 1, address: BrokerAddress(host: "h1", port: 9092), rack: "east"),
                                           BrokerMetadata(nodeID: 2, address: BrokerAddress(host: "h2", port: 9093))])
        let t = try #require(metadata.topics["t"])
        #expect(t.topicID == KafkaUUID(high: 1, low: 2) && !t.isInternal)
        #expect(t.partitions == [
            PartitionMetadata(partition: 0, leader: 2, leaderEpoch: 5, replicas: [1, 2], inSyncReplicas: [2]),
            PartitionMetadata(partition: 1, leader: 1, leaderEpoch: 6, replicas: [1, 2], inSyncReplicas: [1], offlineReplicas: [2]),
        ])
        #expect(metadata.topics["__consumer_offsets"]?.isInternal == true)
        #expect(metadata.coversAllTopics)
        #expect(try metadata.leader(of: TopicPartition("t", 1)).get().nodeID == 1)
    }

    @Test func leaderLookupsSayWhyThereIsNoLeader() {
        var withoutLeader = topic("t", leaders: [-1, 3])
        withoutLeader.partitions[0].errorCode = .leaderNotAvailable
        let metadata = ClusterMetadata(response(topics: [withoutLeader, topic("gone", leaders: [], error: .unknownTopicOrPartition),
                                                         topic("secret", leaders: [], error: .topicAuthorizationFailed)]),
                                       fetchedAt: now)
        #expect(metadata.leader(of: TopicPartition("t", 0)).failure == .broker(KafkaError(.leaderNotAvailable), context: "t-0"))
        // Leader 3 is not among the brokers: inconsistent metadata, retriable.
        #expect(metadata.leader(of: TopicPartition("t", 1)).failure?.errorCode == .leaderNotAvailable)
        #expect(metadata.leader(of: TopicPartition("t", 2)).failure == .unknownPartition(topic: "t", partition: 2))
        #expect(metadata.leader(of: TopicPartition("gone", 0)).failure == .unknownTopic("gone"))
        #expect(metadata.leader(of: TopicPartition("secret", 0)).failure?.errorCode == .topicAuthorizationFailed)
        #expect(metadata.leader(of: TopicPartition("never-asked", 0)).failure == .unknownTopic("never-asked"))
    }

    @Test func partialRefreshesMergeAndFullOnesReplace() {
        var metadata = ClusterMetadata(fetchedAt: now)
        metadata.apply(response(topics: [topic("a", leaders: [1]), topic("b", leaders: [1])]), scope: .topics(["a", "b"]), now: now)
        #expect(!metadata.coversAllTopics)
        let later = now + .seconds(1)
        // A refresh of "a" (leader moved) and "c" (left out of the answer: unknown) keeps "b".
        metadata.apply(response(topics: [topic("a", leaders: [2])]), scope: .topics(["a", "c"]), now: later)
        #expect(metadata.topics["a"]?.partitions.first?.leader == 2)
        #expect(metadata.topics["b"] != nil)
        #expect(metadata.topicErrors["c"] == .unknownTopicOrPartition)
        #expect(metadata.isFresh(topic: "c", maxAge: .seconds(5), now: later))
        // A full refresh drops topics that are gone.
        metadata.apply(response(topics: [topic("a", leaders: [2])]), scope: .allTopics, now: later)
        #expect(Set(metadata.topics.keys) == ["a"] && metadata.topicErrors.isEmpty && metadata.coversAllTopics)
    }

    @Test func freshnessFollowsMaxAgeAndStaleMarks() {
        var metadata = ClusterMetadata(response(topics: [topic("a", leaders: [1])]), scope: .topics(["a"]), fetchedAt: now)
        #expect(metadata.isFresh(topic: "a", maxAge: .seconds(10), now: now + .seconds(9)))
        #expect(!metadata.isFresh(topic: "a", maxAge: .seconds(10), now: now + .seconds(10)))
        #expect(metadata.isFresh(topic: "a", maxAge: nil, now: now + .seconds(1000)))
        #expect(!metadata.isFresh(topic: "b", maxAge: nil, now: now))
        metadata.markStale(topics: ["a"])
        #expect(!metadata.isFresh(topic: "a", maxAge: nil, now: now))
        #expect(metadata.brokersAreFresh(maxAge: .seconds(1), now: now))
        metadata.markAllStale(now: now, maxAge: .seconds(1))
        #expect(!metadata.brokersAreFresh(maxAge: .seconds(1), now: now))
    }

    @Test func aControllerOfMinusOneIsNone() {
        #expect(ClusterMetadata(response(topics: [], controller: -1), fetchedAt: now).controllerID == nil)
    }

    @Test(arguments: Int16(0)...12)
    func metadataRequestsFitEveryVersion(version: Int16) throws {
        for scope in [MetadataScope.allTopics, .topics([]), .topics(["a", "b"])] {
            for allowAutoCreate in [false, true] {
                let request = ClusterClient.metadataRequest(scope: scope, version: version, allowAutoCreate: allowAutoCreate)
                _ = try request.encoded(version: version)
                switch scope {
                case .allTopics: #expect(version == 0 ? request.topics == [] : request.topics == nil)
                case .topics: #expect(request.topics?.compactMap(\.name) == (scope == .topics([]) ? [] : ["a", "b"]))
                }
                #expect(request.allowAutoTopicCreation == (version >= 4 ? allowAutoCreate : true))
            }
        }
    }
}

extension Result {
    var failure: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}
