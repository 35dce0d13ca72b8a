import KafkaClient

/// The settings swafkacat accepts with `-X`, `-F` and the config files.
///
/// The cluster client's settings come first (connections, metadata, admin), then the producer's and
/// the consumer's, which are kept in the property map and handed to `KafkaProducerConfiguration` and
/// `KafkaConsumerConfiguration` under the names they know (`ClientSession` in the swafkacat target).
/// Defaults are swafkacat's, which follow the Java client where it and librdkafka differ.
public enum SettingsCatalog {
    /// Every setting, in `-X list` order.
    public static let all: [SettingDefinition] = client + producer + consumer

    /// The cluster client's settings (connections, metadata, admin, `security.protocol` and `ssl.*`), straight from
    /// `ClientConfiguration.properties`: the same names, checks, defaults and documentation, so `-X`
    /// accepts exactly what the client does. Two defaults differ for kcat's sake (`overrides`).
    public static let client: [SettingDefinition] = {
        let defaults = ClientConfiguration.propertyDefaults
        return ClientConfiguration.properties.map { property in
            SettingDefinition(
                property.name, aliases: property.aliases,
                default: overrides[property.name] ?? property.value(in: defaults),
                isSensitive: property.isSensitive, documentation: property.documentation,
                check: { text in
                    var scratch = ClientConfiguration.propertyDefaults
                    do throws(KafkaClientError) {
                        try property.apply(text, to: &scratch)
                        return nil
                    } catch {
                        if case let .invalidConfiguration(_, reason) = error { return reason }
                        return "\(error)"
                    }
                })
        } + [
            SettingDefinition("api.version.request", default: "true",
                              documentation: "Accepted for kcat compatibility: swafkacat always asks brokers for their versions.",
                              check: boolean),
        ]
    }()

    /// Defaults swafkacat sets on the client: its own client id (kcat's is librdkafka's `rdkafka`).
    public static let overrides: [String: String] = ["client.id": "swafkacat"]

    /// The names `ClientConfiguration` takes (with aliases), for building the client's property map.
    public static let clientPropertyNames: Set<String> =
        Set(ClientConfiguration.properties.flatMap { [$0.name] + $0.aliases })

    /// Producer settings (`-z` sets `compression.codec`).
    public static let producer: [SettingDefinition] = [
        SettingDefinition("compression.codec", aliases: ["compression.type"], use: .producer, default: "none",
                          documentation: "none, gzip, snappy, lz4 or zstd (-z sets it).", check: oneOf(compressionCodecs)),
        SettingDefinition("message.max.bytes", default: "1000000", documentation: "Largest record batch; also kcat's input buffer.",
                          check: integer(1000...1_000_000_000)),
        SettingDefinition("transactional.id", use: .producer, default: "",
                          documentation: "Produce everything in one transaction (once the producer supports transactions)."),
        SettingDefinition("enable.idempotence", use: .producer, default: "false", documentation: "Idempotent producer.", check: boolean),
        SettingDefinition("linger.ms", aliases: ["queue.buffering.max.ms"], use: .producer, default: "5",
                          documentation: "How long to wait for more records before sending a batch.", check: integer(0...900_000)),
        SettingDefinition("batch.size", use: .producer, default: "1000000", documentation: "Largest batch in bytes.",
                          check: integer(1...2_147_483_647)),
        SettingDefinition("acks", aliases: ["request.required.acks"], scope: .topic, use: .producer, default: "all",
                          documentation: "0, 1, all or -1.", check: oneOf(["0", "1", "-1", "all"])),
        SettingDefinition("message.timeout.ms", aliases: ["delivery.timeout.ms"], scope: .topic, use: .producer, default: "300000",
                          documentation: "Give up delivering a record after this long.", check: integer(0...2_147_483_647)),
        SettingDefinition("partitioner", scope: .topic, use: .producer, default: "consistent_random",
                          documentation: "random, consistent, consistent_random, murmur2, murmur2_random, fnv1a or fnv1a_random.",
                          check: oneOf(["random", "consistent", "consistent_random", "murmur2", "murmur2_random", "fnv1a", "fnv1a_random"])),
        SettingDefinition("produce.offset.report", scope: .topic, use: .producer, default: "false",
                          documentation: "Accepted for kcat compatibility (offsets are always reported).", check: boolean),
    ]

