import KafkaWire
import KafkaClient
import Swafka
import SwafkaTesting
import Testing

@Suite struct InfoTests {
    func app() throws -> BootedApp {
        try bootApp(inline: false, defaultWorker: InMemoryWorker(name: "jobs")) {
            Route("users", controller: UsersController.self).responder(UsersResponder.self)
            Route("audit", consumer: AuditConsumer.self)
        }
    }

    @Test func routesAreAlphabeticalWithSettings() throws {
        #expect(AppInfo.routes(try app()) == """
            audit:
              handler: AuditConsumer
              group: example_app_audit
              inline: true
              worker: jobs
              parser: JSONParser
              interchanger: BinaryInterchanger
              responder: -
            users:
              handler: UsersController
              group: example_app_users
              inline: false
              worker: jobs
              parser: JSONParser
              interchanger: BinaryInterchanger
              responder: UsersResponder

            """)
    }

    @Test func flowMarksRequiredAndMultiple() throws {
        #expect(AppInfo.flow(try app()) == """
            audit => (nothing)
            users =>
              - users_created (optional, multiple)
              - users_notified (required, once)

            """)
    }

    @Test func infoListsSettings() throws {
        let text = AppInfo.info(try app())
        #expect(text.contains("name: ExampleApp\n") && text.contains("environment: development\n"))
        #expect(text.contains("kafka.hosts: localhost:9092\n") && text.contains("routes: 2\n"))
    }
}

@Suite struct TestingHarnessTests {
    @Test func harnessFeedsARouteAndShowsWhatWasProduced() async throws {
        var app = SwafkaApp(environment: Environment(variables: ["SWAFKA_ENV": "test"]))
        app.setup { $0.name = "shop"; $0.kafkaHosts = ["localhost:9092"] }
        app.routes { Route("users", controller: RespondingController.self).responder(UsersResponder.self) }
        let harness = try SwafkaTestHarness(app)
        let next = await harness.consume("users", json: #"{"id": 9}"#, offset: 41)
        #expect(next == 42)
        #expect(try harness.producedValues(to: "users_created") == [["id": 9], 2])
        #expect(try harness.producedValues(to: "users_notified") == ["done"])
    }
}
