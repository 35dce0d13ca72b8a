import KafkaWire

/// An offset as committed: the next offset to read, with the leader epoch of the last record
/// read (KIP-320, so a later reader can detect log truncation) and free-form metadata.
public struct CommitOffset: Sendable, Hashable, CustomStringConvertible {
    /// The next offset to consume (one past the last processed record).
    public var offset: Int64
    /// The leader epoch of the last processed record, or nil.
    public var leaderEpoch: Int32?
    /// Metadata stored with the commit, or nil.
    public var metadata: String?

    /// `offset`, with its epoch and metadata.
    public init(_ offset: Int64, leaderEpoch: Int32? = nil, metadata: String? = nil) {
        self.offset = offset
        self.leaderEpoch = leaderEpoch
        self.metadata = metadata
    }

    public var description: String { leaderEpoch.map { "\(offset)@\($0)" } ?? "\(offset)" }
}

/// Where a partition starts when it is assigned (manual assignment) or sought to.
public enum StartPosition: Sendable, Hashable {
    /// The group's committed offset; `auto.offset.reset` decides when there is none.
    case committed
    /// The log start offset.
    case earliest
    /// The log end: only new records.
    case latest
    /// This offset.
    case offset(Int64)
    /// The first record at or after this timestamp (milliseconds since the epoch), or the end if none.
    case timestamp(Int64)
    /// This many records before the end (`kcat -o -10`).
    case fromEnd(Int64)
}

/// Where a partition's fetch position stands.
public enum PositionState: Sendable, Hashable {
    /// Waiting for the group's committed offset (OffsetFetch).
    case awaitingCommitted
    /// Waiting for a ListOffsets lookup; `minus` is subtracted from the result (`fromEnd`).
    case awaitingLookup(OffsetSpec, minus: Int64)
    /// Fetching from this offset.
    case fetching(Int64)
    /// Out of range (or no committed offset) with `auto.offset.reset=none`: waits for a seek.
    case needsSeek(outOfRangeAt: Int64?)
}

/// What the owner must do to give a partition a position.
public enum PositionLookup: Sendable, Hashable {
    /// Fetch the group's committed offsets of these partitions (OffsetFetch).
    case fetchCommitted([TopicPartition])
    /// Look these partitions up with ListOffsets.
    case listOffsets([TopicPartition: OffsetSpec])
    /// `auto.offset.reset=none` and these partitions have no valid offset: tell the application.
    case noValidOffset([TopicPartition])
}

/// Which offsets a commit carries.
public enum CommitSource: Sendable, Hashable {
    /// What the application marked as processed (Karafka's `mark_as_consumed`). Nothing is
    /// committed that was not explicitly marked: at-least-once for every marked record.
    case marked
    /// Everything delivered to the application (the Java client's auto-commit).
    case delivered
}

/// The offsets of one assigned partition.
public struct PartitionOffsets: Sendable, Hashable {
    /// Where fetching stands.
    public internal(set) var position: PositionState
    /// The leader epoch of the last fetched batch, for Fetch's `CurrentLeaderEpoch`, or nil.
    public internal(set) var positionLeaderEpoch: Int32?
    /// Where the position was set (by a commit, a lookup or a seek), before any fetch.
    public internal(set) var startedAt: Int64?
    /// The offset of the last record handed to the application, or nil.
    public internal(set) var lastDelivered: Int64?
    /// The leader epoch of that record.
    public internal(set) var lastDeliveredEpoch: Int32?
    /// The next offset to commit, as marked by the application, or nil.
    public internal(set) var marked: CommitOffset?
    /// The last committed offset we know of, or nil.
    public internal(set) var committed: CommitOffset?
    /// Paused by the application: no fetches until resumed.
    public internal(set) var isPaused = false
    /// The partition's high watermark from the last fetch or lookup, or nil.
    public internal(set) var highWatermark: Int64?
    /// The last stable offset (read_committed's end), or nil.
    public internal(set) var lastStableOffset: Int64?
    /// The log start offset, or nil.
    public internal(set) var logStartOffset: Int64?
    /// End of partition was reported and nothing arrived since.
    public internal(set) var endReported = false

