@testable import KafkaTransport
import KafkaWire
import Testing

/// Event scripts for the connection state machine: no sockets, time passed in.
@Suite("Connection state machine")
struct ConnectionStateMachineTests {
    typealias Machine = ConnectionStateMachine<Int32>
    let address = BrokerAddress(host: "broker", port: 9092)
    let t0 = ContinuousClock.now

    func machine(maxInFlight: Int = 2, auth: Bool = false, idle: Duration? = nil) -> Machine {
        Machine(address: address, maxInFlight: maxInFlight, connectTimeout: .seconds(5), idleTimeout: idle,
                requiresAuthentication: auth)
    }

    func request(_ id: Int32, expectsResponse: Bool = true, timeout: Duration = .seconds(30)) -> Machine.Request {
        Machine.Request(correlationID: id, apiKey: .metadata, apiVersion: 12, frame: [1, 2, 3],
                        expectsResponse: expectsResponse, timeout: timeout, payload: id)
    }

    func frame(_ id: Int32) -> ResponseFrame {
        ResponseFrame(correlationID: id, header: ResponseHeader(correlationID: id), body: ByteSlice())
    }

    /// Drives a machine to ready: connect, negotiate.
    func ready(_ m: inout Machine) {
        _ = m.connectRequested(addressCount: 1, now: t0)
        _ = m.connected(now: t0)
        _ = m.submit(request(100), handshake: true, now: t0)
        _ = m.responseReceived(correlationID: 100, frame: frame(100), now: t0)
        _ = m.versionsNegotiated(errorCode: .none, brokerMaxApiVersionsVersion: 4, now: t0)
    }

    func writtenIDs(_ actions: [Machine.Action]) -> [Int32] {
        actions.flatMap { action -> [Int32] in
            if case let .write(requests) = action { return requests.map(\.correlationID) }
            return []
        }
    }

    func completed(_ actions: [Machine.Action]) -> [(Int32, Result<ResponseFrame, TransportError>)] {
        actions.flatMap { action -> [(Int32, Result<ResponseFrame, TransportError>)] in
            if case let .complete(list) = action { return list }
            return []
        }
    }

    @Test func connectsThenNegotiatesAtTheHighestApiVersionsVersion() {
        var m = machine()
        let start = m.connectRequested(addressCount: 2, now: t0)
        guard case .connect(index: 0) = start.first else { Issue.record("expected connect 0, got \(start)"); return }
        let afterConnect = m.connected(now: t0)
        guard case let .negotiate(version) = afterConnect.first else { Issue.record("expected negotiate"); return }
        #expect(version == ApiVersionsRequest.validVersions.upperBound)
    }

    @Test func requestsWaitUntilReady() {
        var m = machine()
        _ = m.connectRequested(addressCount: 1, now: t0)
        #expect(writtenIDs(m.submit(request(1), now: t0)).isEmpty)
        _ = m.connected(now: t0)
        _ = m.submit(request(100), handshake: true, now: t0)
        _ = m.responseReceived(correlationID: 100, frame: frame(100), now: t0)
        let actions = m.versionsNegotiated(errorCode: .none, brokerMaxApiVersionsVersion: 4, now: t0)
        #expect(writtenIDs(actions) == [1])
        #expect(m.isReady)
    }

    @Test func fallsBackWhenTheBrokerRejectsTheApiVersionsVersion() {
        var m = machine()
        _ = m.connectRequested(addressCount: 1, now: t0)
        _ = m.connected(now: t0)
        let retry = m.versionsNegotiated(errorCode: .unsupportedVersion, brokerMaxApiVersionsVersion: 2, now: t0)
        guard case .negotiate(version: 2) = retry.first else { Issue.record("expected negotiate v2, got \(retry)"); return }
        // Without the broker's range, one step down at a time.
        let again = m.versionsNegotiated(errorCode: .unsupportedVersion, brokerMaxApiVersionsVersion: nil, now: t0)
        guard case .negotiate(version: 1) = again.first else { Issue.record("expected negotiate v1, got \(again)"); return }
        let last = m.versionsNegotiated(errorCode: .unsupportedVersion, brokerMaxApiVersionsVersion: 0, now: t0)
        guard case .negotiate(version: 0) = last.first else { Issue.record("expected negotiate v0, got \(last)"); return }
        // At v0 there is nowhere left to go: UNSUPPORTED_VERSION fails the handshake.
        _ = m.versionsNegotiated(errorCode: .unsupportedVersion, brokerMaxApiVersionsVersion: nil, now: t0)
        if case .closed(.handshakeFailed) = m.state {} else { Issue.record("expected handshakeFailed, got \(m.state)") }
    }

