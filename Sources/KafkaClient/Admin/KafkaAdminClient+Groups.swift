import KafkaTransport
import KafkaWire

extension KafkaAdminClient {
    /// Every group in the cluster: ListGroups goes to every broker (each lists the groups it
    /// coordinates). `states` filters by state on brokers that support it (ListGroups v4+).
    /// Throws when a broker cannot answer before the deadline, since its groups would be missing.
    public func listGroups(states: [String] = [], timeout: Duration? = nil) async throws(KafkaClientError) -> [ListedGroup] {
        let snapshot = try await cluster.refreshMetadata(.topics([]), timeout: timeout)
        let cluster = self.cluster
        let outcomes = try await cluster.sendBatched(snapshot.sortedBrokers.map(\.nodeID), timeout: timeout, route: { .broker($0) }) {
            broker, nodes, deadline throws(KafkaClientError) in
            let response = try await cluster.sendOnce(to: broker, deadline: deadline) { version in
                ListGroupsRequest(statesFilter: version >= 4 ? states : [])
            }
            let node = broker.nodeID ?? -1
            let result: Result<[ListedGroup], KafkaClientError>
            if response.errorCode != .none {
                result = .failure(.broker(KafkaError(response.errorCode), context: "ListGroups on broker \(node)"))
            } else {
                result = .success(response.groups.map {
                    ListedGroup(groupID: $0.groupID, protocolType: $0.protocolType,
                                state: $0.groupState.isEmpty ? nil : $0.groupState,
                                type: $0.groupType.isEmpty ? nil : $0.groupType, coordinator: node)
                })
            }
            return Dictionary(uniqueKeysWithValues: nodes.map { ($0, result) })
        }
        var groups: [String: ListedGroup] = [:]
        for node in outcomes.keys.sorted() {
            guard let outcome = outcomes[node] else { continue }
            for group in try outcome.get() {
                // Brokers older than v4 cannot filter: filter here.
                if !states.isEmpty, let state = group.state, !states.contains(where: { $0.lowercased() == state.lowercased() }) { continue }
                groups[group.groupID] = group
            }
        }
        return groups.values.sorted { $0.groupID < $1.groupID }
    }

    /// Describes groups: state, protocol, members and (for consumer groups) their assignments.
    /// DescribeGroups goes to each group's coordinator, one request per coordinator.
    public func describeGroups(_ groupIDs: [String], timeout: Duration? = nil) async throws(KafkaClientError)
        -> [String: Result<GroupDescription, KafkaClientError>] {
        let cluster = self.cluster
        return try await cluster.sendBatched(groupIDs, timeout: timeout, route: { .coordinator(.group($0)) }) {
            broker, ids, deadline throws(KafkaClientError) in
            let response = try await cluster.sendOnce(to: broker, deadline: deadline) { _ in DescribeGroupsRequest(groups: ids) }
            var outcomes: [String: Result<GroupDescription, KafkaClientError>] = [:]
            for group in response.groups {
                guard group.errorCode == .none else {
                    outcomes[group.groupID] = .failure(.broker(KafkaError(group.errorCode), context: "group \(group.groupID)"))
                    continue
                }
                outcomes[group.groupID] = .success(GroupDescription(
                    groupID: group.groupID, state: group.groupState, protocolType: group.protocolType,
                    protocolName: group.protocolData,
                    members: group.members.map { member in
                        GroupMember(memberID: member.memberID, groupInstanceID: member.groupInstanceID, clientID: member.clientID,
                                    clientHost: member.clientHost,
                                    assignment: group.protocolType == "consumer" ? Self.decodeAssignment(member.memberAssignment) : nil,
                                    metadata: Array(member.memberMetadata), rawAssignment: Array(member.memberAssignment))
                    },
                    coordinator: broker.nodeID ?? -1))
            }
            return outcomes
        }
    }

    /// The partitions in a consumer-protocol assignment; nil when it does not decode. An empty
    /// assignment (a member that has none yet) is an empty list.
    static func decodeAssignment(_ bytes: ByteSlice) -> [TopicPartition]? {
        if bytes.count == 0 { return [] }
        guard let (_, assignment) = try? ConsumerProtocolAssignment.decodeWithVersion(bytes) else { return nil }
        return assignment.assignedPartitions.flatMap { topic in topic.partitions.map { TopicPartition(topic.topic, $0) } }.sorted()
    }

    /// Deletes groups (which must be empty) and their committed offsets.
    public func deleteGroups(_ groupIDs: [String], timeout: Duration? = nil) async throws(KafkaClientError)
        -> [String: Result<Void, KafkaClientError>] {
        log("deleting groups \(groupIDs)")
        let cluster = self.cluster
        return try await cluster.sendBatched(groupIDs, timeout: timeout, route: { .coordinator(.group($0)) }) {
            broker, ids, deadline throws(KafkaClientError) in
            let response = try await cluster.sendOnce(to: broker, deadline: deadline) { _ in DeleteGroupsRequest(groupsNames: ids) }
            var outcomes: [String: Result<Void, KafkaClientError>] = [:]
            for result in response.results {
                outcomes[result.groupID] = result.errorCode == .none
                    ? .success(())
                    : .failure(.broker(KafkaError(result.errorCode), context: "group \(result.groupID)"))
            }
            return outcomes
        }
    }

