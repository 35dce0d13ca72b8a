import KafkaTransport
import KafkaWire

/// A broker as Metadata describes it.
public struct BrokerMetadata: Hashable, Sendable, CustomStringConvertible {
    /// The broker's node id.
    public var nodeID: Int32
    /// Where to reach it.
    public var address: BrokerAddress
    /// Its rack, if it has one.
    public var rack: String?

    /// A broker description.
    public init(nodeID: Int32, address: BrokerAddress, rack: String? = nil) {
        self.nodeID = nodeID
        self.address = address
        self.rack = rack
    }

    /// `1@host:port`.
    public var description: String { "\(nodeID)@\(address)" }
}

/// One partition of a topic as Metadata describes it.
public struct PartitionMetadata: Hashable, Sendable {
    /// The partition index.
    public var partition: Int32
    /// The leader's node id, nil when there is none (leader election in progress).
    public var leader: Int32?
    /// The leader epoch, nil when the broker did not say (before Metadata v7).
    public var leaderEpoch: Int32?
    /// Every broker holding a replica.
    public var replicas: [Int32]
    /// The replicas in sync with the leader.
    public var inSyncReplicas: [Int32]
    /// The replicas that are offline.
    public var offlineReplicas: [Int32]
    /// The partition's error (LEADER_NOT_AVAILABLE...), `.none` when healthy.
    public var error: ErrorCode

    /// A partition description.
    public init(partition: Int32, leader: Int32?, leaderEpoch: Int32? = nil, replicas: [Int32] = [],
                inSyncReplicas: [Int32] = [], offlineReplicas: [Int32] = [], error: ErrorCode = .none) {
        self.partition = partition
        self.leader = leader
        self.leaderEpoch = leaderEpoch
        self.replicas = replicas
        self.inSyncReplicas = inSyncReplicas
        self.offlineReplicas = offlineReplicas
        self.error = error
    }
}

/// A topic as Metadata describes it.
public struct TopicMetadata: Hashable, Sendable {
    /// The topic name.
    public var name: String
    /// The topic ID, nil before Metadata v10 or when the broker has none.
    public var topicID: KafkaUUID?
    /// Whether the topic is internal (`__consumer_offsets`).
    public var isInternal: Bool
    /// The partitions, sorted by index.
    public var partitions: [PartitionMetadata]

    /// A topic description.
    public init(name: String, topicID: KafkaUUID? = nil, isInternal: Bool = false, partitions: [PartitionMetadata]) {
        self.name = name
        self.topicID = topicID
        self.isInternal = isInternal
        self.partitions = partitions.sorted { $0.partition < $1.partition }
    }

    /// The partition with index `index`.
    public func partition(_ index: Int32) -> PartitionMetadata? {
        // Partitions are usually 0..<n in order: look there first.
        if index >= 0, Int(index) < partitions.count, partitions[Int(index)].partition == index { return partitions[Int(index)] }
        return partitions.first { $0.partition == index }
    }
}

/// What the client knows about the cluster: an immutable snapshot, replaced as a whole on each refresh.
public struct ClusterMetadata: Sendable, Equatable {
    /// The cluster id, nil before Metadata v2.
    public var clusterID: String?
    /// The controller's node id, nil when unknown.
    public var controllerID: Int32?
    /// The brokers by node id.
    public var brokers: [Int32: BrokerMetadata]
    /// The topics known, by name.
    public var topics: [String: TopicMetadata]
    /// Topics the cluster answered with an error for (UNKNOWN_TOPIC_OR_PARTITION, TOPIC_AUTHORIZATION_FAILED...).
    public var topicErrors: [String: ErrorCode]
    /// When each topic's entry (or error) was last fetched.
    var topicFetchedAt: [String: ContinuousClock.Instant]
    /// When the brokers were last fetched.
    public var fetchedAt: ContinuousClock.Instant
    /// True when the last refresh asked for every topic (so a topic missing from `topics` does not exist).
    public var coversAllTopics: Bool

    /// An empty snapshot.
    public init(fetchedAt: ContinuousClock.Instant = .now) {
        clusterID = nil
        controllerID = nil
        brokers = [:]
        topics = [:]
        topicErrors = [:]
        topicFetchedAt = [:]
        self.fetchedAt = fetchedAt
        coversAllTopics = false
    }

    /// The brokers sorted by node id.
    public var sortedBrokers: [BrokerMetadata] { brokers.values.sorted { $0.nodeID < $1.nodeID } }

    /// The leader of `partition`: its broker, or why there is none.
    func leader(of partition: TopicPartition) -> Result<BrokerMetadata, KafkaClientError> {
        if let error = topicErrors[partition.topic] {
            if error == .unknownTopicOrPartition || error == .unknownTopicId { return .failure(.unknownTopic(partition.topic)) }
            return .failure(.broker(KafkaError(error), context: "topic \(partition.topic)"))
        }
        guard let topic = topics[partition.topic] else { return .failure(.unknownTopic(partition.topic)) }
        guard let entry = topic.partition(partition.partition) else {
            return .failure(.unknownPartition(topic: partition.topic, partition: partition.partition))
        }
        guard let leader = entry.leader else {
            let code = entry.error == .none ? ErrorCode.leaderNotAvailable : entry.error
            return .failure(.broker(KafkaError(code), context: "\(partition)"))
        }
        guard let broker = brokers[leader] else {
            // The leader is not among the brokers listed: the metadata is inconsistent, refresh it.
            return .failure(.broker(KafkaError(.leaderNotAvailable, brokerMessage: "leader \(leader) is not in the broker list"),
                                    context: "\(partition)"))
        }
        return .success(broker)
    }

