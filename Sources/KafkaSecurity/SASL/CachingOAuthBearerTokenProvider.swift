// Token refresh before expiry, as Kafka's Java client does it (sasl.login.refresh.window.factor, 0.8 by
// default): a token fetched at `t` and expiring at `e` is reused until `t + factor * (e - t)`, then the next
// authentication fetches a fresh one. Connections ask before every authentication and KIP-368
// re-authentication, so a broker that caps the session at the token's lifetime gets the fresh token on the
// connection's next re-authentication.

import Glibc

/// An `OAuthBearerTokenProvider` that caches the token `fetch` returns and fetches a new one once
/// `refreshWindowFactor` of its lifetime has passed (or when it has expired).
public actor CachingOAuthBearerTokenProvider: OAuthBearerTokenProvider {
    private let fetch: @Sendable () async throws -> OAuthBearerToken
    private let refreshWindowFactor: Double
    private let nowMilliseconds: @Sendable () -> Int64
    private var cached: (token: OAuthBearerToken, fetchedAt: Int64)? = nil
    /// How many times `fetch` has been called (for diagnostics and tests).
    public private(set) var fetchCount = 0

    /// Caches tokens from `fetch`, refreshing after `refreshWindowFactor` (clamped to 0.5...1) of their lifetime.
    public init(refreshWindowFactor: Double = 0.8, fetch: @escaping @Sendable () async throws -> OAuthBearerToken) {
        self.init(refreshWindowFactor: refreshWindowFactor, now: Self.wallClockMilliseconds, fetch: fetch)
    }

    /// As above, with the wall clock (milliseconds since the Unix epoch) injected for tests.
    public init(refreshWindowFactor: Double, now: @escaping @Sendable () -> Int64,
                fetch: @escaping @Sendable () async throws -> OAuthBearerToken) {
        self.fetch = fetch
        self.refreshWindowFactor = min(max(refreshWindowFactor.isNaN ? 0.8 : refreshWindowFactor, 0.5), 1)
        self.nowMilliseconds = now
    }

    /// The cached token while it is inside its refresh window, else a fresh one.
    public func token() async throws -> OAuthBearerToken {
        let now = nowMilliseconds()
        if let cached {
            let lifetime = max(cached.token.expiresAtMilliseconds - cached.fetchedAt, 0)
            if now < cached.fetchedAt + Int64(Double(lifetime) * refreshWindowFactor) { return cached.token }
        }
        fetchCount += 1
        let fresh = try await fetch()
        cached = (fresh, nowMilliseconds())
        return fresh
    }

    /// Milliseconds since the Unix epoch.
    @Sendable public static func wallClockMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }
}
