import KafkaWire

/// What the consumer needs to know of one complete entry of a fetched RECORDS field (a v2
/// batch, or a legacy message with its inner messages) to decide whether, and from which
/// offset, its records reach the application. The records layer's entries conform to it.
public protocol FetchedBatchHeader {
    /// The first offset the entry covers.
    var baseOffset: Int64 { get }
    /// The last offset the entry covers (for a v2 batch, even when compaction removed it).
    var lastOffset: Int64 { get }
    /// The producer id, or -1 (legacy messages, producers without idempotence).
    var producerID: Int64 { get }
    /// The entry belongs to a transaction.
    var isTransactional: Bool { get }
    /// The entry is a control batch (a transaction marker), never application data.
    var isControl: Bool { get }
    /// A control batch whose marker is ABORT (the end of an aborted transaction).
    var isAbortMarker: Bool { get }
}

/// What happens to one fetched batch.
public enum BatchDisposition: Sendable, Hashable {
    /// Deliver its records from `fromOffset` on (records below it were already consumed: a
    /// compressed batch or message set can start before the fetch offset).
    case deliver(fromOffset: Int64)
    /// Entirely before the fetch offset.
    case alreadyConsumed
    /// Part of an aborted transaction (read_committed).
    case aborted
    /// A control batch: transaction markers never reach the application.
    case control
}

/// Drops the batches of aborted transactions, as a read_committed consumer must (the broker
/// returns them, with the list of aborted transactions that overlap the response).
///
/// Each aborted transaction is a producer id and the offset its transaction started at. Walking
/// the batches in offset order: once a batch reaches a transaction's first offset, that producer
/// is "aborted", and its transactional batches are dropped until its ABORT marker, which ends
/// the transaction. Batches of other producers, and a producer's later transactions, pass.
public struct AbortedTransactionFilter: Sendable {
    private var pending: [FetchResponse.AbortedTransaction]
    private var abortedProducers: Set<Int64> = []

    /// A filter for one partition's response; nil or empty lists drop nothing.
    public init(_ abortedTransactions: [FetchResponse.AbortedTransaction]?) {
        pending = (abortedTransactions ?? []).sorted { $0.firstOffset < $1.firstOffset }
    }

    /// Classifies the next batch (batches must come in offset order).
    public mutating func isAborted(_ batch: some FetchedBatchHeader) -> Bool {
        guard batch.producerID >= 0 else { return false }
        while let first = pending.first, first.firstOffset <= batch.lastOffset {
            abortedProducers.insert(first.producerID)
            pending.removeFirst()
        }
        if batch.isAbortMarker {
            abortedProducers.remove(batch.producerID)
            return false
        }
        return batch.isTransactional && abortedProducers.contains(batch.producerID)
    }
}

/// What to do with one partition of a fetch response.
public enum PartitionFetchOutcome: Sendable, Equatable {
    /// Records (possibly none): deliver, advance, check for the end.
    case fetched(FetchedPartition)
    /// OFFSET_OUT_OF_RANGE at the fetch offset: `OffsetTracker.offsetOutOfRange` decides.
    case offsetOutOfRange(fetchOffset: Int64)
    /// The leader moved or is not known yet: refresh metadata, keep the position, fetch again.
    /// `newLeader` is the broker's hint (Fetch v12+, KIP-951), when it gave one.
    case refreshMetadata(ErrorCode, newLeader: Int32?, leaderEpoch: Int32?)
    /// A passing problem: keep the position and fetch again after a backoff.
    case retry(ErrorCode)
    /// The application must hear of it (authorization, corruption).
    case failed(ErrorCode)
    /// The position moved since the fetch was sent (a seek, a reset): discard.
    case stale
}

/// The usable part of one partition's fetched records.
public struct FetchedPartition: Sendable, Equatable {
    /// Per complete entry, in order, what to do with it.
    public var dispositions: [BatchDisposition]
    /// Where the next fetch starts: after the last complete entry; nil when there was none.
    public var nextFetchOffset: Int64?
    /// The partition's high watermark.
    public var highWatermark: Int64
    /// The last stable offset, or nil (before Fetch v4).
    public var lastStableOffset: Int64?
    /// The log start offset, or nil (before Fetch v5).
    public var logStartOffset: Int64?
    /// When the only thing returned was a partial batch bigger than the partition limit (only
    /// brokers before KIP-74 do that): the size needed to read it, to fetch again with.
    public var requiredFetchSize: Int?
    /// A corrupt entry stopped the read after the complete ones listed; the position stays
    /// before it and the application must hear of it.
    public var corruption: WireDecodingError?
}

