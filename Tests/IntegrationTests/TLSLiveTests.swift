import Foundation
import KafkaClient
import KafkaSecurity
import KafkaTransport
import KafkaWire
import Testing

/// The TLS listeners Scripts/testbed/tls.sh starts: stunnel in front of plaintext Tansu brokers.
enum TLSTestBed {
    static var environment: [String: String] { ProcessInfo.processInfo.environment }
    static var hasTLS: Bool { environment["SWAFKA_TLS_BOOTSTRAP"] != nil || TestBed.required }

    static func value(_ name: String) throws -> String {
        guard let value = environment[name] else { throw TestBedMissing(name: name) }
        return value
    }

    /// A file of the test bed's certificates (`ca.pem`, `client.pem`...).
    static func file(_ name: String) throws -> String { try value("SWAFKA_TLS_DIR") + "/" + name }

    /// `security.protocol=ssl` trusting `ca` (and, with `client`, presenting the client certificate
    /// with its encrypted key).
    static func properties(ca: String = "ca.pem", client: Bool = false) throws -> [String: String] {
        var properties = ["security.protocol": "ssl", "ssl.ca.location": try file(ca)]
        if client {
            properties["ssl.certificate.location"] = try file("client.pem")
            properties["ssl.key.location"] = try file("client-encrypted.key")
            properties["ssl.key.password"] = try String(contentsOfFile: file("client-key-password.txt"), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines)
        }
        return properties
    }

    /// Connects one `BrokerConnection` to `bootstrapVariable`'s address with these settings, runs
    /// `body` with it, then closes it and stops its event loop.
    static func withConnection(_ bootstrapVariable: String, _ properties: [String: String],
                               connectTimeout: Duration = .seconds(10),
                               _ body: (BrokerConnection) async throws -> Void = { _ in }) async throws {
        let bootstrap = try value(bootstrapVariable)
        var configuration = try ClientConfiguration(properties: ["bootstrap.servers": bootstrap].merging(properties) { _, new in new })
        configuration.connectionSetupTimeout = connectTimeout
        let connection = try configuration.makeConnectionConfiguration()
        let address = try #require(configuration.bootstrapServers.first)
        let loop = try TransportEventLoop()
        do {
            let broker = try await BrokerConnection.connect(to: address, configuration: connection, loop: loop)
            do {
                try await body(broker)
            } catch {
                broker.closeNow()
                throw error
            }
            await broker.close()
        } catch {
            await loop.shutdown()
            throw error
        }
        await loop.shutdown()
    }

    /// The TLS error connecting fails with (nil, with an issue recorded, when it does not fail so).
    static func tlsFailure(_ bootstrapVariable: String, _ properties: [String: String],
                           connectTimeout: Duration = .seconds(10)) async throws -> TLSError? {
        do {
            // TLS 1.3: a refused client certificate may only show on the first read; ApiVersions was one.
            try await withConnection(bootstrapVariable, properties, connectTimeout: connectTimeout)
            Issue.record("connected through \(bootstrapVariable)")
            return nil
        } catch let TransportError.tlsFailed(_, error) {
            return error
        } catch {
            Issue.record("expected a TLS error, got \(error)")
            return nil
        }
    }
}

/// TLS against stunnel in front of Tansu: the handshake's failures, each named, and produce/consume.
@Suite("TLS through stunnel to Tansu", .enabled(if: TLSTestBed.hasTLS))
struct TLSLiveTests {
    @Test func handshakeThenApiVersionsAndMetadata() async throws {
        let advertised = try TLSTestBed.value("SWAFKA_TLS_BOOTSTRAP")
        try await TLSTestBed.withConnection("SWAFKA_TLS_BOOTSTRAP", TLSTestBed.properties()) { connection in
            #expect(connection.apiVersions?.ranges[.metadata] != nil)
            // Pipelined, larger than one TLS record each way.
            async let first = connection.send(MetadataRequest())
            async let second = connection.send(MetadataRequest())
            let (metadata, again) = try await (first, second)
            // Tansu advertises the stunnel port, so the cluster's routes stay on TLS.
            #expect(metadata.brokers.map { "\($0.host):\($0.port)" } == [advertised])
            #expect(again.brokers.count == metadata.brokers.count)
        }
    }

    @Test func hostNameVerificationByNameToo() async throws {
        // "localhost" is in the certificate's DNS names, as 127.0.0.1 is in its IP addresses.
        let port = try TLSTestBed.value("SWAFKA_TLS_BOOTSTRAP").split(separator: ":").last.map(String.init) ?? ""
        var properties = try TLSTestBed.properties()
        properties["bootstrap.servers"] = "localhost:\(port)"
        try await TLSTestBed.withConnection("SWAFKA_TLS_BOOTSTRAP", properties) { connection in
            #expect(connection.address.host == "localhost")
        }
    }

    @Test func mutualTLSWithTheClientCertificate() async throws {
        try await TLSTestBed.withConnection("SWAFKA_MTLS_BOOTSTRAP", TLSTestBed.properties(client: true)) { connection in
            let metadata = try await connection.send(MetadataRequest())
            #expect(!metadata.brokers.isEmpty)
        }
    }

    @Test func mutualTLSWithoutACertificateIsRefused() async throws {
        let error = try await TLSTestBed.tlsFailure("SWAFKA_MTLS_BOOTSTRAP", TLSTestBed.properties())
        #expect(error == .rejectedByPeer(alert: "certificate required"), "\(String(describing: error))")
    }

