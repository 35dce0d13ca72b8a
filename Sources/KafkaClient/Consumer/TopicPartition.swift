import KafkaWire

/// One partition of one topic: the unit of assignment, fetching and offset tracking.
///
/// Ordered by topic, then partition. Topics compare by their UTF-16 code units, as Java's
/// `String.compareTo` does, so every sorted list (and every assignment the leader computes from
/// one) comes out in the same order as in the Java client.
public struct TopicPartition: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The topic name.
    public var topic: String
    /// The partition index.
    public var partition: Int32

    /// Partition `partition` of `topic`.
    public init(_ topic: String, _ partition: Int32) {
        self.topic = topic
        self.partition = partition
    }

    public static func < (lhs: TopicPartition, rhs: TopicPartition) -> Bool {
        if lhs.topic != rhs.topic { return javaStringLess(lhs.topic, rhs.topic) }
        return lhs.partition < rhs.partition
    }

    /// `topic-3`, as Kafka's tools print it.
    public var description: String { "\(topic)-\(partition)" }
}

/// Java's `String.compareTo`: lexicographic over UTF-16 code units.
///
/// Swift's `<` on strings orders by Unicode scalars, which differs from Java for characters
/// outside the Basic Multilingual Plane. Group member ids and topic names are almost always
/// ASCII, but the leader's sort order decides who gets which partition, so we match Java exactly.
func javaStringLess(_ lhs: String, _ rhs: String) -> Bool {
    lhs.utf16.lexicographicallyPrecedes(rhs.utf16)
}

extension Sequence where Element == TopicPartition {
    /// The partitions grouped by topic, topics and partitions sorted: the shape of every
    /// topic/partitions array in the consumer protocol, OffsetCommit, OffsetFetch and Fetch.
    func groupedByTopic() -> [(topic: String, partitions: [Int32])] {
        var byTopic: [String: [Int32]] = [:]
        for tp in self { byTopic[tp.topic, default: []].append(tp.partition) }
        return byTopic.keys.sorted(by: javaStringLess).map { topic in
            (topic, (byTopic[topic] ?? []).sorted())
        }
    }
}

/// Which records a fetch may return (the wire's `IsolationLevel`, Fetch v4+ and ListOffsets v2+).
public enum IsolationLevel: Int8, Sendable, Hashable, CaseIterable {
    /// Every record, including those of open and aborted transactions.
    case readUncommitted = 0
    /// Only records below the last stable offset, minus aborted transactions.
    case readCommitted = 1
}

/// What to do when a partition has no committed offset, or its position fell out of range
/// (`auto.offset.reset`).
public enum OffsetResetPolicy: Sendable, Hashable {
    /// Start from the log start offset.
    case earliest
    /// Start from the end: only records produced from now on.
    case latest
    /// Report an error to the application instead of guessing.
    case none
}

/// The offset a ListOffsets request asks for: an `OffsetSpec` in the Java admin client's words.
public enum OffsetSpec: Sendable, Hashable {
    /// The log start offset.
    case earliest
    /// The log end offset (the high watermark, or the last stable offset in read_committed).
    case latest
    /// The first offset whose timestamp is at or after this many milliseconds since the epoch.
    case timestamp(Int64)
    /// The offset of the record with the highest timestamp (ListOffsets v7+, KIP-734; admin only).
    case maxTimestamp

    /// The ListOffsets `Timestamp` field: -2 for earliest, -1 for latest, -3 for the max timestamp,
    /// or the timestamp.
    public var wireTimestamp: Int64 {
        switch self {
        case .earliest: -2
        case .latest: -1
        case let .timestamp(milliseconds): milliseconds
        case .maxTimestamp: -3
        }
    }
}
