import Testing
@testable import KafkaSecurity

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A SCRAM client with a fixed nonce, already past client-first.
private func started(_ algorithm: HashAlgorithm = .sha256, user: String = "user", password: String = "pencil",
                     nonce: String = "rOprNGfwEbeRWgbNEkqO", minimum: Int = 4096,
                     maximum: Int = ScramMechanism.defaultMaximumIterations) -> (ScramMechanism, SaslMechanismAction) {
    var scram = ScramMechanism(algorithm: algorithm, credentials: SaslCredentials(username: user, password: password),
                               minimumIterations: minimum, maximumIterations: maximum, clientNonce: nonce)
    let first = scram.start()
    return (scram, first)
}

private let rfcServerFirst = "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"

@Suite struct ScramTests {
    /// RFC 7677 §3: the SCRAM-SHA-256 exchange for user "user", password "pencil", byte for byte.
    @Test func rfc7677ScramSha256Vector() {
        var (scram, first) = started()
        #expect(scram.name == "SCRAM-SHA-256")
        #expect(first == .send(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")))
        #expect(scram.serverMessageReceived(bytes(rfcServerFirst)) == .send(bytes(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=")))
        #expect(scram.serverMessageReceived(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")) == .complete)
        // Nothing more is expected after completion.
        #expect(scram.serverMessageReceived([]) == .fail(.unexpectedMessage(
            mechanism: "SCRAM-SHA-256", reason: "server message outside the exchange")))
    }

    /// SCRAM-SHA-512 with the RFC 7677 inputs; expected bytes from an independent Python hashlib/hmac script.
    @Test func scramSha512VectorDerivedWithPython() {
        var (scram, first) = started(.sha512)
        #expect(scram.name == "SCRAM-SHA-512")
        #expect(first == .send(bytes("n,,n=user,r=rOprNGfwEbeRWgbNEkqO")))
        #expect(scram.serverMessageReceived(bytes(rfcServerFirst)) == .send(bytes(
            "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,"
            + "p=gMGXRcevScNtxZ6/8lQYpGtnsNAc3mGcmNomv+xnoOMw+3R2xNJdMNnzMlTN8PPC6wdp6dybEmDYXYTxwnYPJQ==")))
        #expect(scram.serverMessageReceived(bytes(
            "v=ZQnYEgWQMFmmsM8aQMF0nDDCy/AgCzkwk8CmMZYcMg0vSVlKDanekLtifDSeVGT4+5ZxXnJq199RVG2rR7N7Zw==")) == .complete)
    }

    /// A user name needing saslname escaping and a password with a space (Python-derived, SHA-512).
    @Test func escapedUserNameVectorDerivedWithPython() {
        var (scram, first) = started(.sha512, user: "a=b,c", password: "pass word!", nonce: "fyko+d2lbbFgONRv9qkxdawL")
        #expect(first == .send(bytes("n,,n=a=3Db=2Cc,r=fyko+d2lbbFgONRv9qkxdawL")))
        #expect(scram.serverMessageReceived(bytes(
            "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=AAECAwQFBgcICQoLDA0ODw==,i=4096")) == .send(bytes(
            "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,"
            + "p=QpHlln6a8QEwi5zL7/mjCpk+1UkbM1kHgCwxujARSjp1IrsJlKU+VtV2ZwZfvRvO1c2DfQPquoYBQwpmENrw5A==")))
        #expect(scram.serverMessageReceived(bytes(
            "v=r90un9jfyex2W16ZWudrT50M+qkaDrVWWd/2GwuRdNNM5ceZ6x80AJeuNVa9el8aEwDJqxbkjR5tiXrqm7UwoQ==")) == .complete)
    }

    @Test func randomNonceIsFreshAndPrintable() {
        var a = ScramMechanism(algorithm: .sha256, credentials: SaslCredentials(username: "u", password: "p"))
        var b = ScramMechanism(algorithm: .sha256, credentials: SaslCredentials(username: "u", password: "p"))
        guard case let .send(x) = a.start(), case let .send(y) = b.start() else {
            Issue.record("start did not send")
            return
        }
        #expect(x != y)
        #expect(x.starts(with: bytes("n,,n=u,r=")) && x.count == 9 + 32)
        #expect(x.allSatisfy { $0 >= 0x21 && $0 <= 0x7E })
    }

    @Test func wrongServerSignatureFails() {
        var (scram, _) = started()
        _ = scram.serverMessageReceived(bytes(rfcServerFirst))
        #expect(scram.serverMessageReceived(bytes("v=7rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")) == .fail(.serverSignatureMismatch))
    }

    @Test func serverSignatureFromADifferentPasswordFails() {
        // The server "knows" password "pencil"; the client has "pencils": the proofs differ and so does v=.
        var (scram, _) = started(password: "pencils")
        _ = scram.serverMessageReceived(bytes(rfcServerFirst))
        #expect(scram.serverMessageReceived(bytes("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=")) == .fail(.serverSignatureMismatch))
    }

    @Test func serverNonceMustExtendOurs() {
        for nonce in ["XOprNGfwEbeRWgbNEkqO%hv", "rOprNGfwEbeRWgbNEkqO", "rOprNG"] {
            var (scram, _) = started()
            #expect(scram.serverMessageReceived(bytes("r=\(nonce),s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
                == .fail(.serverNonceMismatch), "\(nonce)")
        }
    }

    @Test func serverErrorInServerFinal() {
        var (scram, _) = started()
        _ = scram.serverMessageReceived(bytes(rfcServerFirst))
        #expect(scram.serverMessageReceived(bytes("e=invalid-proof"))
            == .fail(.serverReportedError(mechanism: "SCRAM-SHA-256", message: "invalid-proof")))
    }

    @Test func serverErrorInServerFirst() {
        var (scram, _) = started()
        #expect(scram.serverMessageReceived(bytes("e=unknown-user"))
            == .fail(.serverReportedError(mechanism: "SCRAM-SHA-256", message: "unknown-user")))
    }

    @Test func iterationCountBounds() {
        var (low, _) = started()
        #expect(low.serverMessageReceived(bytes("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4095"))
            == .fail(.iterationCountTooLow(4095, minimum: 4096)))
        var (high, _) = started(maximum: 10_000)
        #expect(high.serverMessageReceived(bytes("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=10001"))
            == .fail(.iterationCountTooHigh(10001, maximum: 10_000)))
        var (huge, _) = started()
        #expect(huge.serverMessageReceived(bytes("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=99999999999999999999999"))
            == .fail(.iterationCountTooHigh(Int.max, maximum: ScramMechanism.defaultMaximumIterations)))
        // A lowered minimum admits a smaller count (Python-derived vector, i=1000).
        var (lowered, _) = started(minimum: 1000)
        #expect(lowered.serverMessageReceived(bytes("r=rOprNGfwEbeRWgbNEkqOabc,s=c2FsdA==,i=1000")) == .send(bytes(
            "c=biws,r=rOprNGfwEbeRWgbNEkqOabc,p=yMUgneKGMwNk39/MT8SFD9GFeoOrDrdgjaraAdhDBoE=")))
        #expect(lowered.serverMessageReceived(bytes("v=Rdo8uhpgjIXulTPBw4NOrsREnrTL5oHRfM2RM23gdYg=")) == .complete)
    }

    @Test func malformedServerFirstMessagesFailWithoutTrapping() {
        let hostile: [[UInt8]] = [
            [], [0xFF, 0xFE], bytes(","), bytes("="), bytes("r"), bytes("r="),
            bytes("r=rOprNGfwEbeRWgbNEkqOx"), bytes("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ=="),
            bytes("s=W22ZaJ0SNY7soEsUEjb6gQ==,r=rOprNGfwEbeRWgbNEkqOx,i=4096"),
            bytes("r=rOprNGfwEbeRWgbNEkqOx,s=***,i=4096"), bytes("r=rOprNGfwEbeRWgbNEkqOx,s=,i=4096"),
            bytes("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i="),
            bytes("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=-4096"),
            bytes("r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096x"),
            bytes("r=rOprNGfwEbeRWgbNEkqO\u{7F},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
            bytes("m=ext,r=rOprNGfwEbeRWgbNEkqOx,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"),
            bytes(rfcServerFirst + ","), bytes(",,,,"), [UInt8](repeating: 0x3D, count: 1000),
        ]
        for message in hostile {
            var (scram, _) = started()
            guard case .fail = scram.serverMessageReceived(message) else {
                Issue.record("accepted \(message)")
                continue
            }
        }
        // Every strict prefix of the valid server-first fails too.
        let valid = bytes(rfcServerFirst)
        for length in 0..<valid.count {
            var (scram, _) = started()
            guard case .fail = scram.serverMessageReceived(Array(valid.prefix(length))) else {
                Issue.record("accepted prefix of length \(length)")
                continue
            }
        }
    }

    @Test func malformedServerFinalMessagesFail() {
        for message in [[], bytes("v="), bytes("v=@@@@"), bytes("x=abc"), bytes("v"), [0xC3], bytes("6rriTRBi")] {
            var (scram, _) = started()
            _ = scram.serverMessageReceived(bytes(rfcServerFirst))
            guard case .fail = scram.serverMessageReceived(message) else {
                Issue.record("accepted \(message)")
                continue
            }
        }
    }

    @Test func invalidUserNamesAreRefusedBeforeSending() {
        var empty = ScramMechanism(algorithm: .sha256, credentials: SaslCredentials(username: "", password: "p"))
        #expect(empty.start() == .fail(.invalidCredential(field: "username", reason: "is empty")))
        var nul = ScramMechanism(algorithm: .sha256, credentials: SaslCredentials(username: "a\u{0}b", password: "p"))
        #expect(nul.start() == .fail(.invalidCredential(field: "username", reason: "contains NUL")))
    }
}

