import ArgumentParser
import Foundation
import Swafka
import Synchronization

/// Where the commands write: standard output and error, or a buffer in tests.
public struct CLIOutput: Sendable {
    /// Writes text to standard output (no newline added).
    public let out: @Sendable (String) -> Void
    /// Writes text to standard error (no newline added).
    public let err: @Sendable (String) -> Void

    /// Output through two closures.
    public init(out: @escaping @Sendable (String) -> Void, err: @escaping @Sendable (String) -> Void) {
        self.out = out
        self.err = err
    }

    /// The process's standard output and error, unbuffered enough for logs and prompts.
    public static let standard = CLIOutput(
        out: { text in FileHandle.standardOutput.write(Data(text.utf8)) },
        err: { text in FileHandle.standardError.write(Data(text.utf8)) })
}

/// Output kept in memory: what tests compare.
public final class CapturedOutput: Sendable {
    private let text = Mutex<(out: String, err: String)>(("", ""))

    /// Empty buffers.
    public init() {}

    /// What was written to standard output.
    public var out: String { text.withLock { $0.out } }
    /// What was written to standard error.
    public var err: String { text.withLock { $0.err } }

    /// An output writing into these buffers.
    public var output: CLIOutput {
        CLIOutput(out: { line in self.text.withLock { $0.out += line } },
                  err: { line in self.text.withLock { $0.err += line } })
    }
}

/// Everything a command runs with, passed explicitly so tests run commands in-process.
public struct SwafkaCLIContext: Sendable {
    /// The executable's name, shown in usage lines.
    public var commandName: String
    /// Builds the app (the app type's `makeApp`).
    public var makeApp: @Sendable (SwafkaAppContext) throws -> SwafkaApp
    /// The runtime `server` and `worker` run.
    public var runtime: SwafkaRuntimeHooks
    /// The process environment (`SWAFKA_ENV`, `SWAFKA_BOOT_FILE`).
    public var variables: [String: String]
    /// Where output goes.
    public var output: CLIOutput
    /// The console's input: the next line, nil at the end.
    public var readLine: @Sendable () -> String?
    /// The executable and the arguments it was started with (for `--daemon`, which starts it again).
    public var executable: String
    /// The command-line arguments after the executable.
    public var arguments: [String]

    /// A context; `SwafkaCommand.main(app:)` fills it from the process.
    public init(commandName: String, makeApp: @escaping @Sendable (SwafkaAppContext) throws -> SwafkaApp,
                runtime: SwafkaRuntimeHooks = .unlinked, variables: [String: String] = [:],
                output: CLIOutput = .standard, readLine: @escaping @Sendable () -> String? = { Swift.readLine() },
                executable: String = "", arguments: [String] = []) {
        self.commandName = commandName
        self.makeApp = makeApp
        self.runtime = runtime
        self.variables = variables
        self.output = output
        self.readLine = readLine
        self.executable = executable
        self.arguments = arguments
    }

    /// The context for `App` in this process.
    public static func process<App: SwafkaApplication>(app: App.Type, runtime: SwafkaRuntimeHooks) -> SwafkaCLIContext {
        let arguments = CommandLine.arguments
        let executable = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe"))
            ?? arguments.first ?? ""
        return SwafkaCLIContext(
            commandName: URL(fileURLWithPath: arguments.first ?? String(describing: app)).lastPathComponent,
            makeApp: { try App.makeApp($0) }, runtime: runtime, variables: ProcessInfo.processInfo.environment,
            executable: executable, arguments: Array(arguments.dropFirst()))
    }

    /// Builds and boots the app: the environment from `variables`, the boot file read, the sink
    /// not connected. Every failure is a `SwafkaCLIError.bootFailed` naming the cause.
    public func boot() throws(SwafkaCLIError) -> (app: BootedApp, context: SwafkaAppContext) {
        do {
            let environment = Environment(variables: variables)
            let settings = try environment.bootFile.map { path throws(BootFileError) in try BootSettings(contentsOf: path) }
                ?? BootSettings()
            let context = SwafkaAppContext(environment: environment, settings: settings)
            return (try makeApp(context).boot(), context)
        } catch {
            throw .bootFailed(String(describing: error))
        }
    }
}

/// A command that needs the app's context (every app command).
protocol AppSubcommand: AsyncParsableCommand {
    func run(in context: SwafkaCLIContext) async throws
}

extension AppSubcommand {
    /// Only ever run through `SwafkaCommand.run`, which passes the context.
    mutating func run() async throws { throw SwafkaCLIError.invalidArgument("run through SwafkaCommand") }
}

/// The commands an app's executable exposes: `routes`, `flow`, `info`, `server`, `worker`,
/// `console`, and `help [command]`.
///
/// ```swift
/// @main enum ShopApp: SwafkaApplication {
///     static func makeApp(_ context: SwafkaAppContext) throws -> SwafkaApp { ... }
///     static func main() async { await SwafkaCommand.main(app: ShopApp.self) }
/// }
/// ```
public enum SwafkaCommand {
    /// Runs the command named by the process's arguments for `app`, then exits with its status.
    public static func main<App: SwafkaApplication>(app: App.Type, runtime: SwafkaRuntimeHooks = .standard) async -> Never {
        let context = SwafkaCLIContext.process(app: app, runtime: runtime)
        let status = await run(context.arguments, context: context)
        exit(status)
    }

    /// Parses `arguments` and runs the command; returns the exit status. Help and errors go to
    /// the context's output (help to standard output, errors to standard error).
    public static func run(_ arguments: [String], context: SwafkaCLIContext) async -> Int32 {
        await AppRootCommand.$commandName.withValue(context.commandName) {
            do {
                let command = try AppRootCommand.parseAsRoot(arguments)
                if let command = command as? any AppSubcommand {
                    try await command.run(in: context)
                } else if var command = command as? any AsyncParsableCommand {
                    try await command.run()
                } else {
                    var command = command
                    try command.run()
                }
                return 0
            } catch {
                return report(error, root: AppRootCommand.self, output: context.output)
            }
        }
    }

