import KafkaTransport
import KafkaWire
import Logging
import Metrics
import Synchronization

/// The client's logging and metrics, and the connections' observer (the protocol trace).
///
/// Debug contexts (`debug` setting) can be switched at runtime; lines of an enabled context are
/// logged at debug level through a copy of the client's logger whose level lets them through, as
/// librdkafka raises its log level when `debug` is set.
///
/// Metrics (swift-metrics, every one with a `client_id` dimension):
/// - `swafka_requests_total` (api, broker): requests sent.
/// - `swafka_request_errors_total` (api, error): error codes found in responses, and failed attempts
///   (`error` is then the transport failure's kind).
/// - `swafka_request_duration` (api): a timer from the request's submission to its decoded response.
/// - `swafka_bytes_sent_total` / `swafka_bytes_received_total` (broker): frame bytes on the wire.
/// - `swafka_reconnects_total` (broker): connects to a broker that had a connection or failed before.
/// - `swafka_connect_failures_total` (broker), `swafka_metadata_refreshes_total`.
final class ClientObserver: ConnectionObserver {
    let logger: Logger
    private let debugLogger: Logger
    private let debugBits: Atomic<UInt32>
    private let clientID: String
    /// Requests whose response line is still due: when each was sent and how big its response was.
    private let pending = Mutex<[PendingKey: (sentAt: ContinuousClock.Instant, responseBytes: Int?)]>([:])
    /// Node ids by address, for naming brokers in trace lines (`1@host:port`).
    private let nodeIDs = Mutex<[BrokerAddress: Int32]>([:])
    /// Bounds `pending` when responses never come (timeouts): past this the oldest lines lose their latency.
    private static let pendingLimit = 4096

    private struct PendingKey: Hashable {
        let broker: BrokerAddress
        let correlationID: Int32
    }

    init(logger: Logger, clientID: String, debug: DebugContexts) {
        self.logger = logger
        var debugLogger = logger
        debugLogger.logLevel = min(logger.logLevel, .debug)
        self.debugLogger = debugLogger
        self.debugBits = Atomic(debug.rawValue)
        self.clientID = clientID
    }

    // MARK: Debug contexts

    var debug: DebugContexts {
        get { DebugContexts(rawValue: debugBits.load(ordering: .relaxed)) }
        set { debugBits.store(newValue.rawValue, ordering: .relaxed) }
    }

    func isEnabled(_ context: DebugContexts) -> Bool { debug.contains(context) }

    /// Logs `message` at debug level when `context` is enabled.
    func debug(_ context: DebugContexts, _ message: @autoclosure () -> Logger.Message,
               metadata: @autoclosure () -> Logger.Metadata? = nil) {
        guard isEnabled(context) else { return }
        debugLogger.debug(message(), metadata: metadata())
    }

    func brokersChanged(_ brokers: [BrokerMetadata]) {
        nodeIDs.withLock { map in
            map.removeAll(keepingCapacity: true)
            for broker in brokers { map[broker.address] = broker.nodeID }
        }
    }

    private func name(_ broker: BrokerAddress) -> String {
        if let id = nodeIDs.withLock({ $0[broker] }) { return "\(id)@\(broker)" }
        return "\(broker)"
    }

    // MARK: ConnectionObserver (the protocol trace)

    func requestSent(apiKey: ApiKey, apiVersion: Int16, correlationID: Int32, broker: BrokerAddress, bytes: Int) {
        Counter(label: "swafka_bytes_sent_total", dimensions: [("client_id", clientID), ("broker", "\(broker)")])
            .increment(by: bytes)
        guard isEnabled(.protocol) else { return }
        pending.withLock { pending in
            if pending.count >= Self.pendingLimit { pending.removeAll(keepingCapacity: true) }
            pending[PendingKey(broker: broker, correlationID: correlationID)] = (.now, nil)
        }
        debugLogger.debug("Sent \(apiKey.name)Request (v\(apiVersion), \(bytes) bytes, CorrId \(correlationID)) to \(name(broker))",
                          metadata: ["kafka.broker": "\(broker)"])
    }