/// Turns one partition of a fetch response into an outcome. Pure.
public enum FetchResponseHandler {
    /// Decides what `data` means for the partition.
    ///
    /// - Parameters:
    ///   - data: the partition's response (its `records` already decoded into `batches`).
    ///   - batches: the complete entries of the RECORDS field, in order.
    ///   - incompleteTailSize: the declared size of a partial entry at the end, if any.
    ///   - corruption: an error that stopped decoding after `batches`, if any.
    ///   - fetchOffset: the offset the request asked for.
    ///   - currentPosition: the tracker's position now.
    ///   - isolationLevel: read_committed drops aborted transactions.
    public static func handle<Batch: FetchedBatchHeader>(
        _ data: FetchResponse.PartitionData, batches: [Batch], incompleteTailSize: Int? = nil,
        corruption: WireDecodingError? = nil, fetchOffset: Int64, currentPosition: Int64?,
        isolationLevel: IsolationLevel
    ) -> PartitionFetchOutcome {
        guard currentPosition == fetchOffset else { return .stale }
        switch data.errorCode {
        case .none:
            break
        case .offsetOutOfRange:
            return .offsetOutOfRange(fetchOffset: fetchOffset)
        case .notLeaderOrFollower, .fencedLeaderEpoch, .leaderNotAvailable, .replicaNotAvailable, .kafkaStorageError,
             .offsetNotAvailable, .unknownTopicOrPartition, .unknownTopicId, .inconsistentTopicId, .fetchSessionTopicIdError:
            let leader = data.currentLeader.leaderID >= 0 ? data.currentLeader.leaderID : nil
            let epoch = data.currentLeader.leaderEpoch >= 0 ? data.currentLeader.leaderEpoch : nil
            return .refreshMetadata(data.errorCode, newLeader: leader, leaderEpoch: epoch)
        case .unknownLeaderEpoch, .unknownServerError, .offsetMovedToTieredStorage:
            // The broker is behind our metadata, or had a passing failure: try again.
            return .retry(data.errorCode)
        case .topicAuthorizationFailed, .corruptMessage:
            return .failed(data.errorCode)
        default:
            return data.errorCode.isRetriable ? .retry(data.errorCode) : .failed(data.errorCode)
        }

        var filter = AbortedTransactionFilter(isolationLevel == .readCommitted ? data.abortedTransactions : nil)
        var dispositions: [BatchDisposition] = []
        var next: Int64?
        for batch in batches {
            // The filter sees every batch, so abort markers before the fetch offset still end
            // their transactions.
            let aborted = isolationLevel == .readCommitted && filter.isAborted(batch)
            let disposition: BatchDisposition
            if batch.lastOffset < fetchOffset {
                disposition = .alreadyConsumed
            } else if aborted {
                disposition = .aborted
            } else if batch.isControl {
                disposition = .control
            } else {
                disposition = .deliver(fromOffset: max(batch.baseOffset, fetchOffset))
            }
            dispositions.append(disposition)
            // Every complete entry moves the position past it, delivered or not; the position
            // never moves back (an entry wholly before it leaves it where it is).
            next = max(next ?? fetchOffset, batch.lastOffset + 1)
        }
        let required = (batches.isEmpty && corruption == nil) ? incompleteTailSize : nil
        return .fetched(FetchedPartition(
            dispositions: dispositions, nextFetchOffset: next, highWatermark: data.highWatermark,
            lastStableOffset: data.lastStableOffset >= 0 ? data.lastStableOffset : nil,
            logStartOffset: data.logStartOffset >= 0 ? data.logStartOffset : nil,
            requiredFetchSize: required.flatMap { $0 > 0 ? $0 : nil }, corruption: corruption))
    }

    /// The response's partitions with their names: by topic name up to Fetch v12, by topic id
    /// from v13 (`topicNames` maps ids to names; partitions of unknown ids are left out).
    public static func partitions(of response: FetchResponse, topicNames: [KafkaUUID: String] = [:])
        -> [(partition: TopicPartition, data: FetchResponse.PartitionData)] {
        var result: [(partition: TopicPartition, data: FetchResponse.PartitionData)] = []
        for topic in response.responses {
            let name = topic.topicID == .zero ? topic.topic : (topicNames[topic.topicID] ?? "")
            guard !name.isEmpty else { continue }
            for data in topic.partitions { result.append((TopicPartition(name, data.partitionIndex), data)) }
        }
        return result
    }
}
