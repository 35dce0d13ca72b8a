import KafkaWire
import Testing
@testable import KafkaSecurity

@Suite struct SaslConfigurationTests {
    @Test func parsesKafkaProperties() throws {
        let (proto, sasl) = try SaslConfiguration.fromProperties([
            "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "SCRAM-SHA-512",
            "sasl.username": "alice", "sasl.password": "s3cret-Pass"])
        #expect(proto == .saslPlaintext && proto.usesSASL && !proto.usesTLS)
        #expect(sasl?.mechanism == .scramSHA512)
        #expect(sasl?.credentials == SaslCredentials(username: "alice", password: "s3cret-Pass"))
        let text = "\(sasl!) \(String(reflecting: sasl!))"
        #expect(!text.contains("s3cret"))
        // librdkafka's plural spelling, lowercase values.
        let (_, plain) = try SaslConfiguration.fromProperties([
            "security.protocol": "sasl_ssl", "sasl.mechanisms": "plain", "sasl.username": "u", "sasl.password": "p"])
        #expect(plain?.mechanism == .plain)
        #expect(try SaslConfiguration.fromProperties([:]).sasl == nil)
        #expect(try SaslConfiguration.fromProperties(["security.protocol": "SSL"]).securityProtocol == .ssl)
    }

    @Test func rejectsBadProperties() {
        #expect(throws: SecurityConfigurationError.unknownSecurityProtocol("TLS")) {
            try SaslConfiguration.fromProperties(["security.protocol": "TLS"])
        }
        #expect(throws: SecurityConfigurationError.missingProperty("sasl.mechanism")) {
            try SaslConfiguration.fromProperties(["security.protocol": "SASL_SSL"])
        }
        #expect(throws: SecurityConfigurationError.unknownMechanism("GSSAPI")) {
            try SaslConfiguration.fromProperties(["security.protocol": "SASL_SSL", "sasl.mechanism": "GSSAPI"])
        }
        #expect(throws: SecurityConfigurationError.missingProperty("sasl.password")) {
            try SaslConfiguration.fromProperties(["security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN",
                                                  "sasl.username": "u"])
        }
        #expect(throws: SecurityConfigurationError.missingTokenProvider) {
            try SaslConfiguration.fromProperties(["security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER"])
        }
    }

    struct FailingProvider: OAuthBearerTokenProvider {
        struct Leaky: Error { let secret = "client-secret-xyz" }
        func token() async throws -> OAuthBearerToken { throw Leaky() }
    }

    @Test func oauthBearerFetchesATokenPerMechanism() async throws {
        let token = OAuthBearerToken(value: "abc", expiresAtMilliseconds: 42)
        let (_, sasl) = try SaslConfiguration.fromProperties(
            ["security.protocol": "SASL_SSL", "sasl.mechanism": "OAUTHBEARER"],
            tokenProvider: StaticOAuthBearerTokenProvider(token))
        let mechanism = try await #require(sasl).makeMechanism()
        #expect(mechanism.name == "OAUTHBEARER")
        #expect((mechanism as? OAuthBearerMechanism)?.token.expiresAtMilliseconds == 42)

        let failing = SaslConfiguration(oauthBearer: FailingProvider())
        await #expect(throws: SaslError.tokenUnavailable(reason: "the provider threw Leaky")) {
            _ = try await failing.makeMechanism()
        }
    }

    /// Runs the whole Kafka exchange against the test SCRAM server, as a broker would carry it.
    private func run(_ algorithm: HashAlgorithm, clientPassword: String) async throws -> SaslClientExchange.Action {
        var server = try ScramServer(algorithm: algorithm, username: "alice,admin", password: "correct horse")
        let configuration = SaslConfiguration(mechanism: algorithm == .sha256 ? .scramSHA256 : .scramSHA512,
                                              credentials: SaslCredentials(username: "alice,admin", password: clientPassword))
        var exchange = SaslClientExchange(mechanism: try await configuration.makeMechanism())
        guard case let .sendHandshake(handshake) = exchange.start() else { return .failed(.serverNonceMismatch) }
        #expect(handshake.mechanism == "SCRAM-\(algorithm.rawValue)")
        guard case let .sendAuthenticate(first) = exchange.handshakeResponseReceived(
            SaslHandshakeResponse(errorCode: .none, mechanisms: ["SCRAM-SHA-256", "SCRAM-SHA-512"])) else {
            Issue.record("no client-first")
            return .failed(.serverNonceMismatch)
        }
        guard case let .sendAuthenticate(final) = exchange.authenticateResponseReceived(
            brokerResponse(try server.clientFirst(first.authBytes.array))) else {
            Issue.record("no client-final")
            return .failed(.serverNonceMismatch)
        }
        return exchange.authenticateResponseReceived(brokerResponse(try server.clientFinal(final.authBytes.array),
                                                                    lifetimeMs: 60_000))
    }

    @Test(arguments: [HashAlgorithm.sha256, .sha512])
    func scramAgainstTestServer(_ algorithm: HashAlgorithm) async throws {
        #expect(try await run(algorithm, clientPassword: "correct horse")
            == .authenticated(SaslSession(mechanism: "SCRAM-\(algorithm.rawValue)", sessionLifetime: .seconds(60))))
        #expect(try await run(algorithm, clientPassword: "wrong horse") == .failed(.authenticationFailed(brokerMessage:
            "Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-\(algorithm.rawValue)")))
    }
}
