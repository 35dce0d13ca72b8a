import Foundation
import Swafka

/// The files `swafka install` writes: a Swift package with one executable app (setup, a
/// configurator, an example route, controller and responder), a boot file and a `.swafka-app`
/// marker naming the executable for `swafka routes`, `swafka server`, ... (Karafka's `karafka install`).
public struct Scaffold: Sendable, Hashable {
    /// Where the app's package gets Swafka from.
    public enum Dependency: Sendable, Hashable {
        /// A local checkout.
        case path(String)
        /// A git URL and the version to start from.
        case url(String, from: String)

        /// How the app's products name the package: a path dependency is declared with the name
        /// "Swafka" (its identity would otherwise be the checkout directory's name, whatever it is);
        /// a URL's identity is its last component without `.git`, lowercased.
        var packageReference: String {
            switch self {
            case .path: return "Swafka"
            case let .url(url, _):
                var last = String(url.split(separator: "/").last ?? "swafka")
                if last.hasSuffix(".git") { last.removeLast(4) }
                return last.lowercased()
            }
        }

        var declaration: String {
            switch self {
            case let .path(path): ".package(name: \"Swafka\", path: \(Scaffold.literal(path)))"
            case let .url(url, version): ".package(url: \(Scaffold.literal(url)), from: \(Scaffold.literal(version)))"
            }
        }
    }

    /// The executable's (and Swift module's) name, CamelCase: `Shop`.
    public let moduleName: String
    /// The app's name in its configuration and topics, snake_case: `shop`.
    public let appName: String
    /// Where Swafka comes from.
    public let dependency: Dependency

