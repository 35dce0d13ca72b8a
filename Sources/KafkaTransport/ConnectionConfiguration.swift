import KafkaSecurity
import KafkaWire

/// Settings of one broker connection. The client layer builds these from its validated
/// configuration (`client.id`, `request.timeout.ms`, ...); defaults follow the Java client.
public struct ConnectionConfiguration: Sendable, Equatable {
    /// `client.id`: sent in every request header.
    public var clientID: String? = "swafka"
    /// Sent in ApiVersions v3+ (`client.software.name`); letters, digits, `.` and `-`.
    public var clientSoftwareName: String = "swafka"
    /// Sent in ApiVersions v3+ (`client.software.version`).
    public var clientSoftwareVersion: String = "0.1.0"
    /// `socket.connection.setup.timeout.ms`: the bound on resolving, connecting and negotiating.
    public var connectTimeout: Duration = .seconds(10)
    /// `request.timeout.ms`: the bound on waiting for a response.
    public var requestTimeout: Duration = .seconds(30)
    /// `connections.max.idle.ms`: a connection with nothing in flight for this long is closed; nil keeps it.
    public var idleTimeout: Duration? = .seconds(540)
    /// `max.in.flight.requests.per.connection`: requests written before their responses arrive.
    public var maxInFlightRequests: Int = 5
    /// `receive.message.max.bytes`: the largest response frame accepted.
    public var maximumResponseSize: Int = 100 * 1024 * 1024 + 512
    /// TCP options.
    public var socket = SocketOptions()
    /// TLS (`security.protocol` SSL or SASL_SSL): the loaded CAs and client identity every
    /// connection's session is made from; nil for plaintext. The handshake runs right after the TCP
    /// connect, within `connectTimeout`, and everything after it (ApiVersions included) is encrypted.
    public var tls: TLSContext? = nil
    /// SASL (`security.protocol` SASL_PLAINTEXT or SASL_SSL): when set, every connection authenticates
    /// right after version negotiation, before any other request, and re-authenticates (KIP-368) before
    /// the session lifetime the broker sets runs out. nil: no authentication.
    public var sasl: SaslConfiguration? = nil

    /// The defaults.
    public init() {}
}

/// The API versions a broker offers, from its ApiVersions response.
public struct BrokerApiVersions: Sendable, Equatable {
    /// The version range the broker supports for each API it offers.
    public let ranges: [ApiKey: ClosedRange<Int16>]

    /// Versions from a list of ranges.
    public init(ranges: [ApiKey: ClosedRange<Int16>]) {
        self.ranges = ranges
    }

    /// The highest version of `R`'s API that both this client and the broker support.
    public func version<R: KafkaRequest>(for _: R.Type) throws(TransportError) -> Int16 {
        try version(of: R.apiKey, ours: R.validVersions)
    }

    /// The highest version of `apiKey` within `ours` that the broker supports.
    public func version(of apiKey: ApiKey, ours: ClosedRange<Int16>) throws(TransportError) -> Int16 {
        guard let theirs = ranges[apiKey] else { throw .unsupportedVersion(api: apiKey, ours: ours, theirs: nil) }
        let high = min(ours.upperBound, theirs.upperBound)
        guard high >= max(ours.lowerBound, theirs.lowerBound) else {
            throw .unsupportedVersion(api: apiKey, ours: ours, theirs: theirs)
        }
        return high
    }
}
