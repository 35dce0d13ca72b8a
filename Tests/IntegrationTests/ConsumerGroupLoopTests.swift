import Foundation
@testable import KafkaClient
import KafkaWire
import Synchronization
import Testing

/// The group loop sleeps until its next deadline. A deadline it cannot act on (the auto-commit
/// interval while closing, or while a commit is in flight) used to stay in the past, so the loop
/// spun until the close finished: found by the framework's tests, where a consumer closing with
/// uncommitted marks and a slow LeaveGroup spun for minutes.
@Suite("Consumer group loop against Tansu", .enabled(if: TestBed.hasTansu))
struct ConsumerGroupLoopTests {
    @Test func closingWithUncommittedMarksDoesNotSpin() async throws {
        let bootstrap = try TestBed.tansuBootstrap()
        let topic = "group-loop-\(UUID().uuidString.prefix(8))"
        try await ConsumerTests.createTopic(bootstrap, topic, partitions: 1)
        try ConsumerTests.produce(bootstrap, topic: topic, partition: 0, lines: ["k:v"])
        let configuration = try ConsumerTests.configuration(bootstrap, group: "\(topic)-g", [
            "auto.commit.interval.ms": "50", "enable.auto.offset.store": "false", "enable.auto.commit": "true",
        ])
        let consumer = try KafkaConsumer(configuration: configuration, logger: ClusterScenarios.logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            // Events observed and revocations never answered: the close waits out its bound.
            let events = consumer.events
            group.addTask { for await _ in events {} }
            try consumer.subscribe(topics: [topic])
            let read = try await ConsumerTests.read(consumer, count: 1)
            guard let message = read.first else { return }
            let before = consumer.state.withLock { $0.groupLoopSteps }
            // A mark made once closing has begun (the partition is still ours until the revocation
            // ends): its auto-commit deadline is already past, and closing never starts that commit.
            consumer.beginClose()
            consumer.markAsProcessed(message)
            await consumer.close()
            let steps = consumer.state.withLock { $0.groupLoopSteps } - before
            #expect(steps < 200, "the group loop stepped \(steps) times while closing")
            try await group.waitForAll()
        }
    }
}
