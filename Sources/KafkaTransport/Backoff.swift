/// Exponential backoff with jitter, as `reconnect.backoff.ms` / `reconnect.backoff.max.ms` and
/// `retry.backoff.ms` / `retry.backoff.max.ms` describe it.
///
/// Attempt n waits `base * 2^n`, capped at `maximum`, then scaled by a random factor in
/// `1 - jitter ... 1 + jitter` (never above `maximum`), so many clients that lost the same broker
/// do not reconnect in lockstep.
public struct ExponentialBackoff: Sendable, Equatable {
    /// The first delay.
    public var base: Duration
    /// The largest delay.
    public var maximum: Duration
    /// The relative spread of the random factor, 0...1 (librdkafka and Java use 0.2).
    public var jitter: Double

    /// A backoff from `base` doubling up to `maximum`, with `jitter` spread.
    public init(base: Duration, maximum: Duration, jitter: Double = 0.2) {
        self.base = base
        self.maximum = max(base, maximum)
        self.jitter = min(max(jitter, 0), 1)
    }

    /// The delay before attempt `attempt` (0 for the first retry).
    public func delay(attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let exponent = min(max(attempt, 0), 62)
        var delay = base
        for _ in 0..<exponent {
            delay = delay * 2
            if delay >= maximum { delay = maximum; break }
        }
        guard jitter > 0 else { return delay }
        let factor = Double.random(in: (1 - jitter)...(1 + jitter), using: &generator)
        return min(delay * factor, maximum)
    }

    /// The delay before attempt `attempt`, with the system's random generator.
    public func delay(attempt: Int) -> Duration {
        var generator = SystemRandomNumberGenerator()
        return delay(attempt: attempt, using: &generator)
    }
}
