import KafkaTransport
import KafkaWire

/// Everything a `KafkaProducer` is configured with: the client settings every client shares, and
/// the producer's own (batching, buffering, delivery, compression, partitioning, idempotence).
///
/// Set the typed properties, or build one from a property map with librdkafka's and the Java
/// client's names, as `swafkacat -X` and the framework pass them:
///
/// ```swift
/// let configuration = try KafkaProducerConfiguration(properties: [
///     "bootstrap.servers": "localhost:9092", "linger.ms": "10", "compression.type": "lz4",
/// ])
/// ```
///
/// Unknown names and invalid values throw `KafkaClientError.invalidConfiguration` naming the
/// setting; so does `validate()` for settings that contradict each other (`enable.idempotence=true`
/// with `acks=1`). Settings the producer shares with every client (`request.timeout.ms`,
/// `retry.backoff.ms`, `retry.backoff.max.ms`, `max.in.flight.requests.per.connection`) live in
/// `client` and mean the same for produce requests.
public struct KafkaProducerConfiguration: Sendable {
    /// Where the cluster is and how to talk to it.
    public var client: ClientConfiguration
    /// `acks` (alias `request.required.acks`): acknowledgments each produce request waits for.
    public var acks: Acks = .all
    /// `enable.idempotence`: nil (the default) turns idempotence on when `acks` is all, `retries`
    /// at least 1, `max.in.flight.requests.per.connection` at most 5 and the broker offers
    /// InitProducerId, and off otherwise (as the Java client does when idempotence was not asked
    /// for explicitly); true requires all of that (an error names the setting that contradicts
    /// it); false turns it off.
    public var enableIdempotence: Bool? = nil
    /// `linger.ms` (alias `queue.buffering.max.ms`): how long a batch waits for more messages.
    public var linger: Duration = .milliseconds(5)
    /// `batch.size`: a batch is full at this many bytes (records at their upper-bound size).
    public var batchSize: Int = 1_000_000
    /// `batch.num.messages`: a batch is full at this many messages.
    public var batchMaxMessages: Int = 10_000
    /// `max.request.size`: the most batch bytes one produce request carries.
    public var maxRequestSize: Int = 1_048_576
    /// `message.max.bytes`: the largest record batch the broker takes; a larger message is rejected.
    public var messageMaxBytes: Int = 1_000_000
    /// `buffer.memory` (or `queue.buffering.max.kbytes` × 1024): bytes buffered, in flight included.
    public var bufferMaxBytes: Int = 1 << 30
    /// `queue.buffering.max.messages`: messages buffered, in flight included.
    public var bufferMaxMessages: Int = 100_000
    /// `max.block.ms`: how long `produceAsync` waits for room in a full buffer before it fails with
    /// `bufferFull`; zero fails at once (librdkafka's QUEUE_FULL).
    public var maxBlock: Duration = .seconds(60)
    /// `delivery.timeout.ms` (alias `message.timeout.ms`): from produce to acknowledgment, retries included.
    public var deliveryTimeout: Duration = .seconds(120)
    /// `retries` (alias `message.send.max.retries`): how many times a failed batch is sent again.
    public var retries: Int = Int(Int32.max)
    /// `compression.type` (aliases `compression.codec`, `topic.compression.type`, `topic.compression.codec`)
    /// with `compression.level`: the codec of every topic not in `topicCompression`.
    public var compression: ProducerCompression = .none
    /// `compression.type.per.topic` (`orders=zstd:3,audit=none`): codecs (and levels) for some topics.
    public var topicCompression: [String: ProducerCompression] = [:]
    /// `partitioner`: how a message without an explicit partition gets one. The default is the
    /// Java client's (`murmur2_random`), so a key lands where a Java producer puts it; librdkafka's
    /// default is `consistent_random`. Any `Partitioner` can be set here.
    public var partitioner: any Partitioner = BuiltInPartitioner.javaDefault
    /// `topic.metadata.propagation.max.ms`: how long produce waits for an unknown topic to appear
    /// in the metadata before it fails with `unknownTopic`.
    public var topicMetadataPropagationTimeout: Duration = .seconds(30)

    /// A configuration for the cluster at `bootstrapServers`, every other setting at its default.
    public init(bootstrapServers: [BrokerAddress]) {
        client = ClientConfiguration(bootstrapServers: bootstrapServers)
    }