    /// A scaffold named after `name` (any case: `my-shop`, `MyShop`, `my_shop`).
    /// Throws `SwafkaCLIError.invalidArgument` when no Swift identifier can be made from it.
    public init(name: String, dependency: Dependency) throws(SwafkaCLIError) {
        let words = name.split(whereSeparator: { !$0.isLetter && !$0.isNumber }).map(String.init)
        let camel = words.map { word in word.prefix(1).uppercased() + word.dropFirst() }.joined()
        guard let first = camel.unicodeScalars.first, first.properties.isAlphabetic,
              camel.unicodeScalars.allSatisfy({ $0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)) })
        else {
            throw .invalidArgument("install: cannot make an app name from \"\(name)\"; pass --name with letters and digits")
        }
        moduleName = camel
        appName = Topics.underscore(camel)
        self.dependency = dependency
    }

    /// The files, by path relative to the app's directory.
    public var files: [String: String] {
        [
            "Package.swift": packageManifest,
            "Sources/\(moduleName)/App.swift": appFile,
            "Sources/\(moduleName)/Controllers/ExampleController.swift": controllerFile,
            "Sources/\(moduleName)/Responders/ExampleResponder.swift": responderFile,
            "Sources/\(moduleName)/Configurators/DevelopmentConfigurator.swift": configuratorFile,
            "config/swafka.properties": bootFile,
            ".swafka-app": moduleName + "\n",
            ".gitignore": ".build/\n.swafka/\n",
        ]
    }

    /// Writes the files under `directory`; refuses (writing nothing) when one exists, unless `force`.
    /// Returns the paths written, sorted.
    @discardableResult
    public func write(to directory: String, force: Bool = false) throws(SwafkaCLIError) -> [String] {
        let manager = FileManager.default
        let paths = files.keys.sorted()
        if !force {
            let existing = paths.filter { manager.fileExists(atPath: "\(directory)/\($0)") }
            if !existing.isEmpty { throw .wouldOverwrite(existing) }
        }
        for path in paths {
            let full = "\(directory)/\(path)"
            do {
                try manager.createDirectory(atPath: (full as NSString).deletingLastPathComponent,
                                            withIntermediateDirectories: true)
                try (files[path] ?? "").write(toFile: full, atomically: true, encoding: .utf8)
            } catch {
                throw .file(full, error.localizedDescription)
            }
        }
        return paths
    }

    static func literal(_ text: String) -> String {
        "\"" + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"") + "\""
    }

    var packageManifest: String {
        let package = dependency.packageReference
        return """
            // swift-tools-version:6.1
            // Made by `swafka install`. Run `swift run \(moduleName) help`.
            import PackageDescription

            let package = Package(
                name: \(Self.literal(moduleName)),
                dependencies: [
                    \(dependency.declaration),
                ],
                targets: [
                    .executableTarget(
                        name: \(Self.literal(moduleName)),
                        dependencies: [
                            .product(name: "Swafka", package: \(Self.literal(package))),
                            .product(name: "SwafkaCLI", package: \(Self.literal(package))),
                        ],
                        swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
                ]
            )

            """
    }

    var appFile: String {
        """
        import Swafka
        import SwafkaCLI

        /// The app: its setup and its routes (Karafka's `app.rb`).
        ///
        ///     swift run \(moduleName) routes      # the routes and their settings
        ///     swift run \(moduleName) flow        # where messages go
        ///     swift run \(moduleName) server      # consume; SIGINT or SIGTERM stops it gracefully
        ///     swift run \(moduleName) worker      # run the jobs of routes that are not inline
        ///     swift run \(moduleName) console     # produce to and peek at the app's topics
        ///
        /// Settings come from the boot file: `SWAFKA_BOOT_FILE=config/swafka.properties`.
        @main
        enum \(moduleName)App: SwafkaApplication {
            static func makeApp(_ context: SwafkaAppContext) throws -> SwafkaApp {
                var app = SwafkaApp(environment: context.environment)
                app.setup { config in
                    config.name = "\(appName)"
                    config.kafkaHosts = (context.settings["kafka.hosts"] ?? "127.0.0.1:9092")
                        .split(separator: ",").map(String.init)
                    // Perform in the server process; false enqueues on the worker below instead.
                    config.inline = true
                }
                app.configurators = [DevelopmentConfigurator()]
                // Routes that are not inline queue their performs durably on this topic.
                app.routeDefaults.worker = context.kafkaQueueWorker(jobsTopic: "\(appName)_jobs")
                app.routes {
                    Route("\(appName)_examples", controller: ExampleController.self)
                        .responder(ExampleResponder.self)
                }
                return app
            }

            static func main() async {
                await SwafkaCommand.main(app: \(moduleName)App.self)
            }
        }

        """
    }

    var controllerFile: String {
        """
        import Swafka

        /// Handles each message of `\(appName)_examples` (a new instance per message).
        final class ExampleController: Controller {
            override func perform() async throws {
                print("\\(params.topic)[\\(params.partition)]@\\(params.offset): \\(params.payload)")
                try await respondWith(params.payload)
            }
        }

        """
    }

    var responderFile: String {
        """
        import Swafka

        /// Sends what `ExampleController` hands it to `\(appName)_examples_done`.
        final class ExampleResponder: Responder {
            override class var topics: [ResponderTopic] {
                [.topic("\(appName)_examples_done")]
            }

            override func respond(_ data: [ParamValue]) throws {
                respondTo("\(appName)_examples_done", data.first ?? .null)
            }
        }

        """
    }

    var configuratorFile: String {
        """
        import Swafka

        /// Runs after setup, before the routes are checked (Karafka's `config/initializers`).
        struct DevelopmentConfigurator: Configurator {
            func configure(_ configuration: inout Configuration, environment: Environment) throws {
                // A local broker: notice a dead member sooner than Kafka's 45 s default.
                if environment.isDevelopment { configuration.sessionTimeout = .seconds(10) }
            }
        }

        """
    }

    var bootFile: String {
        """
        # \(appName)'s settings: SWAFKA_BOOT_FILE=config/swafka.properties swift run \(moduleName) info
        kafka.hosts=127.0.0.1:9092
        # client.* settings go to every Kafka client the app makes (info prints secrets as [redacted]):
        # client.sasl.password=...

        """
    }
}
