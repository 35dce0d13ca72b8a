import KafkaClient
import SwafkacatCore

/// `-Q -t topic:partition:timestamp`: the first offset at or after each timestamp (`-1` the end,
/// `-2` the start), through the admin client's ListOffsets, printed as kcat prints them.
///
/// Like librdkafka's offsets-for-times, a partition's failure is printed on its line
/// (`: Broker: ...`, with the timestamp asked for as its offset), and when every partition failed the run fails with kcat's
/// `offsets_for_times failed: ...` (an unknown topic or partition then reads `Local: Unknown partition`).
/// Where no offset matches, kcat prints the broker's value as it is; the admin client reports "none",
/// printed as -1 (the value real brokers send; the librdkafka mock sends -2 for the start of an empty partition).
struct QueryMode {
    let runner: Runner

    static func spec(_ timestamp: Int64) -> OffsetSpec {
        switch timestamp {
        case -1: .latest
        case -2: .earliest
        case -3: .maxTimestamp
        default: .timestamp(timestamp)
        }
    }

    func run() async -> Int32 {
        let invocation = runner.invocation
        let session = ClientSession(invocation: invocation)
        let admin: KafkaAdminClient
        do {
            admin = try KafkaAdminClient(configuration: try session.configuration(), logger: session.logger())
        } catch {
            return runner.fatal("\(error)")
        }
        var specs: [TopicPartition: OffsetSpec] = [:]
        for query in invocation.queries { specs[TopicPartition(query.topic, query.partition)] = Self.spec(query.timestamp) }
        let results: [TopicPartition: Result<ListedOffset, KafkaClientError>]
        do {
            results = try await admin.listOffsets(specs, timeout: session.timeout)
        } catch {
            await admin.shutdown()
            runner.info(2, "ListOffsets failed: \(error)")
            return runner.fatal("offsets_for_times failed: \(ClientSession.text(error, unreachable: .allBrokersDown))")
        }
        await admin.shutdown()
        var entries: [OffsetQueryResult.Entry] = []
        var failures: [KafkaClientError] = []
        for (partition, result) in results {
            switch result {
            case let .success(listed):
                entries.append(.init(topic: partition.topic, partition: partition.partition, offset: listed.offset ?? -1))
            case let .failure(error):
                runner.info(2, "\(partition): \(error)")
                failures.append(error)
                // librdkafka leaves a failed partition's offset field as it was: the timestamp asked for.
                entries.append(.init(topic: partition.topic, partition: partition.partition,
                                     offset: specs[partition]?.wireTimestamp ?? -1,
                                     error: ClientSession.text(error, unreachable: .allBrokersDown)))
            }
        }
        if let first = failures.first, failures.count == results.count {
            let text: String = switch first {
            case .unknownTopic, .unknownPartition: ErrorText.Local.unknownPartition.rawValue
            default: ClientSession.text(first, unreachable: .allBrokersDown)
            }
            return runner.fatal("offsets_for_times failed: \(text)")
        }
        let result = OffsetQueryResult(entries: entries)
        let written = invocation.json ? Output.write(result.json) : Output.write(result.text)
        return Output.flush() && written ? 0 : runner.fatal("Output write error")
    }
}
