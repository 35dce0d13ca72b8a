import KafkaWire
import Testing
@testable import KafkaSecurity

/// Random and mutated server messages at every step of every mechanism: each ends in an action, never a trap.
@Suite struct HostileInputTests {
    /// xorshift64*, seeded and printed so a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state ^= state >> 12; state ^= state << 25; state ^= state >> 27
            return state &* 2685821657736338717
        }
    }

    @Test func randomServerMessagesNeverTrap() {
        let seed: UInt64 = 0x5A51_C0DE
        print("HostileInputTests seed \(seed)")
        var rng = Generator(state: seed)
        let credentials = SaslCredentials(username: "user", password: "pencil")
        let serverFirst = Array("r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096".utf8)
        for round in 0..<300 {
            var message: [UInt8]
            if round % 2 == 0 {
                message = (0..<Int.random(in: 0..<64, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                message = serverFirst
                for _ in 0..<Int.random(in: 1...4, using: &rng) {
                    message[Int.random(in: 0..<message.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            var mechanisms: [any SaslClientMechanism] = [
                PlainMechanism(credentials: credentials),
                ScramMechanism(algorithm: .sha256, credentials: credentials, minimumIterations: 4096,
                               maximumIterations: 8192, clientNonce: "rOprNGfwEbeRWgbNEkqO"),
                OAuthBearerMechanism(token: OAuthBearerToken(value: "abc", expiresAtMilliseconds: 0)),
            ]
            for index in mechanisms.indices {
                _ = mechanisms[index].start()
                for _ in 0..<3 { _ = mechanisms[index].serverMessageReceived(message) }
            }
            var exchange = SaslClientExchange(mechanism: ScramMechanism(
                algorithm: .sha512, credentials: credentials, minimumIterations: 4096, maximumIterations: 8192,
                clientNonce: "rOprNGfwEbeRWgbNEkqO"))
            _ = exchange.start()
            _ = exchange.handshakeResponseReceived(SaslHandshakeResponse())
            _ = exchange.authenticateResponseReceived(SaslAuthenticateResponse(authBytes: ByteSlice(message)))
        }
    }
}
