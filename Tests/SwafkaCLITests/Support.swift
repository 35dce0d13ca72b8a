import Foundation
import KafkaClient
import Swafka
import SwafkaCLI
import Synchronization

/// A small app for the command tests: two routes, one with a responder, one on a worker.
enum TestShop: SwafkaApplication {
    static func makeApp(_ context: SwafkaAppContext) throws -> SwafkaApp {
        var app = SwafkaApp(environment: context.environment)
        app.setup { config in
            config.name = context.settings["name"] ?? "TestShop"
            config.kafkaHosts = (context.settings["kafka.hosts"] ?? "localhost:9092").split(separator: ",").map(String.init)
        }
        app.routeDefaults.worker = context.kafkaQueueWorker(name: "jobs", jobsTopic: "test_shop_jobs")
        app.routes {
            Route("orders", controller: OrdersController.self).responder(OrdersResponder.self)
            Route("audit", controller: OrdersController.self).inline(false)
        }
        return app
    }
}

final class OrdersController: Controller {
    override func perform() async throws { try await respondWith(params.payload) }
}

final class OrdersResponder: Responder {
    override class var topics: [ResponderTopic] {
        [.topic("payments"), .topic("order_events", required: false, multipleUsage: true)]
    }
    override func respond(_ data: [ParamValue]) throws { respondTo("payments", data.first ?? .null) }
}

/// Runs `arguments` against `TestShop` (or `app`) in-process; returns the status and the output.
func runCommand(_ arguments: [String], variables: [String: String] = [:], runtime: SwafkaRuntimeHooks = .unlinked,
                input: [String] = [],
                makeApp: @escaping @Sendable (SwafkaAppContext) throws -> SwafkaApp = { try TestShop.makeApp($0) })
    async -> (status: Int32, out: String, err: String) {
    let captured = CapturedOutput()
    let lines = Mutex(input)
    let context = SwafkaCLIContext(
        commandName: "test-shop", makeApp: makeApp, runtime: runtime, variables: variables, output: captured.output,
        readLine: { lines.withLock { $0.isEmpty ? nil : $0.removeFirst() } })
    let status = await SwafkaCommand.run(arguments, context: context)
    return (status, captured.out, captured.err)
}

/// A temporary directory, removed by the caller.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "swafka-cli-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

/// The repository's root (this file is Tests/SwafkaCLITests/Support.swift).
let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

/// The directory holding the built products (the test bundle sits beside them).
func productsDirectory() -> String {
    let exe = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    var url = URL(fileURLWithPath: exe)
    while url.path != "/" && !url.lastPathComponent.hasSuffix(".xctest") { url.deleteLastPathComponent() }
    return url.path == "/" ? URL(fileURLWithPath: exe).deletingLastPathComponent().path : url.deletingLastPathComponent().path
}

/// Runs an executable; returns its status and output (stdout and stderr apart).
func runProcess(_ path: String, _ arguments: [String], environment: [String: String] = [:],
                directory: String? = nil) throws -> (status: Int32, out: String, err: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for (key, value) in environment { env[key] = value }
    process.environment = env
    if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
}