    /// A producer configuration over `client`'s settings.
    public init(client: ClientConfiguration) {
        self.client = client
    }

    /// Whether the producer asks for a producer ID (if the broker offers InitProducerId).
    public var wantsIdempotence: Bool {
        enableIdempotence ?? (acks == .all && retries >= 1 && client.maxInFlightRequestsPerConnection <= 5)
    }

    /// What `produceAsync` does when the buffer is full.
    public var bufferFullPolicy: BufferFullPolicy { maxBlock <= .zero ? .failFast : .wait(timeout: maxBlock) }

    /// The accumulator's settings these map to.
    public func accumulatorConfiguration(idempotence: Bool) -> AccumulatorConfiguration {
        var accumulator = AccumulatorConfiguration()
        accumulator.linger = linger
        accumulator.batchSize = batchSize
        accumulator.batchMaxMessages = batchMaxMessages
        accumulator.maxRequestSize = maxRequestSize
        accumulator.messageMaxBytes = messageMaxBytes
        accumulator.bufferMaxBytes = bufferMaxBytes
        accumulator.bufferMaxMessages = bufferMaxMessages
        accumulator.bufferFullPolicy = bufferFullPolicy
        accumulator.deliveryTimeout = deliveryTimeout
        accumulator.retries = retries
        accumulator.retryBackoff = client.retryBackoff
        accumulator.retryBackoffMax = client.retryBackoffMax
        accumulator.maxInFlightPerPartition = client.maxInFlightRequestsPerConnection
        accumulator.idempotence = idempotence
        accumulator.acks = acks
        return accumulator
    }

    /// The compression of `topic`'s batches.
    public func compression(for topic: String) -> ProducerCompression { topicCompression[topic] ?? compression }
}

extension KafkaProducerConfiguration: PropertyConfigurable {
    /// Every setting at its default, with no bootstrap servers (which `validate()` then requires).
    public static var propertyDefaults: KafkaProducerConfiguration {
        KafkaProducerConfiguration(client: .propertyDefaults)
    }

    /// Checks every setting, alone and against the others, naming the setting at fault.
    public func validate() throws(KafkaClientError) {
        try client.validate()
        do {
            try accumulatorConfiguration(idempotence: wantsIdempotence).validate()
        } catch {
            throw .invalidConfiguration(setting: error.setting, reason: error.reason)
        }
        let ranges: [(String, Duration, ClosedRange<Int64>)] = [
            ("linger.ms", linger, 0...900_000),
            ("max.block.ms", maxBlock, 0...Int64(Int32.max)),
            ("delivery.timeout.ms", deliveryTimeout, 1...Int64(Int32.max)),
            ("topic.metadata.propagation.max.ms", topicMetadataPropagationTimeout, 0...3_600_000),
        ]
        for (name, value, range) in ranges where value < .zero || !range.contains(value.wholeMilliseconds) {
            throw .invalidConfiguration(setting: name, reason: "\(value) is out of range (expected \(range.lowerBound)-\(range.upperBound) ms)")
        }
        for (topic, setting) in [("", compression)] + topicCompression.sorted(by: { $0.key < $1.key }).map({ ($0.key, $0.value) }) {
            if let reason = Self.checkLevel(setting) {
                throw .invalidConfiguration(setting: topic.isEmpty ? "compression.level" : "compression.type.per.topic",
                                            reason: topic.isEmpty ? reason : "\(topic): \(reason)")
            }
        }
    }

    /// Why `compression`'s level is out of its codec's range, nil when it is fine.
    static func checkLevel(_ compression: ProducerCompression) -> String? {
        guard let level = compression.level else { return nil }
        let range: ClosedRange<Int>
        switch compression.codec {
        case .none, .snappy: return "\(compression.codec) takes no level (got \(level))"
        case .gzip: range = 0...9
        case .lz4: range = 0...12
        case .zstd: range = -131_072...22
        }
        return range.contains(level) ? nil : "level \(level) is out of range for \(compression.codec) (expected \(range.lowerBound)-\(range.upperBound))"
    }

    /// Every setting: the client's, then the producer's, in `-X list` order.
    public static let properties: [ConfigurationProperty<KafkaProducerConfiguration>] =
        ClientConfiguration.properties.map { $0.lifted(\KafkaProducerConfiguration.client) } + producerProperties

