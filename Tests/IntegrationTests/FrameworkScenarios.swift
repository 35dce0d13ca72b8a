import Foundation
import KafkaClient
import KafkaWire
import Swafka
import Synchronization
import Testing

// Controllers and responders of the framework scenarios. They report to FrameworkLog.shared.

/// Inline: callbacks (abort on "skip", add "seen"), then respond with the id.
final class OrdersController: Controller {
    override var beforeEnqueue: [BeforeEnqueue] {
        [.method(notSkipped), .run { self.params["seen"] = true }]
    }
    func notSkipped() -> Bool { params["skip"]?.isTruthy != true }
    override func perform() async throws {
        FrameworkLog.shared.record("perform", params)
        try await respondWith(["id": params["id"] ?? .null, "seen": params["seen"] ?? .null])
    }
}

final class OrdersResponder: Responder {
    override class var topics: [ResponderTopic] { [.topic(FrameworkTopics.ordersOut)] }
    override func respond(_ data: [ParamValue]) throws { respondTo(FrameworkTopics.ordersOut, data[0]) }
}

/// Worker: the callback picks the fast worker for important messages (Karafka's dynamic worker).
final class JobsController: Controller {
    override var beforeEnqueue: [BeforeEnqueue] {
        [.run { if self.params["important"]?.isTruthy == true, let fast = Self.fastWorker(self.params.topic) { self.worker = fast } }]
    }
    static func fastWorker(_ topic: String) -> (any Worker)? { FrameworkTopics.fastWorkers.withLock { $0[topic] } }
    override func perform() async throws {
        FrameworkLog.shared.record("perform", params, attempt: attempt)
    }
}

/// Worker: binary payloads that JSON cannot parse; records what the worker rebuilt.
final class BlobsController: Controller {
    override func perform() async throws {
        let parsedRaw = params.payload["message"] != nil
        FrameworkLog.shared.record("perform", params, attempt: attempt,
                                   detail: "parseError=\(params.parseError != nil) raw=\(parsedRaw) key=\(params.key ?? "-") "
                                       + "header=\(params.message.header("h") ?? "-")")
    }
}

/// Inline: each payload's "case" picks a responder violation (or none).
final class RepliesController: Controller {
    override func perform() async throws {
        FrameworkLog.shared.record("perform", params, detail: params["case"]?.stringValue ?? "")
        try await respondWith(params.payload)
    }
}

final class RepliesResponder: Responder {
    override class var topics: [ResponderTopic] {
        [.topic(FrameworkTopics.outA), .topic(FrameworkTopics.outB, required: false, multipleUsage: true)]
    }
    override func respond(_ data: [ParamValue]) throws {
        let value = data[0]
        switch value["case"]?.stringValue {
        case "unregistered":
            respondTo(FrameworkTopics.outA, value)
            respondTo("\(FrameworkTopics.outA)_nope", value)
        case "twice":
            respondTo(FrameworkTopics.outA, value)
            respondTo(FrameworkTopics.outA, value)
        case "missing":
            respondTo(FrameworkTopics.outB, value)
        default:
            respondTo(FrameworkTopics.outA, value)
            respondTo(FrameworkTopics.outB, value)
            respondTo(FrameworkTopics.outB, value)
        }
    }
}

/// Worker: "flaky" fails on its first two attempts, "doomed" always.
final class FlakyController: Controller {
    override func perform() async throws {
        let kind = params["kind"]?.stringValue ?? ""
        FrameworkLog.shared.record("attempt", params, attempt: attempt, detail: kind)
        if kind == "doomed" || (kind == "flaky" && attempt < 3) { throw FlakyFailure(kind: kind, attempt: attempt) }
        FrameworkLog.shared.record("perform", params, attempt: attempt, detail: kind)
    }
    override func afterFailure(_ error: any Error) async {
        FrameworkLog.shared.record("afterFailure", params, attempt: attempt, detail: "\(error)")
    }
}

struct FlakyFailure: Error, CustomStringConvertible {
    var kind: String
    var attempt: Int
    var description: String { "\(kind) failed on attempt \(attempt)" }
}

