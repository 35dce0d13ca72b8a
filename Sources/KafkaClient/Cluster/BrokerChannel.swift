import KafkaTransport
import KafkaWire

/// A ready connection to one broker, as the cluster logic sees it: "send this request to this broker".
///
/// `BrokerConnection` is the real one; tests substitute an in-memory channel so that bootstrap,
/// routing, retries and coalescing are tested without sockets.
public protocol BrokerChannel: AnyObject, Sendable {
    /// The versions the broker offers (nil only if the connection never became ready).
    var apiVersions: BrokerApiVersions? { get }
    /// True once the connection has closed for good; the pool then drops it and reconnects.
    var isClosed: Bool { get }
    /// Sends `request` at `version` and waits at most `timeout` for the response.
    func send<Request: KafkaRequest>(_ request: Request, version: Int16?, timeout: Duration?) async throws -> Request.Response
    /// Sends `request` as `send(_:version:timeout:)`, calling `submitted` once the request holds its
    /// place in the connection's order (or failed before), so a caller can put the next request
    /// behind it without waiting for the response.
    func send<Request: KafkaRequest>(_ request: Request, version: Int16?, timeout: Duration?,
                                     submitted: () -> Void) async throws -> Request.Response
    /// Sends a request the broker does not answer (Produce with acks=0), calling `submitted` as
    /// above; returns once it is written.
    func sendWithoutResponse<Request: KafkaRequest>(_ request: Request, version: Int16?,
                                                    submitted: () -> Void) async throws
    /// Closes the connection now, failing what is in flight.
    func closeNow()
}

extension BrokerChannel {
    /// For channels that answer in order anyway (in-memory fakes): the request is "submitted" at once.
    public func send<Request: KafkaRequest>(_ request: Request, version: Int16?, timeout: Duration?,
                                            submitted: () -> Void) async throws -> Request.Response {
        submitted()
        return try await send(request, version: version, timeout: timeout)
    }

    /// For in-memory fakes: sends and drops the answer.
    public func sendWithoutResponse<Request: KafkaRequest>(_ request: Request, version: Int16?,
                                                           submitted: () -> Void) async throws {
        submitted()
        _ = try await send(request, version: version, timeout: nil)
    }
}

/// Opens channels to brokers.
public protocol BrokerConnector: Sendable {
    /// Connects to `address`, negotiates versions, and returns a ready channel; throws a
    /// `TransportError` (or any error) when the broker cannot be reached.
    func connect(to address: BrokerAddress, nodeID: Int32?) async throws -> any BrokerChannel
    /// Releases what the connector owns (the event loop thread); called once by the client's `shutdown()`.
    func shutdown() async
}

extension BrokerConnection: BrokerChannel {}

/// The real connector: one `TransportEventLoop` thread for every broker connection of one client.
public final class SocketConnector: BrokerConnector {
    /// The loop all connections of this connector share.
    public let loop: TransportEventLoop
    let configuration: ConnectionConfiguration
    let observer: (any ConnectionObserver)?

    /// A connector with a loop thread of its own; throws when the loop's epoll or eventfd cannot be created.
    public init(configuration: ConnectionConfiguration, observer: (any ConnectionObserver)?) throws(SocketError) {
        loop = try TransportEventLoop(name: "swafka-io")
        self.configuration = configuration
        self.observer = observer
    }

    public func connect(to address: BrokerAddress, nodeID: Int32?) async throws -> any BrokerChannel {
        try await BrokerConnection.connect(to: address, configuration: configuration, loop: loop, observer: observer)
    }

    public func shutdown() async {
        await loop.shutdown()
    }
}
