@testable import KafkaClient
import KafkaSecurity
import KafkaTransport
import Testing

/// `security.protocol` and `sasl.*` as Kafka and librdkafka name them, mapped onto every connection.
@Suite("Client configuration: SASL")
struct SaslConfigurationPropertyTests {
    func failure(_ map: [String: String]) -> (setting: String, reason: String)? {
        do {
            _ = try ClientConfiguration(properties: ["bootstrap.servers": "a:1"].merging(map) { _, new in new })
            return nil
        } catch let .invalidConfiguration(setting, reason) {
            return (setting, reason)
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func saslPlaintextMapsOntoEveryConnection() throws {
        let configuration = try ClientConfiguration(properties: [
            "bootstrap.servers": "a:1", "security.protocol": "sasl_plaintext", "sasl.mechanisms": "scram-sha-512",
            "sasl.username": "alice", "sasl.password": "hunter2",
        ])
        #expect(configuration.securityProtocol == .saslPlaintext)
        #expect(configuration.saslMechanism == .scramSHA512)
        let sasl = try #require(configuration.connectionConfiguration.sasl)
        #expect(sasl.mechanism == .scramSHA512)
        #expect(sasl.credentials == SaslCredentials(username: "alice", password: "hunter2"))
        #expect(configuration.value(of: "sasl.password") == redactedValue)
        #expect(configuration.value(of: "sasl.password", redactingSecrets: false) == "hunter2")
        for text in ["\(configuration)", String(reflecting: configuration), "\(configuration.connectionConfiguration)"] {
            #expect(!text.contains("hunter2"))
        }
    }

    @Test func plaintextHasNoSasl() throws {
        let configuration = try ClientConfiguration(properties: ["bootstrap.servers": "a:1", "sasl.username": "alice"])
        #expect(configuration.connectionConfiguration.sasl == nil)
    }

    @Test func incompleteSettingsNameTheProperty() {
        #expect(failure(["security.protocol": "SASL_PLAINTEXT"])?.setting == "sasl.mechanism")
        #expect(failure(["security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.password": "x"])?.setting
            == "sasl.username")
        #expect(failure(["security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.username": "x"])?.setting
            == "sasl.password")
        #expect(failure(["sasl.mechanism": "GSSAPI"])?.setting == "sasl.mechanism")
        #expect(failure(["security.protocol": "kerberos"])?.setting == "security.protocol")
        // SASL_SSL (TLS, then the login) is complete with a mechanism and credentials.
        #expect(failure(["security.protocol": "SASL_SSL", "sasl.mechanism": "PLAIN", "sasl.username": "a",
                         "sasl.password": "b"])?.setting == nil)
        // A bad value is named, but never repeated when it is the password.
        let error = failure(["security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "PLAIN", "sasl.username": "",
                             "sasl.password": "hunter2"])
        #expect(error?.setting == "sasl.username" && error?.reason.contains("hunter2") == false)
    }

    @Test func oauthBearerWithoutAProviderStillAuthenticates() throws {
        // Properties cannot carry a provider; connections must then fail to log in, never skip the login.
        let configuration = try ClientConfiguration(properties: [
            "bootstrap.servers": "a:1", "security.protocol": "SASL_PLAINTEXT", "sasl.mechanism": "OAUTHBEARER",
        ])
        let sasl = try #require(configuration.connectionConfiguration.sasl)
        #expect(sasl.mechanism == .oauthBearer && sasl.tokenProvider == nil)
    }
}
