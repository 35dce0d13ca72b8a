import KafkaWire

/// The life of one broker connection, as a pure state machine: events in, actions out.
///
/// `connecting → negotiatingVersions → [authenticating] → ready ⇄ [reauthenticating] → closing → closed`.
/// The machine also owns the request pipeline: requests wait in `queued` until the connection
/// is ready and an in-flight slot is free (`max.in.flight.requests.per.connection`), then move
/// to `inFlight` in write order. Kafka answers requests on a connection in the order they were
/// sent, so a response must match the oldest in-flight request, or the stream is out of sync.
/// Time is an argument, never read from a clock, so every transition is testable without sockets.
struct ConnectionStateMachine<Payload: Sendable>: Sendable {
    enum State: Sendable, Equatable {
        case idle
        /// Trying resolved address `index` of `count`; `deadline` bounds the whole attempt. With TLS,
        /// the owner reports `connected` only once the TLS handshake is done, so it counts as connecting.
        case connecting(index: Int, count: Int, deadline: ContinuousClock.Instant)
        /// ApiVersions at `version` is in flight.
        case negotiatingVersions(version: Int16)
        /// SASL runs (its requests are handshake requests); nothing else is written yet.
        case authenticating
        case ready
        /// KIP-368 re-authentication of a ready connection: requests already in flight are answered as
        /// usual, new ones wait in the queue until the new session is established (as the Java client holds them).
        case reauthenticating
        /// No new requests; closes once the in-flight ones are answered.
        case closing
        case closed(TransportError)
    }

    /// A request waiting for, or in, flight.
    struct Request: Sendable {
        let correlationID: Int32
        let apiKey: ApiKey
        let apiVersion: Int16
        /// The encoded frame; emptied once written, so in-flight bookkeeping holds no payload.
        var frame: [UInt8]
        /// False for acks=0 produce requests, which the broker never answers.
        let expectsResponse: Bool
        let timeout: Duration
        let payload: Payload
        /// When the request was written; its response deadline counts from then.
        var sentAt: ContinuousClock.Instant? = nil
    }

    /// What the owner must do after an event.
    enum Action: Sendable {
        /// Connect to resolved address `index`.
        case connect(index: Int)
        /// Write these frames, in order. Requests that expect no response complete once written.
        case write([Request])
        /// Start the ApiVersions handshake at `version` (the owner enqueues it as a request).
        case negotiate(version: Int16)
        /// Run authentication (SASL), then report `authenticated` or `failed`.
        case authenticate
        /// Complete these requests with these results.
        case complete([(Payload, Result<ResponseFrame, TransportError>)])
        /// Close the socket (the machine has already failed whatever was pending).
        case closeSocket
    }

    private(set) var state: State = .idle
    private var queued = FIFO<Request>()
    private var inFlight = FIFO<Request>()
    private var nextID: Int32 = 0
    let maxInFlight: Int
    let address: BrokerAddress
    let requiresAuthentication: Bool
    let connectTimeout: Duration
    let idleTimeout: Duration?
    private var lastActivity: ContinuousClock.Instant? = nil
    /// Bounds the (re-)authentication in progress: past it, the connection closes.
    private var authenticationDeadline: ContinuousClock.Instant? = nil
    /// When the SASL session should be renewed (85-95% of the broker's session lifetime); nil: never.
    private(set) var reauthenticateAt: ContinuousClock.Instant? = nil

    init(address: BrokerAddress, maxInFlight: Int, connectTimeout: Duration, idleTimeout: Duration?,
         requiresAuthentication: Bool) {
        self.address = address
        self.maxInFlight = max(1, maxInFlight)
        self.connectTimeout = connectTimeout
        self.idleTimeout = idleTimeout
        self.requiresAuthentication = requiresAuthentication
    }

    var isReady: Bool { state == .ready }
    var inFlightCount: Int { inFlight.count }
    var queuedCount: Int { queued.count }

