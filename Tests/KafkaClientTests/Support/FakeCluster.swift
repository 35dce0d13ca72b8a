import KafkaClient
import KafkaTransport
import KafkaWire
import Synchronization

/// An in-memory Kafka cluster behind the client's `BrokerConnector` seam: brokers that can go down,
/// topics whose leaders can move, errors to inject, and a log of every connect and request.
///
/// Requests are encoded at the negotiated version (so a layout the version cannot carry fails as it
/// would on a socket) and answered from `model`; responses go through their codec too.
final class FakeCluster: BrokerConnector {
    struct Broker: Sendable {
        var id: Int32
        var address: BrokerAddress
        var rack: String? = nil
        var up = true
    }

    struct Partition: Sendable {
        var leader: Int32
        var epoch: Int32 = 0
        var replicas: [Int32]
        var endOffset: Int64 = 0
    }

    struct Model: Sendable {
        var brokers: [Broker]
        var topics: [String: [Partition]] = [:]
        var controller: Int32 = 1
        var coordinators: [String: Int32] = [:]
        /// The API versions every broker offers.
        var versions: [ApiKey: ClosedRange<Int16>] = FakeCluster.defaultVersions
        /// Errors the next requests of an API answer with, one per request.
        var injected: [ApiKey: [ErrorCode]] = [:]
        /// Suspends Metadata answers until released (for coalescing tests).
        var holdMetadata = false
        /// Answers Fetch requests (request, version, broker id), when set.
        var fetch: (@Sendable (FetchRequest, Int16, Int32) -> FetchResponse)?
    }

    struct Sent: Sendable {
        let broker: BrokerAddress
        let api: ApiKey
        let version: Int16
    }

    static let defaultVersions: [ApiKey: ClosedRange<Int16>] = [
        .apiVersions: 0...4, .metadata: 0...12, .listOffsets: 0...9, .findCoordinator: 0...6, .createTopics: 0...7,
        .deleteTopics: 0...6, .describeGroups: 0...5, .offsetFetch: 0...9, .listGroups: 0...5, .deleteRecords: 0...2,
    ]

    let model: Mutex<Model>
    private let log = Mutex<(connects: [BrokerAddress], requests: [Sent])>(([], []))
    private let held = Mutex<[CheckedContinuation<Void, Never>]>([])

    init(_ model: Model) { self.model = Mutex(model) }

    /// Three brokers on 127.0.0.1:9001...9003, topic `t` with 2 partitions led by brokers 1 and 2.
    static func threeBrokers() -> FakeCluster {
        FakeCluster(Model(
            brokers: (1...3).map { Broker(id: $0, address: BrokerAddress(host: "127.0.0.1", port: 9000 + Int($0)), rack: "r\($0)") },
            topics: ["t": [Partition(leader: 1, replicas: [1, 2, 3], endOffset: 10), Partition(leader: 2, replicas: [2, 3, 1], endOffset: 20)]],
            controller: 3, coordinators: ["g": 2]))
    }

    var connects: [BrokerAddress] { log.withLock { $0.connects } }
    var requests: [Sent] { log.withLock { $0.requests } }
    func requests(_ api: ApiKey) -> [Sent] { requests.filter { $0.api == api } }
    func address(of id: Int32) -> BrokerAddress { model.withLock { $0.brokers.first { $0.id == id }!.address } }

    /// Lets held Metadata requests answer.
    func releaseMetadata() {
        model.withLock { $0.holdMetadata = false }
        for waiter in held.withLock({ list in defer { list = [] }; return list }) { waiter.resume() }
    }

    var heldMetadataCount: Int { held.withLock { $0.count } }

    // MARK: BrokerConnector

    func connect(to address: BrokerAddress, nodeID: Int32?) async throws -> any BrokerChannel {
        log.withLock { $0.connects.append(address) }
        let (up, versions) = model.withLock { model in
            (model.brokers.first { $0.address == address }?.up ?? false, model.versions)
        }
        guard up else { throw TransportError.connectFailed(address, SocketError("connect", code: 111)) }
        return FakeChannel(cluster: self, address: address, versions: BrokerApiVersions(ranges: versions))
    }