    func responseReceived(apiKey: ApiKey, apiVersion: Int16, correlationID: Int32, broker: BrokerAddress, bytes: Int) {
        Counter(label: "swafka_bytes_received_total", dimensions: [("client_id", clientID), ("broker", "\(broker)")])
            .increment(by: bytes)
        guard isEnabled(.protocol) else { return }
        pending.withLock { pending in
            let key = PendingKey(broker: broker, correlationID: correlationID)
            if let entry = pending[key] { pending[key] = (entry.sentAt, bytes) }
        }
    }

    func responseDecoded<Response: KafkaResponse>(_ response: Response, apiVersion: Int16, correlationID: Int32,
                                                  broker: BrokerAddress) {
        let codes = ErrorCodeCollector.errorCodes(in: response, version: apiVersion)
        for code in codes {
            Counter(label: "swafka_request_errors_total",
                    dimensions: [("client_id", clientID), ("api", Response.apiKey.name), ("error", code.name)]).increment()
        }
        guard isEnabled(.protocol) else { return }
        let entry = pending.withLock { $0.removeValue(forKey: PendingKey(broker: broker, correlationID: correlationID)) }
        var line = "Received \(Response.apiKey.name)Response (v\(apiVersion)"
        if let bytes = entry?.responseBytes { line += ", \(bytes) bytes" }
        line += ", CorrId \(correlationID)"
        if let sentAt = entry?.sentAt { line += ", rtt \(formatMilliseconds(.now - sentAt))" }
        line += ") from \(name(broker))"
        line += codes.isEmpty ? "" : ": errors \(codes.summary)"
        debugLogger.debug("\(line)", metadata: ["kafka.broker": "\(broker)"])
    }

    // MARK: Metrics the client records

    func requestCompleted(api: ApiKey, broker: Int32?, duration: Duration) {
        let brokerName = broker.map(String.init) ?? "bootstrap"
        Counter(label: "swafka_requests_total", dimensions: [("client_id", clientID), ("api", api.name), ("broker", brokerName)])
            .increment()
        Timer(label: "swafka_request_duration", dimensions: [("client_id", clientID), ("api", api.name)])
            .record(duration: duration)
    }

    func requestFailed(api: ApiKey, error: KafkaClientError) {
        let kind: String
        switch error {
        case let .transport(transport): kind = "transport." + transport.kindName
        case let .broker(kafka, _): kind = kafka.code.name
        default: kind = "client"
        }
        Counter(label: "swafka_request_errors_total", dimensions: [("client_id", clientID), ("api", api.name), ("error", kind)])
            .increment()
    }

    func reconnecting(to key: PoolKey) {
        Counter(label: "swafka_reconnects_total", dimensions: [("client_id", clientID), ("broker", "\(key)")]).increment()
    }

    func connectFailed(to key: PoolKey) {
        Counter(label: "swafka_connect_failures_total", dimensions: [("client_id", clientID), ("broker", "\(key)")]).increment()
    }

    func metadataRefreshed() {
        Counter(label: "swafka_metadata_refreshes_total", dimensions: [("client_id", clientID)]).increment()
    }
}

/// `1.234ms`.
func formatMilliseconds(_ duration: Duration) -> String {
    let (seconds, attoseconds) = duration.components
    let micros = seconds * 1_000_000 + attoseconds / 1_000_000_000_000
    let whole = micros / 1000
    let fraction = abs(micros % 1000)
    let padded = String(fraction).count < 3 ? String(repeating: "0", count: 3 - String(fraction).count) + String(fraction) : String(fraction)
    return "\(whole).\(padded)ms"
}

extension TransportError {
    /// A short name for the failure's kind, for metric dimensions.
    var kindName: String {
        switch self {
        case .resolutionFailed: "resolution_failed"
        case .connectFailed: "connect_failed"
        case .connectTimedOut: "connect_timed_out"
        case .requestTimedOut: "request_timed_out"
        case .connectionClosed: "connection_closed"
        case .invalidFrameSize: "invalid_frame_size"
        case .correlationMismatch: "correlation_mismatch"
        case .malformedResponse: "malformed_response"
        case .encodingFailed: "encoding_failed"
        case .unsupportedVersion: "unsupported_version"
        case .tlsFailed: "tls_failed"
        case .handshakeFailed: "handshake_failed"
        case .authenticationFailed: "authentication_failed"
        case .shutDown: "shut_down"
        case .cancelled: "cancelled"
        }
    }
}
