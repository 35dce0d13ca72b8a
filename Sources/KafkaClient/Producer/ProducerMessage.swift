import KafkaWire

/// A message to produce: where it goes, what it carries, and a label of the caller's that comes
/// back in its delivery report.
///
/// WaterDrop's vocabulary: `topic`, `payload` (here `value`; nil is a tombstone), `key`, `headers`,
/// `partition` or `partition_key`, `timestamp` and `label`.
public struct ProducerMessage: Sendable {
    /// The topic to append to.
    public var topic: String
    /// The value; nil is a null value (a tombstone on a compacted topic), distinct from an empty one.
    public var value: ByteSlice?
    /// The key; nil is a null key.
    public var key: ByteSlice?
    /// The headers, in order; a name may repeat.
    public var headers: [Header]
    /// How the partition is chosen.
    public var partitioning: Partitioning
    /// The record's timestamp in milliseconds since the Unix epoch; nil means the time of the produce call.
    public var timestampMs: Int64?
    /// Anything of the caller's, carried unchanged into the delivery report (WaterDrop's `label`).
    public var label: (any Sendable)?

    /// A message for `topic`.
    public init(topic: String, value: ByteSlice?, key: ByteSlice? = nil, headers: [Header] = [],
                partitioning: Partitioning = .automatic, timestampMs: Int64? = nil, label: (any Sendable)? = nil) {
        self.topic = topic
        self.value = value
        self.key = key
        self.headers = headers
        self.partitioning = partitioning
        self.timestampMs = timestampMs
        self.label = label
    }

    /// A record header: a UTF-8 name and an optional value.
    public struct Header: Sendable, Hashable {
        /// The header's name. Names may repeat; order is kept.
        public var name: String
        /// The value; nil is a null value, distinct from an empty one.
        public var value: ByteSlice?

        /// A header `name` with `value`.
        public init(_ name: String, _ value: ByteSlice?) {
            self.name = name
            self.value = value
        }
    }

    /// How a message's partition is chosen.
    public enum Partitioning: Sendable, Hashable {
        /// The producer's partitioner decides from the key (sticky for a null key).
        case automatic
        /// This partition, whatever the key.
        case explicit(Int32)
        /// The partitioner hashes these bytes instead of the key (WaterDrop's `partition_key`); the
        /// record keeps its own key.
        case key(ByteSlice)
    }
}

/// Identifies one accepted message for its owner: assigned in increasing order as messages are
/// accepted, so a smaller ID was accepted earlier.
public struct ProducerMessageID: Hashable, Comparable, Sendable, CustomStringConvertible {
    /// The position of the message among those the producer accepted, from 0.
    public let rawValue: UInt64

    /// Wraps a raw ID.
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }
    public var description: String { "#\(rawValue)" }
}

extension ProducerMessage {
    /// An upper bound on the bytes this message takes as a v2 record, whatever its deltas: what
    /// `batch.size`, `buffer.memory` and `message.max.bytes` are checked against.
    ///
    /// A record is: length (varint, ≤ 5 bytes), attributes (1), timestamp delta (varlong, ≤ 10),
    /// offset delta (varint, ≤ 5), key length (≤ 5) and key, value length (≤ 5) and value, header
    /// count (≤ 5), then per header its name length (≤ 5), name, value length (≤ 5) and value.
    /// Saturating arithmetic: sizes come from the caller's data.
    public var recordSizeUpperBound: Int {
        var size = 36
        size = size.addingSaturated(key?.count ?? 0)
        size = size.addingSaturated(value?.count ?? 0)
        for header in headers {
            size = size.addingSaturated(10).addingSaturated(header.name.utf8.count)
                .addingSaturated(header.value?.count ?? 0)
        }
        return size
    }
}

extension Int {
    /// `self + other`, or `Int.max` on overflow.
    func addingSaturated(_ other: Int) -> Int {
        let (sum, overflow) = addingReportingOverflow(other)
        return overflow ? .max : sum
    }
}
