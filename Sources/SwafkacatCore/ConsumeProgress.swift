/// When a `-C` run stops, and the `%` lines kcat prints on the way, as a pure state machine:
/// events are facts (a message arrived, a partition reached its end), each returns what to do.
///
/// kcat's rules (1.7.1, `consume_cb` and `partition_at_eof`):
/// - `-e`: a partition at its end is stopped; the run ends when every consumed partition has stopped
///   (one, with `-p`). Each end is announced: `Reached end of topic t [p] at offset N` (+ `: exiting`
///   on the last), at verbosity 1.
/// - `-o e@ts`: a message at or after `ts` is not printed, its partition stops, and
///   `Reached stop timestamp for topic t [p] at offset N` is announced.
/// - `-c N`: the run ends once N messages were printed.
public struct ConsumeProgress: Sendable {
    /// What to do with a message.
    public struct MessageAction: Sendable, Equatable {
        /// Print it.
        public var print: Bool
        /// A `%` line for stderr (without the `% ` prefix and newline).
        public var notice: String?
        /// Stop fetching the message's partition.
        public var stopPartition: Bool
        /// The run is over.
        public var done: Bool

        /// An action.
        public init(print: Bool, notice: String?, stopPartition: Bool, done: Bool) {
            self.print = print
            self.notice = notice
            self.stopPartition = stopPartition
            self.done = done
        }
    }

    /// What to do at a partition's end.
    public struct EndAction: Sendable, Equatable {
        /// A `%` line for stderr.
        public var notice: String
        /// Stop fetching the partition.
        public var stopPartition: Bool
        /// The run is over.
        public var done: Bool

        /// An action.
        public init(notice: String, stopPartition: Bool, done: Bool) {
            self.notice = notice
            self.stopPartition = stopPartition
            self.done = done
        }
    }

    let exitAtEnd: Bool
    let messageLimit: Int64?
    let stopTimestamp: Int64?
    let threshold: Int
    private var stopped: Set<Int32> = []
    private var printed: Int64 = 0
    /// True once the run is over.
    public private(set) var isDone = false

    /// Progress for `partitionCount` partitions being consumed (1 with `-p`).
    public init(partitionCount: Int, exitAtEnd: Bool, messageLimit: Int64?, stopTimestamp: Int64?) {
        self.threshold = partitionCount
        self.exitAtEnd = exitAtEnd
        self.messageLimit = messageLimit
        self.stopTimestamp = stopTimestamp
    }

    private mutating func stop(_ partition: Int32) {
        if stopped.insert(partition).inserted && stopped.count >= threshold { isDone = true }
    }

    /// A message arrived from `topic` [`partition`] at `offset`, stamped `timestamp`.
    public mutating func messageArrived(topic: String, partition: Int32, offset: Int64, timestamp: Int64) -> MessageAction {
        guard !isDone else { return MessageAction(print: false, notice: nil, stopPartition: false, done: true) }
        if let stopTimestamp, timestamp >= stopTimestamp {
            stop(partition)
            return MessageAction(print: false,
                                 notice: "Reached stop timestamp for topic \(topic) [\(partition)] at offset \(offset)\(isDone ? ": exiting" : "")",
                                 stopPartition: true, done: isDone)
        }
        printed += 1
        if let messageLimit, printed == messageLimit { isDone = true }
        return MessageAction(print: true, notice: nil, stopPartition: false, done: isDone)
    }

    /// `topic` [`partition`] reached its end at `offset` (the next offset to be written).
    public mutating func endReached(topic: String, partition: Int32, offset: Int64) -> EndAction {
        if exitAtEnd { stop(partition) }
        return EndAction(notice: "Reached end of topic \(topic) [\(partition)] at offset \(offset)\(isDone ? ": exiting" : "")",
                         stopPartition: exitAtEnd, done: isDone)
    }
}
