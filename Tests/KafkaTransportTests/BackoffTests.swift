import KafkaTransport
import Testing

@Suite("Exponential backoff")
struct BackoffTests {
    @Test func doublesUpToTheMaximumWithoutJitter() {
        let backoff = ExponentialBackoff(base: .milliseconds(100), maximum: .seconds(1), jitter: 0)
        #expect((0..<6).map { backoff.delay(attempt: $0) } ==
                [.milliseconds(100), .milliseconds(200), .milliseconds(400), .milliseconds(800), .seconds(1), .seconds(1)])
        #expect(backoff.delay(attempt: 10_000) == .seconds(1))
    }

    @Test func jitterStaysWithinItsBandAndTheMaximum() {
        let backoff = ExponentialBackoff(base: .milliseconds(100), maximum: .seconds(1), jitter: 0.2)
        for attempt in 0..<8 {
            for _ in 0..<50 {
                let delay = backoff.delay(attempt: attempt)
                let nominal = min(Duration.milliseconds(100) * (1 << attempt), .seconds(1))
                #expect(delay >= nominal * 0.8 && delay <= min(nominal * 1.2, .seconds(1)))
            }
        }
    }
}
