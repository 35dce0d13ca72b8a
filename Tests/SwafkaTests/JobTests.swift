import KafkaClient
import KafkaWire
import Swafka
import SwafkaTesting
import Testing

final class FlakyController: Controller {
    static let journal = Journal()
    override func perform() async throws {
        Self.journal.write("perform \(attempt) important=\(params["important"]?.isTruthy == true)")
        if attempt < (params["succeedOn"]?.intValue).map(Int.init) ?? .max { throw Boom() }
    }
    override func afterFailure(_ error: any Error) async { Self.journal.write("afterFailure \(attempt): \(error)") }
}

final class MarkingController: Controller {
    override var beforeEnqueue: [BeforeEnqueue] { [.run { self.params["important"] = true }] }
    override func perform() async throws {
        if params["fail"]?.isTruthy == true { throw Boom() }
    }
}

@Suite struct JobTests {
    @Test func backoffDoublesUpToTheCap() {
        let policy = RetryPolicy(maxAttempts: 10, initialDelay: .seconds(1), multiplier: 2, maxDelay: .seconds(10))
        #expect((1...6).map { policy.delay(afterFailedAttempt: $0) } == [1, 2, 4, 8, 10, 10].map { .seconds($0) })
        #expect(policy.decision(afterFailedAttempt: 9) == .retry(after: .seconds(10)))
        #expect(policy.decision(afterFailedAttempt: 10) == .deadLetter)
        #expect(RetryPolicy(maxAttempts: 1).decision(afterFailedAttempt: 1) == .deadLetter)
    }

    @Test func deadLetterNamesItsSource() {
        let inbound = InboundMessage(topic: "orders", partition: 4, offset: 99, key: ByteSlice("k"),
                                     payload: ByteSlice([0, 1, 2]), headers: [RecordHeader(key: "trace", value: ByteSlice("t1"))])
        let letter = DeadLetter.message(for: JobEnvelope(route: "orders", message: inbound, attempt: 5),
                                        error: "boom", topic: "app_dead_letters")
        #expect(letter.topic == "app_dead_letters" && letter.value?.array == [0, 1, 2] && letter.key?.utf8String == "k")
        let headers = Dictionary(letter.headers.map { ($0.name, $0.value?.utf8String ?? "") }, uniquingKeysWith: { a, _ in a })
        #expect(headers == ["trace": "t1", "swafka-source-topic": "orders", "swafka-source-partition": "4",
                            "swafka-source-offset": "99", "swafka-error": "boom", "swafka-attempts": "5",
                            "swafka-route": "orders"])
    }

    @Test func failedJobRetriesWithBackoffThenSucceeds() async throws {
        let worker = InMemoryWorker()
        let app = try bootApp(inline: false, defaultWorker: worker) { Route("flaky", controller: FlakyController.self) }
        let harness = SwafkaTestHarness(booted: app)
        await harness.consume("flaky", json: #"{"succeedOn": 3}"#)
        #expect(worker.pending.count == 1)
        let outcomes = try await harness.performJobs(on: worker, retryPolicy: RetryPolicy(maxAttempts: 5), nowMs: 1_000)
        #expect(outcomes.count == 3)
        guard case let .retry(second, after) = outcomes[0] else { Issue.record("expected a retry"); return }
        #expect(after == .seconds(1) && second.attempt == 2 && second.notBeforeMs == 2_000)
        guard case .completed = outcomes[2] else { Issue.record("expected completion"); return }
        #expect(FlakyController.journal.all == [
            "perform 1 important=false", "afterFailure 1: boom",
            "perform 2 important=false", "afterFailure 2: boom",
            "perform 3 important=false",
        ])
        #expect(harness.sink.messages.isEmpty)
    }

    @Test func exhaustedJobGoesToTheDeadLetterTopic() async throws {
        let worker = InMemoryWorker()
        let app = try bootApp(name: "Shop", inline: false, defaultWorker: worker) {
            Route("marked", controller: MarkingController.self)
        }
        let harness = SwafkaTestHarness(booted: app)
        await harness.consume("marked", payloads: [Array(#"{"fail": true}"#.utf8)], partition: 1, firstOffset: 12)
        let outcomes = try await harness.performJobs(on: worker, retryPolicy: RetryPolicy(maxAttempts: 2))
        #expect(outcomes.count == 2)
        let letters = harness.produced(to: "shop_dead_letters")
        #expect(letters.count == 1)
        let headers = letters.first?.headers.map { "\($0.name)=\($0.value?.utf8String ?? "")" } ?? []
        #expect(headers.contains("swafka-source-partition=1") && headers.contains("swafka-source-offset=12"))
        #expect(headers.contains("swafka-attempts=2") && headers.contains("swafka-error=boom"))
    }

    @Test func undecodableJobIsRejectedToDeadLetters() async throws {
        let app = try bootApp(inline: false, defaultWorker: InMemoryWorker()) {
            Route("marked", controller: MarkingController.self)
        }
        let sink = RecordingSink()
        var job = try EncodedJob(JobEnvelope(route: "marked", message: message("marked", "{}")), interchanger: BinaryInterchanger())
        job.bytes = [1, 2, 3]
        let outcome = try await app.jobRunner(sink: sink).process(job, requeue: InMemoryWorker(), nowMs: 0)
        guard case .rejected = outcome else { Issue.record("expected rejection"); return }
        #expect(sink.messages.map(\.topic) == ["example_app_dead_letters"])
    }

    @Test func kafkaQueueWorkerProducesTheJob() async throws {
        let sink = RecordingSink()
        let worker = KafkaQueueWorker(name: "kafka", jobsTopic: "example_app_jobs", sink: sink)
        let app = try bootApp(inline: false, defaultWorker: worker) { Route("marked", controller: MarkingController.self) }
        let next = await app.processor(sink: RecordingSink()).process(.init(.init("marked", 0), messages: [message("marked", "{}")]))
        #expect(next == 1)
        let produced = try #require(sink.messages.first)
        let job = try EncodedJob(jobMessage: InboundMessage(topic: produced.topic, key: produced.key, payload: produced.value,
            headers: produced.headers.map { RecordHeader(key: $0.name, value: $0.value) }))
        let envelope = try BinaryInterchanger().decode(job.bytes)
        #expect(envelope.overrides["important"] == true)
    }

    @Test func failedEnqueueStopsTheBatchUnmarked() async throws {
        let sink = RecordingSink()
        sink.failNextSends(with: Boom())
        let monitor = RecordingMonitor()
        let worker = KafkaQueueWorker(name: "kafka", jobsTopic: "jobs", sink: sink)
        let app = try bootApp(inline: false, monitor: monitor, defaultWorker: worker) {
            Route("marked", controller: MarkingController.self)
        }
        let next = await app.processor(sink: RecordingSink()).process(.init(.init("marked", 0), messages: [
            message("marked", "{}", offset: 3), message("marked", "{}", offset: 4),
        ]))
        #expect(next == nil)
        #expect(monitor.errors.count == 1)
    }
}
