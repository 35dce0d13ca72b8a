// The measured loops, compiled only with SWAFKA_CLIENT (see Benchmarks/Package.swift).
//
// WRITTEN BEFORE THE API EXISTS: against the names issue 4 and issue 5 give (`KafkaProducer`,
// `withKafkaProducer`, `produceAsync`, `flush`, delivery reports as an AsyncSequence; `KafkaConsumer`,
// `withKafkaConsumer`, manual assignment from earliest, messages as an AsyncSequence) and the
// producer-core branch's `ProducerMessage`. It has never been compiled: whoever flips
// `swafkaClientAvailable` adjusts the calls to the real API, keeping what is measured:
//
// - produce: the clock and getrusage start just before the first produce call and stop when the
//   N-th delivery report has arrived; message i is `Payload` with index i, no key, sent to partition
//   i % P (`--partitioner roundrobin`) or by the client's partitioner (`client`); the client copies
//   each value (a fresh ByteSlice per message, as librdkafka's RD_KAFKA_MSG_F_COPY); a full buffer
//   makes produceAsync wait (librdkafka's loop polls and retries); idempotence off (acks=1).
// - consume: the clock starts just before the assignment of every partition at the earliest offset
//   and stops when the N-th message has reached this loop; bytes are value bytes; one message at a
//   time (librdkafka's rd_kafka_consumer_poll), no commits.
#if SWAFKA_CLIENT
import KafkaClient
import KafkaWire

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension SwafkaRun {
    static var clientVersion: String { ClientConfiguration.defaultSoftwareVersion }

    /// librdkafka's property names, as the peer gets them; `-X` last so it can override.
    static func properties(_ options: Options, _ specific: [String: String]) -> [String: String] {
        var properties = ["bootstrap.servers": options.brokers, "client.id": "swafka-bench",
                          "allow.auto.create.topics": "false"]
        properties.merge(specific) { _, new in new }
        for (key, value) in options.extra { properties[key] = value }
        return properties
    }

    static func produce(_ options: Options) async throws -> Measurement {
        let configuration = try KafkaProducerConfiguration(properties: properties(options, [
            "acks": options.acks, "linger.ms": options.lingerMs, "compression.type": options.compression,
            "enable.idempotence": "false",
        ]))
        return try await withKafkaProducer(configuration: configuration) { producer in
            let partitions = try await producer.partitionCount(of: options.topic)
            guard options.partitions == 0 || partitions == options.partitions else {
                throw BenchError("topic \(options.topic) has \(partitions) partitions, expected \(options.partitions)")
            }
            var payload = Payload(size: options.size)
            let start = Snapshot.now()
            async let counted: (delivered: Int, bytes: Int, failed: Int) = {
                var delivered = 0, bytes = 0, failed = 0
                for await report in producer.deliveryReports {
                    switch report.result {
                    case .success: delivered += 1; bytes += options.size
                    case .failure: failed += 1
                    }
                    if delivered + failed == options.messages { break }
                }
                return (delivered, bytes, failed)
            }()
            for index in 0..<options.messages {
                payload.setIndex(index)
                let partitioning: ProducerMessage.Partitioning =
                    options.partitioner == .roundrobin ? .explicit(Int32(index % partitions)) : .automatic
                try await producer.produceAsync(ProducerMessage(topic: options.topic, value: ByteSlice(payload.bytes),
                                                                partitioning: partitioning))
            }
            try await producer.flush()
            let reports = await counted
            let end = Snapshot.now()
            return Measurement(partitions: partitions, messages: reports.delivered, bytes: reports.bytes,
                               start: start, end: end, errors: reports.failed)
        }
    }
}

struct BenchError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
#endif
