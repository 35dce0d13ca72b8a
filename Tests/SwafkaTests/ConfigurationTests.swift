import KafkaWire
import KafkaClient
import Swafka
import Testing

@Suite struct ConfigurationTests {
    func configured(_ change: (inout Configuration) -> Void) -> Configuration {
        var config = Configuration()
        config.name = "app"
        config.kafkaHosts = ["localhost:9092"]
        change(&config)
        return config
    }

    @Test func validConfigurationPasses() throws {
        try configured { _ in }.validate()
    }

    /// Each case breaks one setting; the first element is the setting the error must name.
    static let breakages: [String: (setting: String, value: String)] = [
        "emptyName": ("name", ""), "spacedName": ("name", "my app"), "noHosts": ("kafka.hosts", ""),
        "noPort": ("kafka.hosts", "localhost"), "zeroPort": ("kafka.hosts", "localhost:0"),
        "zeroSession": ("session_timeout", "0"), "slowHeartbeat": ("heartbeat_interval", "60"),
        "zeroCommitInterval": ("offset_commit_interval", "0"), "negativeThreshold": ("offset_commit_threshold", "-1"),
        "emptyPool": ("connection_pool.size", "0"), "zeroPoolTimeout": ("connection_pool.timeout", "0"),
        "certWithoutKey": ("ssl.client_cert_key", "cert.pem"),
    ]

    func broken(_ name: String) -> Configuration {
        configured { c in
            switch name {
            case "emptyName": c.name = ""
            case "spacedName": c.name = "my app"
            case "noHosts": c.kafkaHosts = []
            case "noPort": c.kafkaHosts = ["localhost"]
            case "zeroPort": c.kafkaHosts = ["localhost:0"]
            case "zeroSession": c.sessionTimeout = .zero
            case "slowHeartbeat": c.heartbeatInterval = .seconds(60)
            case "zeroCommitInterval": c.offsetCommitInterval = .zero
            case "negativeThreshold": c.offsetCommitThreshold = -1
            case "emptyPool": c.producerPoolSize = 0
            case "zeroPoolTimeout": c.producerTimeout = .zero
            case "certWithoutKey": c.sslClientCert = "cert.pem"
            default: break
            }
        }
    }

    @Test(arguments: breakages.keys.sorted())
    func invalidSettingIsNamed(breakage: String) {
        do {
            try broken(breakage).validate()
            Issue.record("\(breakage) was accepted")
        } catch {
            #expect(error.setting == Self.breakages[breakage]?.setting)
        }
    }

    @Test func bootWithoutSetupFails() {
        let app = SwafkaApp(environment: Environment(variables: [:]))
        #expect(throws: ConfigurationError.notSetUp) { try app.boot() }
    }

    @Test func bootNamesMissingName() {
        var app = SwafkaApp(environment: Environment(variables: [:]))
        app.setup { $0.kafkaHosts = ["broker:9092"] }
        #expect(throws: ConfigurationError.missing("name")) { try app.boot() }
    }

    @Test func environmentDefaultsToDevelopment() {
        let env = Environment(variables: [:])
        #expect(env.name == "development" && env.isDevelopment && env.bootFile == nil)
        let prod = Environment(variables: ["SWAFKA_ENV": "production", "SWAFKA_BOOT_FILE": "config/app.json"])
        #expect(prod.isProduction && prod.bootFile == "config/app.json")
    }

    struct ProductionTuning: Configurator {
        func configure(_ configuration: inout Configuration, environment: Environment) throws {
            if environment.isProduction { configuration.offsetCommitThreshold = 100 }
            configuration.name += "_tuned"
        }
    }

    struct BreaksHeartbeat: Configurator {
        func configure(_ configuration: inout Configuration, environment: Environment) throws {
            configuration.heartbeatInterval = .seconds(100)
        }
    }

    @Test func configuratorsRunAfterSetupAndAreValidated() throws {
        var app = SwafkaApp(environment: Environment(variables: ["SWAFKA_ENV": "production"]))
        app.setup { $0.name = "shop"; $0.kafkaHosts = ["k:9092"] }
        app.configurators = [ProductionTuning()]
        app.routes { Route("orders", controller: Controller.self) }
        let booted = try app.boot()
        #expect(booted.configuration.offsetCommitThreshold == 100)
        #expect(booted.configuration.name == "shop_tuned")
        #expect(booted.routes["orders"]?.group == "shop_tuned_orders")

        app.configurators = [BreaksHeartbeat()]
        #expect(throws: ConfigurationError.invalid("heartbeat_interval", "must be below session_timeout")) {
            try app.boot()
        }
    }
}

@Suite("Framework SSL options as client properties")
struct FrameworkSecurityPropertiesTests {
    @Test func karafkaSSLOptionsBecomeKafkaProperties() {
        var configuration = Configuration()
        #expect(configuration.clientSecurityProperties.isEmpty)
        configuration.sslCACert = "/etc/kafka/ca.pem"
        configuration.sslClientCert = "/etc/kafka/client.pem"
        configuration.sslClientKey = "/etc/kafka/client.key"
        #expect(configuration.clientSecurityProperties == [
            "security.protocol": "ssl", "ssl.ca.location": "/etc/kafka/ca.pem",
            "ssl.certificate.location": "/etc/kafka/client.pem", "ssl.key.location": "/etc/kafka/client.key",
        ])
    }
}
