// The measured loops: the producer's compiled with SWAFKA_PRODUCER, the consumer's with
// SWAFKA_CONSUMER (see Benchmarks/Package.swift).
//
// - produce: the clock and getrusage start just before the first produce call and stop when the
//   N-th delivery report has arrived; message i is `Payload` with index i, no key, sent to partition
//   i % P (`--partitioner roundrobin`) or by the client's partitioner (`client`); the client copies
//   each value (a fresh ByteSlice per message, as librdkafka's RD_KAFKA_MSG_F_COPY); a full buffer
//   makes `enqueue` (produceAsync without a per-message handle) wait (librdkafka's loop polls and
//   retries); idempotence off (acks=1).
//   Reports are read from the producer's events sequence in a child task, as librdkafka's are
//   polled by the peer's loop.
// - consume (WRITTEN BEFORE THE CONSUMER'S API EXISTS, never compiled yet): the clock starts just
//   before the assignment of every partition at the earliest offset and stops when the N-th
//   message has reached this loop; bytes are value bytes; one message at a time
//   (librdkafka's rd_kafka_consumer_poll), no commits.
#if SWAFKA_PRODUCER || SWAFKA_CONSUMER
import KafkaClient
import KafkaWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SwafkaRun {
    static var clientVersion: String { ClientConfiguration.propertyDefaults.clientSoftwareVersion }

    /// librdkafka's property names, as the peer gets them; `-X` last so it can override.
    static func properties(_ options: Options, _ specific: [String: String]) -> [String: String] {
        var properties = ["bootstrap.servers": options.brokers, "client.id": "swafka-bench",
                          "allow.auto.create.topics": "false"]
        properties.merge(specific) { _, new in new }
        for (key, value) in options.extra { properties[key] = value }
        return properties
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
#endif

#if SWAFKA_PRODUCER
extension SwafkaRun {
    static func produce(_ options: Options) async throws -> Measurement {
        let configuration = try KafkaProducerConfiguration(properties: properties(options, [
            "acks": options.acks, "linger.ms": options.lingerMs, "compression.type": options.compression,
            "enable.idempotence": "false",
        ]))
        return try await withKafkaProducer(configuration: configuration) { producer, events in
            let partitions = try await producer.partitionCount(of: options.topic)
            guard options.partitions == 0 || partitions == options.partitions else {
                throw BenchError("topic \(options.topic) has \(partitions) partitions, expected \(options.partitions)")
            }
            var payload = Payload(size: options.size)
            let expected = options.messages
            let size = options.size
            let start = Snapshot.now()
            let counter = Task {
                var delivered = 0, bytes = 0, failed = 0
                var firstError: String? = nil
                for await event in events {
                    guard case let .deliveryReport(report) = event else { continue }
                    switch report.result {
                    case .success:
                        delivered += 1
                        bytes += size
                    case let .failure(error):
                        failed += 1
                        if firstError == nil { firstError = "\(error)" }
                    }
                    if delivered + failed == expected { break }
                }
                return (delivered, bytes, failed, firstError)
            }
            for index in 0..<options.messages {
                payload.setIndex(index)
                let partitioning: ProducerMessage.Partitioning =
                    options.partitioner == .roundrobin ? .explicit(Int32(index % partitions)) : .automatic
                // `enqueue`: produceAsync without a per-message handle; the reports come on `events`,
                // as librdkafka's come to its delivery report callback.
                try await producer.enqueue(ProducerMessage(topic: options.topic, value: ByteSlice(payload.bytes),
                                                           partitioning: partitioning))
            }
            try await producer.flush()
            let (delivered, bytes, failed, firstError) = await counter.value
            let end = Snapshot.now()
            if let firstError { writeToStandardError("swafka-bench: \(failed) messages failed, first: \(firstError)\n") }
            return Measurement(partitions: partitions, messages: delivered, bytes: bytes, start: start, end: end, errors: failed)
        }
    }
}
#endif
