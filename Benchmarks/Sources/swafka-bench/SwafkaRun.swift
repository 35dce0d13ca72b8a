/// Runs one benchmark with Swafka's own client, or says it cannot yet.
///
/// Until the main package exports `KafkaClient` with `KafkaProducer` and `KafkaConsumer`
/// (`swafkaClientAvailable` in Benchmarks/Package.swift), this prints a record with
/// `"available":false` and no numbers; the runner's table shows n/a.
enum SwafkaRun {
    static let notAvailableReason = "Swafka's KafkaProducer and KafkaConsumer are not in main yet (issues 4 and 5)"

    static func run(_ options: Options) async -> (line: String, exitCode: Int32) {
        #if SWAFKA_CLIENT
        do {
            let measurement: Measurement
            switch options.mode {
            case .produce: measurement = try await produce(options)
            case .consume: measurement = try await consume(options)
            case .payload: return ("", 2) // main.swift prints payloads before it gets here
            }
            let complete = measurement.messages == options.messages
            return (ResultLine.measured(options, clientVersion: clientVersion, measurement), complete ? 0 : 1)
        } catch {
            writeToStandardError("swafka-bench: \(error)\n")
            return (ResultLine.notAvailable(options, reason: "failed: \(error)"), 1)
        }
        #else
        return (ResultLine.notAvailable(options, reason: notAvailableReason), 0)
        #endif
    }
}
