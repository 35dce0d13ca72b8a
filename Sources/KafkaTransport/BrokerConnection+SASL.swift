import KafkaSecurity
import KafkaWire
import Synchronization

// The authenticate step (SASL_PLAINTEXT, and SASL_SSL over whatever byte stream the connection has):
// SaslHandshake v1 and SaslAuthenticate rounds, run by `SaslClientExchange` (KafkaSecurity, no I/O) and
// carried here as ordinary Kafka frames. It sits above framing, so it runs unchanged over TCP or TLS.
//
// - First authentication: the connecting task runs it once ApiVersions is answered; the machine is in
//   `authenticating`, so no other request is written before it ends. Bounded by the connect timeout.
// - Re-authentication (KIP-368): when the broker set a session lifetime, the first request submitted
//   after 85-95% of it (chosen at random per session, as Kafka's Java client does) moves the machine to
//   `reauthenticating` and runs the exchange on its own task before sending. Requests already in flight
//   are answered normally (their responses come before the handshake's); new ones wait in the queue and
//   go out, in order, once the new session is established. Bounded by the request timeout.
// - A failure closes the connection with `TransportError.authenticationFailed` (never retriable), which
//   every waiting request receives too. Nothing here logs or describes a credential: the frames carry
//   them, and the protocol trace records only sizes and error codes.

extension BrokerConnection {
    /// Runs the SASL exchange on this connection, which the machine holds in `authenticating` or
    /// `reauthenticating`; reports the outcome to the machine, and throws the failure.
    func authenticate(with sasl: SaslConfiguration) async throws(TransportError) {
        let mechanismName = sasl.mechanism.rawValue
        let mechanism: any SaslClientMechanism
        do {
            mechanism = try await sasl.makeMechanism()
        } catch {
            // A token provider that gave up because this task was cancelled says nothing about the
            // credentials: close with a retriable error, so requests waiting on the connection go elsewhere.
            if Task.isCancelled {
                throw failAuthentication(.connectionClosed(address, reason: "SASL authentication cancelled"))
            }
            throw failAuthentication(.authenticationFailed(address, mechanism: mechanismName, error))
        }
        let authenticateVersion: Int16
        do throws(TransportError) {
            guard let versions = apiVersions else { throw closeReason ?? TransportError.shutDown }
            // v0 of SaslHandshake is the legacy, unframed exchange, which this client does not speak.
            _ = try versions.version(of: .saslHandshake, ours: SaslClientExchange.handshakeVersion...SaslClientExchange.handshakeVersion)
            authenticateVersion = try versions.version(for: SaslAuthenticateRequest.self)
        } catch {
            throw failAuthentication(error)
        }
        var exchange = SaslClientExchange(mechanism: mechanism)
        var action = exchange.start()
        while true {
            switch action {
            case let .sendHandshake(request):
                let response = try await saslRoundTrip(request, version: SaslClientExchange.handshakeVersion)
                action = exchange.handshakeResponseReceived(response)
            case let .sendAuthenticate(request):
                let response = try await saslRoundTrip(request, version: authenticateVersion)
                action = exchange.authenticateResponseReceived(response)
            case let .authenticated(session):
                let renewal = session.reauthenticationDelay(jitter: Double.random(in: 0...1))
                perform(core.withLock { core in
                    core.enqueueWrites(core.machine.authenticated(now: .now, reauthenticateAfter: renewal),
                                       observer: observer, broker: address)
                })
                if case let .closed(error) = core.withLock({ $0.machine.state }) { throw error }
                return
            case let .failed(error):
                throw failAuthentication(.authenticationFailed(address, mechanism: exchange.mechanismName, error))
            }
        }
    }

    /// Re-authenticates first when the session is due for renewal (KIP-368); returns at once otherwise.
    /// A caller arriving while another runs the renewal just queues its request behind it.
    func reauthenticateIfDue() async throws(TransportError) {
        guard let sasl = configuration.sasl else { return }
        let timeout = configuration.requestTimeout
        let now = ContinuousClock.now
        guard core.withLock({ $0.machine.reauthenticationStarted(now: now, timeout: timeout) }) else { return }
        loop.deadlineAdded(now + timeout)
        try await authenticate(with: sasl)
    }

    /// Closes the connection with `error` (failing whatever waits on it) and returns the error to throw.
    private func failAuthentication(_ error: TransportError) -> TransportError {
        perform(core.withLock { $0.machine.handshakeFailed(error) })
        // A broker's verdict stands even if it hung up right after giving it (Kafka closes the connection
        // after a failed login, and the close may be read before this task runs). Otherwise the machine may
        // have closed for another reason first (a timeout): report that one.
        if case .authenticationFailed = error { return error }
        return closeReason ?? error
    }

    /// Sends one SASL request ahead of the queue and waits for its response. Not cancellable: leaving
    /// the exchange half done would leave the connection neither authenticated nor closed; every wait is
    /// bounded by the request's timeout and the machine's authentication deadline instead.
    private func saslRoundTrip<Request: KafkaRequest>(_ request: Request, version: Int16) async throws(TransportError)
        -> Request.Response {
        let correlationID = core.withLock { $0.machine.nextCorrelationID() }
        let frame: [UInt8]
        do {
            frame = try encodeFrame(request, version: version, correlationID: correlationID)
        } catch {
            throw failAuthentication(error as? TransportError ?? .shutDown)
        }
        let timeout = min(configuration.connectTimeout, configuration.requestTimeout)
        let pending = ConnectionStateMachine<Int32>.Request(
            correlationID: correlationID, apiKey: Request.apiKey, apiVersion: version, frame: frame,
            expectsResponse: true, timeout: timeout, payload: correlationID)
        let responseFrame: ResponseFrame
        do {
            responseFrame = try await withCheckedThrowingContinuation { continuation in
                let actions = core.withLock { core in
                    core.waiters[correlationID] = .caller(continuation)
                    return core.enqueueWrites(core.machine.submit(pending, handshake: true, now: .now),
                                              observer: observer, broker: address)
                }
                perform(actions)
                loop.deadlineAdded(.now + timeout)
            }
        } catch {
            throw error as? TransportError ?? closeReason ?? .shutDown
        }
        do {
            let response = try Request.Response(decoding: responseFrame.body, version: version)
            observer?.responseDecoded(response, apiVersion: version, correlationID: responseFrame.correlationID,
                                      broker: address)
            return response
        } catch {
            // Never include the payload: a SaslAuthenticate response carries the mechanism's secrets.
            throw failAuthentication(.malformedResponse(api: Request.apiKey, version: version,
                                                        correlationID: responseFrame.correlationID, error: error,
                                                        payloadPrefix: ByteSlice()))
        }
    }
}
