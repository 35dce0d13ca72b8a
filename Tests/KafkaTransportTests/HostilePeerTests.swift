import KafkaTransport
import KafkaWire
import Testing

/// A broker that misbehaves must give a typed error within the timeout: never a crash, a hang,
/// or unbounded memory.
/// The request timeout the hostile-peer tests run with.
private let hostileTimeout = Duration.seconds(2)

/// A bound that only catches hangs. The tests prove *which* timeout fired through the typed error
/// (it names the duration); wall-clock bounds would measure how busy the machine's test pool is.
private let hangGuard = Duration.seconds(60)

@Suite("Hostile peers")
struct HostilePeerTests {
    func connect(to broker: FakeBroker, loop: TransportEventLoop, maximumResponseSize: Int = 1 << 20) async throws -> BrokerConnection {
        var configuration = ConnectionConfiguration()
        configuration.requestTimeout = hostileTimeout
        configuration.connectTimeout = hostileTimeout
        configuration.maximumResponseSize = maximumResponseSize
        return try await BrokerConnection.connect(to: broker.address, configuration: configuration, loop: loop)
    }

    /// Sends a Metadata request to a broker following `script` and returns the error it fails with.
    func failure(of script: @escaping @Sendable (Int32, Int16, Int16) -> FakeBroker.Reply) async throws -> TransportError? {
        let broker = try FakeBroker(script: script)
        defer { broker.stop() }
        let loop = try TransportEventLoop()
        let connection = try await connect(to: broker, loop: loop)
        let clock = ContinuousClock()
        let start = clock.now
        var caught: TransportError? = nil
        do {
            _ = try await connection.send(MetadataRequest())
        } catch let error as TransportError {
            caught = error
        }
        #expect(clock.now - start < hangGuard)
        #expect(connection.isClosed || caught.map { if case .malformedResponse = $0 { true } else { false } } == true)
        await loop.shutdown()
        return caught
    }

    @Test func aWellBehavedFakeAnswers() async throws {
        let broker = try FakeBroker { id, _, _ in .raw(FakeBroker.metadataResponse(correlationID: id)) }
        defer { broker.stop() }
        let loop = try TransportEventLoop()
        let connection = try await connect(to: broker, loop: loop)
        let response = try await connection.send(MetadataRequest())
        #expect(response.brokers.first?.nodeID == 1)
        await connection.close()
        await loop.shutdown()
    }

    @Test func truncatedFrameThenCloseFailsWithARetriableError() async throws {
        let error = try await failure { id, _, _ in
            .rawThenClose(Array(FakeBroker.metadataResponse(correlationID: id).dropLast(3)))
        }
        guard case .connectionClosed = error else { Issue.record("expected connectionClosed, got \(String(describing: error))"); return }
        #expect(error?.isRetriable == true)
    }

    @Test func wrongCorrelationIDIsRejected() async throws {
        let error = try await failure { id, _, _ in .raw(FakeBroker.metadataResponse(correlationID: id &+ 77)) }
        guard case let .correlationMismatch(expected, received) = error else {
            Issue.record("expected correlationMismatch, got \(String(describing: error))"); return
        }
        #expect(received == expected &+ 77)
    }

    @Test func negativeSizePrefixIsRejected() async throws {
        let error = try await failure { _, _, _ in .raw([0xFF, 0xFF, 0xFF, 0xF0, 1, 2, 3]) }
        #expect(error == .invalidFrameSize(-16, maximum: 1 << 20))
    }

    @Test func twoGibibyteSizePrefixIsRejectedWithoutAllocating() async throws {
        let error = try await failure { _, _, _ in .raw([0x7F, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0]) }
        #expect(error == .invalidFrameSize(Int(Int32.max), maximum: 1 << 20))
    }

    @Test func garbageIsRejected() async throws {
        // Frame-sized garbage: a plausible prefix, then bytes that are no Metadata response.
        let error = try await failure { id, _, _ in
            var bytes: [UInt8] = [0, 0, 0, 12]
            withUnsafeBytes(of: id.bigEndian) { bytes.append(contentsOf: $0) }
            bytes.append(contentsOf: [0xDE, 0xAD, 0xBE, 0xEF, 0xDE, 0xAD, 0xBE, 0xEF])
            return .raw(bytes)
        }
        guard case let .malformedResponse(api, _, _, decodingError, prefix) = error else {
            Issue.record("expected malformedResponse, got \(String(describing: error))"); return
        }
        #expect(api == .metadata)
        #expect(!prefix.isEmpty)
        _ = decodingError
    }

    @Test func connectionClosedMidResponse() async throws {
        let error = try await failure { id, _, _ in
            .rawThenClose(Array(FakeBroker.metadataResponse(correlationID: id).prefix(6)))
        }
        guard case .connectionClosed = error else { Issue.record("expected connectionClosed, got \(String(describing: error))"); return }
    }

    @Test func aBrokerThatNeverAnswersTimesOut() async throws {
        let error = try await failure { _, _, _ in .silence }
        guard case let .requestTimedOut(api, _, after) = error else {
            Issue.record("expected requestTimedOut, got \(String(describing: error))"); return
        }
        #expect(api == .metadata)
        #expect(after == hostileTimeout)
    }

    @Test func aBrokerThatClosesAtOnce() async throws {
        let error = try await failure { _, _, _ in .close }
        guard case .connectionClosed = error else { Issue.record("expected connectionClosed, got \(String(describing: error))"); return }
    }

    @Test func aBrokerThatNeverCompletesTheHandshakeTimesOutTheConnect() async throws {
        // Accepts, then never answers ApiVersions: connect must fail within the connect timeout.
        let listener = try SilentListener()
        defer { listener.stop() }
        let loop = try TransportEventLoop()
        var configuration = ConnectionConfiguration()
        configuration.connectTimeout = .seconds(1)
        let clock = ContinuousClock()
        let start = clock.now
        await #expect(throws: TransportError.connectTimedOut(listener.address, after: .seconds(1))) {
            _ = try await BrokerConnection.connect(to: listener.address, configuration: configuration, loop: loop)
        }
        #expect(clock.now - start < hangGuard)
        await loop.shutdown()
    }

    @Test func requestsInFlightAllFailWhenTheConnectionBreaks() async throws {
        let broker = try FakeBroker { _, _, _ in .silence }
        let loop = try TransportEventLoop()
        let connection = try await connect(to: broker, loop: loop)
        async let first: MetadataResponse = connection.send(MetadataRequest())
        async let second: MetadataResponse = connection.send(MetadataRequest())
        try await Task.sleep(for: .milliseconds(100))
        connection.closeNow()
        do {
            _ = try await first
            Issue.record("expected the first request to fail")
        } catch {
            #expect(error as? TransportError == .shutDown)
        }
        do {
            _ = try await second
            Issue.record("expected the second request to fail")
        } catch {
            #expect(error as? TransportError == .shutDown)
        }
        broker.stop()
        await loop.shutdown()
    }
}

/// Accepts connections and never says a word.
final class SilentListener: @unchecked Sendable {
    let broker: FakeBroker
    init() throws {
        broker = try FakeBroker(answersHandshake: false) { _, _, _ in .silence }
    }
    var address: BrokerAddress { BrokerAddress(host: "127.0.0.1", port: broker.port) }
    func stop() { broker.stop() }
}
