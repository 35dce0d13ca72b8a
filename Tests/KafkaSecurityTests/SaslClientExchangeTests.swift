import KafkaWire
import Testing
@testable import KafkaSecurity

private func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }
private func authenticate(_ s: String) -> SaslClientExchange.Action {
    .sendAuthenticate(SaslAuthenticateRequest(authBytes: ByteSlice(bytes(s))))
}
private func response(_ s: String, lifetime: Int64 = 0) -> SaslAuthenticateResponse {
    SaslAuthenticateResponse(errorCode: .none, errorMessage: nil, authBytes: ByteSlice(bytes(s)),
                             sessionLifetimeMs: lifetime)
}

private let secret = "pencil-Secret-42"

@Suite struct SaslClientExchangeTests {
    private func scramExchange(password: String = "pencil") -> SaslClientExchange {
        SaslClientExchange(mechanism: ScramMechanism(
            algorithm: .sha256, credentials: SaslCredentials(username: "user", password: password),
            minimumIterations: 4096, maximumIterations: 1_000_000, clientNonce: "rOprNGfwEbeRWgbNEkqO"))
    }

    /// The RFC 7677 exchange carried in SaslHandshake v1 + SaslAuthenticate, with a KIP-368 lifetime.
    @Test func scramSha256Success() {
        var exchange = scramExchange()
        #expect(exchange.start() == .sendHandshake(SaslHandshakeRequest(mechanism: "SCRAM-SHA-256")))
        #expect(exchange.handshakeResponseReceived(SaslHandshakeResponse(errorCode: .none, mechanisms: ["SCRAM-SHA-256"]))
            == authenticate("n,,n=user,r=rOprNGfwEbeRWgbNEkqO"))
        #expect(exchange.authenticateResponseReceived(response(
            "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
            == authenticate("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ="))
        let done = exchange.authenticateResponseReceived(response("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
                                                                  lifetime: 3_600_000))
        let session = SaslSession(mechanism: "SCRAM-SHA-256", sessionLifetime: .seconds(3600))
        #expect(done == .authenticated(session))
        #expect(session.reauthenticationDelay(jitter: 0) == .seconds(3060))
        #expect(session.reauthenticationDelay(jitter: 1) == .seconds(3420))
        #expect(SaslSession(mechanism: "PLAIN", sessionLifetime: nil).reauthenticationDelay(jitter: 0.5) == nil)
        // Anything after success is out of order.
        guard case .failed(.unexpectedMessage) = exchange.authenticateResponseReceived(response("")) else {
            Issue.record("accepted a response after success")
            return
        }
    }

    @Test func plainSuccessWithoutLifetime() {
        var exchange = SaslClientExchange(mechanism: PlainMechanism(credentials: SaslCredentials(username: "u", password: "p")))
        _ = exchange.start()
        #expect(exchange.handshakeResponseReceived(SaslHandshakeResponse(errorCode: .none, mechanisms: ["PLAIN"]))
            == authenticate("\u{0}u\u{0}p"))
        #expect(exchange.authenticateResponseReceived(response(""))
            == .authenticated(SaslSession(mechanism: "PLAIN", sessionLifetime: nil)))
    }

    @Test func unsupportedMechanismNamesTheBrokersList() {
        var exchange = scramExchange()
        _ = exchange.start()
        let action = exchange.handshakeResponseReceived(SaslHandshakeResponse(
            errorCode: .unsupportedSaslMechanism, mechanisms: ["PLAIN", "SCRAM-SHA-512"]))
        #expect(action == .failed(.unsupportedMechanism(requested: "SCRAM-SHA-256", enabled: ["PLAIN", "SCRAM-SHA-512"])))
        #expect(SaslError.unsupportedMechanism(requested: "SCRAM-SHA-256", enabled: ["PLAIN", "SCRAM-SHA-512"]).description
            == "SASL mechanism SCRAM-SHA-256 is not enabled on the broker; it offers: PLAIN, SCRAM-SHA-512")
    }

    @Test func brokerErrorsAreMapped() {
        let cases: [(ErrorCode, String?, SaslError)] = [
            (.saslAuthenticationFailed, "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256",
             .authenticationFailed(brokerMessage: "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-256")),
            (.saslAuthenticationFailed, "", .authenticationFailed(brokerMessage: nil)),
            (.illegalSaslState, "bad state", .illegalState(brokerMessage: "bad state")),
            (.unknownServerError, nil, .brokerError(.unknownServerError, brokerMessage: nil)),
        ]
        for (code, message, expected) in cases {
            var exchange = scramExchange()
            _ = exchange.start()
            _ = exchange.handshakeResponseReceived(SaslHandshakeResponse(errorCode: .none, mechanisms: []))
            #expect(exchange.authenticateResponseReceived(
                SaslAuthenticateResponse(errorCode: code, errorMessage: message)) == .failed(expected))
        }
        var exchange = scramExchange()
        _ = exchange.start()
        #expect(exchange.handshakeResponseReceived(SaslHandshakeResponse(errorCode: .illegalSaslState))
            == .failed(.illegalState(brokerMessage: nil)))
    }

    @Test func mechanismFailureEndsTheExchange() {
        var exchange = scramExchange()
        _ = exchange.start()
        _ = exchange.handshakeResponseReceived(SaslHandshakeResponse())
        #expect(exchange.authenticateResponseReceived(response("r=nope,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096"))
            == .failed(.serverNonceMismatch))
        guard case .failed(.unexpectedMessage) = exchange.authenticateResponseReceived(response("")) else {
            Issue.record("continued after failure")
            return
        }
    }

    @Test func outOfOrderEventsFail() {
        var exchange = scramExchange()
        guard case .failed(.unexpectedMessage) = exchange.authenticateResponseReceived(response("")) else {
            Issue.record("accepted authenticate before handshake")
            return
        }
        var second = scramExchange()
        _ = second.start()
        guard case .failed = second.start() else {
            Issue.record("started twice")
            return
        }
    }

    /// Passwords and tokens never show in descriptions, debug descriptions, dumps or errors.
    @Test func credentialsNeverAppearInOutput() {
        let credentials = SaslCredentials(username: "alice", password: secret)
        let token = OAuthBearerToken(value: secret, expiresAtMilliseconds: 5)
        var plain = PlainMechanism(credentials: credentials)
        var scram = ScramMechanism(algorithm: .sha512, credentials: credentials)
        var oauth = OAuthBearerMechanism(token: token, extensions: ["k": "v"])
        var exchange = SaslClientExchange(mechanism: PlainMechanism(credentials: credentials))
        let actions: [any Sendable] = [plain.start(), scram.start(), oauth.start(), exchange.start(),
                                       exchange.handshakeResponseReceived(SaslHandshakeResponse())]
        var subjects: [Any] = [credentials, token, plain, scram, oauth, exchange, StaticOAuthBearerTokenProvider(token)]
        subjects += actions.map { $0 as Any }
        subjects.append(plain.serverMessageReceived([9]))
        for subject in subjects {
            var dumped = ""
            dump(subject, to: &dumped)
            for text in [String(describing: subject), String(reflecting: subject), dumped, "\(subject)"] {
                #expect(!text.contains(secret), "\(type(of: subject)) leaks")
                #expect(!text.contains("Secret"), "\(type(of: subject)) leaks")
            }
        }
    }
}