    /// Hands out correlation ids: non-negative, wrapping before Int32.max.
    mutating func nextCorrelationID() -> Int32 {
        defer { nextID = nextID == Int32.max ? 0 : nextID + 1 }
        return nextID
    }

    // MARK: Connecting

    /// The owner resolved the host to `addressCount` addresses and wants to connect.
    mutating func connectRequested(addressCount: Int, now: ContinuousClock.Instant) -> [Action] {
        guard case .idle = state else { return [] }
        guard addressCount > 0 else {
            return fail(.connectFailed(address, SocketError("getaddrinfo", code: -2)))
        }
        state = .connecting(index: 0, count: addressCount, deadline: now + connectTimeout)
        return [.connect(index: 0)]
    }

    /// Resolution failed before any connect.
    mutating func resolutionFailed(_ error: SocketError) -> [Action] {
        fail(.resolutionFailed(address, error))
    }

    /// The TCP connection is up.
    mutating func connected(now: ContinuousClock.Instant) -> [Action] {
        guard case .connecting = state else { return [] }
        lastActivity = now
        state = .negotiatingVersions(version: ApiVersionsRequest.validVersions.upperBound)
        return [.negotiate(version: ApiVersionsRequest.validVersions.upperBound)]
    }

    /// Connecting to the current address failed; try the next one or give up.
    mutating func connectFailed(_ error: SocketError, now: ContinuousClock.Instant) -> [Action] {
        guard case let .connecting(index, count, deadline) = state else { return [] }
        if index + 1 < count && now < deadline {
            state = .connecting(index: index + 1, count: count, deadline: deadline)
            return [.closeSocket, .connect(index: index + 1)]
        }
        return fail(.connectFailed(address, error))
    }

    // MARK: Handshake

    /// The ApiVersions response arrived: `errorCode`, and the broker's highest ApiVersions version if it said.
    mutating func versionsNegotiated(errorCode: ErrorCode, brokerMaxApiVersionsVersion: Int16?, now: ContinuousClock.Instant) -> [Action] {
        guard case let .negotiatingVersions(version) = state else { return [] }
        if errorCode == .unsupportedVersion && version > 0 {
            // The broker answered in v0 format and may have said which versions it takes (KIP-511);
            // if it did not, step down one version (v3 keeps the client name, v0 would lose it).
            let next = min(version - 1, brokerMaxApiVersionsVersion ?? version - 1)
            state = .negotiatingVersions(version: max(next, 0))
            return [.negotiate(version: max(next, 0))]
        }
        guard errorCode == .none else { return fail(.handshakeFailed(address, errorCode, "ApiVersions")) }
        if requiresAuthentication {
            state = .authenticating
            authenticationDeadline = now + connectTimeout
            return [.authenticate]
        }
        return becomeReady(now: now)
    }

    /// Authentication (or re-authentication) succeeded; the session should be renewed after
    /// `reauthenticateAfter` (nil: the broker set no session lifetime).
    mutating func authenticated(now: ContinuousClock.Instant, reauthenticateAfter: Duration? = nil) -> [Action] {
        switch state {
        case .authenticating, .reauthenticating: break
        case .idle, .connecting, .negotiatingVersions, .ready, .closing, .closed: return []
        }
        authenticationDeadline = nil
        reauthenticateAt = reauthenticateAfter.map { now + $0 }
        return becomeReady(now: now)
    }

    /// Called before a request is submitted: when the session is due for renewal, moves to
    /// `reauthenticating` (new requests then queue) and returns true; the caller runs the SASL exchange
    /// within `timeout`, then reports `authenticated` or `handshakeFailed`.
    mutating func reauthenticationStarted(now: ContinuousClock.Instant, timeout: Duration) -> Bool {
        guard state == .ready, let reauthenticateAt, now >= reauthenticateAt else { return false }
        state = .reauthenticating
        self.reauthenticateAt = nil
        authenticationDeadline = now + timeout
        return true
    }