    static let producerProperties: [ConfigurationProperty<KafkaProducerConfiguration>] = [
        ConfigurationProperty(
            "acks", aliases: ["request.required.acks"],
            documentation: "Acknowledgments a produce request waits for: 0 (none; no offsets, no retries), 1 (the leader) or all (-1: every in-sync replica; required by idempotence).",
            parse: { configuration, text throws(ConfigurationValueError) in
                switch text.trimmingSpaces.lowercased() {
                case "0": configuration.acks = .none
                case "1": configuration.acks = .leader
                case "all", "-1": configuration.acks = .all
                default: throw ConfigurationValueError("\"\(text)\" is not 0, 1, all or -1")
                }
            },
            render: { $0.acks.description }),
        ConfigurationProperty(
            "enable.idempotence",
            documentation: "Idempotent production (producer ID and sequence numbers: no duplicates or reordering on retries). auto (the default) enables it when acks=all, retries>=1, max.in.flight.requests.per.connection<=5 and the broker offers InitProducerId; true requires those.",
            parse: { configuration, text throws(ConfigurationValueError) in
                switch text.trimmingSpaces.lowercased() {
                case "auto", "": configuration.enableIdempotence = nil
                case "true", "1", "yes", "on": configuration.enableIdempotence = true
                case "false", "0", "no", "off": configuration.enableIdempotence = false
                default: throw ConfigurationValueError("\"\(text)\" is not a boolean (expected true, false or auto)")
                }
            },
            render: { $0.enableIdempotence.map { $0 ? "true" : "false" } ?? "auto" }),
        .milliseconds("linger.ms", aliases: ["queue.buffering.max.ms"], \.linger, range: 0...900_000,
                      documentation: "How long a batch waits for more messages before it is sent."),
        .integer("batch.size", \.batchSize, range: 62...2_147_483_647,
                 documentation: "A batch is full at this many bytes (each record counted at its upper-bound size, plus the 61-byte header); capped by message.max.bytes."),
        .integer("batch.num.messages", \.batchMaxMessages, range: 1...1_000_000,
                 documentation: "A batch is full at this many messages."),
        .integer("max.request.size", \.maxRequestSize, range: 62...2_147_483_647,
                 documentation: "The most batch bytes one produce request carries; a message too large for a request alone is rejected at produce."),
        .integer("message.max.bytes", \.messageMaxBytes, range: 62...1_000_000_000,
                 documentation: "The largest record batch the broker accepts (its own message.max.bytes); a message whose batch of one would exceed it is rejected at produce."),
        .integer("buffer.memory", \.bufferMaxBytes, range: 1...Int.max,
                 documentation: "The most bytes of messages held by the producer, queued or in flight, until their delivery reports (same setting as queue.buffering.max.kbytes, in bytes)."),
        ConfigurationProperty(
            "queue.buffering.max.kbytes",
            documentation: "buffer.memory in KiB (librdkafka's name). Range 1-2147483647.",
            parse: { configuration, text throws(ConfigurationValueError) in
                configuration.bufferMaxBytes = Int(try parseInteger(text, range: 1...2_147_483_647, unit: "KiB")) * 1024
            },
            render: { String(max($0.bufferMaxBytes / 1024, 1)) }),
        .integer("queue.buffering.max.messages", \.bufferMaxMessages, range: 1...2_147_483_647,
                 documentation: "The most messages held by the producer, queued or in flight, until their delivery reports."),
        .milliseconds("max.block.ms", \.maxBlock, range: 0...2_147_483_647,
                      documentation: "How long produceAsync waits for room when the buffer is full before failing with bufferFull; 0 fails at once."),
        .milliseconds("delivery.timeout.ms", aliases: ["message.timeout.ms"], \.deliveryTimeout, range: 1...2_147_483_647,
                      documentation: "Upper bound on the time from produce to acknowledgment, retries included; the message then fails with deliveryTimedOut."),
        .integer("retries", aliases: ["message.send.max.retries"], \.retries, range: 0...2_147_483_647,
                 documentation: "How many times a failed batch is sent again (delivery.timeout.ms bounds retries too)."),
        ConfigurationProperty(
            "compression.type", aliases: ["compression.codec", "topic.compression.type", "topic.compression.codec"],
            documentation: "Codec of every topic's batches: none, gzip, snappy, lz4 or zstd.",
            parse: { configuration, text throws(ConfigurationValueError) in
                configuration.compression.codec = try parseCodec(text)
            },
            render: { $0.compression.codec.propertyName }),
        ConfigurationProperty(
            "compression.level", aliases: ["topic.compression.level"],
            documentation: "Level of compression.type: -1 for the codec's default, gzip 0-9, lz4 0-12, zstd up to 22.",
            parse: { configuration, text throws(ConfigurationValueError) in
                let level = try parseInteger(text, range: -131_072...22, unit: nil)
                configuration.compression.level = level == -1 ? nil : Int(level)
            },
            render: { String($0.compression.level ?? -1) }),
        ConfigurationProperty(
            "compression.type.per.topic",
            documentation: "Codecs of some topics, overriding compression.type: topic=codec[:level],... (orders=zstd:3,audit=none).",
            parse: { configuration, text throws(ConfigurationValueError) in
                var map: [String: ProducerCompression] = [:]
                for entry in text.split(separator: ",") {
                    let parts = entry.split(separator: "=", maxSplits: 1)
                    guard parts.count == 2, !String(parts[0]).trimmingSpaces.isEmpty else {
                        throw ConfigurationValueError("\"\(entry)\" is not topic=codec[:level]")
                    }
                    let codecAndLevel = parts[1].split(separator: ":", maxSplits: 1)
                    var setting = ProducerCompression(try parseCodec(String(codecAndLevel.first ?? "")))
                    if codecAndLevel.count == 2 {
                        let level = try parseInteger(String(codecAndLevel[1]), range: -131_072...22, unit: nil)
                        setting.level = level == -1 ? nil : Int(level)
                    }
                    map[String(parts[0]).trimmingSpaces] = setting
                }
                configuration.topicCompression = map
            },
            render: { configuration in
                configuration.topicCompression.sorted { $0.key < $1.key }.map { topic, setting in
                    "\(topic)=\(setting.codec.propertyName)" + (setting.level.map { ":\($0)" } ?? "")
                }.joined(separator: ",")
            }),
        ConfigurationProperty(
            "partitioner", aliases: ["topic.partitioner"],
            documentation: "How keyed messages get a partition: \(BuiltInPartitioner.allCases.map(\.rawValue).joined(separator: ", ")). Messages without a key (or with random) stick to one partition per batch (KIP-480).",
            parse: { configuration, text throws(ConfigurationValueError) in
                guard let partitioner = BuiltInPartitioner(rawValue: text.trimmingSpaces) else {
                    throw ConfigurationValueError("\"\(text)\" is not one of \(BuiltInPartitioner.allCases.map(\.rawValue).joined(separator: ", "))")
                }
                configuration.partitioner = partitioner
            },
            render: { ($0.partitioner as? BuiltInPartitioner)?.rawValue ?? "custom" }),
        .milliseconds("topic.metadata.propagation.max.ms", \.topicMetadataPropagationTimeout, range: 0...3_600_000,
                      documentation: "How long produce waits for a topic missing from the metadata to appear before the message fails with unknownTopic."),
    ]
}

/// Parses a codec name as librdkafka and the Java client write it.
func parseCodec(_ text: String) throws(ConfigurationValueError) -> CompressionCodec {
    switch text.trimmingSpaces.lowercased() {
    case "none", "uncompressed": return .none
    case "gzip": return .gzip
    case "snappy": return .snappy
    case "lz4": return .lz4
    case "zstd": return .zstd
    default: throw ConfigurationValueError("\"\(text)\" is not one of none, gzip, snappy, lz4, zstd")
    }
}

extension CompressionCodec {
    /// The codec's name in `compression.type`.
    var propertyName: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }
}

extension ConfigurationProperty {
    /// This property as a property of a configuration that holds `Configuration` at `keyPath`
    /// (the client's settings inside the producer's).
    func lifted<Outer>(_ keyPath: any WritableKeyPath<Outer, Configuration> & Sendable) -> ConfigurationProperty<Outer> {
        let parse = self.parse
        let render = self.render
        return ConfigurationProperty<Outer>(
            name, aliases: aliases, isSensitive: isSensitive, documentation: documentation,
            parse: { outer, text throws(ConfigurationValueError) in try parse(&outer[keyPath: keyPath], text) },
            render: { render($0[keyPath: keyPath]) })
    }
}