    @Test func authenticationComesBeforeReady() {
        var m = machine(auth: true)
        _ = m.connectRequested(addressCount: 1, now: t0)
        _ = m.connected(now: t0)
        let actions = m.versionsNegotiated(errorCode: .none, brokerMaxApiVersionsVersion: 4, now: t0)
        guard case .authenticate = actions.first else { Issue.record("expected authenticate"); return }
        #expect(!m.isReady)
        _ = m.authenticated(now: t0)
        #expect(m.isReady)
    }

    @Test func triesTheNextAddressThenFails() {
        var m = machine()
        _ = m.connectRequested(addressCount: 2, now: t0)
        let next = m.connectFailed(SocketError("connect", code: 111), now: t0)
        #expect(next.contains { if case .connect(index: 1) = $0 { true } else { false } })
        _ = m.submit(request(7), now: t0)
        let last = m.connectFailed(SocketError("connect", code: 111), now: t0)
        let failures = completed(last)
        #expect(failures.count == 1)
        if case .failure(.connectFailed) = failures.first?.1 {} else { Issue.record("expected connectFailed, got \(failures)") }
    }

    @Test func connectTimesOut() {
        var m = machine()
        _ = m.connectRequested(addressCount: 1, now: t0)
        #expect(m.tick(now: t0 + .seconds(4)).isEmpty)
        _ = m.tick(now: t0 + .seconds(5))
        #expect(m.state == .closed(.connectTimedOut(address, after: .seconds(5))))
    }

    @Test func aHandshakeThatNeverAnswersIsAConnectTimeout() {
        var m = machine()
        _ = m.connectRequested(addressCount: 1, now: t0)
        _ = m.connected(now: t0)
        _ = m.submit(request(100, timeout: .seconds(5)), handshake: true, now: t0)
        _ = m.tick(now: t0 + .seconds(5))
        #expect(m.state == .closed(.connectTimedOut(address, after: .seconds(5))))
    }

    @Test func pipelinesUpToTheInFlightLimitInOrder() {
        var m = machine(maxInFlight: 2)
        ready(&m)
        #expect(writtenIDs(m.submit(request(1), now: t0)) == [1])
        #expect(writtenIDs(m.submit(request(2), now: t0)) == [2])
        #expect(writtenIDs(m.submit(request(3), now: t0)).isEmpty)
        #expect(m.queuedCount == 1)
        let answer = m.responseReceived(correlationID: 1, frame: frame(1), now: t0)
        #expect(completed(answer).map(\.0) == [1])
        #expect(writtenIDs(answer) == [3])
    }

    @Test func acksZeroRequestsTakeNoInFlightSlot() {
        var m = machine(maxInFlight: 1)
        ready(&m)
        _ = m.submit(request(1), now: t0)
        // The only slot is taken, yet an acks=0 request goes out: nothing would ever free a slot for it.
        #expect(writtenIDs(m.submit(request(2, expectsResponse: false), now: t0)) == [2])
        #expect(m.inFlightCount == 1)
        // A request that needs a slot still waits, and an acks=0 one behind it keeps its place in line.
        #expect(writtenIDs(m.submit(request(3), now: t0)).isEmpty)
        #expect(writtenIDs(m.submit(request(4, expectsResponse: false), now: t0)).isEmpty)
        #expect(writtenIDs(m.responseReceived(correlationID: 1, frame: frame(1), now: t0)) == [3, 4])
    }

    @Test func aMismatchedCorrelationIDClosesTheConnection() {
        var m = machine()
        ready(&m)
        _ = m.submit(request(1), now: t0)
        _ = m.submit(request(2), now: t0)
        let actions = m.responseReceived(correlationID: 2, frame: frame(2), now: t0)
        let failures = completed(actions)
        #expect(failures.map(\.0) == [1, 2])
        #expect(m.state == .closed(.correlationMismatch(expected: 1, received: 2)))
        #expect(actions.contains { if case .closeSocket = $0 { true } else { false } })
    }

