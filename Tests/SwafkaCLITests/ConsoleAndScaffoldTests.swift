import Foundation
import KafkaClient
import KafkaWire
import Swafka
import SwafkaCLI
import Testing

@Suite struct ConsoleInputTests {
    @Test func parsesEveryCommand() throws {
        #expect(try ConsoleInput(parsing: "help") == .help)
        #expect(try ConsoleInput(parsing: "  topics") == .topics)
        #expect(try ConsoleInput(parsing: "routes") == .routes)
        #expect(try ConsoleInput(parsing: "flow") == .flow)
        #expect(try ConsoleInput(parsing: "quit") == .quit)
        #expect(try ConsoleInput(parsing: "exit") == .quit)
        #expect(try ConsoleInput(parsing: "") == .nothing)
        #expect(try ConsoleInput(parsing: "# a comment") == .nothing)
        #expect(try ConsoleInput(parsing: #"produce orders {"id": "1", "item": "a book"}"#)
                == .produce(topic: "orders", key: nil, value: #"{"id": "1", "item": "a book"}"#))
        #expect(try ConsoleInput(parsing: "produce -k user-7 orders  hello world ")
                == .produce(topic: "orders", key: "user-7", value: "hello world "))
        #expect(try ConsoleInput(parsing: "peek orders") == .peek(topic: "orders", count: 5))
        #expect(try ConsoleInput(parsing: "peek orders 20") == .peek(topic: "orders", count: 20))
    }

    @Test func rejectsWhatCannotRun() {
        let cases: [(String, String)] = [
            ("deploy now", "unknown command \"deploy\" (try help)"),
            ("produce", "produce: which topic? (produce [-k KEY] TOPIC VALUE)"),
            ("produce orders", "produce: no value (produce [-k KEY] TOPIC VALUE)"),
            ("produce -k", "produce: -k needs a key"),
            ("produce bad/topic x", "produce: topic \"bad/topic\" contains \"/\"; only [A-Za-z0-9._-] are allowed"),
            ("peek", "peek: which topic? (peek TOPIC [N])"),
            ("peek orders zero", "peek: \"zero\" is not a count from 1 to 10000"),
            ("peek orders 0", "peek: \"0\" is not a count from 1 to 10000"),
            ("peek orders 3 4", "peek: too many arguments (peek TOPIC [N])"),
        ]
        for (line, why) in cases {
            #expect(throws: ConsoleError.invalid(why), "\(line)") { try ConsoleInput(parsing: line) }
        }
    }

    @Test func describesMessagesAsTextOrHex() {
        let text = KafkaConsumerMessage(topicPartition: TopicPartition("orders", 2), offset: 41,
                                        key: ByteSlice("k"), value: ByteSlice("{\"id\":1}"))
        #expect(ConsoleSession.describe(text) == "orders[2]@41 key=k: {\"id\":1}")
        let binary = KafkaConsumerMessage(topicPartition: TopicPartition("orders", 0), offset: 0,
                                          value: ByteSlice([0x00, 0xff, 0x10]))
        #expect(ConsoleSession.describe(binary) == "orders[0]@0: 0x00ff10")
        let tombstone = KafkaConsumerMessage(topicPartition: TopicPartition("orders", 0), offset: 1, key: ByteSlice("k"), value: nil)
        #expect(ConsoleSession.describe(tombstone) == "orders[0]@1 key=k: (null)")
    }

    @Test func topicsOfTheApp() throws {
        let app = try TestShop.makeApp(SwafkaAppContext(environment: Environment(variables: [:]))).boot()
        let session = ConsoleSession(app: app, output: CapturedOutput().output)
        #expect(session.topics == ["audit", "order_events", "orders", "payments", "test_shop_dead_letters", "test_shop_jobs"])
    }
}

