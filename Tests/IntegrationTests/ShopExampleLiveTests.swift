import Foundation
import Testing

/// Examples/Shop (`swafka-example`) end to end on Tansu, as Scripts/demo.sh runs it: server and
/// worker as daemons (pid files, logs), orders produced through the console, each order flowing
/// orders (inline) => payments (worker, through the jobs topic) => receipts, then SIGTERM stops
/// both gracefully. Runs on whatever runtime `SwafkaRuntimeHooks.standard` links.
@Suite(.enabled(if: TestBed.hasTansu)) struct ShopExampleLiveTests {
    static var example: String {
        let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var url = URL(fileURLWithPath: exe)
        while url.path != "/" && !url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
        let directory = url.path == "/" ? URL(fileURLWithPath: exe).deletingLastPathComponent() : url.deletingLastPathComponent()
        return directory.appendingPathComponent("swafka-example").path
    }

    func run(_ arguments: [String], environment: [String: String]) throws -> (status: Int32, output: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: Self.example)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// Alive and not a zombie (whoever reaps an orphaned daemon may take its time).
    func isRunning(_ pid: Int32) -> Bool {
        guard kill(pid, 0) == 0 else { return false }
        let stat = read("/proc/\(pid)/stat")
        guard let close = stat.lastIndex(of: ")") else { return false }
        return !stat[close...].hasPrefix(") Z")
    }

    func read(_ path: String) -> String { (try? String(contentsOfFile: path, encoding: .utf8)) ?? "" }

    @Test func ordersFlowThroughPaymentsToReceipts() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let directory = NSTemporaryDirectory() + "swafka-shop-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        try "kafka.hosts=\(bootstrap)\nclient.allow.auto.create.topics=true\n".write(toFile: "\(directory)/shop.properties", atomically: true, encoding: .utf8)
        let environment = ["SWAFKA_BOOT_FILE": "\(directory)/shop.properties", "SWAFKA_ENV": "development"]
        var pids: [String: Int32] = [:]
        defer { for pid in pids.values { kill(pid, SIGKILL) } }
        for role in ["server", "worker"] {
            let started = try run([role, "--daemon", "--pid-file", "\(directory)/\(role).pid",
                                   "--log-file", "\(directory)/\(role).log"], environment: environment)
            #expect(started.status == 0, "\(started.output)")
            #expect(started.output.contains("swafka \(role): started in the background, pid "))
            let pid = Int32(read("\(directory)/\(role).pid").trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            #expect(pid > 0, "no pid file for the \(role)")
            if pid > 0 { pids[role] = pid }
        }

        let runID = UUID().uuidString.prefix(8)
        let produced = try run(["console",
                                "-e", #"produce orders {"id":"\#(runID)-1","item":"book","quantity":2}"#,
                                "-e", #"produce orders {"id":"\#(runID)-2","item":"tea","quantity":3}"#,
                                "-e", "produce orders not an order"], environment: environment)
        #expect(produced.status == 0, "\(produced.output)")

        // Bounded wait for the chain (group joins on Tansu take a few seconds each).
        var serverLog = ""
        for _ in 0..<600 {
            serverLog = read("\(directory)/server.log")
            if serverLog.contains("receipts: order \(runID)-1 complete"), serverLog.contains("receipts: order \(runID)-2 complete") {
                break
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        let workerLog = read("\(directory)/worker.log")
        #expect(serverLog.contains("orders: order \(runID)-1 (2 x book) => payments, amount 14"), "\(serverLog)")
        #expect(serverLog.contains("orders: order \(runID)-2 (3 x tea) => payments, amount 21"), "\(serverLog)")
        #expect(workerLog.contains("payments: charged 14 for order \(runID)-1 (attempt 1) => receipts"), "\(workerLog)")
        #expect(workerLog.contains("payments: charged 21 for order \(runID)-2 (attempt 1) => receipts"), "\(workerLog)")
        #expect(serverLog.contains("receipts: order \(runID)-1 complete, paid 14"), "\(serverLog)")
        #expect(serverLog.contains("receipts: order \(runID)-2 complete, paid 21"), "\(serverLog)")
        #expect(serverLog.contains("orders: skipped orders["), "the beforeEnqueue callback aborts a non-order")

        // SIGTERM: graceful shutdown, pid files removed.
        for (role, pid) in pids {
            kill(pid, SIGTERM)
            for _ in 0..<300 where isRunning(pid) { try await Task.sleep(for: .milliseconds(100)) }
            #expect(!isRunning(pid), "\(role) still running after SIGTERM")
            #expect(!FileManager.default.fileExists(atPath: "\(directory)/\(role).pid"))
            #expect(read("\(directory)/\(role).log").contains("swafka \(role): stopped"))
            pids[role] = nil
        }
    }
}