@Suite struct PlainTests {
    @Test func rfc4616Message() {
        var plain = PlainMechanism(credentials: SaslCredentials(username: "tim", password: "tanstaaftanstaaf"))
        #expect(plain.name == "PLAIN")
        #expect(plain.start() == .send(bytes("\u{0}tim\u{0}tanstaaftanstaaf")))
        #expect(plain.serverMessageReceived([]) == .complete)
    }

    @Test func authorizationIDAndRejections() {
        var plain = PlainMechanism(credentials: SaslCredentials(username: "Ursel", password: "kurt"),
                                   authorizationID: "Kurt")
        #expect(plain.start() == .send(bytes("Kurt\u{0}Ursel\u{0}kurt")))
        #expect(plain.serverMessageReceived([1]) == .fail(.unexpectedMessage(
            mechanism: "PLAIN", reason: "server sent 1 bytes; PLAIN has no challenge")))
        var nul = PlainMechanism(credentials: SaslCredentials(username: "u", password: "a\u{0}b"))
        #expect(nul.start() == .fail(.invalidCredential(field: "password", reason: "contains NUL")))
        var empty = PlainMechanism(credentials: SaslCredentials(username: "u", password: ""))
        #expect(empty.start() == .fail(.invalidCredential(field: "password", reason: "is empty")))
    }
}