    @Test func mutualTLSWithACertificateOfAnotherCAIsRefused() async throws {
        var properties = try TLSTestBed.properties()
        properties["ssl.certificate.location"] = try TLSTestBed.file("other-client.pem")
        properties["ssl.key.location"] = try TLSTestBed.file("other-client.key")
        let error = try await TLSTestBed.tlsFailure("SWAFKA_MTLS_BOOTSTRAP", properties)
        guard case .rejectedByPeer = error else {
            Issue.record("expected the broker to refuse the certificate, got \(String(describing: error))")
            return
        }
    }

    @Test func aServerCertificateFromAnotherCAIsUntrusted() async throws {
        let error = try await TLSTestBed.tlsFailure("SWAFKA_TLS_BOOTSTRAP", TLSTestBed.properties(ca: "other-ca.pem"))
        guard case .untrustedCertificate = error else {
            Issue.record("expected untrustedCertificate, got \(String(describing: error))")
            return
        }
    }

    @Test func theWrongHostNameIsRefusedUnlessVerificationIsOff() async throws {
        let error = try await TLSTestBed.tlsFailure("SWAFKA_TLS_WRONGHOST_BOOTSTRAP", TLSTestBed.properties())
        #expect(error == .hostnameMismatch(host: "127.0.0.1"))
        var relaxed = try TLSTestBed.properties()
        relaxed["ssl.endpoint.identification.algorithm"] = "none"
        try await TLSTestBed.withConnection("SWAFKA_TLS_WRONGHOST_BOOTSTRAP", relaxed) { connection in
            #expect(connection.apiVersions != nil)
        }
    }

    @Test func aClientFailsAtOnceOnACertificateProblem() async throws {
        // Not retried until default.api.timeout.ms: the error names the cause straight away.
        let bootstrap = try TLSTestBed.value("SWAFKA_TLS_WRONGHOST_BOOTSTRAP")
        let admin = try KafkaAdminClient(configuration: ClusterScenarios.configuration(
            bootstrap, TLSTestBed.properties().merging(["default.api.timeout.ms": "60000"]) { _, new in new }),
            logger: ClusterScenarios.logger)
        do {
            _ = try await admin.describeCluster()
            Issue.record("describeCluster succeeded through a certificate for another host")
        } catch {
            let expected = KafkaClientError.transport(.tlsFailed(try #require(BrokerAddress(parsing: bootstrap)),
                                                                 .hostnameMismatch(host: "127.0.0.1")))
            #expect(error == expected || error == .noBrokerAvailable(lastError: expected), "\(error)")
        }
        await admin.shutdown()
    }

    @Test func anExpiredCertificateIsRefused() async throws {
        let error = try await TLSTestBed.tlsFailure("SWAFKA_TLS_EXPIRED_BOOTSTRAP", TLSTestBed.properties())
        #expect(error == .certificateExpired)
    }

    @Test func aPlaintextListenerIsNamedAsSuch() async throws {
        // Tansu reads the ClientHello as a Kafka frame and waits for the rest (or drops the connection):
        // either way the handshake fails within the connect timeout, saying why, and never hangs.
        let error = try await TLSTestBed.tlsFailure("SWAFKA_TLS_PLAINTEXT_BOOTSTRAP", TLSTestBed.properties(),
                                                    connectTimeout: .seconds(2))
        switch error {
        case .notTLS?, .closedDuringHandshake?, .handshakeTimedOut?: break
        default: Issue.record("unexpected \(String(describing: error))")
        }
    }

    @Test func produceAndConsumeThroughTLS() async throws {
        try await Self.produceAndConsume(bootstrapVariable: "SWAFKA_TLS_BOOTSTRAP", properties: TLSTestBed.properties())
    }

    @Test func produceAndConsumeThroughMutualTLS() async throws {
        try await Self.produceAndConsume(bootstrapVariable: "SWAFKA_MTLS_BOOTSTRAP", properties: TLSTestBed.properties(client: true))
    }

    /// Creates a topic, produces 30 messages (some larger than a TLS record) with `KafkaProducer` and
    /// reads them back with `KafkaConsumer`, every connection over TLS.
    static func produceAndConsume(bootstrapVariable: String, properties: [String: String]) async throws {
        let bootstrap = try TLSTestBed.value(bootstrapVariable)
        let topic = ClusterScenarios.uniqueName("swafka-it-tls")
        let admin = try KafkaAdminClient(configuration: ClusterScenarios.configuration(bootstrap, properties), logger: ClusterScenarios.logger)
        do {
            _ = try await admin.createTopic(NewTopic(name: topic, partitions: 1, replicationFactor: 1))
            _ = try await ClusterScenarios.waitForTopic(admin, topic, partitions: 1)
        } catch {
            await admin.shutdown()
            throw error
        }
        await admin.shutdown()

        let values = (0..<30).map { index in
            // Every third value spans several TLS records (16 KiB each).
            index % 3 == 0 ? String(repeating: "v\(index)-", count: 12_000) : "value-\(index)"
        }
        let producerConfiguration = try ProducerScenarios.configuration(bootstrap, properties)
        try await withKafkaProducer(configuration: producerConfiguration, logger: ClusterScenarios.logger) { producer in
            var handles: [DeliveryHandle] = []
            for (index, value) in values.enumerated() {
                handles.append(try await producer.produceAsync(
                    ProducerMessage(topic: topic, value: ByteSlice(value), key: ByteSlice("k\(index)"), partitioning: .explicit(0))))
            }
            for handle in handles { _ = try await handle.delivered() }
        }

        let consumerConfiguration = try ConsumerTests.configuration(bootstrap, properties)
        let received = try await ConsumerTests.withConsumer(consumerConfiguration) { consumer in
            try consumer.assign([TopicPartition(topic, 0)], from: .earliest)
            return try await ConsumerTests.read(consumer, count: values.count, timeout: .seconds(30)).map { ConsumerTests.text($0.value) }
        }
        #expect(received == values.map { Optional($0) })
    }
}
