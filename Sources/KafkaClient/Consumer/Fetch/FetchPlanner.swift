import KafkaWire

/// The fetch settings of a consumer.
public struct FetchConfiguration: Sendable, Hashable {
    /// `fetch.min.bytes`: the broker waits for at least this much data (or `maxWait`).
    public var minBytes: Int32 = 1
    /// `fetch.max.wait.ms`: the longest the broker holds a fetch waiting for `minBytes`.
    public var maxWait: Duration = .milliseconds(500)
    /// `max.partition.fetch.bytes`: the most data per partition per fetch (the broker still
    /// returns a first batch that is larger, KIP-74, so a big batch cannot block a partition).
    public var maxPartitionBytes: Int32 = 1_048_576
    /// `fetch.max.bytes`: the most data per fetch response (same exception as above).
    public var maxBytes: Int32 = 52_428_800
    /// `isolation.level`.
    public var isolationLevel: IsolationLevel = .readUncommitted
    /// The most fetched bytes kept per partition before the application reads them
    /// (`queued.max.messages.kbytes` per partition): a partition holding this much is not fetched.
    public var maxBufferedBytesPerPartition: Int = 64 * 1024 * 1024
    /// A bound on the bytes buffered for all partitions together: no fetch at all while it is
    /// reached. nil for none.
    public var maxBufferedBytes: Int?
    /// `client.rack`, sent in Fetch v11+ for follower fetching; empty for none.
    public var rackID: String = ""
    /// Whether to use incremental fetch sessions (KIP-227) where the broker supports them.
    public var useFetchSessions = true

    /// The defaults above (the Java client's, and librdkafka's buffer bound).
    public init() {}
}

/// A partition the consumer could fetch, as the owner knows it now.
public struct FetchCandidate: Sendable, Hashable {
    /// The partition.
    public var partition: TopicPartition
    /// Its topic's id (Fetch v13+ names topics by id), or `.zero` when unknown.
    public var topicID: KafkaUUID
    /// The offset to fetch from, or nil while the position is being looked up.
    public var position: Int64?
    /// The leader epoch we know, sent to fence stale leaders (v9+), or nil.
    public var currentLeaderEpoch: Int32?
    /// The partition leader's broker id, or nil when metadata does not name one.
    public var leader: Int32?
    /// Bytes fetched for this partition that the application has not read yet.
    public var bufferedBytes: Int
    /// Paused by the application.
    public var isPaused: Bool
    /// A larger per-partition limit, after a batch did not fit (only brokers before KIP-74).
    public var maxBytesOverride: Int32?

    /// A candidate with the given facts.
    public init(partition: TopicPartition, topicID: KafkaUUID = .zero, position: Int64?, currentLeaderEpoch: Int32? = nil,
                leader: Int32?, bufferedBytes: Int = 0, isPaused: Bool = false, maxBytesOverride: Int32? = nil) {
        self.partition = partition
        self.topicID = topicID
        self.position = position
        self.currentLeaderEpoch = currentLeaderEpoch
        self.leader = leader
        self.bufferedBytes = bufferedBytes
        self.isPaused = isPaused
        self.maxBytesOverride = maxBytesOverride
    }
}

/// One partition in a fetch request: what a fetch session compares to see what changed.
public struct FetchTarget: Sendable, Hashable {
    /// The partition.
    public var partition: TopicPartition
    /// Its topic id, or `.zero`.
    public var topicID: KafkaUUID
    /// The offset to fetch from.
    public var fetchOffset: Int64
    /// The leader epoch we know, or -1.
    public var currentLeaderEpoch: Int32
    /// The most bytes to return for it.
    public var maxBytes: Int32

    /// A target with the given fields.
    public init(partition: TopicPartition, topicID: KafkaUUID = .zero, fetchOffset: Int64, currentLeaderEpoch: Int32 = -1,
                maxBytes: Int32) {
        self.partition = partition
        self.topicID = topicID
        self.fetchOffset = fetchOffset
        self.currentLeaderEpoch = currentLeaderEpoch
        self.maxBytes = maxBytes
    }
}

/// What to fetch now.
public struct FetchPlan: Sendable, Hashable {
    /// Per broker (leader), the partitions to fetch from it, sorted. One request each.
    public var targets: [Int32: [FetchTarget]] = [:]
    /// Partitions with a position but no known leader: refresh metadata.
    public var leaderUnknown: [TopicPartition] = []
    /// Partitions skipped because their buffer is full (the application is behind).
    public var bufferFull: [TopicPartition] = []
}

/// Decides which partitions to fetch from which broker. Pure: the owner passes what it knows.
public enum FetchPlanner {
    /// The plan for `candidates`.
    ///
    /// A partition is fetched when it has a position, a known leader, is not paused, and its
    /// buffer is under `maxBufferedBytesPerPartition`; brokers in `brokersWithFetchInFlight`
    /// get nothing (one fetch in flight per broker, carrying all its partitions). Nothing at
    /// all is fetched while the total buffered bytes reach `maxBufferedBytes`.
    public static func plan(_ candidates: [FetchCandidate], brokersWithFetchInFlight: Set<Int32> = [],
                            configuration: FetchConfiguration) -> FetchPlan {
        var plan = FetchPlan()
        let totalBuffered = candidates.reduce(0) { $0 + $1.bufferedBytes }
        if let bound = configuration.maxBufferedBytes, totalBuffered >= bound {
            plan.bufferFull = candidates.filter { $0.position != nil && !$0.isPaused }.map(\.partition).sorted()
            return plan
        }
        for candidate in candidates.sorted(by: { $0.partition < $1.partition }) {
            guard let position = candidate.position, !candidate.isPaused else { continue }
            guard let leader = candidate.leader, leader >= 0 else {
                plan.leaderUnknown.append(candidate.partition)
                continue
            }
            guard candidate.bufferedBytes < configuration.maxBufferedBytesPerPartition else {
                plan.bufferFull.append(candidate.partition)
                continue
            }
            guard !brokersWithFetchInFlight.contains(leader) else { continue }
            plan.targets[leader, default: []].append(FetchTarget(
                partition: candidate.partition, topicID: candidate.topicID, fetchOffset: position,
                currentLeaderEpoch: candidate.currentLeaderEpoch ?? -1,
                maxBytes: max(candidate.maxBytesOverride ?? 0, configuration.maxPartitionBytes)))
        }
        return plan
    }
}
