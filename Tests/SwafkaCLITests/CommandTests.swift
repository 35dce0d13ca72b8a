import Foundation
import KafkaClient
import Swafka
import SwafkaCLI
import Synchronization
import Testing

@Suite struct CommandOutputTests {
    @Test func routesAreAlphabeticalWithSettings() async {
        let result = await runCommand(["routes"])
        #expect(result.status == 0)
        #expect(result.err == "")
        #expect(result.out == """
            audit:
              handler: OrdersController
              group: test_shop_audit
              inline: false
              worker: jobs
              parser: JSONParser
              interchanger: BinaryInterchanger
              responder: -
            orders:
              handler: OrdersController
              group: test_shop_orders
              inline: true
              worker: jobs
              parser: JSONParser
              interchanger: BinaryInterchanger
              responder: OrdersResponder

            """)
    }

    @Test func flowMarksRequiredOptionalOnceMultiple() async {
        let result = await runCommand(["flow"])
        #expect(result.status == 0)
        #expect(result.out == """
            audit => (nothing)
            orders =>
              - order_events (optional, multiple)
              - payments (required, once)

            """)
    }

    @Test func infoPrintsConfigurationAndRedactsSecrets() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let bootFile = "\(directory)/shop.properties"
        try """
            # the shop
            name = shop
            kafka.hosts = broker-1:9092,broker-2:9092
            client.sasl.password = hunter2
            client.client.id = shop-client
            payments.api_token = abc
            """.write(toFile: bootFile, atomically: true, encoding: .utf8)
        let result = await runCommand(["info"], variables: ["SWAFKA_ENV": "production", "SWAFKA_BOOT_FILE": bootFile])
        #expect(result.status == 0, "\(result.err)")
        #expect(result.out == """
            name: shop
            environment: production
            boot_file: \(bootFile)
            kafka.hosts: broker-1:9092,broker-2:9092
            session_timeout: 45.0 seconds
            heartbeat_interval: 3.0 seconds
            offset_commit_interval: 5.0 seconds
            offset_commit_threshold: 0
            ssl.ca_cert: -
            ssl.client_cert: -
            ssl.client_cert_key: -
            connection_pool.size: 5
            connection_pool.timeout: 5.0 seconds
            inline: true
            delivery: sync
            monitor: LoggingMonitor
            groups: 2
            routes: 2
            boot_settings:
              client.client.id: shop-client
              client.sasl.password: [redacted]
              kafka.hosts: broker-1:9092,broker-2:9092
              name: shop
              payments.api_token: [redacted]

            """)
        #expect(!result.out.contains("hunter2") && !result.out.contains("s3cret") && !result.out.contains("abc\n"))
    }

    @Test func bootFailuresNameTheSetting() async {
        let noHosts = await runCommand(["routes"], makeApp: { context in
            var app = SwafkaApp(environment: context.environment)
            app.setup { $0.name = "shop" }
            app.routes { Route("orders", controller: OrdersController.self) }
            return app
        })
        #expect(noHosts.status == 1)
        #expect(noHosts.err == "error: boot failed: configuration: kafka.hosts is required\n")

        let badRoute = await runCommand(["flow"], makeApp: { context in
            var app = SwafkaApp(environment: context.environment)
            app.setup { $0.name = "shop"; $0.kafkaHosts = ["localhost:9092"] }
            app.routes { Route("orders!", controller: OrdersController.self) }
            return app
        })
        #expect(badRoute.status == 1)
        #expect(badRoute.err.contains("routes: topic \"orders!\" contains \"!\""))

        let missingFile = await runCommand(["info"], variables: ["SWAFKA_BOOT_FILE": "/nonexistent/swafka.properties"])
        #expect(missingFile.status == 1)
        #expect(missingFile.err.contains("boot file /nonexistent/swafka.properties: cannot read it"))
    }

    @Test func malformedBootFileNamesTheLine() throws {
        #expect(throws: BootFileError.malformedLine(path: "f", line: 3, "expected key=value")) {
            try BootSettings(parsing: "a=1\n# note\nnonsense\n", path: "f")
        }
        let settings = try BootSettings(parsing: "  a = 1 \n\n#x=2\nb==3\n")
        #expect(settings.values == ["a": "1", "b": "=3"])
    }
}

@Suite struct HelpTests {
    @Test func helpListsTheCommands() async {
        let result = await runCommand(["help"])
        #expect(result.status == 0)
        for line in ["USAGE: test-shop <subcommand>", "  routes ", "  flow ", "  info ", "  server ", "  worker ",
                     "  console ", "SWAFKA_ENV", "SWAFKA_BOOT_FILE"] {
            #expect(result.out.contains(line), "help lacks \(line):\n\(result.out)")
        }
        let flag = await runCommand(["--help"])
        #expect(flag.out == result.out)
    }

    @Test func helpOfACommand() async {
        let server = await runCommand(["help", "server"])
        #expect(server.status == 0)
        #expect(server.out.contains("USAGE: test-shop server [--daemon] [--pid-file <path>] [--log-file <path>]"))
        #expect(server.out.contains("SIGINT and SIGTERM shut down gracefully"))
        let worker = await runCommand(["worker", "--help"])
        #expect(worker.out.contains("--concurrency <concurrency>"))
        let console = await runCommand(["help", "console"])
        #expect(console.out.contains("produce [-k KEY] TOPIC VALUE") && console.out.contains("-e, --execute <command>"))
    }

    @Test func unknownCommandsAndBadOptionsFail() async {
        let unknown = await runCommand(["deploy"])
        #expect(unknown.status == 64)
        #expect(unknown.err.contains("Unexpected argument 'deploy'"))
        let zero = await runCommand(["worker", "--concurrency", "0"])
        #expect(zero.status == 64)
        #expect(zero.err.contains("--concurrency must be at least 1"))
    }
}

@Suite struct RuntimeSeamTests {
    @Test func serverWithoutARuntimeSaysSo() async {
        let result = await runCommand(["server"])
        #expect(result.status == 1)
        #expect(result.err.contains("server: no Swafka runtime is linked"))
    }

    @Test func theHookGetsTheBootedAppAndTheAppsSink() async throws {
        let seen = Mutex<[String]>([])
        let hooks = SwafkaRuntimeHooks(
            runServer: { request in
                seen.withLock { $0.append("server \(request.app.configuration.name) \(request.concurrency)") }
                // What the app's workers enqueue through is the request's sink: not connected yet.
                #expect(!request.sink.isConnected)
                #expect(request.jobsTopics == ["test_shop_jobs"])
                #expect(request.baseClientProperties["bootstrap.servers"] == "localhost:9092")
                #expect(request.baseClientProperties["sasl.password"] == "pw")
            },
            runWorker: { request in
                seen.withLock { $0.append("worker \(request.app.configuration.name) \(request.concurrency)") }
            })
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "client.sasl.password=pw\n".write(toFile: "\(directory)/boot", atomically: true, encoding: .utf8)
        let variables = ["SWAFKA_BOOT_FILE": "\(directory)/boot"]
        let server = await runCommand(["server"], variables: variables, runtime: hooks)
        #expect(server.status == 0, "\(server.err)")
        #expect(server.out.contains("swafka server: TestShop (development) pid "))
        let worker = await runCommand(["worker", "--concurrency", "4"], variables: variables, runtime: hooks)
        #expect(worker.status == 0, "\(worker.err)")
        #expect(seen.withLock { $0 } == ["server TestShop 1", "worker TestShop 4"])
    }

    @Test func aFailingHookFailsTheCommand() async {
        struct Broken: Error, CustomStringConvertible { var description: String { "broker unreachable" } }
        let hooks = SwafkaRuntimeHooks(runServer: { _ in throw Broken() }, runWorker: { _ in })
        let result = await runCommand(["server"], runtime: hooks)
        #expect(result.status == 1)
        #expect(result.err.contains("broker unreachable"))
    }

    @Test func pidFileIsClaimedWhileRunningAndRemovedAfter() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidPath = "\(directory)/run/server.pid"
        let during = Mutex<String?>(nil)
        let hooks = SwafkaRuntimeHooks(
            runServer: { _ in during.withLock { $0 = try? String(contentsOfFile: pidPath, encoding: .utf8) } },
            runWorker: { _ in })
        let result = await runCommand(["server", "--pid-file", pidPath], runtime: hooks)
        #expect(result.status == 0, "\(result.err)")
        #expect(during.withLock { $0 } == "\(getpid())\n")
        #expect(!FileManager.default.fileExists(atPath: pidPath))
    }

    @Test func aPidFileOfALiveProcessIsRefused() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let pidPath = "\(directory)/server.pid"
        // pid 1 is alive (init, or the container's first process).
        try "1\n".write(toFile: pidPath, atomically: true, encoding: .utf8)
        let hooks = SwafkaRuntimeHooks(runServer: { _ in Issue.record("must not run") }, runWorker: { _ in })
        let result = await runCommand(["server", "--pid-file", pidPath], runtime: hooks)
        #expect(result.status == 1)
        #expect(result.err.contains("already running: \(pidPath) names process 1"))
        // A stale pid file (no such process) is taken over.
        try "999999999\n".write(toFile: pidPath, atomically: true, encoding: .utf8)
        let stale = await runCommand(["server", "--pid-file", pidPath],
                                     runtime: SwafkaRuntimeHooks(runServer: { _ in }, runWorker: { _ in }))
        #expect(stale.status == 0, "\(stale.err)")
    }

    @Test func runtimeSinkSendsOnlyOnceConnected() async throws {
        let sink = RuntimeSink()
        await #expect(throws: RuntimeSink.NotConnected.self) {
            try await sink.send([ProducerMessage(topic: "t", value: nil)], mode: .sync)
        }
        let recording = RecordingSink()
        sink.connect(recording)
        try await sink.send([ProducerMessage(topic: "t", value: nil)], mode: .sync)
        #expect(recording.messages.map(\.topic) == ["t"])
        sink.disconnect()
        #expect(!sink.isConnected)
    }
}
