import KafkaWire
import KafkaClient
import Swafka
import Testing

final class UsersResponder: Responder {
    override class var topics: [ResponderTopic] {
        [.topic("users_notified"), .topic("users_created", required: false, multipleUsage: true)]
    }
    override func respond(_ data: [ParamValue]) throws {
        // data[0]: what to do, so each test can make it misbehave in one way.
        switch data.first?.stringValue {
        case "unregistered": respondTo("users_notified", 1); respondTo("elsewhere", 2)
        case "twice": respondTo("users_notified", 1); respondTo("users_notified", 2)
        case "missing": respondTo("users_created", 1)
        case "binary": respondTo("users_notified", .bytes([0xFF]))
        default:
            respondTo("users_created", data.count > 1 ? data[1] : nil, key: "k")
            respondTo("users_created", 2)
            respondTo("users_notified", "done")
        }
    }
}

final class RespondingController: Controller {
    override func perform() async throws { try await respondWith("ok", params.payload) }
}

@Suite struct ResponderTests {
    @Test func validResponseIsGeneratedAndSent() async throws {
        let sink = RecordingSink()
        let sent = try await UsersResponder().call(["ok", ["id": 1]], sink: sink)
        #expect(sent.map(\.topic) == ["users_created", "users_created", "users_notified"])
        #expect(sink.payloads(for: "users_created") == [Array(#"{"id":1}"#.utf8), Array("2".utf8)])
        #expect(sink.messages.first?.key?.utf8String == "k")
    }

    @Test(arguments: [
        ("unregistered", ResponderError.unregisteredTopic(responder: "UsersResponder", topic: "elsewhere")),
        ("twice", ResponderError.multipleUsage(responder: "UsersResponder", topic: "users_notified")),
        ("missing", ResponderError.requiredTopicUnused(responder: "UsersResponder", topic: "users_notified")),
    ])
    func violationSendsNothing(mode: String, expected: ResponderError) async {
        let sink = RecordingSink()
        await #expect(throws: expected) { try await UsersResponder().call([.string(mode)], sink: sink) }
        #expect(sink.messages.isEmpty)
    }

    @Test func generationFailureSendsNothing() async {
        let sink = RecordingSink()
        await #expect(throws: ResponderError.self) { try await UsersResponder().call(["binary"], sink: sink) }
        #expect(sink.messages.isEmpty)
        // The raw parser can carry the same bytes.
        let sent = try? await UsersResponder().call(["binary"], parser: RawParser(), sink: sink)
        #expect(sent?.first?.value?.array == [0xFF])
    }

    @Test func controllerRespondsThroughItsRoutesResponder() async throws {
        let monitor = RecordingMonitor()
        let app = try bootApp(monitor: monitor) {
            Route("users", controller: RespondingController.self).responder(UsersResponder.self)
        }
        let sink = RecordingSink()
        _ = await app.processor(sink: sink).process(.init(.init("users", 0), messages: [message("users", #"{"id": 5}"#)]))
        #expect(sink.payloads(for: "users_created").first == Array(#"{"id":5}"#.utf8))
        #expect(monitor.events == [.consume, .responded, .perform])
    }

    @Test func respondWithoutResponderIsReported() async throws {
        let monitor = RecordingMonitor()
        let app = try bootApp(monitor: monitor) { Route("users", controller: RespondingController.self) }
        _ = await app.processor(sink: RecordingSink()).process(.init(.init("users", 0), messages: [message("users", "1")]))
        #expect(monitor.errors.map(\.error) == [#"route "users" has no responder"#])
    }
}
