import KafkaSecurity
import Synchronization
import Testing

/// Token refresh before expiry: the cached token is reused inside its refresh window only.
@Suite struct CachingOAuthBearerTokenProviderTests {
    @Test func refreshesAfterTheWindowFactorOfTheLifetime() async throws {
        let clock = Mutex<Int64>(1_000_000)
        let serial = Mutex(0)
        let provider = CachingOAuthBearerTokenProvider(refreshWindowFactor: 0.8, now: { clock.withLock { $0 } }) {
            let n = serial.withLock { value -> Int in
                value += 1
                return value
            }
            // Each token lives 10 s from when it is fetched.
            return OAuthBearerToken(value: "t\(n)", expiresAtMilliseconds: clock.withLock { $0 } + 10_000)
        }
        #expect(try await provider.token().value == "t1")
        clock.withLock { $0 += 7_999 }
        #expect(try await provider.token().value == "t1", "inside 80 % of the lifetime")
        clock.withLock { $0 += 1 }
        #expect(try await provider.token().value == "t2", "at 80 % a fresh token is fetched")
        #expect(await provider.fetchCount == 2)
    }

    @Test func anExpiredOrLifelessTokenIsNeverReused() async throws {
        let serial = Mutex(0)
        let provider = CachingOAuthBearerTokenProvider(refreshWindowFactor: 0.8, now: { 5_000 }) {
            let n = serial.withLock { value -> Int in
                value += 1
                return value
            }
            return OAuthBearerToken(value: "t\(n)", expiresAtMilliseconds: 4_000)  // already expired
        }
        _ = try await provider.token()
        _ = try await provider.token()
        #expect(await provider.fetchCount == 2)
    }
}