    func shutdown() async {}

    // MARK: Answering

    func answer<Request: KafkaRequest>(_ request: Request, version: Int16, from address: BrokerAddress) async throws
        -> Request.Response {
        log.withLock { $0.requests.append(Sent(broker: address, api: Request.apiKey, version: version)) }
        // The request must encode at its version, as on a socket.
        do {
            _ = try request.encoded(version: version)
        } catch {
            throw TransportError.encodingFailed(api: Request.apiKey, version: version, error: error)
        }
        if Request.self == MetadataRequest.self, model.withLock({ $0.holdMetadata }) {
            await withCheckedContinuation { continuation in
                let release = model.withLock { !$0.holdMetadata }
                if release { continuation.resume() } else { held.withLock { $0.append(continuation) } }
            }
        }
        let (up, nodeID, injected) = model.withLock { model -> (Bool, Int32, ErrorCode?) in
            let broker = model.brokers.first { $0.address == address }
            var injected: ErrorCode? = nil
            if var queue = model.injected[Request.apiKey], !queue.isEmpty {
                injected = queue.removeFirst()
                model.injected[Request.apiKey] = queue
            }
            return (broker?.up ?? false, broker?.id ?? -1, injected)
        }
        guard up else { throw TransportError.connectionClosed(address, reason: "broker down") }
        let response = try respond(to: request, version: version, node: nodeID, injected: injected)
        guard let typed = response as? Request.Response else {
            throw TransportError.connectionClosed(address, reason: "the fake has no answer for \(Request.apiKey.name)")
        }
        // Through the codec, so the decoder sees what a socket would bring.
        return try Request.Response(decoding: typed.encoded(version: version), version: version)
    }