    private mutating func becomeReady(now: ContinuousClock.Instant) -> [Action] {
        state = .ready
        return pump(now: now)
    }

    // MARK: Requests

    /// A request is submitted at `now`. Handshake requests (`handshake: true`) skip the ready
    /// check and the queue: nothing else may go out before them.
    mutating func submit(_ request: Request, handshake: Bool = false, now: ContinuousClock.Instant) -> [Action] {
        switch state {
        case .closed(let error):
            return [.complete([(request.payload, .failure(error))])]
        case .closing:
            return [.complete([(request.payload, .failure(.shutDown))])]
        case .idle, .connecting, .negotiatingVersions, .authenticating, .ready, .reauthenticating:
            if handshake { return writeNow([request], now: now) }
            queued.append(request)
            return state == .ready ? pump(now: now) : []
        }
    }

    /// Moves queued requests into flight while slots are free. Requests that expect no response
    /// (acks=0) take no slot: nothing will free it.
    private mutating func pump(now: ContinuousClock.Instant) -> [Action] {
        var batch: [Request] = []
        var slotsTaken = 0
        while let next = queued.first {
            if next.expectsResponse && inFlight.count + slotsTaken >= maxInFlight { break }
            _ = queued.popFirst()
            batch.append(next)
            if next.expectsResponse { slotsTaken += 1 }
        }
        return batch.isEmpty ? [] : writeNow(batch, now: now)
    }

    /// Puts requests in flight; their response deadlines count from now (they are written at once).
    private mutating func writeNow(_ requests: [Request], now: ContinuousClock.Instant) -> [Action] {
        lastActivity = now
        for var request in requests where request.expectsResponse {
            request.sentAt = now
            request.frame = []
            inFlight.append(request)
        }
        return [.write(requests)]
    }

    /// A response frame arrived; `correlationID` is its first four bytes.
    mutating func responseReceived(correlationID: Int32, frame: ResponseFrame, now: ContinuousClock.Instant) -> [Action] {
        lastActivity = now
        guard let oldest = inFlight.first else {
            return fail(.correlationMismatch(expected: -1, received: correlationID))
        }
        guard oldest.correlationID == correlationID else {
            return fail(.correlationMismatch(expected: oldest.correlationID, received: correlationID))
        }
        _ = inFlight.popFirst()
        var actions: [Action] = [.complete([(oldest.payload, .success(frame))])]
        switch state {
        case .ready: actions += pump(now: now)
        case .closing where inFlight.isEmpty:
            state = .closed(.shutDown)
            actions += failQueued(.shutDown) + [.closeSocket]
        default: break
        }
        return actions
    }

    /// The API and version of the oldest in-flight request (the response header version depends on them).
    var oldestInFlight: (apiKey: ApiKey, apiVersion: Int16, correlationID: Int32)? {
        inFlight.first.map { ($0.apiKey, $0.apiVersion, $0.correlationID) }
    }

    // MARK: Ending

    /// The socket failed or the peer closed it.
    mutating func ioFailed(_ reason: String) -> [Action] {
        if case .connecting = state { return [] }  // the owner reports connectFailed instead
        if state == .authenticating || state == .reauthenticating {
            // Like Java's client: a broker that drops the connection mid-login may have rejected the
            // credentials (brokers before 1.0 do so) or not speak SASL on this listener; say where it happened.
            return fail(.connectionClosed(address, reason: reason + " during SASL authentication"))
        }
        return fail(.connectionClosed(address, reason: reason))
    }

    /// A protocol violation that leaves the stream unusable (bad frame size, undecodable header).
    mutating func streamCorrupted(_ error: TransportError) -> [Action] {
        fail(error)
    }