@Suite struct ScaffoldTests {
    @Test func namesFromAnyCase() throws {
        for (given, module, app) in [("my-shop", "MyShop", "my_shop"), ("MyShop", "MyShop", "my_shop"),
                                     ("my_shop", "MyShop", "my_shop"), ("shop2", "Shop2", "shop2")] {
            let scaffold = try Scaffold(name: given, dependency: .path("/src/swafka"))
            #expect(scaffold.moduleName == module && scaffold.appName == app, "\(given)")
        }
        #expect(throws: SwafkaCLIError.self) { try Scaffold(name: "2fast", dependency: .path("/x")) }
        #expect(throws: SwafkaCLIError.self) { try Scaffold(name: "---", dependency: .path("/x")) }
    }

    @Test func manifestDependsOnSwafkaByPathOrURL() throws {
        let byPath = try Scaffold(name: "shop", dependency: .path("/src/my \"swafka\""))
        let manifest = try #require(byPath.files["Package.swift"])
        #expect(manifest.contains(#".package(name: "Swafka", path: "/src/my \"swafka\"")"#))
        #expect(manifest.contains(#".product(name: "SwafkaCLI", package: "Swafka")"#))
        let byURL = try Scaffold(name: "shop", dependency: .url("https://example.com/org/Swafka.git", from: "1.2.0"))
        let urlManifest = try #require(byURL.files["Package.swift"])
        #expect(urlManifest.contains(#".package(url: "https://example.com/org/Swafka.git", from: "1.2.0")"#))
        #expect(urlManifest.contains(#".product(name: "Swafka", package: "swafka")"#))
    }

    /// Examples/Scaffold is what `swafka install --name Example --swafka-path ../..` writes, and its
    /// sources are a target of this package (`swafka-scaffold-example`), so every build compiles
    /// the scaffold's code; this test keeps the two equal. SWAFKA_UPDATE_SNAPSHOTS=1 rewrites it.
    @Test func examplesScaffoldIsTheGeneratorsOutput() throws {
        let scaffold = try Scaffold(name: "Example", dependency: .path("../.."))
        let directory = "\(repositoryRoot)/Examples/Scaffold"
        if ProcessInfo.processInfo.environment["SWAFKA_UPDATE_SNAPSHOTS"] == "1" {
            try scaffold.write(to: directory, force: true)
        }
        for (path, contents) in scaffold.files {
            let onDisk = try? String(contentsOfFile: "\(directory)/\(path)", encoding: .utf8)
            #expect(onDisk == contents, "Examples/Scaffold/\(path) differs from the generator's output")
        }
    }

