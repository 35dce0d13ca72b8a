import KafkaClient
import KafkaSecurity
import KafkaTransport
import Testing

@Suite("security.protocol and ssl.* settings")
struct SecurityConfigurationTests {
    let base = ["bootstrap.servers": "broker:9093"]

    func configuration(_ extra: [String: String]) throws -> ClientConfiguration {
        try ClientConfiguration(properties: base.merging(extra) { _, new in new })
    }

    func failure(_ extra: [String: String]) -> (setting: String, reason: String)? {
        do {
            _ = try configuration(extra)
            return nil
        } catch let KafkaClientError.invalidConfiguration(setting, reason) {
            return (setting, reason)
        } catch {
            Issue.record("unexpected \(error)")
            return nil
        }
    }

    @Test func kafkaNamesFillTheTLSConfiguration() throws {
        let c = try configuration([
            "security.protocol": "SSL", "ssl.ca.location": "/etc/kafka/ca.pem",
            "ssl.certificate.location": "/etc/kafka/client.pem", "ssl.key.location": "/etc/kafka/client.key",
            "ssl.key.password": "s3cret", "ssl.endpoint.identification.algorithm": "none",
        ])
        #expect(c.securityProtocol == .ssl)
        #expect(c.ssl.caLocation == "/etc/kafka/ca.pem")
        #expect(c.ssl.certificateLocation == "/etc/kafka/client.pem")
        #expect(c.ssl.keyLocation == "/etc/kafka/client.key")
        #expect(c.ssl.keyPassword == "s3cret")
        #expect(c.ssl.verifiesHostname == false)
        #expect(try configuration(["security.protocol": "ssl"]).securityProtocol == .ssl)
        #expect(try configuration([:]).securityProtocol == .plaintext)
        #expect(try configuration([:]).ssl.verifiesHostname)
        // An empty value unsets a path (as an empty -X does in librdkafka).
        #expect(try configuration(["ssl.ca.location": ""]).ssl.caLocation == nil)
    }

    @Test func invalidValuesNameTheSetting() {
        #expect(failure(["security.protocol": "TLS"])?.setting == "security.protocol")
        #expect(failure(["ssl.endpoint.identification.algorithm": "dns"])?.setting == "ssl.endpoint.identification.algorithm")
        #expect(failure(["security.protocol": "SSL", "ssl.certificate.location": "/c.pem"])?.setting == "ssl.key.location")
        #expect(failure(["security.protocol": "SSL", "ssl.key.location": "/k.pem"])?.setting == "ssl.certificate.location")
        // SASL_SSL is TLS plus a SASL login: without a mechanism, the mechanism is what is missing.
        #expect(failure(["security.protocol": "SASL_SSL"])?.setting == "sasl.mechanism")
    }

    @Test func secretsAreRedactedInListings() throws {
        let c = try configuration(["ssl.key.password": "s3cret", "ssl.key.pem": "-----BEGIN PRIVATE KEY-----",
                                   "ssl.certificate.pem": "-----BEGIN CERTIFICATE-----"])
        #expect(c.value(of: "ssl.key.password") == redactedValue)
        #expect(c.value(of: "ssl.key.pem") == redactedValue)
        #expect(c.value(of: "ssl.key.password", redactingSecrets: false) == "s3cret")
        for setting in c.settings() where setting.name.hasPrefix("ssl.key.") && setting.name != "ssl.key.location" {
            #expect(setting.isSensitive && setting.value == redactedValue)
        }
        #expect(!"\(c.ssl)".contains("s3cret"))
        // The producer and consumer configurations lift the same properties, secrets included.
        let producer = try KafkaProducerConfiguration(properties: base.merging(["ssl.key.password": "s3cret"]) { _, new in new })
        #expect(producer.value(of: "ssl.key.password") == redactedValue)
        #expect(producer.client.ssl.keyPassword == "s3cret")
    }

    @Test func theTLSContextIsLoadedOnlyForTLS() throws {
        #expect(try configuration([:]).makeConnectionConfiguration().tls == nil)
        let tls = try configuration(["security.protocol": "ssl"]).makeConnectionConfiguration()
        #expect(tls.tls?.configuration.caLocation == nil)  // the system store
        do {
            _ = try configuration(["security.protocol": "ssl", "ssl.ca.location": "/nonexistent/ca.pem"]).makeConnectionConfiguration()
            Issue.record("a missing CA file was accepted")
        } catch let KafkaClientError.invalidConfiguration(setting, reason) {
            #expect(setting == "ssl.ca.location")
            #expect(reason.contains("/nonexistent/ca.pem"))
        }
    }

    @Test func aClusterClientRefusesAnUnreadableKeyAtCreation() {
        #expect {
            _ = try ClusterClient(configuration: configuration([
                "security.protocol": "ssl", "ssl.certificate.location": "/nonexistent/client.pem",
                "ssl.key.location": "/nonexistent/client.key", "ssl.key.password": "s3cret",
            ]))
        } throws: { error in
            guard case let KafkaClientError.invalidConfiguration(setting, reason) = error else { return false }
            return setting == "ssl.certificate.location" && !reason.contains("s3cret")
        }
    }
}