    /// Consumer settings (`-G` sets `group.id`).
    public static let consumer: [SettingDefinition] = [
        SettingDefinition("group.id", use: .consumer, default: "", documentation: "Consumer group (-G sets it)."),
        SettingDefinition("group.instance.id", use: .consumer, default: "", documentation: "Static membership id."),
        SettingDefinition("session.timeout.ms", use: .consumer, default: "45000", documentation: "Group session timeout.",
                          check: integer(1...3_600_000)),
        SettingDefinition("heartbeat.interval.ms", use: .consumer, default: "3000", documentation: "Group heartbeat interval.",
                          check: integer(1...3_600_000)),
        SettingDefinition("max.poll.interval.ms", use: .consumer, default: "300000", documentation: "Longest time between polls.",
                          check: integer(1...86_400_000)),
        SettingDefinition("partition.assignment.strategy", use: .consumer, default: "range,roundrobin",
                          documentation: "range, roundrobin or cooperative-sticky, comma-separated.",
                          check: { value in
                              let names = value.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
                              let bad = names.first { !["range", "roundrobin", "cooperative-sticky"].contains($0) }
                              return bad.map { "unknown assignor \"\($0)\"" }
                          }),
        SettingDefinition("enable.auto.commit", use: .consumer, default: "true", documentation: "Commit offsets in the background.",
                          check: boolean),
        SettingDefinition("auto.commit.interval.ms", use: .consumer, default: "5000", documentation: "How often to commit.",
                          check: integer(0...86_400_000)),
        SettingDefinition("enable.partition.eof", use: .consumer, default: "false",
                          documentation: "Report reaching the end of a partition (kcat turns it on for -e).", check: boolean),
        SettingDefinition("isolation.level", use: .consumer, default: "read_committed",
                          documentation: "read_committed or read_uncommitted.", check: oneOf(["read_committed", "read_uncommitted"])),
        SettingDefinition("fetch.min.bytes", use: .consumer, default: "1", documentation: "Fetch waits for this many bytes.",
                          check: integer(1...100_000_000)),
        SettingDefinition("fetch.max.bytes", use: .consumer, default: "52428800", documentation: "Largest fetch response.",
                          check: integer(0...2_147_483_135)),
        SettingDefinition("fetch.wait.max.ms", aliases: ["fetch.max.wait.ms"], use: .consumer, default: "500",
                          documentation: "Longest wait for fetch.min.bytes.", check: integer(0...300_000)),
        SettingDefinition("auto.offset.reset", scope: .topic, use: .consumer, default: "largest",
                          documentation: "smallest, earliest, beginning, largest, latest, end or error.",
                          check: oneOf(["smallest", "earliest", "beginning", "largest", "latest", "end", "error"])),
    ]

    static let compressionCodecs = ["none", "gzip", "snappy", "lz4", "zstd"]

    static func integer(_ range: ClosedRange<Int64>) -> @Sendable (String) -> String? {
        { text in
            guard let value = Int64(text.trimmingCharacters(in: " ")) else { return "not an integer" }
            return range.contains(value) ? nil : "\(value) is out of range (expected \(range.lowerBound)..\(range.upperBound))"
        }
    }

    static func oneOf(_ values: [String]) -> @Sendable (String) -> String? {
        { text in values.contains(text.lowercased()) ? nil : "expected one of \(values.joined(separator: ", "))" }
    }

    static let boolean: @Sendable (String) -> String? = { text in
        ["true", "false", "1", "0", "yes", "no", "on", "off"].contains(text.lowercased()) ? nil : "expected true or false"
    }
}

extension StringProtocol {
    /// The text without `character` at either end.
    func trimmingCharacters(in character: Character) -> String {
        var text = Substring(self)
        while text.first == character { text.removeFirst() }
        while text.last == character { text.removeLast() }
        return String(text)
    }
}

/// Host and port of one bootstrap broker (`host`, `host:port`, `[v6]:port`; the port defaults to 9092).
public enum BrokerList {
    /// One `host[:port]` entry, nil when malformed.
    public static func parse(_ text: String) -> (host: String, port: Int)? {
        var entry = Substring(text)
        for scheme in ["plaintext://", "PLAINTEXT://"] where entry.hasPrefix(scheme) { entry = entry.dropFirst(scheme.count) }
        guard !entry.isEmpty else { return nil }
        if entry.hasPrefix("[") {
            guard let close = entry.firstIndex(of: "]") else { return nil }
            let host = String(entry[entry.index(after: entry.startIndex)..<close])
            let rest = entry[entry.index(after: close)...]
            if rest.isEmpty { return host.isEmpty ? nil : (host, 9092) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()), (1...65535).contains(port), !host.isEmpty else { return nil }
            return (host, port)
        }
        let parts = entry.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (String(parts[0]), 9092)
        case 2:
            guard !parts[0].isEmpty, let port = Int(parts[1]), (1...65535).contains(port) else { return nil }
            return (String(parts[0]), port)
        default:
            return nil
        }
    }

    /// Every entry of a comma-separated list, nil when one is malformed or the list is empty.
    public static func parseList(_ text: String) -> [(host: String, port: Int)]? {
        let entries = text.split(separator: ",").map { $0.trimmingCharacters(in: " ") }.filter { !$0.isEmpty }
        guard !entries.isEmpty else { return nil }
        var result: [(host: String, port: Int)] = []
        for entry in entries {
            guard let parsed = parse(entry) else { return nil }
            result.append(parsed)
        }
        return result
    }
}
