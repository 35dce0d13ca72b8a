import KafkaWire
import KafkaClient
import Swafka
import Testing

final class UsersController: Controller {}
final class AuditConsumer: BatchConsumer {}
final class BadTopicResponder: Responder {
    override class var topics: [ResponderTopic] { [.topic("bad topic")] }
}

@Suite struct RoutingTests {
    @Test func defaultsAreAppliedAndGroupDerivedFromAppName() throws {
        let worker = InMemoryWorker(name: "slow")
        let app = try bootApp(name: "ExampleApp", inline: false, defaultWorker: worker) {
            Route("users_created", controller: UsersController.self)
            Route("inline_topic", controller: UsersController.self).inline(true).parser(RawParser())
            Route("audit", consumer: AuditConsumer.self).group("auditors")
        }
        let users = try #require(app.routes["users_created"])
        #expect(users.group == "example_app_users_created")
        #expect(users.inline == false && users.worker?.name == "slow")
        #expect(users.parser is JSONParser && users.interchanger is BinaryInterchanger)
        #expect(app.routes["inline_topic"]?.inline == true)
        #expect(app.routes["inline_topic"]?.parser is RawParser)
        #expect(app.routes["audit"]?.group == "auditors")
        #expect(app.routes.routes.map(\.topic) == ["audit", "inline_topic", "users_created"])
    }

    @Test func builderSupportsGroupsConditionalsAndLoops() throws {
        let extra = true
        let app = try bootApp {
            RouteGroup("billing") {
                Route("invoices", controller: UsersController.self)
                Route("payments", controller: UsersController.self).group("payments_special")
            }
            if extra { Route("extra", controller: UsersController.self) } else { Route("never", controller: UsersController.self) }
            for region in ["eu", "us"] { Route("orders.\(region)", controller: UsersController.self) }
        }
        #expect(app.routes["invoices"]?.group == "billing")
        #expect(app.routes["payments"]?.group == "payments_special")
        #expect(app.routes["extra"] != nil && app.routes["never"] == nil)
        #expect(app.routes["orders.eu"] != nil && app.routes["orders.us"] != nil)
        #expect(app.routes.groups.map(\.group) == ["billing", "example_app_extra", "example_app_orders.eu",
                                                   "example_app_orders.us", "payments_special"])
    }

    @Test func duplicateTopicIsRefused() {
        #expect(throws: RoutingError.duplicateTopic("users")) {
            try bootApp {
                Route("users", controller: UsersController.self)
                Route("users", controller: UsersController.self).group("other")
            }
        }
    }

    @Test(arguments: ["bad topic", "héllo", "a/b", "", ".", "..", String(repeating: "x", count: 250)])
    func illegalTopicNameIsRefused(name: String) {
        #expect(throws: RoutingError.self) { try bootApp { Route(name, controller: UsersController.self) } }
        do {
            _ = try bootApp { Route(name, controller: UsersController.self) }
        } catch let RoutingError.invalidTopicName(topic, _) {
            #expect(topic == name)
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func longestLegalTopicIsAccepted() throws {
        let name = String(repeating: "x", count: 249)
        _ = try bootApp { Route(name, controller: UsersController.self) }
    }

    @Test func illegalGroupNameIsRefused() {
        #expect(throws: RoutingError.self) {
            try bootApp { Route("users", controller: UsersController.self).group("my group") }
        }
    }

    @Test func routeWithoutWorkerIsRefusedUnlessInline() throws {
        #expect(throws: RoutingError.missingWorker(topic: "users")) {
            try bootApp(inline: false) { Route("users", controller: UsersController.self) }
        }
        _ = try bootApp(inline: false) { Route("users", controller: UsersController.self).inline(true) }
        _ = try bootApp(inline: false) { Route("audit", consumer: AuditConsumer.self) }
    }

    @Test func noRoutesIsRefused() {
        #expect(throws: RoutingError.noRoutes) { try bootApp {} }
    }

    @Test func responderTopicsAreValidated() {
        #expect(throws: RoutingError.self) {
            try bootApp { Route("users", controller: UsersController.self).responder(BadTopicResponder.self) }
        }
    }

    @Test func underscoreFollowsKarafka() {
        #expect(Topics.underscore("ExampleApp") == "example_app")
        #expect(Topics.underscore("my-app") == "my_app")
        #expect(Topics.underscore("app2Go") == "app2_go")
    }
}