    /// Prints `error` as ArgumentParser would (help requests to standard output) and returns the status.
    static func report(_ error: any Error, root: any ParsableCommand.Type, output: CLIOutput) -> Int32 {
        let code = root.exitCode(for: error)
        var message: String
        if error is SwafkaCLIError || error is ConsoleError {
            message = "error: \(error)"
        } else {
            message = root.fullMessage(for: error)
        }
        if !message.isEmpty, !message.hasSuffix("\n") { message += "\n" }
        if code == .success { output.out(message) } else { output.err(message) }
        return code.rawValue
    }
}

/// The root of an app's commands. Its name is the app's executable's.
struct AppRootCommand: AsyncParsableCommand {
    @TaskLocal static var commandName = "swafka-app"

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: commandName,
            abstract: "A Swafka app: describe its routes, run its server, workers and console.",
            discussion: """
                Environment: SWAFKA_ENV (default development), SWAFKA_BOOT_FILE (key=value settings the app \
                reads; client.* settings go to the Kafka clients).
                """,
            subcommands: [RoutesCommand.self, FlowCommand.self, InfoCommand.self, ServerCommand.self,
                          WorkerCommand.self, ConsoleCommand.self])
    }
}

struct RoutesCommand: AppSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "routes", abstract: "List every route, alphabetically by topic, with its settings.")

    func run(in context: SwafkaCLIContext) async throws {
        context.output.out(AppInfo.routes(try context.boot().app))
    }
}

struct FlowCommand: AppSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "flow",
        abstract: "Show where messages flow: each incoming topic => the topics its responder sends to.",
        discussion: "Each outgoing topic is marked required or optional, and once or multiple.")

    func run(in context: SwafkaCLIContext) async throws {
        context.output.out(AppInfo.flow(try context.boot().app))
    }
}

struct InfoCommand: AppSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Print the app's configuration and boot settings (secrets redacted).")

    func run(in context: SwafkaCLIContext) async throws {
        let (app, appContext) = try context.boot()
        context.output.out(Self.text(app: app, settings: appContext.settings))
    }

    /// The configuration, then the boot file's settings with secrets redacted.
    static func text(app: BootedApp, settings: BootSettings) -> String {
        // Credentials in a host ("user:password@host:9092") are redacted like any other secret.
        var text = AppInfo.info(app).split(separator: "\n", omittingEmptySubsequences: false).map { line -> String in
            let prefix = "kafka.hosts: "
            guard line.hasPrefix(prefix) else { return String(line) }
            return prefix + BootSettings.redactingUserInfo(String(line.dropFirst(prefix.count)))
        }.joined(separator: "\n")
        let lines = settings.redactedLines()
        text += "boot_settings:" + (lines.isEmpty ? " -\n" : "\n" + lines.map { "  \($0)\n" }.joined())
        return text
    }
}

/// Options shared by `server` and `worker`.
struct ProcessOptions: ParsableArguments {
    @Flag(help: "Run in the background: start again detached, logging to --log-file, pid in --pid-file.")
    var daemon = false

    @Option(help: ArgumentHelp("Write the process id here while running (refused if it names a live process).",
                               valueName: "path"))
    var pidFile: String?

    @Option(help: ArgumentHelp("With --daemon: where the output goes.", valueName: "path"))
    var logFile: String?
}

struct ServerCommand: AppSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "server",
        abstract: "Run the app's listeners: one consumer group per route group, until SIGINT or SIGTERM.",
        discussion: """
            SIGINT and SIGTERM shut down gracefully: in-flight messages finish, offsets are committed, \
            the groups are left. SIGQUIT cancels at once.
            """)

    @OptionGroup var options: ProcessOptions

    func run(in context: SwafkaCLIContext) async throws {
        try await RuntimeLauncher(role: "server", options: options, concurrency: 1).run(in: context) { request in
            try await context.runtime.runServer(request)
        }
    }
}

struct WorkerCommand: AppSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Run the app's workers: consume the jobs topics and perform, with retries and dead letters.",
        discussion: "SIGINT and SIGTERM finish the jobs in flight and commit before exiting.")

    @OptionGroup var options: ProcessOptions

    @Option(help: "How many jobs may run at once.")
    var concurrency = 1

    func validate() throws {
        guard concurrency >= 1 else { throw ValidationError("--concurrency must be at least 1") }
    }

    func run(in context: SwafkaCLIContext) async throws {
        try await RuntimeLauncher(role: "worker", options: options, concurrency: concurrency).run(in: context) { request in
            try await context.runtime.runWorker(request)
        }
    }
}

struct ConsoleCommand: AppSubcommand {
    static let configuration = CommandConfiguration(
        commandName: "console",
        abstract: "An interactive prompt to produce to and peek at the app's topics.",
        discussion: ConsoleInput.helpText)

    @Option(name: [.customShort("e"), .long], help: ArgumentHelp(
        "Run this console command instead of reading the prompt (repeatable, in order).", valueName: "command"))
    var execute: [String] = []

    func run(in context: SwafkaCLIContext) async throws {
        let (app, appContext) = try context.boot()
        let session = ConsoleSession(app: app, clientProperties: appContext.settings.clientProperties,
                                     output: context.output)
        if execute.isEmpty {
            try await session.interact(prompt: "\(app.configuration.name)> ", readLine: context.readLine)
        } else {
            try await session.run(lines: execute)
        }
    }
}
