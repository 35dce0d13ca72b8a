import Swafka

/// Runs after setup, before the routes are checked (Karafka's `config/initializers`).
struct DevelopmentConfigurator: Configurator {
    func configure(_ configuration: inout Configuration, environment: Environment) throws {
        // A local broker: notice a dead member sooner than Kafka's 45 s default.
        if environment.isDevelopment { configuration.sessionTimeout = .seconds(10) }
    }
}
