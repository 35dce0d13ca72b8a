import KafkaWire

// Building the offset requests a consumer sends and reading their answers into what the
// OffsetTracker and the membership need. Version-dependent shapes are chosen here, so the
// owner only passes the version the connection negotiated.

/// How a broker's per-partition answer to an offset request is to be treated.
public enum OffsetErrorDisposition: Sendable, Hashable {
    /// Retry the same request after a backoff.
    case retry
    /// The partition's leader (or the coordinator) changed: refresh metadata, then retry.
    case refreshAndRetry
    /// The group's coordinator moved or is unavailable: find it again, then retry.
    case findCoordinator
    /// The group generation is over (rebalance, unknown member, illegal generation, fenced):
    /// report to the membership (`offsetCommitFailed`).
    case groupError
    /// Give up and tell the application.
    case fail
}

extension OffsetErrorDisposition {
    /// The Java client's treatment of each error in OffsetCommit and OffsetFetch answers.
    public static func forCommit(_ code: ErrorCode) -> OffsetErrorDisposition {
        switch code {
        case .coordinatorLoadInProgress, .unknownTopicOrPartition, .unstableOffsetCommit: .retry
        case .notCoordinator, .coordinatorNotAvailable, .requestTimedOut: .findCoordinator
        case .rebalanceInProgress, .unknownMemberId, .illegalGeneration, .fencedInstanceId: .groupError
        default: code.isRetriable ? .retry : .fail
        }
    }

    /// Treatment of ListOffsets errors: leadership problems refresh metadata.
    public static func forListOffsets(_ code: ErrorCode) -> OffsetErrorDisposition {
        switch code {
        case .notLeaderOrFollower, .leaderNotAvailable, .fencedLeaderEpoch, .unknownLeaderEpoch,
             .unknownTopicOrPartition, .replicaNotAvailable, .kafkaStorageError, .offsetNotAvailable:
            .refreshAndRetry
        default:
            code.isRetriable ? .retry : .fail
        }
    }
}

/// A partition an offset request failed for.
public struct OffsetFailure: Sendable, Hashable {
    /// The broker's error.
    public var code: ErrorCode
    /// What to do about it.
    public var disposition: OffsetErrorDisposition

    /// `code`, treated as `disposition`.
    public init(_ code: ErrorCode, _ disposition: OffsetErrorDisposition) {
        self.code = code
        self.disposition = disposition
    }
}

// MARK: - OffsetCommit

extension OffsetCommitRequest {
    /// Commits `offsets` for `groupID`, fenced by `generation` (nil for a consumer outside any
    /// generation, such as one with manually assigned partitions: generation -1, no member id).
    public static func committing(_ offsets: [TopicPartition: CommitOffset], groupID: String,
                                  generation: GroupGeneration?) -> OffsetCommitRequest {
        let topics = offsets.keys.groupedByTopic().map { topic, partitions in
            OffsetCommitRequestTopic(name: topic, partitions: partitions.map { partition in
                let offset = offsets[TopicPartition(topic, partition)] ?? CommitOffset(0)
                return OffsetCommitRequestPartition(
                    partitionIndex: partition, committedOffset: offset.offset,
                    committedLeaderEpoch: offset.leaderEpoch ?? -1, committedMetadata: offset.metadata ?? "")
            })
        }
        return OffsetCommitRequest(groupID: groupID, generationIDOrMemberEpoch: generation?.generationID ?? -1,
                                   memberID: generation?.memberID ?? "", groupInstanceID: generation?.groupInstanceID,
                                   topics: topics)
    }
}

/// What an OffsetCommit achieved.
public struct OffsetCommitOutcome: Sendable, Hashable {
    /// Committed: pass to `OffsetTracker.commitSucceeded`.
    public var committed: [TopicPartition: CommitOffset] = [:]
    /// Not committed, with the error and what to do about it.
    public var failed: [TopicPartition: OffsetFailure] = [:]

