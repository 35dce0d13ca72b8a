@testable import KafkaClient
import KafkaTransport
import KafkaWire
import Testing

@Suite("Client configuration")
struct ConfigurationTests {
    /// Builds from a map and returns the error's setting and reason, or nil when it built.
    func failure(_ map: [String: String]) -> (setting: String, reason: String)? {
        do {
            _ = try ClientConfiguration(properties: map)
            return nil
        } catch let .invalidConfiguration(setting, reason) {
            return (setting, reason)
        } catch {
            Issue.record("unexpected error \(error)")
            return nil
        }
    }

    @Test func buildsFromAPropertyMapWithKafkaNames() throws {
        let configuration = try ClientConfiguration(properties: [
            "bootstrap.servers": "a:1, [::1]:2,b", "client.id": "tool", "request.timeout.ms": "1500",
            "socket.connection.setup.timeout.ms": "2000", "metadata.max.age.ms": "60000", "retry.backoff.ms": "10",
            "retry.backoff.max.ms": "20", "reconnect.backoff.ms": "0", "reconnect.backoff.max.ms": "30",
            "connections.max.idle.ms": "0", "max.in.flight.requests.per.connection": "1", "receive.message.max.bytes": "5000",
            "socket.send.buffer.bytes": "65536", "socket.receive.buffer.bytes": "-1", "socket.nagle.disable": "false",
            "socket.keepalive.enable": "yes", "default.api.timeout.ms": "9000", "allow.auto.create.topics": "true",
            "debug": "protocol, metadata",
        ])
        #expect(configuration.bootstrapServers == [BrokerAddress(host: "a", port: 1), BrokerAddress(host: "::1", port: 2),
                                                   BrokerAddress(host: "b", port: 9092)])
        #expect(configuration.clientID == "tool")
        #expect(configuration.requestTimeout == .milliseconds(1500))
        #expect(configuration.connectionSetupTimeout == .seconds(2))
        #expect(configuration.metadataMaxAge == .seconds(60))
        #expect(configuration.retryBackoff == .milliseconds(10) && configuration.retryBackoffMax == .milliseconds(20))
        #expect(configuration.reconnectBackoff == .zero && configuration.reconnectBackoffMax == .milliseconds(30))
        #expect(configuration.connectionsMaxIdle == nil)
        #expect(configuration.maxInFlightRequestsPerConnection == 1)
        #expect(configuration.receiveMessageMaxBytes == 5000)
        #expect(configuration.socketSendBufferBytes == 65536 && configuration.socketReceiveBufferBytes == nil)
        #expect(!configuration.socketNagleDisable && configuration.socketKeepaliveEnable)
        #expect(configuration.defaultApiTimeout == .seconds(9))
        #expect(configuration.allowAutoCreateTopics)
        #expect(configuration.debug == [.protocol, .metadata])

        let connection = configuration.connectionConfiguration
        #expect(connection.clientID == "tool" && connection.requestTimeout == .milliseconds(1500))
        #expect(connection.connectTimeout == .seconds(2) && connection.idleTimeout == nil)
        #expect(connection.maxInFlightRequests == 1 && connection.maximumResponseSize == 5000)
        #expect(connection.socket == {
            var socket = SocketOptions()
            socket.noDelay = false
            socket.keepAlive = true
            socket.sendBufferSize = 65536
            return socket
        }())
    }

    @Test func apiVersionCapsParseByNameAndRenderBack() throws {
        let configuration = try ClientConfiguration(properties: ["bootstrap.servers": "a:1",
                                                                 "api.version.max": "listoffsets=3, Fetch = 12"])
        #expect(configuration.apiVersionCaps == [.listOffsets: 3, .fetch: 12])
        #expect(configuration.settings().first { $0.name == "api.version.max" }?.value == "Fetch=12,ListOffsets=3")
        #expect(failure(["bootstrap.servers": "a:1", "api.version.max": "Nope=3"])?.setting == "api.version.max")
        #expect(failure(["bootstrap.servers": "a:1", "api.version.max": "Fetch=-1"])?.setting == "api.version.max")
        #expect(failure(["bootstrap.servers": "a:1", "api.version.max": "Fetch"])?.setting == "api.version.max")
    }

    @Test func aliasesNameTheSameSettings() throws {
        let configuration = try ClientConfiguration(properties: [
            "metadata.broker.list": "h:1", "topic.metadata.refresh.interval.ms": "-1", "max.in.flight": "7",
        ])
        #expect(configuration.bootstrapServers == [BrokerAddress(host: "h", port: 1)])
        #expect(configuration.metadataMaxAge == nil)
        #expect(configuration.maxInFlightRequestsPerConnection == 7)
    }

    @Test func everyDefaultRendersAndParsesBack() throws {
        var configuration = ClientConfiguration(bootstrapServers: [BrokerAddress(host: "h", port: 1)])
        configuration.debug = [.protocol, .broker]
        for property in ClientConfiguration.properties {
            var copy = configuration
            try property.apply(property.value(in: configuration), to: &copy)
            #expect(copy == configuration, "\(property.name) = \(property.value(in: configuration))")
            #expect(!property.documentation.isEmpty)
        }
        try configuration.validate()
    }

    /// Every invalid value fails at construction, naming its setting and why.
    @Test(arguments: [
        ("bootstrap.servers", "", "at least one"), ("bootstrap.servers", "h:0", "not host:port"),
        ("bootstrap.servers", "h:x", "not host:port"), ("bootstrap.servers", "a:1,,b:2", "empty entry"),
        ("bootstrap.servers", "[::1", "not host:port"), ("bootstrap.servers", "h:70000", "not host:port"),
        ("client.software.name", "-bad", "letter or digit"), ("client.software.version", "1.0 beta", "letter or digit"),
        ("request.timeout.ms", "0", "out of range"), ("request.timeout.ms", "ten", "not an integer"),
        ("request.timeout.ms", "900001", "out of range"), ("socket.connection.setup.timeout.ms", "-5", "out of range"),
        ("metadata.max.age.ms", "0", "out of range"), ("topic.metadata.refresh.interval.ms", "x", "not an integer"),
        ("retry.backoff.ms", "0", "out of range"), ("retry.backoff.max.ms", "300001", "out of range"),
        ("reconnect.backoff.ms", "-1", "out of range"), ("reconnect.backoff.max.ms", "3600001", "out of range"),
        ("connections.max.idle.ms", "-2", "out of range"), ("max.in.flight.requests.per.connection", "0", "out of range"),
        ("max.in.flight.requests.per.connection", "1.5", "not an integer"), ("receive.message.max.bytes", "999", "out of range"),
        ("socket.send.buffer.bytes", "100000001", "out of range"), ("socket.receive.buffer.bytes", "big", "not an integer"),
        ("socket.nagle.disable", "maybe", "not a boolean"), ("socket.keepalive.enable", "", "not a boolean"),
        ("default.api.timeout.ms", "0", "out of range"), ("allow.auto.create.topics", "2", "not a boolean"),
        ("debug", "protocol,everything", "unknown debug context"),
    ])
    func invalidValuesNameTheirSetting(setting: String, value: String, reason: String) {
        var map = ["bootstrap.servers": "h:1"]
        map[setting] = value
        let error = failure(map)
        // An alias is reported under the property's own name.
        let expected = ClientConfiguration.properties.first { $0.matches(setting) }?.name ?? setting
        #expect(error?.setting == expected, "\(setting)=\(value): \(String(describing: error))")
        #expect(error?.reason.contains(reason) == true, "\(setting)=\(value): \(String(describing: error))")
    }

    @Test func unknownSettingsAreRejectedByName() {
        let error = failure(["bootstrap.servers": "h:1", "linger.mss": "5"])
        #expect(error?.setting == "linger.mss")
        #expect(error?.reason.contains("no such setting") == true)
    }

    @Test func settingsThatDependOnEachOtherAreCheckedTogether() {
        #expect(failure(["bootstrap.servers": "h:1", "retry.backoff.ms": "500", "retry.backoff.max.ms": "100"])?.setting
                == "retry.backoff.max.ms")
        #expect(failure(["bootstrap.servers": "h:1", "reconnect.backoff.ms": "500", "reconnect.backoff.max.ms": "100"])?.setting
                == "reconnect.backoff.max.ms")
        #expect(failure(["client.id": "x"])?.setting == "bootstrap.servers")
    }

    /// The typed properties are validated too, when a client is created from them.
    @Test(arguments: [
        ("request.timeout.ms", { @Sendable (c: inout ClientConfiguration) in c.requestTimeout = .zero }),
        ("default.api.timeout.ms", { @Sendable (c: inout ClientConfiguration) in c.defaultApiTimeout = .seconds(-1) }),
        ("metadata.max.age.ms", { @Sendable (c: inout ClientConfiguration) in c.metadataMaxAge = .seconds(86_401) }),
        ("max.in.flight.requests.per.connection", { @Sendable (c: inout ClientConfiguration) in c.maxInFlightRequestsPerConnection = 0 }),
        ("receive.message.max.bytes", { @Sendable (c: inout ClientConfiguration) in c.receiveMessageMaxBytes = 10 }),
        ("socket.send.buffer.bytes", { @Sendable (c: inout ClientConfiguration) in c.socketSendBufferBytes = 0 }),
        ("client.software.name", { @Sendable (c: inout ClientConfiguration) in c.clientSoftwareName = "" }),
        ("bootstrap.servers", { @Sendable (c: inout ClientConfiguration) in c.bootstrapServers = [BrokerAddress(host: "", port: 1)] }),
    ] as [(String, @Sendable (inout ClientConfiguration) -> Void)])
    func typedSettingsAreValidatedAtClientCreation(setting: String, change: @Sendable (inout ClientConfiguration) -> Void) {
        var configuration = ClientConfiguration(bootstrapServers: [BrokerAddress(host: "h", port: 1)])
        change(&configuration)
        #expect {
            _ = try ClusterClient(configuration: configuration, connector: FakeCluster.threeBrokers())
        } throws: { error in
            guard case let .invalidConfiguration(name, _)? = error as? KafkaClientError else { return false }
            return name == setting
        }
    }

    @Test func settingsListShowsDocsDefaultsAndChanges() throws {
        var configuration = try ClientConfiguration(properties: ["bootstrap.servers": "h:1", "client.id": "me"])
        try configuration.set("request.timeout.ms", to: "5000")
        let settings = configuration.settings()
        #expect(settings.map(\.name) == ClientConfiguration.properties.map(\.name))
        let timeout = try #require(settings.first { $0.name == "request.timeout.ms" })
        #expect(timeout.value == "5000" && timeout.defaultValue == "30000" && timeout.isModified)
        #expect(timeout.documentation.contains("Range 1-900000 ms"))
        #expect(settings.first { $0.name == "client.id" }?.value == "me")
        #expect(settings.first { $0.name == "socket.keepalive.enable" }?.isModified == false)
        #expect(configuration.value(of: "metadata.broker.list") == "h:1")
        #expect(configuration.value(of: "nope") == nil)
        #expect(throws: KafkaClientError.invalidConfiguration(setting: "nope", reason: "no such setting (see the settings list for valid names)")) {
            try configuration.set("nope", to: "1")
        }
    }

    @Test func secretsAreRedactedUnlessAskedFor() throws {
        let configuration = try SecretConfiguration(properties: ["user": "alice", "password": "hunter2"])
        let redacted = configuration.settings()
        #expect(redacted.first { $0.name == "password" }?.value == redactedValue)
        #expect(redacted.first { $0.name == "password" }?.defaultValue == redactedValue)
        #expect(redacted.first { $0.name == "user" }?.value == "alice")
        #expect(configuration.value(of: "password") == redactedValue)
        #expect(configuration.value(of: "password", redactingSecrets: false) == "hunter2")
        #expect(configuration.settings(redactingSecrets: false).first { $0.name == "password" }?.value == "hunter2")
    }

    @Test func debugContextsParseLibrdkafkaNames() throws {
        #expect(try DebugContexts(parsing: "protocol,broker") == [.protocol, .broker])
        #expect(try DebugContexts(parsing: "all") == .all)
        #expect(try DebugContexts(parsing: "cgrp,fetch") == [.cgrp, .fetch])
        #expect(try DebugContexts(parsing: "queue,msg") == [])
        #expect(try DebugContexts(parsing: " Protocol ") == .protocol)
        #expect(DebugContexts([.metadata, .admin]).description == "metadata,admin")
        #expect(throws: ConfigurationValueError.self) { try DebugContexts(parsing: "bogus") }
    }
}

/// A configuration type with a secret, to test redaction (the client's own settings have none yet).
struct SecretConfiguration: PropertyConfigurable, Equatable {
    var user = ""
    var password = ""

    static let propertyDefaults = SecretConfiguration()
    static let properties: [ConfigurationProperty<SecretConfiguration>] = [
        .string("user", \.user, documentation: "The user."),
        .string("password", isSensitive: true, \.password, documentation: "The password."),
    ]

    func validate() throws(KafkaClientError) {}
}
