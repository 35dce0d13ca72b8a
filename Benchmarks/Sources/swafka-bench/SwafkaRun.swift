/// Runs one benchmark with Swafka's own client, or says it cannot yet.
///
/// Until the main package exports `KafkaClient` with `KafkaProducer` and `KafkaConsumer`
/// (`swafkaClientAvailable` in Benchmarks/Package.swift), this prints a record with
/// `"available":false` and no numbers; the runner's table shows n/a.
enum SwafkaRun {
    static let notAvailableReason = "Swafka's KafkaProducer and KafkaConsumer are not in main yet (issues 4 and 5)"

    static func run(_ options: Options) async -> (line: String, exitCode: Int32) {
        #if SWAFKA_CLIENT || SWAFKA_CONSUMER
        do {
            let measurement: Measurement
            let version: String
            switch options.mode {
            case .produce:
                #if SWAFKA_CLIENT
                measurement = try await produce(options)
                version = clientVersion
                #else
                return (ResultLine.notAvailable(options, reason: notAvailableReason), 0)
                #endif
            case .consume:
                #if SWAFKA_CONSUMER
                measurement = try await consume(options)
                version = consumerClientVersion
                #else
                return (ResultLine.notAvailable(options, reason: notAvailableReason), 0)
                #endif
            case .payload: return ("", 2) // main.swift prints payloads before it gets here
            }
            let complete = measurement.messages == options.messages
            return (ResultLine.measured(options, clientVersion: version, measurement), complete ? 0 : 1)
        } catch {
            writeToStandardError("swafka-bench: \(error)\n")
            return (ResultLine.notAvailable(options, reason: "failed: \(error)"), 1)
        }
        #else
        return (ResultLine.notAvailable(options, reason: notAvailableReason), 0)
        #endif
    }
}
