import KafkaTransport
import KafkaWire

extension KafkaAdminClient {
    /// Looks up offsets: the earliest, the latest, or the first at a timestamp, per partition.
    /// One ListOffsets request goes to each partition leader for all its partitions; partitions
    /// whose leader moved are retried after a metadata refresh.
    public func listOffsets(_ specs: [TopicPartition: OffsetSpec], isolationLevel: IsolationLevel = .readUncommitted,
                            timeout: Duration? = nil) async throws(KafkaClientError)
        -> [TopicPartition: Result<ListedOffset, KafkaClientError>] {
        let cluster = self.cluster
        return try await cluster.sendBatched(specs.keys.sorted(), timeout: timeout, route: { .leader($0) }) {
            broker, partitions, deadline throws(KafkaClientError) in
            // The leader epoch we know lets the broker fence us if our metadata is behind (KIP-320).
            let epochs = cluster.cachedMetadata.map { snapshot in
                Dictionary(partitions.compactMap { partition in
                    snapshot.topics[partition.topic]?.partition(partition.partition)?.leaderEpoch.map { (partition, $0) }
                }, uniquingKeysWith: { first, _ in first })
            } ?? [:]
            var usedVersion: Int16 = 0
            let build = { (version: Int16) throws(KafkaClientError) -> ListOffsetsRequest in
                usedVersion = version
                return try Self.listOffsetsRequest(partitions, specs: specs, epochs: epochs, isolationLevel: isolationLevel,
                                                   version: version)
            }
            let response = try await cluster.sendOnce(to: broker, deadline: deadline, build)
            var outcomes: [TopicPartition: Result<ListedOffset, KafkaClientError>] = [:]
            for topic in response.topics {
                for answer in topic.partitions {
                    let partition = TopicPartition(topic.name, answer.partitionIndex)
                    guard answer.errorCode == .none else {
                        outcomes[partition] = .failure(.broker(KafkaError(answer.errorCode), context: "\(partition)"))
                        continue
                    }
                    let offset = usedVersion == 0 ? (answer.oldStyleOffsets.first ?? -1) : answer.offset
                    outcomes[partition] = .success(ListedOffset(
                        offset: offset >= 0 ? offset : nil,
                        timestamp: usedVersion >= 1 && answer.timestamp >= 0 ? answer.timestamp : nil,
                        leaderEpoch: answer.leaderEpoch >= 0 ? answer.leaderEpoch : nil))
                }
            }
            return outcomes
        }
    }

    static func listOffsetsRequest(_ partitions: [TopicPartition], specs: [TopicPartition: OffsetSpec],
                                   epochs: [TopicPartition: Int32], isolationLevel: IsolationLevel, version: Int16)
        throws(KafkaClientError) -> ListOffsetsRequest {
        if isolationLevel != .readUncommitted && version < 2 {
            throw .unsupported("read-committed offsets need ListOffsets v2+ (the broker offers v\(version))")
        }
        var request = ListOffsetsRequest()
        request.replicaID = -1  // a client, not a follower
        request.isolationLevel = isolationLevel.rawValue
        var byTopic: [String: [ListOffsetsRequest.ListOffsetsPartition]] = [:]
        for partition in partitions {
            let spec = specs[partition] ?? .latest
            if spec == .maxTimestamp && version < 7 {
                throw .unsupported("max-timestamp offsets need ListOffsets v7+ (the broker offers v\(version))")
            }
            var entry = ListOffsetsRequest.ListOffsetsPartition()
            entry.partitionIndex = partition.partition
            entry.timestamp = spec.wireTimestamp
            if version >= 4, let epoch = epochs[partition] { entry.currentLeaderEpoch = epoch }
            byTopic[partition.topic, default: []].append(entry)
        }
        request.topics = byTopic.sorted { $0.key < $1.key }.map { ListOffsetsRequest.ListOffsetsTopic(name: $0.key, partitions: $0.value) }
        return request
    }

    /// Deletes records before the given offsets (moves each partition's log start offset up to it;
    /// -1 means the high watermark). Returns each partition's new low watermark.
    public func deleteRecords(before offsets: [TopicPartition: Int64], timeout: Duration? = nil) async throws(KafkaClientError)
        -> [TopicPartition: Result<Int64, KafkaClientError>] {
        let serverTimeout = serverTimeoutMs(timeout)
        log("deleting records before \(offsets.sorted { $0.key < $1.key }.map { "\($0.key)@\($0.value)" })")
        let cluster = self.cluster
        return try await cluster.sendBatched(offsets.keys.sorted(), timeout: timeout, route: { .leader($0) }) {
            broker, partitions, deadline throws(KafkaClientError) in
            var byTopic: [String: [DeleteRecordsRequest.DeleteRecordsPartition]] = [:]
            for partition in partitions {
                byTopic[partition.topic, default: []].append(
                    DeleteRecordsRequest.DeleteRecordsPartition(partitionIndex: partition.partition, offset: offsets[partition] ?? -1))
            }
            let request = DeleteRecordsRequest(
                topics: byTopic.sorted { $0.key < $1.key }.map { DeleteRecordsRequest.DeleteRecordsTopic(name: $0.key, partitions: $0.value) },
                timeoutMs: serverTimeout)
            let response = try await cluster.sendOnce(to: broker, deadline: deadline) { _ in request }
            var outcomes: [TopicPartition: Result<Int64, KafkaClientError>] = [:]
            for topic in response.topics {
                for answer in topic.partitions {
                    let partition = TopicPartition(topic.name, answer.partitionIndex)
                    outcomes[partition] = answer.errorCode == .none
                        ? .success(answer.lowWatermark)
                        : .failure(.broker(KafkaError(answer.errorCode), context: "\(partition)"))
                }
            }
            return outcomes
        }
    }
}
