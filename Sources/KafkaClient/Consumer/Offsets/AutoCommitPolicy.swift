/// When to commit automatically: Karafka's `offset_commit_interval` and `offset_commit_threshold`.
///
/// A commit is due when there is something to commit and either the interval has passed since
/// the last commit or at least `threshold` records were marked since then. Either trigger can be
/// turned off (nil); with both off, only explicit commits happen.
public struct AutoCommitPolicy: Sendable, Hashable {
    /// `offset_commit_interval`, or nil.
    public let interval: Duration?
    /// `offset_commit_threshold`, or nil.
    public let threshold: Int?
    private var lastCommit: ContinuousClock.Instant
    /// Records marked since the last commit.
    public private(set) var uncommittedCount = 0

    /// A policy whose interval counts from `now`. A zero interval or threshold means off, as in Karafka.
    public init(interval: Duration?, threshold: Int?, now: ContinuousClock.Instant) {
        self.interval = interval.flatMap { $0 > .zero ? $0 : nil }
        self.threshold = threshold.flatMap { $0 > 0 ? $0 : nil }
        self.lastCommit = now
    }

    /// `count` more records were marked as processed.
    public mutating func marked(count: Int = 1) {
        uncommittedCount += count
    }

    /// Whether to commit now.
    public func isDue(now: ContinuousClock.Instant) -> Bool {
        guard uncommittedCount > 0 else { return false }
        if let threshold, uncommittedCount >= threshold { return true }
        if let interval, now - lastCommit >= interval { return true }
        return false
    }

    /// When the interval will make a commit due (for a timer), or nil.
    public var nextDeadline: ContinuousClock.Instant? {
        interval.map { lastCommit + $0 }
    }

    /// A commit (automatic or explicit) of everything marked so far was sent at `now`.
    public mutating func committed(now: ContinuousClock.Instant) {
        lastCommit = now
        uncommittedCount = 0
    }
}
