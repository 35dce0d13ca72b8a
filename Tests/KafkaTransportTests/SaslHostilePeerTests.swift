import KafkaSecurity
import KafkaTransport
import KafkaWire
import Testing

/// A broker that misbehaves during SASL: a typed error within the connect timeout, never a hang.
@Suite("Hostile peers during SASL")
struct SaslHostilePeerTests {
    /// Connects with SASL to a broker following `script`; the error the connect fails with. `timeout` is
    /// the connect and request timeout (short only where it is meant to fire).
    func connectFailure(timeout: Duration = .seconds(20),
                        _ script: @escaping @Sendable (Int32, Int16, Int16) -> FakeBroker.Reply) async throws
        -> TransportError? {
        let broker = try FakeBroker(script: script)
        defer { broker.stop() }
        let loop = try TransportEventLoop()
        var configuration = ConnectionConfiguration()
        configuration.connectTimeout = timeout
        configuration.requestTimeout = timeout
        configuration.sasl = SaslConfiguration(mechanism: .scramSHA256,
                                               credentials: SaslCredentials(username: "alice", password: "hunter2"))
        var caught: TransportError? = nil
        do {
            let connection = try await BrokerConnection.connect(to: broker.address, configuration: configuration, loop: loop)
            connection.closeNow()
            Issue.record("connected although the broker never completed the login")
        } catch let error as TransportError {
            caught = error
        }
        await loop.shutdown()
        return caught
    }

    @Test func aSilentBrokerIsAConnectTimeout() async throws {
        let error = try await connectFailure(timeout: .milliseconds(500)) { _, _, _ in .silence }
        guard case let .connectTimedOut(_, after) = error else {
            Issue.record("expected connectTimedOut, got \(String(describing: error))")
            return
        }
        #expect(after == .milliseconds(500))
    }

    @Test func aBrokerThatHangsUpSaysItWasDuringAuthentication() async throws {
        let error = try await connectFailure { _, _, _ in .close }
        guard case let .connectionClosed(_, reason) = error else {
            Issue.record("expected connectionClosed, got \(String(describing: error))")
            return
        }
        #expect(reason.contains("during SASL authentication"))
        #expect(error?.isRetriable == true)
    }

    @Test func aHandshakeErrorNamesTheEnabledMechanisms() async throws {
        let error = try await connectFailure { correlationID, apiKey, version in
            guard apiKey == ApiKey.saslHandshake.rawValue else { return .close }
            let response = SaslHandshakeResponse(errorCode: .unsupportedSaslMechanism, mechanisms: ["PLAIN", "GSSAPI"])
            return .raw(FakeBroker.frame(correlationID: correlationID, headerVersion: 0,
                                         body: (try? response.encoded(version: version)) ?? []))
        }
        guard case let .authenticationFailed(_, mechanism, saslError) = error else {
            Issue.record("expected authenticationFailed, got \(String(describing: error))")
            return
        }
        #expect(mechanism == "SCRAM-SHA-256")
        #expect(saslError == .unsupportedMechanism(requested: "SCRAM-SHA-256", enabled: ["PLAIN", "GSSAPI"]))
        #expect(error?.saslErrorCode == .unsupportedSaslMechanism)
        #expect(error?.isRetriable == false)
    }

    /// Kafka closes the connection right after a failed login; the verdict must win over the hang-up.
    @Test func aRefusalFollowedByAHangUpIsStillTheRefusal() async throws {
        let error = try await connectFailure { correlationID, apiKey, version in
            if apiKey == ApiKey.saslHandshake.rawValue {
                let response = SaslHandshakeResponse(errorCode: .none, mechanisms: ["SCRAM-SHA-256"])
                return .raw(FakeBroker.frame(correlationID: correlationID, headerVersion: 0,
                                             body: (try? response.encoded(version: version)) ?? []))
            }
            let refusal = SaslAuthenticateResponse(errorCode: .saslAuthenticationFailed, errorMessage: "bad credentials")
            return .rawThenClose(FakeBroker.frame(correlationID: correlationID, headerVersion: version >= 2 ? 1 : 0,
                                                  body: (try? refusal.encoded(version: version)) ?? []))
        }
        #expect(error == .authenticationFailed(BrokerAddress(host: "127.0.0.1", port: portOf(error)), mechanism: "SCRAM-SHA-256",
                                               .authenticationFailed(brokerMessage: "bad credentials")))
    }

    func portOf(_ error: TransportError?) -> Int {
        if case let .authenticationFailed(address, _, _) = error { return address.port }
        return 0
    }

    @Test func garbageInSaslAuthenticateIsAMalformedResponseWithoutItsBytes() async throws {
        let error = try await connectFailure { correlationID, apiKey, version in
            if apiKey == ApiKey.saslHandshake.rawValue {
                let response = SaslHandshakeResponse(errorCode: .none, mechanisms: ["SCRAM-SHA-256"])
                return .raw(FakeBroker.frame(correlationID: correlationID, headerVersion: 0,
                                             body: (try? response.encoded(version: version)) ?? []))
            }
            // SaslAuthenticate v2 is flexible (response header v1): a header, then a truncated body.
            return .raw(FakeBroker.frame(correlationID: correlationID, headerVersion: 1, body: [0, 0, 0x7F]))
        }
        guard case let .malformedResponse(api, _, _, _, prefix) = error else {
            Issue.record("expected malformedResponse, got \(String(describing: error))")
            return
        }
        #expect(api == .saslAuthenticate)
        #expect(prefix.count == 0, "SASL payloads are never copied into errors")
    }
}
