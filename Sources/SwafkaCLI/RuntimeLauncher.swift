import Foundation
import Glibc
import Logging
import ServiceLifecycle
import Swafka
import UnixSignals

/// Runs `server` or `worker`: boot, pid file, `--daemon`, and the hook inside a `ServiceGroup`
/// whose graceful-shutdown signals are SIGINT and SIGTERM (SIGQUIT cancels).
struct RuntimeLauncher {
    let role: String
    let options: ProcessOptions
    let concurrency: Int

    func run(in context: SwafkaCLIContext,
             hook: @escaping @Sendable (SwafkaRuntimeRequest) async throws -> Void) async throws {
        // Boot first, in the foreground, so a bad setting or route is reported to the caller.
        let (app, appContext) = try context.boot()
        if options.daemon {
            try startDaemon(context: context)
            return
        }
        let pidFile = options.pidFile.map { PidFile(path: $0) }
        try pidFile?.claim()
        defer { pidFile?.release() }
        let request = SwafkaRuntimeRequest(app: app, sink: appContext.sink,
                                           clientProperties: appContext.settings.clientProperties,
                                           concurrency: concurrency)
        let logger = Logger(label: "swafka.\(role)")
        context.output.out("swafka \(role): \(app.configuration.name) (\(app.environment.name)) pid \(getpid()); "
                           + "SIGINT or SIGTERM stops it gracefully\n")
        let service = ServiceGroupConfiguration.ServiceConfiguration(
            service: ClosureService { try await hook(request) },
            successTerminationBehavior: .gracefullyShutdownGroup)
        let group = ServiceGroup(configuration: ServiceGroupConfiguration(
            services: [service], gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [.sigquit],
            logger: logger))
        try await group.run()
        context.output.out("swafka \(role): stopped\n")
    }

    /// Starts this executable again, detached (new session, stdin from /dev/null, output to the
    /// log file), with `--pid-file`; returns once the child has written its pid file.
    ///
    /// A new process rather than `fork()`: forking a process that already runs threads (the Swift
    /// runtime's, Dispatch's) is unsafe.
    private func startDaemon(context: SwafkaCLIContext) throws(SwafkaCLIError) {
        let directory = FileManager.default.currentDirectoryPath
        func absolute(_ path: String) -> String { path.hasPrefix("/") ? path : "\(directory)/\(path)" }
        let pidPath = absolute(options.pidFile ?? ".swafka/\(role).pid")
        let logPath = absolute(options.logFile ?? ".swafka/\(role).log")
        let pidFile = PidFile(path: pidPath)
        if let pid = pidFile.livePid() { throw .alreadyRunning(pidFile: pidPath, pid: pid) }
        for path in [pidPath, logPath] {
            let parent = (path as NSString).deletingLastPathComponent
            do {
                try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
            } catch {
                throw .file(parent, "cannot create the directory: \(error.localizedDescription)")
            }
        }
        var arguments = context.arguments.filter { $0 != "--daemon" }
        arguments += ["--pid-file", pidPath]
        let child = try spawnDetached(executable: context.executable, arguments: arguments, logPath: logPath)
        // Wait (bounded) for the child to write its pid file, or to die trying.
        for _ in 0..<300 {
            if pidFile.read() == child {
                context.output.out("swafka \(role): started in the background, pid \(child), "
                                   + "pid file \(pidPath), log \(logPath)\n")
                return
            }
            var status: Int32 = 0
            if waitpid(child, &status, WNOHANG) == child {
                throw .daemonFailed("the \(role) exited at once (status \(status)); see \(logPath)")
            }
            usleep(100_000)
        }
        throw .daemonFailed("the \(role) (pid \(child)) wrote no pid file in 30 s; see \(logPath)")
    }

    private func spawnDetached(executable: String, arguments: [String], logPath: String) throws(SwafkaCLIError) -> pid_t {
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, logPath, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Nothing else inherited: a pipe the caller reads to its end (a test, `$(...)`) would
        // otherwise stay open for the daemon's whole life.
        for fd in Self.openDescriptors() where fd > 2 {
            posix_spawn_file_actions_addclose(&actions, fd)
        }
        // A session of its own: the terminal's SIGINT and hang-up no longer reach it.
        posix_spawnattr_setflags(&attributes, posixSpawnSetSID)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var pid: pid_t = 0
        let result = posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
        guard result == 0 else { throw .daemonFailed("posix_spawn \(executable): \(String(cString: strerror(result)))") }
        return pid
    }
}

/// glibc's `POSIX_SPAWN_SETSID` (spawn.h, since 2.26): a macro Swift does not import.
private let posixSpawnSetSID: Int16 = 0x80

extension RuntimeLauncher {
    /// This process's open file descriptors (from /proc/self/fd), read before spawning.
    static func openDescriptors() -> [Int32] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        // The listing's own descriptor is closed by now: keep only those still open.
        return entries.compactMap { Int32($0) }.filter { fcntl($0, F_GETFD) != -1 }
    }
}

/// A pid file: claimed while a process runs, refused while it names a live process.
struct PidFile {
    let path: String

    /// The pid written in the file, if any.
    func read() -> pid_t? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        return pid_t(text.trimmingCharacters(in: .whitespacesAndNewlines))
    }

    /// The pid in the file when that process is alive (and is not this one).
    func livePid() -> pid_t? {
        guard let pid = read(), pid > 0, pid != getpid() else { return nil }
        return kill(pid, 0) == 0 || errno == EPERM ? pid : nil
    }

    /// Writes this process's pid; refuses when the file names another live process.
    func claim() throws(SwafkaCLIError) {
        if let pid = livePid() { throw .alreadyRunning(pidFile: path, pid: pid) }
        let parent = (path as NSString).deletingLastPathComponent
        do {
            if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
            try "\(getpid())\n".write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw .file(path, "cannot write the pid file: \(error.localizedDescription)")
        }
    }

    /// Removes the file if it still names this process.
    func release() {
        if read() == getpid() { try? FileManager.default.removeItem(atPath: path) }
    }
}