/// Worker: the first run of "hang" blocks until cancelled (the worker "crashes" meanwhile).
final class HangController: Controller {
    static let started = Mutex<Set<String>>([])
    override func perform() async throws {
        let first = Self.started.withLock { $0.insert(params.topic).inserted }
        FrameworkLog.shared.record(first ? "started" : "restarted", params, attempt: attempt)
        if first { try await Task.sleep(for: .seconds(3600)) }
        FrameworkLog.shared.record("perform", params, attempt: attempt)
    }
}

/// Inline: slow enough that a shutdown lands mid-stream.
final class CountController: Controller {
    override func perform() async throws {
        try await Task.sleep(for: .milliseconds(20))
        FrameworkLog.shared.record("perform", params)
    }
}

enum FrameworkTopics {
    static let ordersOut = "fw_\(FrameworkLog.runID)_orders_out"
    static let outA = "fw_\(FrameworkLog.runID)_out_a"
    static let outB = "fw_\(FrameworkLog.runID)_out_b"
    /// The fast worker of each jobs route's topic (one per scenario run).
    static let fastWorkers = Mutex<[String: any Worker]>([:])
}

/// The scenarios, each on its own topics and groups, against `bootstrap`.
enum FrameworkScenarios {
    /// Routing, callbacks and abort, inline vs worker, dynamic worker choice, binary payloads
    /// through the interchanger with a parse failure keeping the raw message, responder
    /// validation, monitor events: one server and one worker process (in-process services).
    static func routesCallbacksWorkersResponders(_ bootstrap: String) async throws {
        let name = Framework.name("routes")
        let orders = "\(name)_orders", jobs = "\(name)_jobs_in", blobs = "\(name)_blobs", replies = "\(name)_replies"
        let fastTopic = "\(name)_fast", slowTopic = "\(name)_jobs"
        try await Framework.createTopics(bootstrap, [orders, jobs, blobs, replies, fastTopic, slowTopic,
                                                     FrameworkTopics.ordersOut, FrameworkTopics.outA, FrameworkTopics.outB])
        let monitor = RecordingMonitor()
        var app = SwafkaApp(environment: Environment(variables: ["SWAFKA_ENV": "test"]))
        app.setup(Framework.setup(name, bootstrap, monitor: monitor))
        app.setup { $0.inline = false }
        app.routeDefaults.worker = KafkaQueueWorker(name: "slow", jobsTopic: slowTopic)
        FrameworkTopics.fastWorkers.withLock { $0[jobs] = KafkaQueueWorker(name: "fast", jobsTopic: fastTopic) }
        app.routes {
            Route(orders, controller: OrdersController.self).inline(true).responder(OrdersResponder.self)
            RouteGroup("\(name)_group") {
                Route(jobs, controller: JobsController.self)
                Route(blobs, controller: BlobsController.self)
            }
            Route(replies, controller: RepliesController.self).inline(true).responder(RepliesResponder.self)
        }
        let booted = try app.boot()
        #expect(booted.routes.groups.map(\.group) == ["\(name)_group", "\(name)_\(orders)", "\(name)_\(replies)"].sorted())

        if bootstrap == TestBed.tansu {
            // The app's topics: all created above but the dead-letter topic (the mock has no CreateTopics).
            let created = try await booted.createTopics(partitions: 2, replicationFactor: 1, jobsTopics: [fastTopic, slowTopic])
            #expect(created[booted.defaultDeadLetterTopic] == .created)
            for topic in [orders, jobs, blobs, replies, fastTopic, slowTopic, FrameworkTopics.ordersOut, FrameworkTopics.outA] {
                #expect(created[topic] == .alreadyExists, "\(topic): \(String(describing: created[topic]))")
            }
        }

        let blob: [UInt8] = [0, 255, 254, 0x7B, 0x22, 10, 13, 0x80, 0xC3, 0x28] + Array(0...255)
        try await Framework.produce(bootstrap, [
            Framework.json(orders, #"{"id":1}"#, key: "a"), Framework.json(orders, #"{"id":2,"skip":true}"#, key: "a"),
            Framework.json(orders, #"{"id":3}"#, key: "a"),
            Framework.json(jobs, #"{"id":1,"important":true}"#, key: "a"), Framework.json(jobs, #"{"id":2,"important":false}"#, key: "a"),
            Framework.json(jobs, #"{"id":3,"important":true}"#, key: "a"),
            ProducerMessage(topic: blobs, value: ByteSlice(blob), key: ByteSlice("k1"), headers: [.init("h", ByteSlice("v"))]),
            Framework.json(replies, #"{"case":"ok","n":1}"#, key: "a"), Framework.json(replies, #"{"case":"unregistered"}"#, key: "a"),
            Framework.json(replies, #"{"case":"twice"}"#, key: "a"), Framework.json(replies, #"{"case":"missing"}"#, key: "a"),
            Framework.json(replies, #"{"case":"ok","n":2}"#, key: "a"),
        ])

        let server = try booted.makeServer(signals: [], logger: Framework.logger)
        let worker = try booted.makeWorker(jobsTopics: [fastTopic, slowTopic], concurrency: 2, signals: [], logger: Framework.logger)
        #expect(booted.jobsTopics == [slowTopic])
        try await Framework.running([server, worker]) {
            let handled = await Framework.waitUntil("every message handled") {
                FrameworkLog.shared.entries(topic: orders, "perform").count == 2
                    && FrameworkLog.shared.entries(topic: jobs, "perform").count == 3
                    && FrameworkLog.shared.entries(topic: blobs, "perform").count == 1
                    && FrameworkLog.shared.entries(topic: replies, "perform").count == 5
                    && monitor.count(.responded) >= 3
            }
            if !handled {
                print("routes(\(bootstrap)): errors \(monitor.errors.prefix(20)); rebalances "
                      + "\(monitor.notices.filter { $0.event == .rebalance }.map(\.extra))")
            }
        }

        // Callbacks: #2 aborted, the others carry the callback's "seen".
        #expect(FrameworkLog.shared.entries(topic: orders, "perform").map(\.offset).sorted() == [0, 2])
        #expect(monitor.count(.aborted, topic: orders) == 1)
        let ordersOut = try await Framework.readAll(bootstrap, FrameworkTopics.ordersOut)
        #expect(ordersOut.compactMap { ConsumerTests.text($0.value) }.sorted() == [#"{"id":1,"seen":true}"#, #"{"id":3,"seen":true}"#])

        // Inline vs worker, dynamic choice: the important jobs went through the fast jobs topic,
        // the other and the blob through the default one; nothing of the inline routes did.
        let fast = try await Framework.readAll(bootstrap, fastTopic)
        let slow = try await Framework.readAll(bootstrap, slowTopic)
        #expect(fast.count == 2 && fast.allSatisfy { Framework.header($0, EncodedJob.Header.route) == jobs })
        #expect(slow.compactMap { Framework.header($0, EncodedJob.Header.route) }.sorted() == [blobs, jobs].sorted())
        #expect(monitor.count(.performEnqueued, topic: jobs) == 3)
        #expect(monitor.count(.performEnqueued, topic: orders) == 0)
        #expect(FrameworkLog.shared.entries(topic: jobs, "perform").map(\.offset).sorted() == [0, 1, 2])

        // Binary payload: byte for byte through the interchanger, the parse failure keeps the raw message.
        let blobRun = FrameworkLog.shared.entries(topic: blobs, "perform")
        #expect(blobRun.first?.payload == blob)
        #expect(blobRun.first?.detail == "parseError=true raw=true key=k1 header=v")

        // Responder validation: each violation sent nothing; the two valid responses sent 1 + 2 each.
        let outA = try await Framework.readAll(bootstrap, FrameworkTopics.outA)
        let outB = try await Framework.readAll(bootstrap, FrameworkTopics.outB)
        #expect(outA.compactMap { ConsumerTests.text($0.value) }.sorted() == [#"{"case":"ok","n":1}"#, #"{"case":"ok","n":2}"#])
        #expect(outB.count == 4 && outB.allSatisfy { ConsumerTests.text($0.value)?.contains("\"ok\"") == true })
        let errors = monitor.errors
        #expect(errors.contains { $0.contains("is not registered") })
        #expect(errors.contains { $0.contains("used more than once") })
        #expect(errors.contains { $0.contains("was not used") })

        // Monitor events of the whole flow.
        for event in [MonitorEvent.consume, .perform, .performEnqueued, .responded, .aborted, .rebalance, .lifecycle] {
            #expect(monitor.count(event) > 0, "no \(event) notice")
        }
    }

    /// Retries with backoff (the partition paused until each not-before time), afterFailure on
    /// every failure, then the dead-letter topic with headers naming the source.
    static func retriesAndDeadLetters(_ bootstrap: String) async throws {
        let name = Framework.name("retry")
        let flaky = "\(name)_flaky", jobsTopic = "\(name)_jobs", dead = "\(name)_dead"
        try await Framework.createTopics(bootstrap, [flaky, jobsTopic, dead])
        let monitor = RecordingMonitor()
        var app = SwafkaApp(environment: Environment(variables: [:]))
        app.setup(Framework.setup(name, bootstrap, monitor: monitor))
        app.routes {
            Route(flaky, controller: FlakyController.self).inline(false).worker(KafkaQueueWorker(name: "jobs", jobsTopic: jobsTopic))
        }
        let booted = try app.boot()
        try await Framework.produce(bootstrap, [Framework.json(flaky, #"{"kind":"flaky"}"#, key: "a"),
                                               Framework.json(flaky, #"{"kind":"doomed"}"#, key: "a"),
                                               Framework.json(flaky, #"{"kind":"fine"}"#, key: "a")])
        let server = try booted.makeServer(signals: [], logger: Framework.logger)
        let worker = try booted.makeWorker(retryPolicy: RetryPolicy(maxAttempts: 3, initialDelay: .milliseconds(200)),
                                           deadLetterTopic: dead, signals: [], logger: Framework.logger)
        try await Framework.running([server, worker]) {
            await Framework.waitUntil("flaky done and doomed dead-lettered") {
                FrameworkLog.shared.entries(topic: flaky, "perform").count == 2 && monitor.count(.deadLettered) == 1
            }
        }
        let performed = FrameworkLog.shared.entries(topic: flaky, "perform")
        #expect(performed.map(\.detail).sorted() == ["fine", "flaky"])
        #expect(performed.first { $0.detail == "flaky" }?.attempt == 3)
        let failures = FrameworkLog.shared.entries(topic: flaky, "afterFailure")
        #expect(failures.filter { $0.detail.hasPrefix("flaky") }.map(\.attempt) == [1, 2])
        #expect(failures.filter { $0.detail.hasPrefix("doomed") }.map(\.attempt) == [1, 2, 3])
        #expect(monitor.count(.jobRetried) == 4)
        let letters = try await Framework.readAll(bootstrap, dead)
        #expect(letters.count == 1)
        if let letter = letters.first {
            #expect(ConsumerTests.text(letter.value) == #"{"kind":"doomed"}"#)
            #expect(Framework.header(letter, DeadLetter.Header.sourceTopic) == flaky)
            #expect(Framework.header(letter, DeadLetter.Header.sourceOffset) == "1")
            #expect(Framework.header(letter, DeadLetter.Header.sourcePartition) != nil)
            #expect(Framework.header(letter, DeadLetter.Header.attempts) == "3")
            #expect(Framework.header(letter, DeadLetter.Header.error) == "doomed failed on attempt 3")
        }
    }

    /// A worker cancelled (crashed) mid-job never marked the job: the next worker of the group runs it.
    static func workerCrashMidJob(_ bootstrap: String) async throws {
        let name = Framework.name("crash")
        let hang = "\(name)_hang", jobsTopic = "\(name)_jobs"
        try await Framework.createTopics(bootstrap, [hang, jobsTopic])
        let monitor = RecordingMonitor()
        var app = SwafkaApp(environment: Environment(variables: [:]))
        app.setup(Framework.setup(name, bootstrap, monitor: monitor))
        app.routes {
            Route(hang, controller: HangController.self).inline(false).worker(KafkaQueueWorker(name: "jobs", jobsTopic: jobsTopic))
        }
        let booted = try app.boot()
        try await Framework.produce(bootstrap, [Framework.json(hang, #"{"n":1}"#, key: "a")])
        let server = try booted.makeServer(signals: [], logger: Framework.logger)
        try await Framework.running([server]) {
            let first = try booted.makeWorker(signals: [], logger: Framework.logger)
            let crashed = Task { try await first.run() }
            await Framework.waitUntil("the first worker started the job") {
                !FrameworkLog.shared.entries(topic: hang, "started").isEmpty
            }
            crashed.cancel()
            _ = await crashed.result
            #expect(FrameworkLog.shared.entries(topic: hang, "perform").isEmpty)
            let second = try booted.makeWorker(signals: [], logger: Framework.logger)
            try await Framework.running([second]) {
                await Framework.waitUntil("the job ran again after the crash") {
                    !FrameworkLog.shared.entries(topic: hang, "perform").isEmpty
                }
            }
        }
        #expect(!FrameworkLog.shared.entries(topic: hang, "restarted").isEmpty)
    }

    /// A graceful shutdown mid-stream finishes the batches in flight and commits them: a restarted
    /// server goes on from there, handling each message exactly once over both runs.
    static func shutdownCommits(_ bootstrap: String, createTopics: Bool = true) async throws {
        let name = Framework.name("count")
        let topic = "\(name)_in"
        if createTopics { try await Framework.createTopics(bootstrap, [topic]) }
        let monitor = RecordingMonitor()
        var app = SwafkaApp(environment: Environment(variables: [:]))
        app.setup(Framework.setup(name, bootstrap, monitor: monitor))
        // Small fetches, and the messages written in many small record batches, so that the lanes
        // hold only part of the stream when the shutdown comes.
        app.setup { $0.consumerProperties["max.partition.fetch.bytes"] = "256" }
        app.routes { Route(topic, controller: CountController.self) }
        let booted = try app.boot()
        try await Framework.produce(bootstrap, chunks: (0..<12).map { chunk in
            (chunk * 5..<chunk * 5 + 5).map { Framework.json(topic, #"{"n":\#($0)}"#, key: "k\($0 % 4)") }
        })
        let first = try booted.makeServer(signals: [], logger: Framework.logger)
        try await Framework.running([first]) {
            await Framework.waitUntil("a few messages handled") { FrameworkLog.shared.entries(topic: topic, "perform").count >= 5 }
        }
        // Usually part of the stream (the lanes' batches finished, the rest left unmarked); a very
        // slow machine may finish it all before the shutdown, which proves less but is not wrong.
        let afterFirst = FrameworkLog.shared.entries(topic: topic, "perform").count
        print("shutdownCommits(\(bootstrap)): \(afterFirst) of 60 handled before the shutdown")
        try await Framework.produce(bootstrap, (60..<70).map { Framework.json(topic, #"{"n":\#($0)}"#, key: "k\($0 % 4)") })
        let second = try booted.makeServer(signals: [], logger: Framework.logger)
        try await Framework.running([second]) {
            await Framework.waitUntil("all 70 handled") { FrameworkLog.shared.entries(topic: topic, "perform").count >= 70 }
            // Anything handled twice would show up in the meantime.
            try await Task.sleep(for: .milliseconds(500))
        }
        let handled = FrameworkLog.shared.entries(topic: topic, "perform").map { String(decoding: $0.payload, as: UTF8.self) }
        #expect(handled.count == 70)
        #expect(Set(handled).count == 70, "messages handled twice: \(handled.count - Set(handled).count)")
        #expect(monitor.count(.lifecycle) == 4)
    }
}
