import Foundation
import Glibc
import KafkaClient
import KafkaWire
import Synchronization
import Testing

/// A `kcat -G` group member (librdkafka 2.16) that prints `partition:offset` per message.
/// `@unchecked Sendable`: `process` is started in `init` and only signalled afterwards; the
/// output lines sit behind a Mutex.
final class KcatMember: @unchecked Sendable {
    let process = Process()
    private final class Output: Sendable {
        let state = Mutex<(records: [String], pending: String, log: String)>(([], "", ""))
    }
    private let output = Output()

    init(bootstrap: String, group: String, topic: String, strategy: String = "range") throws {
        guard let kcat = ConsumerTests.kcat else { throw TestBedMissing(name: "SWAFKA_TESTBED_KCAT") }
        process.executableURL = URL(fileURLWithPath: kcat)
        process.arguments = ["-b", bootstrap, "-G", group, "-X", "session.timeout.ms=6000", "-X", "heartbeat.interval.ms=500",
                             "-X", "auto.offset.reset=earliest", "-X", "auto.commit.interval.ms=200",
                             "-X", "partition.assignment.strategy=\(strategy)", "-u", "-f", "%p:%o\\n", topic]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        stdout.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            output.state.withLock { state in
                state.pending += String(decoding: data, as: UTF8.self)
                var lines = state.pending.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
                state.pending = lines.removeLast()
                state.records += lines
            }
        }
        stderr.fileHandleForReading.readabilityHandler = { [output] handle in
            let data = handle.availableData
            guard !data.isEmpty else { return }
            output.state.withLock { $0.log += String(decoding: data, as: UTF8.self) }
        }
        try process.run()
    }

    /// The (partition, offset) pairs kcat printed.
    var records: [(Int32, Int64)] {
        output.state.withLock { state in
            state.records.compactMap { line in
                let parts = line.split(separator: ":")
                guard parts.count == 2, let p = Int32(parts[0]), let o = Int64(parts[1]) else { return nil }
                return (p, o)
            }
        }
    }

    var log: String { output.state.withLock { $0.log } }

    /// Stops heartbeating (SIGSTOP): the coordinator must expel it after the session timeout.
    func freeze() { kill(process.processIdentifier, SIGSTOP) }

    /// Leaves cleanly (SIGINT: kcat commits and sends LeaveGroup).
    func leave() {
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
    }

    func kill9() {
        kill(process.processIdentifier, SIGKILL)
        kill(process.processIdentifier, SIGCONT)
        process.waitUntilExit()
    }

    deinit {
        if process.isRunning { kill9() }
    }
}

/// A Swafka group member running in a task: what it processed and what it owns.
final class SwafkaMember: Sendable {
    let consumer: KafkaConsumer
    let name: String
    private let processed = Mutex<[TopicPartition: [Int64]]>([:])
    let events = EventLog()

    init(_ name: String, configuration: KafkaConsumerConfiguration) throws {
        self.name = name
        consumer = try KafkaConsumer(configuration: configuration)
    }

    /// Runs the consumer and reads until it closes.
    func run(topic: String) async throws {
        try consumer.subscribe(topics: [topic])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await self.consumer.run() }
            group.addTask { await self.events.collect(self.consumer) }
            for try await message in consumer.messages {
                processed.withLock { $0[message.topicPartition, default: []].append(message.offset) }
            }
            try await group.waitForAll()
        }
    }

    var records: [TopicPartition: [Int64]] { processed.withLock { $0 } }
    var count: Int { processed.withLock { $0.values.reduce(0) { $0 + $1.count } } }
}

enum GroupScenarios {
    static func memberConfiguration(_ bootstrap: String, group: String, name: String) throws -> KafkaConsumerConfiguration {
        try ConsumerTests.configuration(bootstrap, group: group, [
            "client.id": name, "auto.commit.interval.ms": "200", "partition.assignment.strategy": "range",
            "topic.metadata.refresh.interval.ms": "2000",
        ])
    }

    /// Waits until `condition` holds, checking every 100 ms, for at most `timeout`.
    static func eventually(_ timeout: Duration, _ condition: () -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return condition()
    }

