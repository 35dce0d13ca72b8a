import KafkaClient
import KafkaWire
import Testing

@Suite("Producer configuration")
struct ProducerConfigurationTests {
    func parse(_ properties: [String: String]) throws(KafkaClientError) -> KafkaProducerConfiguration {
        try KafkaProducerConfiguration(properties: ["bootstrap.servers": "localhost:9092"].merging(properties) { _, new in new })
    }

    func rejected(_ properties: [String: String]) -> String? {
        do {
            _ = try parse(properties)
            return nil
        } catch {
            guard case let .invalidConfiguration(setting, _) = error else { return "not invalidConfiguration: \(error)" }
            return setting
        }
    }

    @Test func librdkafkaAndJavaNamesAndAliases() throws {
        let configuration = try parse([
            "acks": "1", "linger.ms": "7", "batch.size": "65536", "batch.num.messages": "500",
            "max.request.size": "2000000", "message.max.bytes": "900000", "queue.buffering.max.kbytes": "2048",
            "queue.buffering.max.messages": "1000", "compression.codec": "zstd", "compression.level": "3",
            "compression.type.per.topic": "logs=lz4:9,raw=none", "message.timeout.ms": "30000", "retries": "4",
            "retry.backoff.ms": "20", "request.timeout.ms": "5000", "max.in.flight.requests.per.connection": "3",
            "partitioner": "consistent_random", "max.block.ms": "0", "enable.idempotence": "false",
        ])
        #expect(configuration.acks == .leader)
        #expect(configuration.linger == .milliseconds(7))
        #expect(configuration.batchSize == 65536 && configuration.batchMaxMessages == 500)
        #expect(configuration.maxRequestSize == 2_000_000 && configuration.messageMaxBytes == 900_000)
        #expect(configuration.bufferMaxBytes == 2048 * 1024 && configuration.bufferMaxMessages == 1000)
        #expect(configuration.compression == ProducerCompression(.zstd, level: 3))
        #expect(configuration.compression(for: "logs") == ProducerCompression(.lz4, level: 9))
        #expect(configuration.compression(for: "raw") == .none)
        #expect(configuration.compression(for: "other") == ProducerCompression(.zstd, level: 3))
        #expect(configuration.deliveryTimeout == .seconds(30) && configuration.retries == 4)
        #expect(configuration.client.retryBackoff == .milliseconds(20) && configuration.client.requestTimeout == .seconds(5))
        #expect(configuration.client.maxInFlightRequestsPerConnection == 3)
        #expect(configuration.partitioner as? BuiltInPartitioner == .consistentRandom)
        #expect(configuration.bufferFullPolicy == .failFast)
        #expect(configuration.wantsIdempotence == false)
        #expect(configuration.value(of: "compression.type.per.topic") == "logs=lz4:9,raw=none")
        #expect(configuration.value(of: "queue.buffering.max.kbytes") == "2048")
        #expect(configuration.value(of: "acks") == "1")
    }

    @Test func defaults() throws {
        let configuration = try parse([:])
        #expect(configuration.acks == .all)
        #expect(configuration.enableIdempotence == nil && configuration.wantsIdempotence)
        #expect(configuration.partitioner as? BuiltInPartitioner == .murmur2Random)
        #expect(configuration.bufferFullPolicy == .wait(timeout: .seconds(60)))
        #expect(configuration.value(of: "enable.idempotence") == "auto")
        // Every setting renders a value that parses back to the same.
        for setting in configuration.settings() where setting.name != "bootstrap.servers" {
            var copy = configuration
            try copy.set(setting.name, to: setting.value)
            #expect(copy.value(of: setting.name) == setting.value, "\(setting.name)")
        }
    }

    @Test func idempotenceAutoStepsAsideButExplicitContradictionsNameTheSetting() throws {
        #expect(try parse(["acks": "1"]).wantsIdempotence == false)
        #expect(try parse(["max.in.flight.requests.per.connection": "6"]).wantsIdempotence == false)
        #expect(rejected(["acks": "1", "enable.idempotence": "true"]) == "acks")
        #expect(rejected(["max.in.flight.requests.per.connection": "6", "enable.idempotence": "true"])
                == "max.in.flight.requests.per.connection")
        #expect(rejected(["retries": "0", "enable.idempotence": "true"]) == "retries")
    }

    @Test func invalidValuesNameTheSetting() {
        #expect(rejected(["acks": "2"]) == "acks")
        #expect(rejected(["compression.type": "brotli"]) == "compression.type")
        #expect(rejected(["compression.type": "snappy", "compression.level": "3"]) == "compression.level")
        #expect(rejected(["compression.type": "gzip", "compression.level": "12"]) == "compression.level")
        #expect(rejected(["compression.type.per.topic": "logs"]) == "compression.type.per.topic")
        #expect(rejected(["partitioner": "modulo"]) == "partitioner")
        #expect(rejected(["linger.ms": "-1"]) == "linger.ms")
        #expect(rejected(["batch.size": "10"]) == "batch.size")
        #expect(rejected(["enable.idempotence": "maybe"]) == "enable.idempotence")
        #expect(rejected(["no.such.setting": "1"]) == "no.such.setting")
        #expect(rejected(["request.timeout.ms": "0"]) == "request.timeout.ms")
    }
}