    init(position: PositionState) {
        self.position = position
    }

    /// The offset to fetch from, when there is one. Fetching runs ahead of the application by
    /// whatever is buffered.
    public var fetchPosition: Int64? {
        if case let .fetching(offset) = position { return offset }
        return nil
    }

    /// The application's position: the next offset it will receive.
    public var applicationPosition: Int64? { lastDelivered.map { $0 + 1 } ?? startedAt }

    /// Sets a new position from which fetching and delivery start.
    mutating func start(at offset: Int64, leaderEpoch: Int32?) {
        position = .fetching(offset)
        positionLeaderEpoch = leaderEpoch
        startedAt = offset
        lastDelivered = nil
        lastDeliveredEpoch = nil
    }
}

/// The offsets of every assigned partition: positions, deliveries, marks, commits, lags.
///
/// Pure bookkeeping. The owner reports what happened (a lookup answered, records delivered, an
/// offset marked, a commit succeeded) and asks what to do next (which lookups, which commits).
public struct OffsetTracker: Sendable {
    /// `auto.offset.reset`.
    public let resetPolicy: OffsetResetPolicy
    /// Whose end counts for lag and end-of-partition: the last stable offset in read_committed.
    public let isolationLevel: IsolationLevel
    /// What commits carry.
    public let commitSource: CommitSource
    private var partitions: [TopicPartition: PartitionOffsets] = [:]

    /// An empty tracker.
    public init(resetPolicy: OffsetResetPolicy = .latest, isolationLevel: IsolationLevel = .readUncommitted,
                commitSource: CommitSource = .marked) {
        self.resetPolicy = resetPolicy
        self.isolationLevel = isolationLevel
        self.commitSource = commitSource
    }

    /// The assigned partitions, sorted.
    public var assigned: [TopicPartition] { partitions.keys.sorted() }

    /// One partition's offsets.
    public subscript(_ partition: TopicPartition) -> PartitionOffsets? { partitions[partition] }

    // MARK: - Assignment

    /// Starts tracking `newPartitions` from `start` (partitions already tracked keep their state).
    /// Returns the lookups needed before they can be fetched.
    public mutating func assign(_ newPartitions: [TopicPartition], from start: StartPosition = .committed) -> [PositionLookup] {
        var added: [TopicPartition] = []
        for tp in newPartitions where partitions[tp] == nil {
            partitions[tp] = PartitionOffsets(position: .awaitingCommitted)
            added.append(tp)
        }
        return seek(added, to: start)
    }

    /// Stops tracking `revoked` and returns what to commit for them first (nothing for
    /// partitions whose offsets are already committed).
    public mutating func revoke(_ revoked: [TopicPartition]) -> [TopicPartition: CommitOffset] {
        let commits = pendingCommits().filter { revoked.contains($0.key) }
        for tp in revoked { partitions[tp] = nil }
        return commits
    }

    /// Stops tracking `lost` partitions without committing: another member owns them now.
    public mutating func lose(_ lost: [TopicPartition]) {
        for tp in lost { partitions[tp] = nil }
    }

    // MARK: - Positions

    /// Moves `targets` to `start`: an offset takes effect at once; the others need a lookup.
    /// The owner must drop records already buffered for these partitions.
    public mutating func seek(_ targets: [TopicPartition], to start: StartPosition) -> [PositionLookup] {
        var lookups: [TopicPartition: OffsetSpec] = [:]
        var committedLookups: [TopicPartition] = []
        for tp in targets.sorted() {
            guard var state = partitions[tp] else { continue }
            // Deliveries start over from the new position; marks stay until the next commit.
            state.endReported = false
            state.startedAt = nil
            state.lastDelivered = nil
            state.lastDeliveredEpoch = nil
            switch start {
            case .committed:
                state.position = .awaitingCommitted
                committedLookups.append(tp)
            case .earliest, .latest, .timestamp, .fromEnd:
                let (spec, minus) = Self.lookup(for: start)
                state.position = .awaitingLookup(spec, minus: minus)
                lookups[tp] = spec
            case let .offset(offset):
                if offset >= 0 { state.start(at: offset, leaderEpoch: nil) } else { state.position = .needsSeek(outOfRangeAt: nil) }
            }
            partitions[tp] = state
        }
        var result: [PositionLookup] = []
        if !committedLookups.isEmpty { result.append(.fetchCommitted(committedLookups)) }
        if !lookups.isEmpty { result.append(.listOffsets(lookups)) }
        return result
    }