    /// Three Swafka consumers and one `kcat -G` share a group on a 6-partition topic: the
    /// partitions are split among the four, members join and leave, a frozen member is expelled,
    /// and every message is processed at least once.
    static func sharedGroup(_ bootstrap: String, peer: String) async throws {
        let topic = ClusterScenarios.uniqueName("swafka-it-group")
        let group = ClusterScenarios.uniqueName("swafka-it-group")
        try await ConsumerTests.createTopic(bootstrap, topic, partitions: 6)
        var produced = [Int](repeating: 0, count: 6)
        func produce(_ perPartition: Int) throws {
            for p in 0..<6 {
                try ConsumerTests.produce(bootstrap, topic: topic, partition: Int32(p),
                                          lines: ConsumerScenarios.lines(perPartition, from: produced[p], prefix: "p\(p)-"))
                produced[p] += perPartition
            }
        }
        try produce(300)

        let members = try (1...3).map { try SwafkaMember("swafka-\($0)", configuration: memberConfiguration(bootstrap, group: group, name: "swafka-\($0)")) }
        let kcat = try KcatMember(bootstrap: bootstrap, group: group, topic: topic)
        defer { kcat.kill9() }
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            for member in members { tasks.addTask { try await member.run(topic: topic) } }

            // 1. Four members split the six partitions.
            let split = try await eventually(.seconds(60)) {
                let owned = members.map { $0.consumer.assignment.count }
                return owned.reduce(0, +) >= 3 && owned.allSatisfy { $0 >= 1 } && !kcat.records.isEmpty
            }
            let owned = members.map { $0.consumer.assignment }
            #expect(split, "[\(peer)] swafka members own \(owned), kcat printed \(kcat.records.count)")
            let swafkaOwned = Set(owned.flatMap { $0 })
            #expect(swafkaOwned.count == owned.map(\.count).reduce(0, +), "[\(peer)] no partition owned twice: \(owned)")
            print("[\(peer)] group split: swafka \(owned.map { $0.map(\.partition) }), kcat has the rest")

            // 2. More data while the group runs; then a Swafka member leaves.
            try produce(300)
            await members[2].consumer.close()
            let afterLeave = try await eventually(.seconds(60)) {
                let owned = members[0...1].map { $0.consumer.assignment.count }
                return owned.allSatisfy { $0 >= 1 } && owned.reduce(0, +) >= 3
            }
            #expect(afterLeave, "[\(peer)] after a member left: \(members.map(\.consumer.assignment))")

            // 3. kcat stops heartbeating: it is expelled and its partitions move to the Swafka members.
            try produce(300)
            kcat.freeze()
            let took = try await eventually(.seconds(60)) {
                Set(members[0...1].flatMap(\.consumer.assignment)).count == 6
            }
            #expect(took, "[\(peer)] after kcat froze, swafka owns \(members[0...1].map(\.consumer.assignment))")
            kcat.kill9()

            // 4. Everything produced is processed at least once.
            try produce(100)
            let total = produced.reduce(0, +)
            let complete = try await eventually(.seconds(60)) {
                coverage(members: members, kcat: kcat, topic: topic, produced: produced).missing == 0
            }
            let (missing, duplicates) = coverage(members: members, kcat: kcat, topic: topic, produced: produced)
            #expect(complete, "[\(peer)] \(missing) of \(total) messages never processed")
            print("[\(peer)] \(total) messages, processed by swafka \(members.map(\.count)), kcat \(kcat.records.count); \(duplicates) processed twice (redelivered after rebalances)")
            for member in members { await member.consumer.close() }
            try await tasks.waitForAll()
        }
    }

    /// How many produced messages nobody processed, and how many were processed more than once.
    static func coverage(members: [SwafkaMember], kcat: KcatMember, topic: String, produced: [Int]) -> (missing: Int, duplicates: Int) {
        var seen: [Int32: [Int64: Int]] = [:]
        for member in members {
            for (tp, offsets) in member.records { for offset in offsets { seen[tp.partition, default: [:]][offset, default: 0] += 1 } }
        }
        for (p, offset) in kcat.records { seen[p, default: [:]][offset, default: 0] += 1 }
        var missing = 0
        var duplicates = 0
        for p in 0..<produced.count {
            for offset in 0..<Int64(produced[p]) {
                let times = seen[Int32(p)]?[offset] ?? 0
                if times == 0 { missing += 1 } else { duplicates += times - 1 }
            }
        }
        return (missing, duplicates)
    }

    /// After a clean shutdown, a restarted consumer resumes from the committed offsets: no
    /// message is delivered twice (a clean close commits everything handed out), none is skipped.
    static func resumeFromCommitted(_ bootstrap: String, peer: String) async throws {
        let topic = ClusterScenarios.uniqueName("swafka-it-resume")
        let group = ClusterScenarios.uniqueName("swafka-it-resume")
        try await ConsumerTests.createTopic(bootstrap, topic, partitions: 3)
        for p in 0..<3 {
            try ConsumerTests.produce(bootstrap, topic: topic, partition: Int32(p), lines: ConsumerScenarios.lines(400, prefix: "p\(p)-"))
        }
        let configuration = try memberConfiguration(bootstrap, group: group, name: "swafka-resume")
        var seen: [TopicPartition: [Int64]] = [:]
        for round in 0..<3 {
            try await ConsumerTests.withConsumer(configuration) { consumer in
                try consumer.subscribe(topics: [topic])
                let messages = try await ConsumerTests.read(consumer, count: round == 2 ? 1200 - seen.values.map(\.count).reduce(0, +) : 350)
                for message in messages { seen[message.topicPartition, default: []].append(message.offset) }
            }
        }
        for p in 0..<3 {
            let offsets = seen[TopicPartition(topic, Int32(p))] ?? []
            #expect(offsets.sorted() == Array(0..<400), "[\(peer)] partition \(p): \(offsets.count) deliveries, \(Set(offsets).count) distinct")
        }
        // The group's committed offsets are at the end.
        let check = try ConsumerTests.configuration(bootstrap, group: group)
        try await ConsumerTests.withConsumer(check) { consumer in
            let committed = try await consumer.committed((0..<3).map { TopicPartition(topic, Int32($0)) })
            #expect(committed.values.allSatisfy { $0?.offset == 400 }, "[\(peer)] committed: \(committed)")
        }
    }
}