    /// The first group-level error, to report to the membership, or nil.
    public var groupError: ErrorCode? {
        failed.sorted { $0.key < $1.key }.first { $0.value.disposition == .groupError }?.value.code
    }

    /// The partitions worth committing again (after a backoff, or once the coordinator is found).
    public var retriable: [TopicPartition: CommitOffset] {
        var result: [TopicPartition: CommitOffset] = [:]
        for (tp, failure) in failed where failure.disposition == .retry || failure.disposition == .findCoordinator {
            result[tp] = sent[tp]
        }
        return result
    }

    /// Whether the coordinator must be looked up again.
    public var coordinatorMoved: Bool { failed.values.contains { $0.disposition == .findCoordinator } }

    private var sent: [TopicPartition: CommitOffset] = [:]

    /// Reads `response` to the commit of `sent`. A partition missing from the answer counts as
    /// failed with UNKNOWN_SERVER_ERROR (retriable: the broker did not say).
    public init(_ response: OffsetCommitResponse, sent: [TopicPartition: CommitOffset]) {
        self.sent = sent
        var answered: Set<TopicPartition> = []
        for topic in response.topics {
            for partition in topic.partitions {
                let tp = TopicPartition(topic.name, partition.partitionIndex)
                guard let offset = sent[tp] else { continue }
                answered.insert(tp)
                if partition.errorCode == .none {
                    committed[tp] = offset
                } else {
                    failed[tp] = OffsetFailure(partition.errorCode, .forCommit(partition.errorCode))
                }
            }
        }
        for tp in sent.keys where !answered.contains(tp) { failed[tp] = OffsetFailure(.unknownServerError, .retry) }
    }
}

// MARK: - OffsetFetch

extension OffsetFetchRequest {
    /// Asks for `groupID`'s committed offsets of `partitions`, shaped for `version` (v8+ nest
    /// them under a group). `requireStable` (v7+, KIP-447) waits for pending transactional
    /// commits to resolve; the Java client sets it in read_committed.
    public static func fetching(_ partitions: [TopicPartition], groupID: String, requireStable: Bool,
                                version: Int16) -> OffsetFetchRequest {
        let grouped = partitions.groupedByTopic()
        if version >= 8 {
            let topics = grouped.map { OffsetFetchRequestTopics(name: $0.topic, partitionIndexes: $0.partitions) }
            return OffsetFetchRequest(groups: [OffsetFetchRequestGroup(groupID: groupID, topics: topics)],
                                      requireStable: requireStable)
        }
        let topics = grouped.map { OffsetFetchRequestTopic(name: $0.topic, partitionIndexes: $0.partitions) }
        return OffsetFetchRequest(groupID: groupID, topics: topics, requireStable: version >= 7 && requireStable)
    }
}

/// The committed offsets an OffsetFetch returned.
public struct OffsetFetchOutcome: Sendable, Hashable {
    /// Per partition: the committed offset, or nil when the group has none. Pass to
    /// `OffsetTracker.committedOffsetsReceived`.
    public var offsets: [TopicPartition: CommitOffset?] = [:]
    /// Partitions to ask again for (pending transactional commits, coordinator loading).
    public var retry: [TopicPartition] = []
    /// Partitions that failed for good.
    public var failed: [TopicPartition: ErrorCode] = [:]
    /// A group-level error, when the whole request failed.
    public var groupError: ErrorCode?

