// The consumer's measured loop, compiled with SWAFKA_CONSUMER (see Benchmarks/Package.swift).
//
// Like the peer's `consume`: manual assignment of every partition at the earliest offset, no group
// membership, no commits; the clock and getrusage start just before the assignment and stop when
// the N-th message has reached this loop, one message at a time (`for try await` over
// `consumer.messages`, as librdkafka's rd_kafka_consumer_poll); bytes are value bytes. The run stops
// early, incomplete, when no message arrives for `--timeout` seconds.
#if SWAFKA_CONSUMER
import KafkaClient
import KafkaWire
import Logging
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SwafkaRun {
    static var consumerClientVersion: String { KafkaConsumerConfiguration.propertyDefaults.client.clientSoftwareVersion }

    static func consume(_ options: Options) async throws -> Measurement {
        var properties = ["bootstrap.servers": options.brokers, "client.id": "swafka-bench", "allow.auto.create.topics": "false",
                          "group.id": "swafka-bench-\(getpid())", "enable.auto.commit": "false", "auto.offset.reset": "earliest"]
        for (key, value) in options.extra { properties[key] = value }
        // SWAFKA_BENCH_DEBUG=fetch,consumer,... logs those debug contexts to stderr.
        var logger = Logger(label: "swafka-bench")
        if let contexts = getenv("SWAFKA_BENCH_DEBUG").map({ String(cString: $0) }) {
            properties["debug"] = contexts
            logger = Logger(label: "swafka-bench", factory: { StreamLogHandler.standardError(label: $0) })
            logger.logLevel = .debug
        }
        let configuration = try KafkaConsumerConfiguration(properties: properties)
        return try await withKafkaConsumer(configuration: configuration, logger: logger) { consumer in
            let partitions = try await consumer.partitionCount(of: options.topic)
            guard options.partitions == 0 || partitions == options.partitions else {
                throw ConsumerBenchError("topic \(options.topic) has \(partitions) partitions, expected \(options.partitions)")
            }
            let target = options.messages
            let progress = ConsumeProgress()
            let start = Snapshot.now()
            try consumer.assign((0..<partitions).map { TopicPartition(options.topic, Int32($0)) }, from: .earliest)
            let (count, bytes) = try await withThrowingTaskGroup(of: (Int, Int)?.self) { group in
                group.addTask {
                    var count = 0
                    var bytes = 0
                    for try await message in consumer.messages {
                        count += 1
                        bytes += message.value?.count ?? 0
                        if count & 4095 == 0 { progress.count.store(count, ordering: .relaxed) }
                        if count == target { break }
                    }
                    return (count, bytes)
                }
                // The peer's idle timeout: give up when nothing arrives for --timeout seconds.
                group.addTask {
                    var last = -1
                    var idle = Duration.zero
                    while idle < .seconds(options.timeoutSeconds) {
                        try await Task.sleep(for: .milliseconds(250))
                        let now = progress.count.load(ordering: .relaxed)
                        idle = now == last ? idle + .milliseconds(250) : .zero
                        last = now
                    }
                    return nil
                }
                defer { group.cancelAll() }
                while let result = try await group.next() {
                    if let result { return result }
                    let partial = progress.count.load(ordering: .relaxed)
                    return (partial, partial * options.size)
                }
                return (0, 0)
            }
            let end = Snapshot.now()
            return Measurement(partitions: partitions, messages: count, bytes: bytes, start: start, end: end, errors: 0)
        }
    }
}

/// Messages read so far, for the idle timeout (updated every 4,096 messages).
final class ConsumeProgress: Sendable {
    let count = Atomic<Int>(0)
}

struct ConsumerBenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
#endif
