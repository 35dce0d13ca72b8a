import Foundation
import KafkaClient
import KafkaWire
import Swafka
import SwafkaCLI
import Synchronization
import Testing

/// The `console` command against Tansu: produce, then peek at what was produced.
@Suite(.enabled(if: TestBed.hasTansu)) struct SwafkaConsoleLiveTests {
    final class NoopController: Controller {}

    /// Tansu creates a topic when a Metadata request allows it; our clients do not ask by default.
    let autoCreate = ["allow.auto.create.topics": "true"]

    func app(bootstrap: String, topic: String) throws -> BootedApp {
        var app = SwafkaApp(environment: Environment(variables: [:]))
        app.setup { $0.name = "console_test"; $0.kafkaHosts = [bootstrap] }
        app.routes { Route(topic, controller: NoopController.self) }
        return try app.boot()
    }

    @Test func consoleCommandProducesThenPeeks() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let topic = "swafka-console-\(UUID().uuidString)"
        let captured = CapturedOutput()
        let bootFile = NSTemporaryDirectory() + "swafka-console-\(UUID().uuidString).properties"
        try "client.allow.auto.create.topics=true\n".write(toFile: bootFile, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: bootFile) }
        let context = SwafkaCLIContext(
            commandName: "console-test",
            makeApp: { _ in
                var app = SwafkaApp(environment: Environment(variables: [:]))
                app.setup { $0.name = "console_test"; $0.kafkaHosts = [bootstrap] }
                app.routes { Route(topic, controller: NoopController.self) }
                return app
            },
            variables: ["SWAFKA_BOOT_FILE": bootFile], output: captured.output)
        let status = await SwafkaCommand.run([
            "console", "-e", "produce -k first-key \(topic) hello console",
            "-e", #"produce -k second-key \#(topic) {"n": 2}"#,
            "-e", "peek \(topic) 5",
        ], context: context)
        #expect(status == 0, "\(captured.err)")
        let lines = captured.out.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("produced to \(topic)[") }.count == 2, "\(captured.out)")
        let peeked = lines.filter { $0.hasPrefix("\(topic)[") }
        #expect(peeked.count == 2, "\(captured.out)")
        #expect(peeked.contains { $0.hasSuffix(" key=first-key: hello console") })
        #expect(peeked.contains { $0.hasSuffix(#" key=second-key: {"n": 2}"#) })
        #expect(lines.last == "(2 messages)")
    }

    @Test func peekShowsTheLastMessagesOfEachPartition() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let topic = "swafka-console-\(UUID().uuidString)"
        let captured = CapturedOutput()
        let session = ConsoleSession(app: try app(bootstrap: bootstrap, topic: topic), clientProperties: autoCreate,
                                     output: captured.output)
        // One key: one partition, offsets 0...4 in order.
        try await session.run(lines: (0..<5).map { "produce -k same \(topic) message-\($0)" })
        let messages = try await session.peek(topic: topic, count: 2)
        #expect(messages.map { $0.value?.utf8String } == ["message-3", "message-4"])
        #expect(Set(messages.map(\.partition)).count == 1)
        #expect(messages.map(\.offset) == [3, 4])
    }

    @Test func aFailingLineIsReportedAndTheRestStillRun() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let topic = "swafka-console-\(UUID().uuidString)"
        let captured = CapturedOutput()
        let session = ConsoleSession(app: try app(bootstrap: bootstrap, topic: topic), clientProperties: autoCreate,
                                     output: captured.output)
        await #expect(throws: ConsoleError.linesFailed(1)) {
            try await session.run(lines: ["peek \(topic) 0", "produce \(topic) still-runs"])
        }
        #expect(captured.err == "error: peek: \"0\" is not a count from 1 to 10000\n")
        #expect(captured.out.hasPrefix("produced to \(topic)["))
    }
}