    /// Reads an OffsetFetch response of any version for the `requested` partitions of `groupID`.
    public init(_ response: OffsetFetchResponse, groupID: String, requested: [TopicPartition]) {
        var entries: [(TopicPartition, Int64, Int32, String?, ErrorCode)] = []
        var topError: ErrorCode = .none
        if let group = response.groups.first(where: { $0.groupID == groupID }) {
            topError = group.errorCode
            for topic in group.topics {
                for p in topic.partitions {
                    entries.append((TopicPartition(topic.name, p.partitionIndex), p.committedOffset,
                                    p.committedLeaderEpoch, p.metadata, p.errorCode))
                }
            }
        } else {
            topError = response.errorCode
            for topic in response.topics {
                for p in topic.partitions {
                    entries.append((TopicPartition(topic.name, p.partitionIndex), p.committedOffset,
                                    p.committedLeaderEpoch, p.metadata, p.errorCode))
                }
            }
        }
        let wanted = Set(requested)
        if topError != .none {
            groupError = topError
            if OffsetErrorDisposition.forCommit(topError) == .retry { retry = requested.sorted() }
            return
        }
        for (tp, offset, epoch, metadata, code) in entries where wanted.contains(tp) {
            switch code {
            case .none:
                offsets[tp] = offset >= 0
                    ? CommitOffset(offset, leaderEpoch: epoch >= 0 ? epoch : nil, metadata: metadata)
                    : .some(nil)
            case .unstableOffsetCommit, .coordinatorLoadInProgress:
                retry.append(tp)
            case .unknownTopicOrPartition:
                // The Java client treats it as "no commit": the reset policy decides.
                offsets[tp] = .some(nil)
            default:
                if OffsetErrorDisposition.forCommit(code) == .fail { failed[tp] = code } else { retry.append(tp) }
            }
        }
        for tp in wanted where offsets[tp] == nil && failed[tp] == nil && !retry.contains(tp) {
            offsets[tp] = .some(nil)
        }
        retry.sort()
    }
}

// MARK: - ListOffsets

extension ListOffsetsRequest {
    /// Looks up `lookups` (one leader's partitions). The consumer's replica id is -1; in
    /// read_committed, "latest" means the last stable offset. Known leader epochs fence the
    /// lookup against stale leaders (v4+).
    public static func lookingUp(_ lookups: [TopicPartition: OffsetSpec], isolationLevel: IsolationLevel,
                                 leaderEpochs: [TopicPartition: Int32] = [:]) -> ListOffsetsRequest {
        let topics = lookups.keys.groupedByTopic().map { topic, partitions in
            ListOffsetsTopic(name: topic, partitions: partitions.map { partition in
                let tp = TopicPartition(topic, partition)
                return ListOffsetsPartition(partitionIndex: partition, currentLeaderEpoch: leaderEpochs[tp] ?? -1,
                                            timestamp: lookups[tp]?.wireTimestamp ?? -1)
            })
        }
        return ListOffsetsRequest(replicaID: -1, isolationLevel: isolationLevel.rawValue, topics: topics)
    }
}

/// One partition's ListOffsets answer.
public enum OffsetLookupResult: Sendable, Hashable {
    /// The offset (nil when no record matches a timestamp), and the leader epoch when known.
    case found(offset: Int64?, leaderEpoch: Int32?)
    /// An error, and what to do about it.
    case failed(ErrorCode, OffsetErrorDisposition)

    /// Reads every partition of a ListOffsets response (v0's `OldStyleOffsets` included).
    public static func results(of response: ListOffsetsResponse) -> [TopicPartition: OffsetLookupResult] {
        var results: [TopicPartition: OffsetLookupResult] = [:]
        for topic in response.topics {
            for p in topic.partitions {
                let tp = TopicPartition(topic.name, p.partitionIndex)
                switch p.errorCode {
                case .none:
                    let offset = p.oldStyleOffsets.first ?? p.offset
                    results[tp] = .found(offset: offset >= 0 ? offset : nil, leaderEpoch: p.leaderEpoch >= 0 ? p.leaderEpoch : nil)
                case .unsupportedForMessageFormat:
                    // A timestamp lookup on a log without timestamps: no record matches.
                    results[tp] = .found(offset: nil, leaderEpoch: nil)
                default:
                    results[tp] = .failed(p.errorCode, .forListOffsets(p.errorCode))
                }
            }
        }
        return results
    }
}