    @Test func installWritesTheAppAndRefusesToOverwrite() async throws {
        let directory = try temporaryDirectory() + "/my-shop"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let captured = CapturedOutput()
        let status = await SwafkaTool.run(["install", "--swafka-path", "/src/swafka"], directory: directory,
                                          output: captured.output)
        #expect(status == 0, "\(captured.err)")
        #expect(captured.out.hasPrefix("""
            create .gitignore
            create .swafka-app
            create Package.swift
            create Sources/MyShop/App.swift
            create Sources/MyShop/Configurators/DevelopmentConfigurator.swift
            create Sources/MyShop/Controllers/ExampleController.swift
            create Sources/MyShop/Responders/ExampleResponder.swift
            create config/swafka.properties
            App MyShop ready.
            """))
        let app = try String(contentsOfFile: "\(directory)/Sources/MyShop/App.swift", encoding: .utf8)
        #expect(app.contains("enum MyShopApp: SwafkaApplication") && app.contains("Route(\"my_shop_examples\""))
        #expect(try String(contentsOfFile: "\(directory)/.swafka-app", encoding: .utf8) == "MyShop\n")

        let again = CapturedOutput()
        let refused = await SwafkaTool.run(["install", "--swafka-path", "/src/swafka"], directory: directory,
                                           output: again.output)
        #expect(refused == 1)
        #expect(again.err.hasPrefix("error: install would overwrite .gitignore, .swafka-app, Package.swift"))
        let forced = await SwafkaTool.run(["install", "--swafka-path", "/src/swafka", "--force"], directory: directory,
                                          output: CapturedOutput().output)
        #expect(forced == 0)
    }

    @Test func installNeedsToKnowWhereSwafkaIs() async {
        let captured = CapturedOutput()
        let status = await SwafkaTool.run(["install"], directory: "/tmp", output: captured.output)
        #expect(status == 64)
        #expect(captured.err.contains("say where Swafka comes from: --swafka-path PATH or --swafka-url URL"))
    }

    @Test func appCommandsOutsideAnAppSayWhere() async throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let captured = CapturedOutput()
        let status = await SwafkaTool.run(["app", "routes"], directory: directory, output: captured.output)
        #expect(status == 1)
        #expect(captured.err.contains(".swafka-app: not found: run this in an app made by `swafka install`"))
    }

    @Test func toolHelp() async {
        let captured = CapturedOutput()
        #expect(await SwafkaTool.run(["help"], output: captured.output) == 0)
        #expect(captured.out.contains("USAGE: swafka <subcommand>") && captured.out.contains("  install "))
        let install = CapturedOutput()
        #expect(await SwafkaTool.run(["help", "install"], output: install.output) == 0)
        #expect(install.out.contains("--swafka-path <path>") && install.out.contains("Refuses to overwrite"))
    }
}

@Suite struct ExecutableTests {
    /// The example's executable exposes the commands (`swift run swafka-example routes`).
    @Test func exampleExecutableDescribesItsRoutesAndFlow() throws {
        let example = productsDirectory() + "/swafka-example"
        let flow = try runProcess(example, ["flow"], environment: ["SWAFKA_BOOT_FILE": "", "SWAFKA_ENV": ""])
        #expect(flow.status == 0, "\(flow.err)")
        #expect(flow.out == """
            orders =>
              - payments (required, once)
            payments =>
              - receipts (required, once)
            receipts => (nothing)

            """)
        let routes = try runProcess(example, ["routes"])
        #expect(routes.out.contains("payments:\n  handler: PaymentsController\n  group: shop_payments\n  inline: false\n  worker: shop_jobs\n"))
        let help = try runProcess(example, ["help"])
        #expect(help.status == 0 && help.out.contains("USAGE: swafka-example <subcommand>"))
    }

    @Test func swafkaExecutableRuns() throws {
        let result = try runProcess(productsDirectory() + "/swafka", ["--help"])
        #expect(result.status == 0 && result.out.contains("swafka install"))
    }
}

extension Tag {
    /// Builds a whole package: minutes on a small machine.
    @Tag static var scaffoldBuild: Self
}

/// The scaffold as a package of its own: `swift build` of Examples/Scaffold (which depends on this
/// repository by path). Slow (it compiles Swafka again in its own scratch directory), so it runs
/// only with SWAFKA_SCAFFOLD_BUILD=1; every ordinary build already compiles the scaffold's sources
/// as the `swafka-scaffold-example` target.
@Suite struct ScaffoldBuildTests {
    @Test(.tags(.scaffoldBuild),
          .enabled(if: ProcessInfo.processInfo.environment["SWAFKA_SCAFFOLD_BUILD"] == "1"))
    func scaffoldPackageBuildsAndRuns() throws {
        let scratch = NSTemporaryDirectory() + "swafka-scaffold-build-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let swift = ProcessInfo.processInfo.environment["SWIFT"] ?? "/opt/swift/usr/bin/swift"
        let package = "\(repositoryRoot)/Examples/Scaffold"
        let build = try runProcess(swift, ["build", "--package-path", package, "--scratch-path", scratch])
        #expect(build.status == 0, "\(build.out)\n\(build.err)")
        let routes = try runProcess(swift, ["run", "--package-path", package, "--scratch-path", scratch,
                                            "--skip-build", "Example", "routes"])
        #expect(routes.status == 0, "\(routes.err)")
        #expect(routes.out.hasPrefix("example_examples:\n  handler: ExampleController\n"))
    }
}
