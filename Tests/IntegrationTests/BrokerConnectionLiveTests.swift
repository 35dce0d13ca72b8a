import KafkaTransport
import KafkaWire
import Testing

@Suite("Broker connection against real brokers", .enabled(if: TestBed.hasTansu || TestBed.hasMock))
struct BrokerConnectionLiveTests {
    /// Tansu (one broker) and each broker of librdkafka's mock cluster.
    @Test(arguments: ["tansu", "mock"])
    func negotiatesVersionsAndFetchesMetadata(broker: String) async throws {
        let loop = try TransportEventLoop()
        defer { Task { await loop.shutdown() } }
        let bootstrap = broker == "tansu" ? try TestBed.tansuBootstrap() : try TestBed.mockBootstrap()
        let address = try #require(BrokerAddress(parsing: bootstrap.split(separator: ",")[0].description))
        let connection = try await BrokerConnection.connect(to: address, loop: loop)
        let versions = try #require(connection.apiVersions)
        #expect(versions.ranges[.metadata] != nil)
        #expect(versions.ranges[.apiVersions] != nil)
        let metadataVersion = try connection.negotiatedVersion(for: MetadataRequest.self)
        let response = try await connection.send(MetadataRequest())
        #expect(!response.brokers.isEmpty, "Metadata v\(metadataVersion) names at least one broker")
        // Pipelining: several requests at once, answered in order.
        async let a = connection.send(ApiVersionsRequest())
        async let b = connection.send(MetadataRequest())
        async let c = connection.send(ApiVersionsRequest())
        let (ra, rb, rc) = try await (a, b, c)
        #expect(ra.errorCode == .none && rc.errorCode == .none)
        #expect(!rb.brokers.isEmpty)
        await connection.close()
        #expect(connection.isClosed)
    }

    @Test func connectingToAClosedPortFailsFast() async throws {
        let loop = try TransportEventLoop()
        defer { Task { await loop.shutdown() } }
        // Port 1 on loopback refuses at once: the error is connectFailed, not a timeout.
        do {
            _ = try await BrokerConnection.connect(to: BrokerAddress(host: "127.0.0.1", port: 1), loop: loop)
            Issue.record("connecting to a closed port succeeded")
        } catch let error as TransportError {
            guard case .connectFailed = error else { Issue.record("expected connectFailed, got \(error)"); return }
            #expect(error.isRetriable)
        }
    }
}
