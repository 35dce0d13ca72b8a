import KafkaTransport
import KafkaWire
import Logging

/// Administers a Kafka cluster: topics, partitions, configs, offsets, consumer groups.
///
/// Every method retries retriable failures until its `timeout` (default `default.api.timeout.ms`).
/// Operations on many items (topics, partitions, groups) return an outcome per item, so one bad
/// topic does not hide what happened to the others; single-item conveniences throw instead.
///
/// ```swift
/// try await KafkaAdminClient.withAdminClient(configuration) { admin in
///     try await admin.createTopic(NewTopic(name: "events", partitions: 3, replicationFactor: 1))
///     let offsets = try await admin.listOffsets([TopicPartition("events", 0): .latest])
/// }
/// ```
public final class KafkaAdminClient: Sendable {
    /// The cluster client the admin client sends through (shareable with a producer or consumer).
    public let cluster: ClusterClient
    let ownsCluster: Bool

    /// An admin client with a cluster client of its own; call `shutdown()` when done.
    public convenience init(configuration: ClientConfiguration, logger: Logger = Logger(label: "swafka.admin"))
        throws(KafkaClientError) {
        self.init(cluster: try ClusterClient(configuration: configuration, logger: logger), ownsCluster: true)
    }

    /// An admin client on an existing cluster client (which its owner shuts down).
    public convenience init(cluster: ClusterClient) {
        self.init(cluster: cluster, ownsCluster: false)
    }

    init(cluster: ClusterClient, ownsCluster: Bool) {
        self.cluster = cluster
        self.ownsCluster = ownsCluster
    }

    /// Runs `body` with an admin client that is shut down afterwards, also when `body` throws.
    public static func withAdminClient<Result: Sendable>(
        _ configuration: ClientConfiguration, logger: Logger = Logger(label: "swafka.admin"),
        _ body: (KafkaAdminClient) async throws -> Result
    ) async throws -> Result {
        let admin = try KafkaAdminClient(configuration: configuration, logger: logger)
        do {
            let result = try await body(admin)
            await admin.shutdown()
            return result
        } catch {
            await admin.shutdown()
            throw error
        }
    }

    /// Shuts the cluster client down if this admin client created it.
    public func shutdown() async {
        if ownsCluster { await cluster.shutdown() }
    }

    var configuration: ClientConfiguration { cluster.configuration }

    /// The server-side timeout sent in admin requests: the operation's timeout, capped by the request
    /// timeout so the broker answers before the client gives up on the response.
    func serverTimeoutMs(_ timeout: Duration?) -> Int32 {
        let limit = min(timeout ?? configuration.defaultApiTimeout, configuration.requestTimeout)
        return Int32(clamping: limit.wholeMilliseconds)
    }

    func log(_ message: @autoclosure () -> Logger.Message) {
        cluster.observer.debug(.admin, message())
    }

    // MARK: Cluster

    /// The cluster id, controller and brokers: DescribeCluster where the brokers offer it, else Metadata.
    public func describeCluster(timeout: Duration? = nil) async throws(KafkaClientError) -> ClusterDescription {
        let versions = try await cluster.apiVersions(timeout: timeout)
        if versions.ranges[.describeCluster] != nil {
            let response = try await cluster.send(to: .anyBroker, timeout: timeout,
                                                  check: { $0.errorCode == .none ? nil : KafkaError($0.errorCode, brokerMessage: $0.errorMessage) }) { _ in
                DescribeClusterRequest()
            }
            let brokers = response.brokers.map {
                BrokerMetadata(nodeID: $0.brokerID, address: BrokerAddress(host: $0.host, port: Int($0.port)), rack: $0.rack)
            }.sorted { $0.nodeID < $1.nodeID }
            return ClusterDescription(clusterID: response.clusterID,
                                      controllerID: response.controllerID >= 0 ? response.controllerID : nil,
                                      controller: brokers.first { $0.nodeID == response.controllerID }, brokers: brokers)
        }
        let snapshot = try await cluster.refreshMetadata(.topics([]), timeout: timeout)
        return ClusterDescription(clusterID: snapshot.clusterID, controllerID: snapshot.controllerID,
                                  controller: snapshot.controllerID.flatMap { snapshot.brokers[$0] }, brokers: snapshot.sortedBrokers)
    }

    // MARK: Topics