    private static func lookup(for start: StartPosition) -> (OffsetSpec, minus: Int64) {
        switch start {
        case .earliest: (.earliest, 0)
        case .latest, .committed, .offset: (.latest, 0)
        case let .timestamp(milliseconds): (.timestamp(milliseconds), 0)
        case let .fromEnd(count): (.latest, max(count, 0))
        }
    }

    /// The committed offsets arrived (nil: the group has none for that partition). Partitions
    /// without one follow `auto.offset.reset`.
    public mutating func committedOffsetsReceived(_ offsets: [TopicPartition: CommitOffset?]) -> [PositionLookup] {
        var resets: [TopicPartition] = []
        for (tp, offset) in offsets {
            guard var state = partitions[tp], state.position == .awaitingCommitted else { continue }
            if let offset, offset.offset >= 0 {
                state.committed = offset
                state.start(at: offset.offset, leaderEpoch: offset.leaderEpoch)
                partitions[tp] = state
            } else {
                resets.append(tp)
            }
        }
        return reset(resets, outOfRangeAt: [:])
    }

    /// A fetch answered OFFSET_OUT_OF_RANGE for `partition` at `fetchOffset`. Ignored when the
    /// position moved since the fetch was sent (a seek won the race); otherwise `auto.offset.reset` decides.
    public mutating func offsetOutOfRange(_ partition: TopicPartition, fetchOffset: Int64) -> [PositionLookup] {
        guard partitions[partition]?.fetchPosition == fetchOffset else { return [] }
        return reset([partition], outOfRangeAt: [partition: fetchOffset])
    }

    private mutating func reset(_ targets: [TopicPartition], outOfRangeAt: [TopicPartition: Int64]) -> [PositionLookup] {
        guard !targets.isEmpty else { return [] }
        switch resetPolicy {
        case .earliest:
            return seek(targets, to: .earliest)
        case .latest:
            return seek(targets, to: .latest)
        case .none:
            for tp in targets { partitions[tp]?.position = .needsSeek(outOfRangeAt: outOfRangeAt[tp]) }
            return [.noValidOffset(targets.sorted())]
        }
    }

    /// A ListOffsets lookup for `partition` answered `offset` (nil or -1: no record at or after
    /// the timestamp). Stale answers, for a lookup a later seek replaced, are ignored. Returns a
    /// follow-up lookup when the timestamp matched nothing: then the position is the end.
    public mutating func lookupCompleted(_ partition: TopicPartition, spec: OffsetSpec, offset: Int64?,
                                         leaderEpoch: Int32? = nil) -> [PositionLookup] {
        guard var state = partitions[partition], case let .awaitingLookup(pending, minus) = state.position,
              pending == spec else { return [] }
        guard let offset, offset >= 0 else {
            if case .timestamp = spec {
                state.position = .awaitingLookup(.latest, minus: 0)
                partitions[partition] = state
                return [.listOffsets([partition: .latest])]
            }
            return []
        }
        state.start(at: max(offset - minus, 0), leaderEpoch: leaderEpoch)
        if spec == .latest { state.highWatermark = offset }
        partitions[partition] = state
        return []
    }

