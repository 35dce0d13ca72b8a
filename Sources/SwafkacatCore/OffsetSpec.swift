/// Where `-o` starts (or stops) consuming.
public enum StartOffset: Sendable, Equatable {
    /// `-o beginning`: the first offset still in the log.
    case beginning
    /// `-o end`: only records produced from now on.
    case end
    /// `-o stored`: the group's committed offset.
    case stored
    /// `-o N`: offset N.
    case absolute(Int64)
    /// `-o -N`: N records before the end of each partition.
    case fromEnd(Int64)
}

/// One parsed `-o` argument. kcat keeps three separate settings, so `-o s@1000 -o e@2000` sets both a
/// start and a stop time, and a plain offset given after `s@` leaves the start time in force.
public enum OffsetArgument: Sendable, Equatable {
    /// `beginning`, `end`, `stored`, `N` or `-N`.
    case start(StartOffset)
    /// `s@<ms>`: start at the first record at or after this time.
    case startTimestamp(Int64)
    /// `e@<ms>`: stop before the first record at or after this time.
    case stopTimestamp(Int64)

    /// Why `-o`'s argument is not valid.
    public struct ParseError: Error, Equatable, Sendable, CustomStringConvertible {
        /// The argument as given.
        public var text: String
        /// An error for `text`.
        public init(text: String) { self.text = text }
        /// kcat accepts any text here (`strtoll` makes `-o bogus` offset 0); swafkacat refuses it.
        public var description: String {
            "Invalid offset \"\(text)\": expected beginning, end, stored, <value>, -<value>, s@<ms> or e@<ms>"
        }
    }

    /// Parses `-o`'s argument.
    public init(parsing text: String) throws(ParseError) {
        switch text {
        case "beginning": self = .start(.beginning)
        case "end": self = .start(.end)
        case "stored": self = .start(.stored)
        default:
            if text.hasPrefix("s@"), let ms = Int64(text.dropFirst(2)), ms >= 0 {
                self = .startTimestamp(ms)
            } else if text.hasPrefix("e@"), let ms = Int64(text.dropFirst(2)), ms >= 0 {
                self = .stopTimestamp(ms)
            } else if let value = Int64(text) {
                self = .start(value < 0 ? .fromEnd(value == .min ? .max : -value) : .absolute(value))
            } else {
                throw ParseError(text: text)
            }
        }
    }
}

/// One `-Q -t topic:partition:timestamp` entry.
public struct TimestampQuery: Sendable, Equatable {
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int32
    /// Milliseconds since the epoch, or -1 (latest) / -2 (earliest) as ListOffsets takes them.
    public var timestamp: Int64

    /// A query.
    public init(topic: String, partition: Int32, timestamp: Int64) {
        self.topic = topic
        self.partition = partition
        self.timestamp = timestamp
    }

    /// Parses `topic:partition:timestamp`; nil when it is not of that form (kcat's message:
    /// `-t: expected "topic:partition:offset_or_timestamp"`). The topic ends at the first colon (topic
    /// names cannot contain one); numbers are decimal, or hex with `0x`, as kcat's `strtol(.., 0)` reads them.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, let partition = Self.integer(parts[1]).flatMap(Int32.init(exactly:)),
              let timestamp = Self.integer(parts[2]) else { return nil }
        self.init(topic: String(parts[0]), partition: partition, timestamp: timestamp)
    }

    private static func integer(_ text: Substring) -> Int64? {
        var body = text
        var negative = false
        if body.hasPrefix("-") {
            negative = true
            body = body.dropFirst()
        }
        let value: Int64?
        if body.hasPrefix("0x") || body.hasPrefix("0X") {
            value = Int64(body.dropFirst(2), radix: 16)
        } else {
            value = Int64(body)
        }
        return value.map { negative ? -$0 : $0 }
    }
}