    /// Every topic in the cluster (fresh from Metadata), sorted by name; internal topics only when asked.
    public func listTopics(includeInternal: Bool = false, timeout: Duration? = nil) async throws(KafkaClientError)
        -> [TopicMetadata] {
        let snapshot = try await cluster.refreshMetadata(.allTopics, timeout: timeout)
        return snapshot.topics.values.filter { includeInternal || !$0.isInternal }.sorted { $0.name < $1.name }
    }

    /// The partitions, leaders and replicas of `names`, fresh from Metadata.
    public func describeTopics(_ names: [String], timeout: Duration? = nil) async throws(KafkaClientError)
        -> [String: Result<TopicMetadata, KafkaClientError>] {
        let snapshot = try await cluster.refreshMetadata(.topics(Set(names)), timeout: timeout)
        var results: [String: Result<TopicMetadata, KafkaClientError>] = [:]
        for name in names {
            if let topic = snapshot.topics[name] {
                results[name] = .success(topic)
            } else if let code = snapshot.topicErrors[name], code != .unknownTopicOrPartition {
                results[name] = .failure(.broker(KafkaError(code), context: "topic \(name)"))
            } else {
                results[name] = .failure(.unknownTopic(name))
            }
        }
        return results
    }

    /// Creates topics through the controller. With `validateOnly`, the controller only checks them.
    public func createTopics(_ topics: [NewTopic], validateOnly: Bool = false, timeout: Duration? = nil)
        async throws(KafkaClientError) -> [String: Result<CreatedTopic, KafkaClientError>] {
        let byName = Dictionary(topics.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        let serverTimeout = serverTimeoutMs(timeout)
        log("creating topics \(topics.map(\.name))\(validateOnly ? " (validate only)" : "")")
        let cluster = self.cluster
        return try await cluster.sendBatched(topics.map(\.name), timeout: timeout, route: { _ in .controller }) {
            broker, names, deadline throws(KafkaClientError) in
            let response = try await cluster.sendOnce(to: broker, deadline: deadline) { version throws(KafkaClientError) in
                try Self.createTopicsRequest(names.compactMap { byName[$0] }, validateOnly: validateOnly,
                                             timeoutMs: serverTimeout, version: version)
            }
            var outcomes: [String: Result<CreatedTopic, KafkaClientError>] = [:]
            for result in response.topics {
                guard result.errorCode == .none else {
                    outcomes[result.name] = .failure(.broker(KafkaError(result.errorCode, brokerMessage: result.errorMessage),
                                                             context: "topic \(result.name)"))
                    continue
                }
                outcomes[result.name] = .success(CreatedTopic(
                    name: result.name, topicID: result.topicID == .zero ? nil : result.topicID,
                    partitions: result.numPartitions >= 0 ? result.numPartitions : nil,
                    replicationFactor: result.replicationFactor >= 0 ? result.replicationFactor : nil,
                    configs: (result.configs ?? []).map {
                        ConfigEntry(name: $0.name, value: $0.value, source: ConfigSource(rawValue: $0.configSource),
                                    isReadOnly: $0.readOnly, isSensitive: $0.isSensitive,
                                    isDefault: $0.configSource == ConfigSource.defaultConfig.rawValue)
                    }))
            }
            return outcomes
        }
    }

    /// Creates one topic; throws its error (TOPIC_ALREADY_EXISTS...).
    @discardableResult
    public func createTopic(_ topic: NewTopic, validateOnly: Bool = false, timeout: Duration? = nil)
        async throws(KafkaClientError) -> CreatedTopic {
        let results = try await createTopics([topic], validateOnly: validateOnly, timeout: timeout)
        guard let result = results[topic.name] else { throw .unexpectedResponse("no CreateTopics result for \(topic.name)") }
        return try result.get()
    }

    static func createTopicsRequest(_ topics: [NewTopic], validateOnly: Bool, timeoutMs: Int32, version: Int16)
        throws(KafkaClientError) -> CreateTopicsRequest {
        if validateOnly && version < 1 { throw .unsupported("validateOnly needs CreateTopics v1+ (the broker offers v0)") }
        var request = CreateTopicsRequest(timeoutMs: timeoutMs, validateOnly: validateOnly)
        for topic in topics {
            if (topic.partitions == nil || topic.replicationFactor == nil) && topic.replicaAssignment.isEmpty && version < 4 {
                throw .unsupported("broker-default partitions or replication factor for \(topic.name) need CreateTopics v4+ (the broker offers v\(version))")
            }
            let assignments = topic.replicaAssignment.sorted { $0.key < $1.key }.map {
                CreateTopicsRequest.CreatableReplicaAssignment(partitionIndex: $0.key, brokerIDs: $0.value)
            }
            request.topics.append(CreateTopicsRequest.CreatableTopic(
                name: topic.name,
                numPartitions: assignments.isEmpty ? (topic.partitions ?? -1) : -1,
                replicationFactor: assignments.isEmpty ? (topic.replicationFactor ?? -1) : -1,
                assignments: assignments,
                configs: topic.configs.sorted { $0.key < $1.key }.map {
                    CreateTopicsRequest.CreatableTopicConfig(name: $0.key, value: $0.value)
                }))
        }
        return request
    }

    /// Deletes topics through the controller.
    public func deleteTopics(_ names: [String], timeout: Duration? = nil) async throws(KafkaClientError)
        -> [String: Result<Void, KafkaClientError>] {
        let serverTimeout = serverTimeoutMs(timeout)
        log("deleting topics \(names)")
        let cluster = self.cluster
        let results = try await cluster.sendBatched(names, timeout: timeout, route: { _ in .controller }) {
            broker, names, deadline throws(KafkaClientError) in
            let response = try await cluster.sendOnce(to: broker, deadline: deadline) { version in
                // v6 names topics in Topics (by name or ID); earlier versions in TopicNames.
                version >= 6
                    ? DeleteTopicsRequest(topics: names.map { DeleteTopicsRequest.DeleteTopicState(name: $0) }, timeoutMs: serverTimeout)
                    : DeleteTopicsRequest(topicNames: names, timeoutMs: serverTimeout)
            }
            var outcomes: [String: Result<Void, KafkaClientError>] = [:]
            for result in response.responses {
                guard let name = result.name else { continue }
                outcomes[name] = Self.topicOutcome(result.errorCode, message: result.errorMessage, topic: name)
            }
            return outcomes
        }
        // The topics are gone: forget them.
        cluster.markMetadataStale(topics: names)
        return results
    }

    /// Deletes one topic; throws its error.
    public func deleteTopic(_ name: String, timeout: Duration? = nil) async throws(KafkaClientError) {
        let results = try await deleteTopics([name], timeout: timeout)
        guard let result = results[name] else { throw .unexpectedResponse("no DeleteTopics result for \(name)") }
        try result.get()
    }

    /// Raises topics' partition counts to the given totals.
    public func createPartitions(_ totals: [String: Int32], validateOnly: Bool = false, timeout: Duration? = nil)
        async throws(KafkaClientError) -> [String: Result<Void, KafkaClientError>] {
        let serverTimeout = serverTimeoutMs(timeout)
        log("creating partitions \(totals.sorted { $0.key < $1.key })")
        let cluster = self.cluster
        let results = try await cluster.sendBatched(totals.keys.sorted(), timeout: timeout, route: { _ in .controller }) {
            broker, names, deadline throws(KafkaClientError) in
            let response = try await cluster.sendOnce(to: broker, deadline: deadline) { _ in
                CreatePartitionsRequest(
                    topics: names.map { CreatePartitionsRequest.CreatePartitionsTopic(name: $0, count: totals[$0] ?? 0, assignments: nil) },
                    timeoutMs: serverTimeout, validateOnly: validateOnly)
            }
            var outcomes: [String: Result<Void, KafkaClientError>] = [:]
            for result in response.results {
                outcomes[result.name] = Self.topicOutcome(result.errorCode, message: result.errorMessage, topic: result.name)
            }
            return outcomes
        }
        if !validateOnly { cluster.markMetadataStale(topics: Array(totals.keys)) }
        return results
    }

    /// A per-topic error code as an outcome; UNKNOWN_TOPIC_OR_PARTITION is final here (the topic is
    /// not there), not a reason to retry as it is for partition requests.
    static func topicOutcome(_ code: ErrorCode, message: String?, topic: String) -> Result<Void, KafkaClientError> {
        switch code {
        case .none: .success(())
        case .unknownTopicOrPartition, .unknownTopicId: .failure(.unknownTopic(topic))
        default: .failure(.broker(KafkaError(code, brokerMessage: message), context: "topic \(topic)"))
        }
    }
}
