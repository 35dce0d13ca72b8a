#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KafkaClient
import KafkaWire
import Synchronization
import SwafkacatCore

/// `-P`: messages from stdin (split at `-D`, keys at `-K`), from one file with `-l`, or one message
/// per file named; `-P -J` reads kcat `-J` envelopes, one per line. Produced with KafkaProducer as
/// kcat produces them:
/// - a message the producer refuses is fatal (`Failed to produce message (N bytes): ...`);
/// - a failed delivery is reported (`% Delivery failed for message: ...`) and the run goes on, and
///   ends with status 1;
/// - at the end (input exhausted, `-c` reached, or SIGINT/SIGTERM) everything accepted is delivered
///   before exiting;
/// - brokers that cannot be reached end the run as librdkafka's error callback ends kcat's:
///   `% ERROR: Local: All broker connections are down: N/N brokers are down: terminating`.
struct ProduceMode {
    let runner: Runner

    /// What the delivery reports said.
    final class Deliveries: Sendable {
        let failed = Atomic<Int>(0)
        let delivered = Atomic<Int>(0)
    }

    func run() async -> Int32 {
        let invocation = runner.invocation
        guard let topic = invocation.topic else { return runner.fatal("-t <topic> missing") }
        if invocation.settings.isSet("transactional.id"), invocation.settings.value("transactional.id")?.isEmpty == false {
            return runner.fatal("Failed to create producer: transactional.id: transactions are not supported by swafkacat yet")
        }
        let session = ClientSession(invocation: invocation)
        let deliveries = Deliveries()
        let runner = self.runner
        let producer: KafkaProducer
        do {
            producer = try KafkaProducer(configuration: try session.producerConfiguration(), logger: session.logger()) { event in
                guard case let .deliveryReport(report) = event else { return }
                switch report.result {
                case let .success(delivered):
                    deliveries.delivered.add(1, ordering: .relaxed)
                    runner.info(3, "Message delivered to partition \(delivered.partition) (offset \(delivered.offset ?? -1)) on broker -1")
                case let .failure(error):
                    deliveries.failed.add(1, ordering: .relaxed)
                    runner.info(1, "Delivery failed for message: \(ErrorText.producer(error))")
                }
            }
        } catch {
            return runner.fatal("Failed to create producer: \(error)")
        }
        RunStop.shared.install()
        var status: Int32 = 0
        do {
            status = try await producer.runScoped { () async throws -> Int32 in
                do throws(KafkaClientError) {
                    _ = try await producer.cluster.metadata(topics: [topic], timeout: session.timeout)
                } catch {
                    runner.info(2, "Metadata failed: \(error)")
                    if ErrorText.client(error, unreachable: .allBrokersDown) == ErrorText.Local.allBrokersDown.rawValue {
                        let count = producer.configuration.client.bootstrapServers.count
                        producer.closeNow()
                        return runner.fatal("\(ErrorText.Local.allBrokersDown.rawValue): \(count)/\(count) brokers are down: terminating")
                    }
                }
                let feeder = Feeder(runner: runner, producer: producer, topic: topic, deliveries: deliveries)
                return await feeder.run()
            }
        } catch {
            status = runner.fatal("\(error)")
        }
        if deliveries.failed.load(ordering: .relaxed) > 0 { status = 1 }
        return Output.flush() ? status : 1
    }

    /// Reads the input and hands each message to the producer.
    struct Feeder {
        let runner: Runner
        let producer: KafkaProducer
        let topic: String
        let deliveries: Deliveries
        var invocation: Invocation { runner.invocation }

        /// 0, or 1 after a failure that did not end the run; a fatal failure returns at once.
        func run() async -> Int32 {
            let progress = ProgressLine(verb: "produced", verbosity: invocation.verbosity)
            defer { progress.finish() }
            if !invocation.operands.isEmpty && !invocation.lineMode {
                return await produceFiles(progress)
            }
            var descriptor = STDIN_FILENO
            if invocation.lineMode, let path = invocation.operands.first {
                descriptor = open(path, O_RDONLY)
                if descriptor < 0 { return runner.fatal("Cannot open \(path): \(String(cString: strerror(errno)))") }
            }
            defer { if descriptor != STDIN_FILENO { close(descriptor) } }
            return await produceStream(descriptor, progress)
        }

