import KafkaClient
import KafkaWire
import Swafka
import Testing

final class CallbackController: Controller {
    static let journal = Journal()
    override var beforeEnqueue: [BeforeEnqueue] {
        [
            .method(first),
            .run { self.params["stamped"] = true; Self.journal.write("second") },
            BeforeEnqueue { Self.journal.write("third"); return self.params["skip"]?.isTruthy != true },
        ]
    }
    func first() -> Bool { Self.journal.write("first"); return true }
    override func perform() async throws {
        Self.journal.write("perform stamped=\(params["stamped"]?.isTruthy == true) id=\(params["id"]?.intValue ?? -1)")
    }
}

final class SkippableController: Controller {
    override var beforeEnqueue: [BeforeEnqueue] {
        [.run { self.params["seen"] = true }, BeforeEnqueue { self.params["skip"]?.isTruthy != true }]
    }
}

let fastWorker = InMemoryWorker(name: "fast")
let slowWorker = InMemoryWorker(name: "slow")

final class DynamicWorkerController: Controller {
    override var beforeEnqueue: [BeforeEnqueue] {
        [.run { self.worker = self.params["important"]?.isTruthy == true ? fastWorker : slowWorker }]
    }
}

final class ParamsController: Controller {
    static let journal = Journal()
    override func perform() async throws {
        let raw = params["message"].map { "\($0)" } ?? "nil"
        Self.journal.write("\(params.topic)/\(params.partition)@\(params.offset) error=\(params.parseError != nil) message=\(raw)")
    }
}

@Suite struct ControllerTests {
    @Test func callbacksRunInOrderAndMayModifyParams() async throws {
        let app = try bootApp { Route("callbacks", controller: CallbackController.self) }
        let next = await app.processor(sink: RecordingSink()).process(
            MessageBatch(.init("callbacks", 0), messages: [message("callbacks", #"{"id": 7}"#)]))
        #expect(next == 1)
        #expect(CallbackController.journal.all == ["first", "second", "third", "perform stamped=true id=7"])
    }

    @Test func callbackReturningFalseAbortsScheduling() async throws {
        let monitor = RecordingMonitor()
        let worker = InMemoryWorker()
        let app = try bootApp(inline: false, monitor: monitor, defaultWorker: worker) {
            Route("aborts", controller: SkippableController.self)
        }
        let next = await app.processor(sink: RecordingSink()).process(
            MessageBatch(.init("aborts", 0), messages: [message("aborts", #"{"skip": true}"#, offset: 4)]))
        #expect(next == 5, "an aborted message still counts as handled")
        #expect(worker.pending.isEmpty)
        #expect(monitor.events.contains(.aborted))
        #expect(!monitor.events.contains(.performEnqueued))
    }

    @Test func callbackPicksTheWorkerAndOverridesTravelWithTheJob() async throws {
        let app = try bootApp(inline: false, defaultWorker: slowWorker) {
            Route("dynamic", controller: DynamicWorkerController.self)
        }
        let processor = app.processor(sink: RecordingSink())
        _ = await processor.process(MessageBatch(.init("dynamic", 0), messages: [
            message("dynamic", #"{"important": true}"#, offset: 0),
            message("dynamic", #"{"important": false}"#, offset: 1),
        ]))
        #expect(fastWorker.pending.map(\.route) == ["dynamic"])
        #expect(slowWorker.pending.count == 1)
        let envelope = try BinaryInterchanger().decode(try #require(fastWorker.pending.first).bytes)
        #expect(envelope.message.offset == 0 && envelope.headers["worker"] == "fast")
    }

    @Test func parseFailureKeepsTheRawMessage() async throws {
        let app = try bootApp { Route("broken", controller: ParamsController.self) }
        _ = await app.processor(sink: RecordingSink()).process(MessageBatch(.init("broken", 2), messages: [
            message("broken", "not json", partition: 2, offset: 10),
            message("broken", #"{"message": "fine"}"#, partition: 2, offset: 11),
        ]))
        #expect(ParamsController.journal.all == [
            #"broken/2@10 error=true message=string("not json")"#,
            #"broken/2@11 error=false message=string("fine")"#,
        ])
    }

    @Test func binaryParseFailureKeepsBytes() {
        let bytes: [UInt8] = [0xFF, 0x00, 0xFE]
        let params = Params(InboundMessage(topic: "t", payload: ByteSlice(bytes)))
        #expect(params.payload == ["message": .bytes(bytes)])
        #expect(params.parseError != nil)
    }

    @Test func paramsExposeMetadataAndParseLazily() throws {
        final class CountingParser: Parser, @unchecked Sendable {
            // Only touched from this test's single task.
            var calls = 0
            func parse(_ payload: ByteSlice) throws -> ParamValue { calls += 1; return ["n": 1] }
            func generate(_ value: ParamValue) throws -> [UInt8] { [] }
        }
        let parser = CountingParser()
        let inbound = InboundMessage(topic: "t", partition: 3, offset: 9, key: ByteSlice("k"), payload: ByteSlice("x"),
                                     headers: [RecordHeader(key: "h", value: ByteSlice("v"))], timestampMs: 1234)
        var params = Params(inbound, parser: parser)
        #expect(parser.calls == 0)
        #expect(params["topic"] == "t" && params["partition"] == 3 && params["offset"] == 9 && params["key"] == "k")
        #expect(params.timestampMs == 1234 && params.headers.first?.key == "h")
        #expect(params["n"] == 1 && params["n"] == 1)
        #expect(parser.calls == 1)
        params["n"] = 2
        #expect(params["n"] == 2)
    }

    @Test func decodesCodableModels() throws {
        struct User: Codable, Equatable { var id: Int; var name: String }
        let params = Params(message("users", #"{"id": 1, "name": "Ada"}"#))
        #expect(try params.decode(User.self) == User(id: 1, name: "Ada"))
        #expect(try params.payload.decode(User.self) == User(id: 1, name: "Ada"))
        #expect(try ParamValue(encoding: User(id: 2, name: "Bo")) == ["id": 2, "name": "Bo"])
    }
}
