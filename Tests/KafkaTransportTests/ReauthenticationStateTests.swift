import KafkaSecurity
@testable import KafkaTransport
import KafkaWire
import Testing

/// KIP-368 in the connection state machine: when a session is due for renewal, new requests wait while
/// the SASL exchange runs ahead of them; requests already in flight are answered in order.
@Suite("Connection state machine: SASL and re-authentication")
struct ReauthenticationStateTests {
    typealias Machine = ConnectionStateMachine<Int32>
    let address = BrokerAddress(host: "broker", port: 9092)
    let t0 = ContinuousClock.now

    func request(_ id: Int32) -> Machine.Request {
        Machine.Request(correlationID: id, apiKey: .metadata, apiVersion: 12, frame: [1], expectsResponse: true,
                        timeout: .seconds(30), payload: id)
    }

    func frame(_ id: Int32) -> ResponseFrame {
        ResponseFrame(correlationID: id, header: ResponseHeader(correlationID: id), body: ByteSlice())
    }

    func written(_ actions: [Machine.Action]) -> [Int32] {
        actions.flatMap { action -> [Int32] in
            if case let .write(requests) = action { return requests.map(\.correlationID) }
            return []
        }
    }

    /// A machine that authenticated at t0 with renewal due after `renewal`.
    func authenticated(renewal: Duration?) -> Machine {
        var m = Machine(address: address, maxInFlight: 5, connectTimeout: .seconds(5), idleTimeout: nil,
                        requiresAuthentication: true)
        _ = m.connectRequested(addressCount: 1, now: t0)
        _ = m.connected(now: t0)
        _ = m.submit(request(100), handshake: true, now: t0)
        _ = m.responseReceived(correlationID: 100, frame: frame(100), now: t0)
        _ = m.versionsNegotiated(errorCode: .none, brokerMaxApiVersionsVersion: 4, now: t0)
        #expect(m.state == .authenticating)
        // The exchange's own requests go out while the machine authenticates.
        #expect(written(m.submit(request(101), handshake: true, now: t0)) == [101])
        _ = m.responseReceived(correlationID: 101, frame: frame(101), now: t0)
        _ = m.authenticated(now: t0, reauthenticateAfter: renewal)
        #expect(m.isReady)
        return m
    }

    @Test func requestsWaitWhileAuthenticating() {
        var m = Machine(address: address, maxInFlight: 5, connectTimeout: .seconds(5), idleTimeout: nil,
                        requiresAuthentication: true)
        _ = m.connectRequested(addressCount: 1, now: t0)
        _ = m.connected(now: t0)
        _ = m.submit(request(100), handshake: true, now: t0)
        _ = m.responseReceived(correlationID: 100, frame: frame(100), now: t0)
        _ = m.versionsNegotiated(errorCode: .none, brokerMaxApiVersionsVersion: 4, now: t0)
        #expect(written(m.submit(request(1), now: t0)).isEmpty, "nothing but SASL before the login")
        #expect(written(m.authenticated(now: t0)) == [1])
    }

    @Test func noRenewalWithoutASessionLifetime() {
        var m = authenticated(renewal: nil)
        let started1 = m.reauthenticationStarted(now: t0 + .seconds(3600), timeout: .seconds(30))
        #expect(!started1)
        #expect(m.reauthenticateAt == nil)
    }

    @Test func renewalHoldsNewRequestsButNotTheInFlightOnes() {
        var m = authenticated(renewal: .seconds(2))
        #expect(written(m.submit(request(1), now: t0)) == [1])
        let started2 = m.reauthenticationStarted(now: t0 + .seconds(1), timeout: .seconds(30))
        #expect(!started2, "not due yet")
        let due = t0 + .seconds(2)
        let started3 = m.reauthenticationStarted(now: due, timeout: .seconds(30))
        #expect(started3)
        #expect(m.state == .reauthenticating)
        let started4 = m.reauthenticationStarted(now: due, timeout: .seconds(30))
        #expect(!started4, "one renewal at a time")
        // A new request queues; the handshake goes out behind request 1, which is still in flight.
        #expect(written(m.submit(request(2), now: due)).isEmpty)
        #expect(written(m.submit(request(102), handshake: true, now: due)) == [102])
        // Request 1's answer arrives first and completes normally; nothing is pumped yet.
        let first = m.responseReceived(correlationID: 1, frame: frame(1), now: due)
        #expect(written(first).isEmpty)
        #expect(first.contains { if case .complete = $0 { true } else { false } })
        _ = m.responseReceived(correlationID: 102, frame: frame(102), now: due)
        // The new session: queued request 2 goes out, and the next renewal is scheduled.
        #expect(written(m.authenticated(now: due, reauthenticateAfter: .seconds(2))) == [2])
        #expect(m.reauthenticateAt == due + .seconds(2))
    }

    @Test func aRenewalThatNeverFinishesClosesTheConnection() {
        var m = authenticated(renewal: .seconds(1))
        let due = t0 + .seconds(1)
        let started5 = m.reauthenticationStarted(now: due, timeout: .seconds(10))
        #expect(started5)
        _ = m.submit(request(2), now: due)
        #expect(m.nextDeadline == due + .seconds(10))
        let actions = m.tick(now: due + .seconds(10))
        let failures = actions.flatMap { action -> [(Int32, Result<ResponseFrame, TransportError>)] in
            if case let .complete(list) = action { return list }
            return []
        }
        #expect(failures.map(\.0) == [2])
        guard case .closed(.connectionClosed) = m.state else {
            Issue.record("expected a retriable close, got \(m.state)")
            return
        }
    }

    @Test func aLoginThatNeverFinishesIsAConnectTimeout() {
        var m = Machine(address: address, maxInFlight: 5, connectTimeout: .seconds(5), idleTimeout: nil,
                        requiresAuthentication: true)
        _ = m.connectRequested(addressCount: 1, now: t0)
        _ = m.connected(now: t0)
        _ = m.submit(request(100), handshake: true, now: t0)
        _ = m.responseReceived(correlationID: 100, frame: frame(100), now: t0)
        _ = m.versionsNegotiated(errorCode: .none, brokerMaxApiVersionsVersion: 4, now: t0)
        #expect(m.nextDeadline == t0 + .seconds(5))
        _ = m.tick(now: t0 + .seconds(5))
        #expect(m.state == .closed(.connectTimedOut(address, after: .seconds(5))))
    }

    @Test func anAuthenticationFailureFailsWhatWaits() {
        var m = authenticated(renewal: .seconds(1))
        let started6 = m.reauthenticationStarted(now: t0 + .seconds(1), timeout: .seconds(10))
        #expect(started6)
        _ = m.submit(request(3), now: t0 + .seconds(1))
        let error = TransportError.authenticationFailed(address, mechanism: "PLAIN", .authenticationFailed(brokerMessage: "no"))
        let actions = m.handshakeFailed(error)
        let failures = actions.flatMap { action -> [(Int32, Result<ResponseFrame, TransportError>)] in
            if case let .complete(list) = action { return list }
            return []
        }
        #expect(failures.count == 1)
        if case .failure(error) = failures.first?.1 {} else { Issue.record("expected the SASL error, got \(failures)") }
        #expect(!error.isRetriable)
        #expect(error.saslErrorCode == .saslAuthenticationFailed)
    }
}