    /// The offsets `groupID` committed: for `partitions`, or for every partition it committed when nil.
    /// Partitions without a committed offset are left out.
    public func committedOffsets(group groupID: String, partitions: [TopicPartition]? = nil, requireStable: Bool = false,
                                 timeout: Duration? = nil) async throws(KafkaClientError) -> [TopicPartition: CommittedOffset] {
        var usedVersion: Int16 = 0
        let response = try await cluster.send(
            to: .coordinator(.group(groupID)), timeout: timeout,
            check: { response in Self.offsetFetchError(response, groupID: groupID) }
        ) { version throws(KafkaClientError) in
            usedVersion = version
            return try Self.offsetFetchRequest(group: groupID, partitions: partitions, requireStable: requireStable, version: version)
        }
        var offsets: [TopicPartition: CommittedOffset] = [:]
        func add(_ topic: String, _ partition: Int32, _ offset: Int64, _ epoch: Int32, _ metadata: String?) {
            guard offset >= 0 else { return }
            offsets[TopicPartition(topic, partition)] = CommittedOffset(offset: offset, leaderEpoch: epoch >= 0 ? epoch : nil,
                                                                        metadata: metadata)
        }
        if usedVersion >= 8 {
            for group in response.groups where group.groupID == groupID {
                for topic in group.topics {
                    for p in topic.partitions where p.errorCode == .none {
                        add(topic.name, p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.metadata)
                    }
                }
            }
        } else {
            for topic in response.topics {
                for p in topic.partitions where p.errorCode == .none {
                    add(topic.name, p.partitionIndex, p.committedOffset, p.committedLeaderEpoch, p.metadata)
                }
            }
        }
        return offsets
    }

    static func offsetFetchRequest(group: String, partitions: [TopicPartition]?, requireStable: Bool, version: Int16)
        throws(KafkaClientError) -> OffsetFetchRequest {
        if partitions == nil && version < 2 {
            throw .unsupported("fetching every committed offset needs OffsetFetch v2+ (the broker offers v\(version))")
        }
        var byTopic: [String: [Int32]] = [:]
        for partition in partitions ?? [] { byTopic[partition.topic, default: []].append(partition.partition) }
        let sorted = byTopic.sorted { $0.key < $1.key }
        var request = OffsetFetchRequest()
        request.requireStable = version >= 7 && requireStable
        if version >= 8 {
            // v8 batches groups (KIP-709): one group here.
            let topics = partitions.map { _ in sorted.map { OffsetFetchRequest.OffsetFetchRequestTopics(name: $0.key, partitionIndexes: $0.value) } }
            request.groups = [OffsetFetchRequest.OffsetFetchRequestGroup(groupID: group, topics: topics)]
        } else {
            request.groupID = group
            request.topics = partitions.map { _ in sorted.map { OffsetFetchRequest.OffsetFetchRequestTopic(name: $0.key, partitionIndexes: $0.value) } }
        }
        return request
    }

    /// The first error in an OffsetFetch response: the group's, else a partition's.
    static func offsetFetchError(_ response: OffsetFetchResponse, groupID: String) -> KafkaError? {
        if response.errorCode != .none { return KafkaError(response.errorCode) }
        for group in response.groups {
            if group.errorCode != .none { return KafkaError(group.errorCode) }
            for topic in group.topics {
                if let p = topic.partitions.first(where: { $0.errorCode != .none && $0.errorCode != .unknownTopicOrPartition }) {
                    return KafkaError(p.errorCode)
                }
            }
        }
        for topic in response.topics {
            // UNKNOWN_TOPIC_OR_PARTITION for a partition never committed is not an error of the fetch.
            if let p = topic.partitions.first(where: { $0.errorCode != .none && $0.errorCode != .unknownTopicOrPartition }) {
                return KafkaError(p.errorCode)
            }
        }
        return nil
    }

    /// How far `groupID` is behind: its committed offsets against each partition's end offset.
    public func groupLag(group groupID: String, isolationLevel: IsolationLevel = .readUncommitted, timeout: Duration? = nil)
        async throws(KafkaClientError) -> [TopicPartition: PartitionLag] {
        let committed = try await committedOffsets(group: groupID, timeout: timeout)
        if committed.isEmpty { return [:] }
        let ends = try await listOffsets(committed.mapValues { _ in .latest }, isolationLevel: isolationLevel, timeout: timeout)
        var lags: [TopicPartition: PartitionLag] = [:]
        for (partition, offset) in committed {
            switch ends[partition] {
            case let .success(end)?:
                let endOffset = end.offset
                lags[partition] = PartitionLag(committed: offset.offset, endOffset: endOffset,
                                               lag: endOffset.map { max(0, $0 - offset.offset) }, endOffsetError: nil)
            case let .failure(error)?:
                lags[partition] = PartitionLag(committed: offset.offset, endOffset: nil, lag: nil, endOffsetError: error)
            case nil:
                lags[partition] = PartitionLag(committed: offset.offset, endOffset: nil, lag: nil,
                                               endOffsetError: .unexpectedResponse("no end offset for \(partition)"))
            }
        }
        return lags
    }
}