        /// One message per file (kcat's `produce_file`): an unreadable file is reported and skipped,
        /// an empty one skipped; the run fails when no file could be produced.
        func produceFiles(_ progress: ProgressLine) async -> Int32 {
            var good = 0
            for path in invocation.operands {
                if RunStop.shared.signal != nil { break }
                let bytes: [UInt8]
                switch readBinaryFile(path) {
                case let .success(contents): bytes = contents
                case let .failure(error):
                    runner.info(1, "Failed to open \(path): \(error.message)")
                    continue
                }
                good += 1
                if bytes.isEmpty {
                    runner.info(3, "Skipping empty file \(path)")
                    continue
                }
                runner.info(4, "Producing file \(path) (\(bytes.count) bytes)")
                guard await produce(partition: invocation.partition, key: invocation.fixedKey, value: bytes, progress: progress) else { return 1 }
            }
            if good == 0 { return 1 }
            if good < invocation.operands.count {
                runner.info(1, "Failed to produce from \(invocation.operands.count - good)/\(invocation.operands.count) files")
            }
            return 0
        }

        /// Delimited messages (or `-J` envelopes, one per delimited line) until the end of the
        /// input, `-c`, or a stop signal.
        func produceStream(_ descriptor: Int32, _ progress: ProgressLine) async -> Int32 {
            var splitter = invocation.json
                ? ProducerInputSplitter(delimiter: invocation.delimiter)
                : ProducerInputSplitter(delimiter: invocation.delimiter, keyDelimiter: invocation.keyDelimiter,
                                        fixedKey: invocation.fixedKey, nullForEmpty: invocation.nullForEmpty)
            var produced: Int64 = 0
            var status: Int32 = 0
            var line = 0
            func handle(_ messages: [InputMessage]) async -> Bool {
                for message in messages {
                    if RunStop.shared.signal != nil { return false }
                    line += 1
                    if invocation.json {
                        let envelope: Envelope
                        do {
                            envelope = try Envelope(parsing: message.raw)
                        } catch {
                            let text = "Invalid JSON envelope on input line \(line): \(error)"
                            if invocation.exitOnError {
                                status = runner.fatal(text)
                                return false
                            }
                            Output.error("% ERROR: \(text)\n")
                            status = 1
                            continue
                        }
                        guard await produce(topic: envelope.topic ?? topic, partition: envelope.partition ?? invocation.partition,
                                            key: envelope.key, value: envelope.value,
                                            headers: invocation.headers + envelope.headers, timestamp: envelope.timestamp,
                                            progress: progress) else {
                            status = 1
                            return false
                        }
                    } else {
                        guard await produce(partition: invocation.partition, key: message.key, value: message.value, progress: progress) else {
                            status = 1
                            return false
                        }
                    }
                    if invocation.tee {
                        guard Output.write(message.raw + invocation.delimiter) else {
                            status = runner.fatal("Tee write error for message of \(message.raw.count) bytes: \(String(cString: strerror(EPIPE)))")
                            return false
                        }
                    }
                    produced += 1
                    if let limit = invocation.messageCount, produced >= limit { return false }
                }
                return true
            }
            var more = true
            for await chunk in InputChunks.read(descriptor) {
                switch chunk {
                case let .bytes(bytes):
                    more = await handle(splitter.feed(bytes))
                case let .failed(reason):
                    return runner.fatal("Unable to read message: \(reason)")
                }
                if !more || RunStop.shared.signal != nil { break }
            }
            if more && RunStop.shared.signal == nil { _ = await handle(splitter.finish()) }
            return status
        }

        func produce(topic: String? = nil, partition chosen: Int32?, key: [UInt8]?, value: [UInt8]?,
                     headers: [ConsumedMessage.Header]? = nil, timestamp: Int64? = nil, progress: ProgressLine) async -> Bool {
            let message = ProducerMessage(
                topic: topic ?? self.topic, value: value.map(ByteSlice.init), key: key.map(ByteSlice.init),
                headers: (headers ?? invocation.headers).map { ProducerMessage.Header($0.name, $0.value.map(ByteSlice.init)) },
                partitioning: chosen.map { $0 >= 0 ? .explicit($0) : .automatic } ?? .automatic,
                timestampMs: timestamp)
            do {
                try await producer.enqueue(message)
            } catch let error as KafkaProducerError {
                switch error {
                case .unknownPartition, .unknownTopic:
                    // librdkafka accepts the message and fails its delivery: kcat reports it and goes on.
                    deliveries.failed.add(1, ordering: .relaxed)
                    runner.info(1, "Delivery failed for message: \(ErrorText.producer(error))")
                    return true
                default:
                    break
                }
                _ = runner.fatal("Failed to produce message (\(value?.count ?? 0) bytes): \(ErrorText.producer(error))")
                return false
            } catch {
                _ = runner.fatal("Failed to produce message (\(value?.count ?? 0) bytes): \(error)")
                return false
            }
            progress.add(bytes: (key?.count ?? 0) + (value?.count ?? 0))
            return true
        }
    }
}