    @Test func anUnsolicitedResponseClosesTheConnection() {
        var m = machine()
        ready(&m)
        _ = m.responseReceived(correlationID: 9, frame: frame(9), now: t0)
        #expect(m.state == .closed(.correlationMismatch(expected: -1, received: 9)))
    }

    @Test func aTimedOutRequestFailsEverythingInFlight() {
        var m = machine()
        ready(&m)
        _ = m.submit(request(1, timeout: .seconds(1)), now: t0)
        _ = m.submit(request(2, timeout: .seconds(10)), now: t0)
        #expect(m.nextDeadline == t0 + .seconds(1))
        #expect(m.tick(now: t0 + .milliseconds(999)).isEmpty)
        let actions = m.tick(now: t0 + .seconds(1))
        let failures = completed(actions)
        #expect(failures.map(\.0) == [1, 2])
        for (_, result) in failures {
            guard case let .failure(error) = result else { Issue.record("expected failure"); continue }
            #expect(error.isRetriable)
        }
    }

    @Test func ioFailureFailsInFlightAndQueuedWithARetriableError() {
        var m = machine(maxInFlight: 1)
        ready(&m)
        _ = m.submit(request(1), now: t0)
        _ = m.submit(request(2), now: t0)
        let failures = completed(m.ioFailed("reset"))
        #expect(failures.map(\.0) == [1, 2])
        #expect(failures.allSatisfy { if case let .failure(error) = $0.1 { error.isRetriable } else { false } })
        // Late submissions fail at once with the same error.
        let late = completed(m.submit(request(3), now: t0))
        #expect(late.count == 1)
    }

    @Test func gracefulCloseWaitsForInFlightResponses() {
        var m = machine()
        ready(&m)
        _ = m.submit(request(1), now: t0)
        _ = m.closeRequested(immediately: false)
        #expect(m.state == .closing)
        #expect(completed(m.submit(request(2), now: t0)).map(\.0) == [2])
        let actions = m.responseReceived(correlationID: 1, frame: frame(1), now: t0)
        #expect(completed(actions).map(\.0) == [1])
        #expect(m.state == .closed(.shutDown))
    }

    @Test func idleConnectionsClose() {
        var m = machine(idle: .seconds(60))
        ready(&m)
        #expect(m.nextDeadline == t0 + .seconds(60))
        _ = m.tick(now: t0 + .seconds(60))
        if case .closed = m.state {} else { Issue.record("expected closed, got \(m.state)") }
    }

    @Test func correlationIDsWrapBeforeOverflow() {
        var m = machine()
        for _ in 0..<3 { _ = m.nextCorrelationID() }
        #expect(m.nextCorrelationID() == 3)
    }
}

@Suite("Frame decoder")
struct FrameDecoderTests {
    @Test func splitsFramesAcrossArbitraryChunks() throws {
        let stream: [UInt8] = [0, 0, 0, 2, 0xAA, 0xBB, 0, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3]
        for split in 0...stream.count {
            var decoder = FrameDecoder(maximumFrameSize: 100)
            var frames = try decoder.feed(Array(stream[..<split]))
            frames += try decoder.feed(Array(stream[split...]))
            #expect(frames == [[0xAA, 0xBB], [], [1, 2, 3]], "split at \(split)")
            #expect(decoder.isIdle)
        }
    }

    @Test func refusesNegativeAndOversizedPrefixes() {
        var decoder = FrameDecoder(maximumFrameSize: 1024)
        #expect(throws: TransportError.invalidFrameSize(-1, maximum: 1024)) { _ = try decoder.feed([0xFF, 0xFF, 0xFF, 0xFF]) }
        var big = FrameDecoder(maximumFrameSize: 1024)
        #expect(throws: TransportError.invalidFrameSize(Int(Int32.max), maximum: 1024)) { _ = try big.feed([0x7F, 0xFF, 0xFF, 0xFF]) }
    }

    @Test func aPartialFrameIsHeldNotEmitted() throws {
        var decoder = FrameDecoder(maximumFrameSize: 1 << 30)
        #expect(try decoder.feed([0x10, 0, 0, 0, 1, 2]).isEmpty)  // announces 256 MiB, sends 2 bytes
        #expect(decoder.bufferedByteCount == 2)
    }
}