    /// Whether this snapshot answers for `topic` (known, or known not to exist) and is younger than `maxAge`.
    func isFresh(topic: String, maxAge: Duration?, now: ContinuousClock.Instant) -> Bool {
        guard let fetched = topicFetchedAt[topic] else { return false }
        guard let maxAge else { return true }
        return now - fetched < maxAge
    }

    /// Whether the broker list is younger than `maxAge`.
    func brokersAreFresh(maxAge: Duration?, now: ContinuousClock.Instant) -> Bool {
        guard let maxAge else { return true }
        return now - fetchedAt < maxAge
    }

    /// Forgets when `topics` were fetched, so the next lookup refreshes them.
    mutating func markStale(topics names: some Sequence<String>) {
        for name in names { topicFetchedAt[name] = nil }
    }

    /// Marks everything stale.
    mutating func markAllStale(now: ContinuousClock.Instant, maxAge: Duration?) {
        topicFetchedAt.removeAll()
        // Far enough back that any max age counts it as stale.
        fetchedAt = now - (maxAge ?? .seconds(0)) - .seconds(1)
        coversAllTopics = false
    }

    /// Applies a Metadata response that answered for `scope`, fetched at `now`.
    ///
    /// Brokers, cluster id and controller are replaced. Topics in the response replace their cached
    /// entries; with `.allTopics`, topics not in the response are dropped. A topic answered with an
    /// error moves to `topicErrors` (its partitions are dropped), except LEADER_NOT_AVAILABLE and
    /// similar per-topic transient errors, which keep whatever partitions came back.
    mutating func apply(_ response: MetadataResponse, scope: MetadataScope, now: ContinuousClock.Instant) {
        var brokers: [Int32: BrokerMetadata] = [:]
        for broker in response.brokers {
            brokers[broker.nodeID] = BrokerMetadata(nodeID: broker.nodeID,
                                                    address: BrokerAddress(host: broker.host, port: Int(broker.port)),
                                                    rack: broker.rack)
        }
        self.brokers = brokers
        if let clusterID = response.clusterID { self.clusterID = clusterID }
        controllerID = response.controllerID >= 0 ? response.controllerID : nil
        fetchedAt = now
        if case .allTopics = scope {
            topics.removeAll()
            topicErrors.removeAll()
            topicFetchedAt.removeAll()
            coversAllTopics = true
        }
        for topic in response.topics {
            guard let name = topic.name, !name.isEmpty else { continue }
            topicFetchedAt[name] = now
            let usable = topic.errorCode == .none || (topic.errorCode.isRetriable && !topic.partitions.isEmpty
                                                      && topic.errorCode != .unknownTopicOrPartition)
            if usable {
                topicErrors[name] = nil
                topics[name] = TopicMetadata(
                    name: name, topicID: topic.topicID == .zero ? nil : topic.topicID, isInternal: topic.isInternal,
                    partitions: topic.partitions.map { partition in
                        PartitionMetadata(
                            partition: partition.partitionIndex,
                            leader: partition.leaderID >= 0 ? partition.leaderID : nil,
                            leaderEpoch: partition.leaderEpoch >= 0 ? partition.leaderEpoch : nil,
                            replicas: partition.replicaNodes, inSyncReplicas: partition.isrNodes,
                            offlineReplicas: partition.offlineReplicas, error: partition.errorCode)
                    })
            } else {
                topics[name] = nil
                topicErrors[name] = topic.errorCode
            }
        }
        // A topic asked for by name that the response left out: treat it as unknown, not as cached.
        if case let .topics(names) = scope {
            let answered = Set(response.topics.compactMap(\.name))
            for name in names where !answered.contains(name) {
                topics[name] = nil
                topicErrors[name] = .unknownTopicOrPartition
                topicFetchedAt[name] = now
            }
        }
    }

    /// Builds a snapshot from one response.
    public init(_ response: MetadataResponse, scope: MetadataScope = .allTopics, fetchedAt: ContinuousClock.Instant = .now) {
        self.init(fetchedAt: fetchedAt)
        apply(response, scope: scope, now: fetchedAt)
    }
}

/// Which topics a Metadata request asks about.
public enum MetadataScope: Sendable, Hashable, CustomStringConvertible {
    /// Every topic in the cluster.
    case allTopics
    /// These topics (an empty set asks for the brokers only).
    case topics(Set<String>)

    /// True when a request for `self` answers everything `other` asks.
    public func covers(_ other: MetadataScope) -> Bool {
        switch (self, other) {
        case (.allTopics, _): true
        case (.topics, .allTopics): false
        case let (.topics(mine), .topics(theirs)): theirs.isSubset(of: mine)
        }
    }

    /// A scope that asks everything both ask.
    public func union(_ other: MetadataScope) -> MetadataScope {
        switch (self, other) {
        case (.allTopics, _), (_, .allTopics): .allTopics
        case let (.topics(mine), .topics(theirs)): .topics(mine.union(theirs))
        }
    }

    public var description: String {
        switch self {
        case .allTopics: "all topics"
        case let .topics(names) where names.isEmpty: "brokers only"
        case let .topics(names): names.sorted().joined(separator: ",")
        }
    }
}
