import SwafkacatCore
import Testing

@Suite("swafkacat -X security settings")
struct SecuritySettingsTests {
    @Test func tlsSettingsAreAcceptedAndTheKeyPasswordIsRedacted() throws {
        var settings = Settings()
        try settings.set("security.protocol", to: "SSL")
        try settings.set("ssl.ca.location", to: "/etc/ca.pem")
        try settings.set("ssl.key.password", to: "s3cret")
        try settings.set("ssl.endpoint.identification.algorithm", to: "none")
        #expect(settings.propertyMap["security.protocol"] == "SSL")
        let dump = settings.dump()
        #expect(dump.contains("ssl.ca.location = /etc/ca.pem"))
        #expect(dump.contains("ssl.key.password = [redacted]"))
        #expect(!dump.contains("s3cret"))
        #expect(throws: SettingError.self) { try settings.set("security.protocol", to: "tls") }
    }
}