    /// The owner asks to close: gracefully waits for in-flight responses unless `immediately`.
    mutating func closeRequested(immediately: Bool) -> [Action] {
        switch state {
        case .closed: return []
        case .ready, .closing, .reauthenticating:
            if immediately || inFlight.isEmpty {
                return fail(.shutDown)
            }
            state = .closing
            return [.complete(queued.removeAll().map { ($0.payload, .failure(.shutDown)) })]
        case .idle, .connecting, .negotiatingVersions, .authenticating:
            return fail(.shutDown)
        }
    }

    /// Authentication or another handshake step failed.
    mutating func handshakeFailed(_ error: TransportError) -> [Action] {
        fail(error)
    }

    /// Checks deadlines: connect timeout, the oldest request's response timeout, idle timeout.
    mutating func tick(now: ContinuousClock.Instant) -> [Action] {
        switch state {
        case let .connecting(_, _, deadline) where now >= deadline:
            return fail(.connectTimedOut(address, after: connectTimeout))
        case .closed, .idle:
            return []
        default:
            break
        }
        if let authenticationDeadline, now >= authenticationDeadline {
            switch state {
            case .authenticating:
                return fail(.connectTimedOut(address, after: connectTimeout))
            case .reauthenticating:
                return fail(.connectionClosed(address, reason: "re-authentication did not finish in time"))
            case .idle, .connecting, .negotiatingVersions, .ready, .closing, .closed:
                break
            }
        }
        for request in inFlight.elements {
            if let sentAt = request.sentAt, now >= sentAt + request.timeout {
                switch state {
                case .negotiatingVersions, .authenticating:
                    // The handshake is part of connecting: report it as the connect timing out.
                    return fail(.connectTimedOut(address, after: connectTimeout))
                default:
                    return fail(.requestTimedOut(api: request.apiKey, correlationID: request.correlationID, after: request.timeout))
                }
            }
        }
        if state == .ready, inFlight.isEmpty, queued.isEmpty, let idleTimeout, let lastActivity,
           now >= lastActivity + idleTimeout {
            return fail(.connectionClosed(address, reason: "idle for \(idleTimeout)"))
        }
        return []
    }

    /// The earliest instant at which `tick` could change something.
    var nextDeadline: ContinuousClock.Instant? {
        switch state {
        case let .connecting(_, _, deadline): return deadline
        case .closed, .idle: return nil
        default: break
        }
        var candidates: [ContinuousClock.Instant] = []
        if state == .authenticating || state == .reauthenticating, let authenticationDeadline {
            candidates.append(authenticationDeadline)
        }
        // In-flight requests were sent in order with possibly different timeouts: check them all.
        for request in inFlight.elements {
            if let sentAt = request.sentAt { candidates.append(sentAt + request.timeout) }
        }
        if state == .ready, inFlight.isEmpty, queued.isEmpty, let idleTimeout, let lastActivity {
            candidates.append(lastActivity + idleTimeout)
        }
        return candidates.min()
    }

    private func failQueuedCompletions(_ error: TransportError, _ requests: [Request]) -> [(Payload, Result<ResponseFrame, TransportError>)] {
        requests.map { ($0.payload, .failure(error)) }
    }

    private mutating func failQueued(_ error: TransportError) -> [Action] {
        let waiting = queued.removeAll()
        return waiting.isEmpty ? [] : [.complete(failQueuedCompletions(error, waiting))]
    }

    /// Moves to `closed(error)`, failing every pending request with it.
    private mutating func fail(_ error: TransportError) -> [Action] {
        if case .closed = state { return [] }
        state = .closed(error)
        let pending = inFlight.removeAll() + queued.removeAll()
        var actions: [Action] = []
        if !pending.isEmpty { actions.append(.complete(failQueuedCompletions(error, pending))) }
        actions.append(.closeSocket)
        return actions
    }
}

/// A response as it came off the wire: header decoded, body still raw.
public struct ResponseFrame: Sendable {
    /// The correlation id it answers.
    public let correlationID: Int32
    /// The response header.
    public let header: ResponseHeader
    /// The body bytes, a slice of the frame.
    public let body: ByteSlice
}