    private func respond(to request: any KafkaRequest, version: Int16, node: Int32, injected: ErrorCode?) throws
        -> any KafkaResponse {
        let model = self.model.withLock { $0 }
        switch request {
        case let request as MetadataRequest:
            var response = MetadataResponse(
                brokers: model.brokers.map {
                    .init(nodeID: $0.id, host: $0.address.host, port: Int32($0.address.port), rack: $0.rack)
                },
                clusterID: "fake-cluster", controllerID: model.controller)
            let names = request.topics.map { $0.compactMap(\.name) } ?? Array(model.topics.keys)
            let all = version == 0 && (request.topics ?? []).isEmpty
            for name in all ? Array(model.topics.keys).sorted() : names.sorted() {
                guard let partitions = model.topics[name] else {
                    response.topics.append(.init(errorCode: .unknownTopicOrPartition, name: name))
                    continue
                }
                response.topics.append(.init(
                    errorCode: injected ?? .none, name: name, topicID: KafkaUUID(high: 1, low: UInt64(name.count)),
                    partitions: partitions.enumerated().map { index, partition in
                        .init(partitionIndex: Int32(index), leaderID: partition.leader, leaderEpoch: partition.epoch,
                              replicaNodes: partition.replicas, isrNodes: partition.replicas, offlineReplicas: [])
                    }))
            }
            return response
        case let request as FindCoordinatorRequest:
            func answer(_ key: String) -> (ErrorCode, Int32, BrokerAddress?) {
                if let injected { return (injected, -1, nil) }
                guard let id = model.coordinators[key], let broker = model.brokers.first(where: { $0.id == id }) else {
                    return (.coordinatorNotAvailable, -1, nil)
                }
                return (.none, id, broker.address)
            }
            if version >= 4 {
                return FindCoordinatorResponse(coordinators: request.coordinatorKeys.map { key in
                    let (code, id, address) = answer(key)
                    return .init(key: key, nodeID: id, host: address?.host ?? "", port: Int32(address?.port ?? 0), errorCode: code)
                })
            }
            let (code, id, address) = answer(request.key)
            return FindCoordinatorResponse(errorCode: code, nodeID: id, host: address?.host ?? "", port: Int32(address?.port ?? 0))
        case let request as ListOffsetsRequest:
            return ListOffsetsResponse(topics: request.topics.map { topic in
                .init(name: topic.name, partitions: topic.partitions.map { asked in
                    let partition = model.topics[topic.name].flatMap { Int(asked.partitionIndex) < $0.count ? $0[Int(asked.partitionIndex)] : nil }
                    guard let partition else { return .init(partitionIndex: asked.partitionIndex, errorCode: .unknownTopicOrPartition) }
                    if let injected { return .init(partitionIndex: asked.partitionIndex, errorCode: injected) }
                    guard partition.leader == node else { return .init(partitionIndex: asked.partitionIndex, errorCode: .notLeaderOrFollower) }
                    let offset: Int64 = asked.timestamp == -2 ? 0 : partition.endOffset
                    return .init(partitionIndex: asked.partitionIndex, oldStyleOffsets: version == 0 ? [offset] : [],
                                 timestamp: -1, offset: version == 0 ? -1 : offset, leaderEpoch: version >= 4 ? partition.epoch : -1)
                })
            })
        case let request as CreateTopicsRequest:
            guard node == model.controller else {
                return CreateTopicsResponse(topics: request.topics.map { .init(name: $0.name, errorCode: .notController) })
            }
            var results: [CreateTopicsResponse.CreatableTopicResult] = []
            for topic in request.topics {
                if let injected {
                    results.append(.init(name: topic.name, errorCode: injected, errorMessage: "injected"))
                } else if model.topics[topic.name] != nil {
                    results.append(.init(name: topic.name, errorCode: .topicAlreadyExists, errorMessage: "Topic '\(topic.name)' already exists."))
                } else {
                    if !request.validateOnly {
                        self.model.withLock { model in
                            model.topics[topic.name] = (0..<max(1, Int(topic.numPartitions))).map { _ in
                                Partition(leader: 1, replicas: [1])
                            }
                        }
                    }
                    results.append(.init(name: topic.name, topicID: KafkaUUID(high: 7, low: 7), numPartitions: topic.numPartitions,
                                         replicationFactor: topic.replicationFactor, configs: version >= 5 ? [] : []))
                }
            }
            return CreateTopicsResponse(topics: results)
        case let request as FetchRequest:
            guard let fetch = model.fetch else { break }
            return fetch(request, version, node)
        case let request as DescribeGroupsRequest:
            return DescribeGroupsResponse(groups: request.groups.map { id in
                if let injected { return .init(errorCode: injected, groupID: id) }
                guard model.coordinators[id] == node else { return .init(errorCode: .notCoordinator, groupID: id) }
                return .init(groupID: id, groupState: "Empty", protocolType: "consumer")
            })
        default:
            break
        }
        throw TransportError.connectionClosed(BrokerAddress(host: "fake", port: 1), reason: "no fake answer for \(type(of: request))")
    }
}

/// A connection to one fake broker.
final class FakeChannel: BrokerChannel {
    let cluster: FakeCluster
    let address: BrokerAddress
    let apiVersions: BrokerApiVersions?
    private let closed = Atomic<Bool>(false)

    init(cluster: FakeCluster, address: BrokerAddress, versions: BrokerApiVersions) {
        self.cluster = cluster
        self.address = address
        self.apiVersions = versions
    }

    var isClosed: Bool { closed.load(ordering: .relaxed) }

    func send<Request: KafkaRequest>(_ request: Request, version: Int16?, timeout: Duration?) async throws -> Request.Response {
        guard !isClosed else { throw TransportError.connectionClosed(address, reason: "closed") }
        let chosen = try version ?? apiVersions!.version(for: Request.self)
        do {
            return try await cluster.answer(request, version: chosen, from: address)
        } catch let error as TransportError {
            if error.isRetriable { closed.store(true, ordering: .relaxed) }
            throw error
        }
    }

    func closeNow() { closed.store(true, ordering: .relaxed) }
}