    /// The fetcher consumed complete batches of `partition` up to `nextOffset` (exclusive), or
    /// learned watermarks. Returns true when the application should get an end-of-partition
    /// event: the position reached the end, for the first time since records last arrived.
    @discardableResult
    public mutating func fetched(_ partition: TopicPartition, nextOffset: Int64?, leaderEpoch: Int32? = nil,
                                 highWatermark: Int64?, lastStableOffset: Int64? = nil, logStartOffset: Int64? = nil) -> Bool {
        guard var state = partitions[partition], let position = state.fetchPosition else { return false }
        if let highWatermark, highWatermark >= 0 { state.highWatermark = highWatermark }
        if let lastStableOffset, lastStableOffset >= 0 { state.lastStableOffset = lastStableOffset }
        if let logStartOffset, logStartOffset >= 0 { state.logStartOffset = logStartOffset }
        var current = position
        if let nextOffset, nextOffset > position {
            current = nextOffset
            state.position = .fetching(nextOffset)
            if let leaderEpoch { state.positionLeaderEpoch = leaderEpoch }
            state.endReported = false
        }
        var reachedEnd = false
        if let end = endOffset(of: state), current >= end, !state.endReported {
            state.endReported = true
            reachedEnd = true
        }
        partitions[partition] = state
        return reachedEnd
    }

    private func endOffset(of state: PartitionOffsets) -> Int64? {
        switch isolationLevel {
        case .readUncommitted: state.highWatermark
        case .readCommitted: state.lastStableOffset ?? state.highWatermark
        }
    }

    // MARK: - Delivery and marking

    /// Records of `partition` up to `offset` were handed to the application.
    public mutating func delivered(_ partition: TopicPartition, through offset: Int64, leaderEpoch: Int32? = nil) {
        guard var state = partitions[partition], offset > (state.lastDelivered ?? -1) else { return }
        state.lastDelivered = offset
        state.lastDeliveredEpoch = leaderEpoch
        partitions[partition] = state
    }

    /// The application processed the record at `offset` (and everything before it): the next
    /// commit carries `offset + 1`. Marks only move forward; returns false for a mark that
    /// would go back or for a partition we no longer own.
    @discardableResult
    public mutating func markProcessed(_ partition: TopicPartition, offset: Int64, leaderEpoch: Int32? = nil,
                                       metadata: String? = nil) -> Bool {
        guard var state = partitions[partition], offset >= 0 else { return false }
        let next = offset + 1
        guard next > (state.marked?.offset ?? -1) else { return false }
        state.marked = CommitOffset(next, leaderEpoch: leaderEpoch, metadata: metadata)
        partitions[partition] = state
        return true
    }

    // MARK: - Commits

    /// What a commit should carry now: per partition, the offset from `commitSource` when it is
    /// ahead of the last commit.
    public func pendingCommits() -> [TopicPartition: CommitOffset] {
        var result: [TopicPartition: CommitOffset] = [:]
        for (tp, state) in partitions {
            let candidate: CommitOffset?
            switch commitSource {
            case .marked:
                candidate = state.marked
            case .delivered:
                candidate = state.lastDelivered.map { CommitOffset($0 + 1, leaderEpoch: state.lastDeliveredEpoch) }
            }
            guard let candidate, candidate.offset != state.committed?.offset else { continue }
            result[tp] = candidate
        }
        return result
    }

    /// These offsets were committed.
    public mutating func commitSucceeded(_ offsets: [TopicPartition: CommitOffset]) {
        for (tp, offset) in offsets { partitions[tp]?.committed = offset }
    }

    // MARK: - Pause, lag

    /// No fetches for `paused` until `resume`.
    public mutating func pause(_ paused: [TopicPartition]) {
        for tp in paused { partitions[tp]?.isPaused = true }
    }

    /// Fetching `resumed` again.
    public mutating func resume(_ resumed: [TopicPartition]) {
        for tp in resumed { partitions[tp]?.isPaused = false }
    }

    /// The records between what the group committed (or, with no commit, what was delivered)
    /// and the end of the partition (the last stable offset in read_committed), or nil when
    /// either end is unknown.
    public func lag(_ partition: TopicPartition) -> Int64? {
        guard let state = partitions[partition], let end = endOffset(of: state),
              let from = state.committed?.offset ?? state.applicationPosition else { return nil }
        return max(end - from, 0)
    }

    /// The records between the application's position (after the last delivered record) and the end.
    public func consumerLag(_ partition: TopicPartition) -> Int64? {
        guard let state = partitions[partition], let end = endOffset(of: state),
              let from = state.applicationPosition else { return nil }
        return max(end - from, 0)
    }
}
