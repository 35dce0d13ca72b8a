import ArgumentParser
import Foundation
import Glibc

/// The `swafka` executable: `install` scaffolds an app; `routes`, `flow`, `info`, `server`,
/// `worker` and `console` run in the app made by `install` (`swift run <App> <command>`, the
/// app's executable named by `.swafka-app`), since Swift cannot load the app's types at run time.
public enum SwafkaTool {
    /// Runs `arguments` (after the executable) in `directory`; returns the exit status.
    public static func run(_ arguments: [String], directory: String = FileManager.default.currentDirectoryPath,
                           output: CLIOutput = .standard) async -> Int32 {
        do {
            let command = try SwafkaToolCommand.parseAsRoot(arguments)
            switch command {
            case let install as InstallCommand:
                try install.run(directory: directory, output: output)
            case let delegated as DelegatedCommand:
                try delegated.run(directory: directory)
            default:
                var command = command
                try command.run()
            }
            return 0
        } catch {
            return SwafkaCommand.report(error, root: SwafkaToolCommand.self, output: output)
        }
    }
}

struct SwafkaToolCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "swafka",
        abstract: "Swafka: Kafka applications the Karafka way, in Swift.",
        discussion: """
            Start with `swafka install` in an empty directory. The app's own executable runs the other \
            commands (`swift run <App> routes`); here they run it for you, in an app made by install.
            """,
        subcommands: [InstallCommand.self, DelegatedCommand.self])
}

struct InstallCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "install",
        abstract: "Scaffold a new app in the current directory.",
        discussion: """
            Writes Package.swift, Sources/<App>/App.swift (setup and routes), an example controller, \
            responder and configurator, config/swafka.properties (the boot file) and .swafka-app. \
            Refuses to overwrite files unless --force.
            """)

    @Option(help: "The app's name (default: the directory's name).")
    var name: String?

    @Option(help: ArgumentHelp("Depend on the Swafka checkout at this path.", valueName: "path"))
    var swafkaPath: String?

    @Option(help: ArgumentHelp("Depend on Swafka at this git URL (with --swafka-version).", valueName: "url"))
    var swafkaURL: String?

    @Option(help: "The version to start from with --swafka-url.")
    var swafkaVersion = "0.1.0"

    @Flag(help: "Overwrite existing files.")
    var force = false

    func validate() throws {
        if swafkaPath != nil, swafkaURL != nil { throw ValidationError("give --swafka-path or --swafka-url, not both") }
        if swafkaPath == nil, swafkaURL == nil {
            throw ValidationError("say where Swafka comes from: --swafka-path PATH or --swafka-url URL")
        }
    }

    func run(directory: String, output: CLIOutput) throws {
        let dependency: Scaffold.Dependency
        if let swafkaPath {
            let absolute = swafkaPath.hasPrefix("/") ? swafkaPath
                : URL(fileURLWithPath: swafkaPath, relativeTo: URL(fileURLWithPath: directory + "/")).absoluteURL.standardized.path
            dependency = .path(absolute)
        } else {
            dependency = .url(swafkaURL ?? "", from: swafkaVersion)
        }
        let scaffold = try Scaffold(name: name ?? URL(fileURLWithPath: directory).lastPathComponent,
                                    dependency: dependency)
        let written = try scaffold.write(to: directory, force: force)
        output.out(written.map { "create \($0)\n" }.joined())
        output.out("""
            App \(scaffold.moduleName) ready. Next:
              swift run \(scaffold.moduleName) routes
              SWAFKA_BOOT_FILE=config/swafka.properties swift run \(scaffold.moduleName) server

            """)
    }
}

/// `swafka routes|flow|info|server|worker|console ...`: runs the app's executable, named by
/// `.swafka-app`, through `swift run`.
struct DelegatedCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "app",
        abstract: "Run an app command in the app made by install: swafka app routes (= swift run <App> routes).",
        discussion: "The commands: routes, flow, info, server, worker, console. `swift run <App> help` lists them.")

    @Argument(parsing: .captureForPassthrough, help: "The app command and its arguments.")
    var command: [String] = []

    func run(directory: String) throws {
        let marker = "\(directory)/.swafka-app"
        guard let text = try? String(contentsOfFile: marker, encoding: .utf8),
              let executable = text.split(separator: "\n").first.map(String.init), !executable.isEmpty else {
            throw SwafkaCLIError.file(marker, "not found: run this in an app made by `swafka install`, "
                                      + "or run `swift run <YourApp> \(command.joined(separator: " "))`")
        }
        let argv = ["swift", "run", executable] + command
        let pointers = argv.map { strdup($0) } + [nil]
        execvp("swift", pointers)
        let why = String(cString: strerror(errno))
        for pointer in pointers { free(pointer) }
        throw SwafkaCLIError.file("swift", "cannot run it: \(why)")
    }
}
