/// Runs one benchmark with Swafka's own client, or says it cannot yet.
///
/// A client whose flag is off in Benchmarks/Package.swift (`swafkaProducerAvailable`,
/// `swafkaConsumerAvailable`) prints a record with `"available":false` and no numbers; the runner's
/// table shows n/a.
enum SwafkaRun {
    static let notAvailableReason = "Swafka's KafkaProducer and KafkaConsumer are not in main yet (issues 4 and 5)"

    static let consumerNotAvailableReason = "Swafka's KafkaConsumer is not in this build yet (issue 5; swafkaConsumerAvailable)"

    static func run(_ options: Options) async -> (line: String, exitCode: Int32) {
        switch options.mode {
        case .produce:
            #if SWAFKA_PRODUCER
            return await measure(options, produce)
            #else
            return (ResultLine.notAvailable(options, reason: notAvailableReason), 0)
            #endif
        case .consume:
            #if SWAFKA_CONSUMER
            return await measure(options, consume)
            #else
            return (ResultLine.notAvailable(options, reason: consumerNotAvailableReason), 0)
            #endif
        case .payload:
            return ("", 2) // main.swift prints payloads before it gets here
        }
    }

    #if SWAFKA_PRODUCER || SWAFKA_CONSUMER
    /// Runs one measured loop and turns its outcome into the JSON line (exit 1 when incomplete or failed).
    static func measure(_ options: Options, _ body: (Options) async throws -> Measurement) async -> (line: String, exitCode: Int32) {
        do {
            let measurement = try await body(options)
            let complete = measurement.messages == options.messages
            return (ResultLine.measured(options, clientVersion: clientVersion, measurement), complete ? 0 : 1)
        } catch {
            writeToStandardError("swafka-bench: \(error)\n")
            return (ResultLine.notAvailable(options, reason: "failed: \(error)"), 1)
        }
    }
    #endif
}
