import KafkaSecurity
import KafkaTransport
import KafkaWire

/// The settings every Kafka client (admin, producer, consumer) shares: where the cluster is, and how
/// to talk to it.
///
/// Set the typed properties, or build one from a property map with Kafka's names
/// (`try ClientConfiguration(properties: ["bootstrap.servers": "localhost:9092"])`). Defaults follow
/// the Java client where it and librdkafka differ, except where noted. The client validates the
/// configuration when it is created: an invalid value fails there, naming the setting.
public struct ClientConfiguration: Sendable, Equatable {
    /// `bootstrap.servers`: brokers to start from; one reachable broker is enough, the rest is discovered.
    public var bootstrapServers: [BrokerAddress]
    /// `client.id`: sent in every request header, and found in the brokers' logs and quotas.
    public var clientID: String = "swafka"
    /// `client.software.name`: sent in ApiVersions (v3+).
    public var clientSoftwareName: String = "swafka"
    /// `client.software.version`: sent in ApiVersions (v3+).
    public var clientSoftwareVersion: String = "0.1.0"
    /// `request.timeout.ms`: how long to wait for one response before the attempt fails (and may be retried).
    public var requestTimeout: Duration = .seconds(30)
    /// `socket.connection.setup.timeout.ms`: the bound on resolving, connecting and negotiating versions.
    public var connectionSetupTimeout: Duration = .seconds(10)
    /// `metadata.max.age.ms` (alias `topic.metadata.refresh.interval.ms`): cached metadata older than
    /// this is refreshed before it is used; nil never refreshes by age (only after errors).
    public var metadataMaxAge: Duration? = .seconds(300)
    /// `retry.backoff.ms`: the first wait before retrying a failed request; doubles up to `retryBackoffMax`.
    public var retryBackoff: Duration = .milliseconds(100)
    /// `retry.backoff.max.ms`: the longest wait between retries.
    public var retryBackoffMax: Duration = .seconds(1)
    /// `reconnect.backoff.ms`: the first wait before reconnecting to a broker that failed; doubles up to the max.
    public var reconnectBackoff: Duration = .milliseconds(50)
    /// `reconnect.backoff.max.ms`: the longest wait before reconnecting.
    public var reconnectBackoffMax: Duration = .seconds(1)
    /// `connections.max.idle.ms`: idle connections are closed after this; nil keeps them.
    public var connectionsMaxIdle: Duration? = .seconds(540)
    /// `max.in.flight.requests.per.connection`: requests written to one connection before their responses.
    public var maxInFlightRequestsPerConnection: Int = 5
    /// `receive.message.max.bytes`: the largest response frame accepted.
    public var receiveMessageMaxBytes: Int = 100_000_000
    /// `socket.send.buffer.bytes`: SO_SNDBUF; nil keeps the system default.
    public var socketSendBufferBytes: Int? = nil
    /// `socket.receive.buffer.bytes`: SO_RCVBUF; nil keeps the system default.
    public var socketReceiveBufferBytes: Int? = nil
    /// `socket.nagle.disable`: TCP_NODELAY. On by default, as in the Java client (librdkafka defaults to off).
    public var socketNagleDisable: Bool = true
    /// `socket.keepalive.enable`: SO_KEEPALIVE.
    public var socketKeepaliveEnable: Bool = false
    /// `default.api.timeout.ms`: the deadline of a client operation (all its retries) when the call gives none.
    public var defaultApiTimeout: Duration = .seconds(60)
    /// `allow.auto.create.topics`: whether Metadata requests may make the broker auto-create a topic.
    public var allowAutoCreateTopics: Bool = false
    /// `debug`: which debug contexts log (`protocol` traces every request and response).
    public var debug: DebugContexts = []
    /// `api.version.max` (Swafka's own): the highest version to use per API, below what the broker
    /// and this client negotiate. For working around a broker that answers some version wrongly;
    /// empty by default.
    public var apiVersionCaps: [ApiKey: Int16] = [:]
    /// `security.protocol`: PLAINTEXT, or SSL for TLS under the Kafka framing (`ssl` says how).
    public var securityProtocol: SecurityProtocol = .plaintext
    /// The `ssl.*` settings, used when `securityProtocol` is SSL (or SASL_SSL).
    public var ssl = TLSConfiguration()
    /// `sasl.mechanism` (librdkafka: `sasl.mechanisms`): PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER;
    /// required with a SASL security protocol (the Java and librdkafka default, GSSAPI, is not implemented).
    public var saslMechanism: SaslMechanismName? = nil
    /// `sasl.username` and `sasl.password`, for PLAIN and SCRAM. The password never appears in a
    /// description, a log line, an error or `-X dump`.
    public var saslCredentials = SaslCredentials(username: "", password: "")
    /// The OAUTHBEARER token source (no property sets it): asked for a token before every authentication
    /// and re-authentication; `CachingOAuthBearerTokenProvider` refreshes a token before it expires.
    public var oauthBearerTokenProvider: OAuthBearerTokenSetting? = nil

    /// A configuration for the cluster at `bootstrapServers`, every other setting at its default.
    public init(bootstrapServers: [BrokerAddress]) {
        self.bootstrapServers = bootstrapServers
    }

    /// The connection settings these map to, without the TLS context (which loads files and may
    /// fail): `makeConnectionConfiguration()` adds it, and is what the clients use.
    public var connectionConfiguration: ConnectionConfiguration {
        var connection = ConnectionConfiguration()
        connection.clientID = clientID
        connection.clientSoftwareName = clientSoftwareName
        connection.clientSoftwareVersion = clientSoftwareVersion
        connection.connectTimeout = connectionSetupTimeout
        connection.requestTimeout = requestTimeout
        connection.idleTimeout = connectionsMaxIdle
        connection.maxInFlightRequests = maxInFlightRequestsPerConnection
        connection.maximumResponseSize = receiveMessageMaxBytes
        connection.socket.noDelay = socketNagleDisable
        connection.socket.keepAlive = socketKeepaliveEnable
        connection.socket.sendBufferSize = socketSendBufferBytes
        connection.socket.receiveBufferSize = socketReceiveBufferBytes
        connection.sasl = saslConfiguration
        return connection
    }

    /// The SASL settings every connection authenticates with; nil when `security.protocol` uses no SASL
    /// or no mechanism is set (which `validate()` reports).
    public var saslConfiguration: SaslConfiguration? {
        guard securityProtocol.usesSASL, let saslMechanism else { return nil }
        switch saslMechanism {
        case .plain, .scramSHA256, .scramSHA512:
            return SaslConfiguration(mechanism: saslMechanism, credentials: saslCredentials)
        case .oauthBearer:
            guard let setting = oauthBearerTokenProvider else {
                // No provider: connections still try to authenticate, and fail with a typed error.
                var missing = SaslConfiguration(mechanism: .oauthBearer, credentials: saslCredentials)
                missing.credentials = nil
                return missing
            }
            return SaslConfiguration(oauthBearer: setting.provider, extensions: setting.extensions)
        }
    }

    /// The backoff between retries of a request.
    public var retryBackoffPolicy: ExponentialBackoff { ExponentialBackoff(base: retryBackoff, maximum: retryBackoffMax) }
    /// The backoff between reconnects to one broker.
    public var reconnectBackoffPolicy: ExponentialBackoff {
        ExponentialBackoff(base: reconnectBackoff, maximum: reconnectBackoffMax)
    }
}

extension ClientConfiguration: PropertyConfigurable {
    /// Every setting with no bootstrap servers (which `validate()` then requires).
    public static var propertyDefaults: ClientConfiguration { ClientConfiguration(bootstrapServers: []) }

    /// Checks every setting, including those set through the typed properties.
    public func validate() throws(KafkaClientError) {
        func fail(_ setting: String, _ reason: String) -> KafkaClientError { .invalidConfiguration(setting: setting, reason: reason) }
        if bootstrapServers.isEmpty { throw fail("bootstrap.servers", "at least one host:port is required") }
        for server in bootstrapServers where server.host.isEmpty || !(1...65535).contains(server.port) {
            throw fail("bootstrap.servers", "\(server) is not a valid host:port")
        }
        if let reason = checkSoftwareName(clientSoftwareName) { throw fail("client.software.name", reason) }
        if let reason = checkSoftwareName(clientSoftwareVersion) { throw fail("client.software.version", reason) }
        let ranges: [(String, Duration?, ClosedRange<Int64>)] = [
            ("request.timeout.ms", requestTimeout, 1...900_000),
            ("socket.connection.setup.timeout.ms", connectionSetupTimeout, 1...2_147_483_647),
            ("metadata.max.age.ms", metadataMaxAge, 1...86_400_000),
            ("retry.backoff.ms", retryBackoff, 1...300_000),
            ("retry.backoff.max.ms", retryBackoffMax, 1...300_000),
            ("reconnect.backoff.ms", reconnectBackoff, 0...3_600_000),
            ("reconnect.backoff.max.ms", reconnectBackoffMax, 0...3_600_000),
            ("connections.max.idle.ms", connectionsMaxIdle, 1...2_147_483_647),
            ("default.api.timeout.ms", defaultApiTimeout, 1...2_147_483_647),
        ]
        for (name, value, range) in ranges {
            guard let value else { continue }
            // Sub-millisecond parts are allowed through the typed API; the bound is checked on the rounded value.
            let ms = value.wholeMilliseconds
            if value < .zero || !range.contains(max(ms, value > .zero ? 1 : 0)) {
                throw fail(name, "\(value) is out of range (expected \(range.lowerBound)-\(range.upperBound) ms)")
            }
        }
        if retryBackoffMax < retryBackoff {
            throw fail("retry.backoff.max.ms", "\(retryBackoffMax) is below retry.backoff.ms (\(retryBackoff))")
        }
        try validateSecurity()
        if reconnectBackoffMax < reconnectBackoff {
            throw fail("reconnect.backoff.max.ms", "\(reconnectBackoffMax) is below reconnect.backoff.ms (\(reconnectBackoff))")
        }
        if !(1...1_000_000).contains(maxInFlightRequestsPerConnection) {
            throw fail("max.in.flight.requests.per.connection", "\(maxInFlightRequestsPerConnection) is out of range (expected 1-1000000)")
        }
        if !(1000...2_147_483_647).contains(receiveMessageMaxBytes) {
            throw fail("receive.message.max.bytes", "\(receiveMessageMaxBytes) is out of range (expected 1000-2147483647 bytes)")
        }
        if securityProtocol.usesSASL {
            guard let saslMechanism else {
                throw fail("sasl.mechanism", "\(securityProtocol.rawValue) needs a mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER")
            }
            switch saslMechanism {
            case .plain, .scramSHA256, .scramSHA512:
                if saslCredentials.username.isEmpty { throw fail("sasl.username", "is required for \(saslMechanism.rawValue)") }
                if saslCredentials.password.isEmpty { throw fail("sasl.password", "is required for \(saslMechanism.rawValue)") }
            case .oauthBearer:
                // The provider is set in code after a property map is parsed (and validated), so it is not
                // required here; without one, every login fails with `tokenUnavailable`, never unauthenticated.
                break
            }
        }
        for (name, value) in [("socket.send.buffer.bytes", socketSendBufferBytes), ("socket.receive.buffer.bytes", socketReceiveBufferBytes)] {
            if let value, !(1...100_000_000).contains(value) {
                throw fail(name, "\(value) is out of range (expected 1-100000000 bytes, or 0 for the system default)")
            }
        }
    }

    /// Every client setting, in `-X list` order.
    public static let properties: [ConfigurationProperty<ClientConfiguration>] = [
        ConfigurationProperty(
            "bootstrap.servers", aliases: ["metadata.broker.list"],
            documentation: "Comma-separated host:port list of brokers to bootstrap from ([v6]:port for IPv6; the port defaults to 9092). One reachable broker is enough: the rest of the cluster is discovered from Metadata.",
            parse: { configuration, text throws(ConfigurationValueError) in
                configuration.bootstrapServers = try parseBrokerList(text)
            },
            render: { $0.bootstrapServers.map(\.description).joined(separator: ",") }),
        .string("client.id", \.clientID,
                documentation: "Client identifier sent in every request header; shows in broker logs and quota metrics."),
        .string("client.software.name", \.clientSoftwareName,
                documentation: "Client software name sent in ApiVersions v3+ (letters, digits, '.', '-').",
                check: checkSoftwareName),
        .string("client.software.version", \.clientSoftwareVersion,
                documentation: "Client software version sent in ApiVersions v3+ (letters, digits, '.', '-').",
                check: checkSoftwareName),
        .milliseconds("request.timeout.ms", \.requestTimeout, range: 1...900_000,
                      documentation: "How long to wait for the response to one request; a request that times out closes its connection and may be retried."),
        .milliseconds("socket.connection.setup.timeout.ms", \.connectionSetupTimeout, range: 1...2_147_483_647,
                      documentation: "Upper bound on resolving a broker's address, connecting and negotiating API versions."),
        .optionalMilliseconds("metadata.max.age.ms", aliases: ["topic.metadata.refresh.interval.ms"], \.metadataMaxAge,
                              range: 1...86_400_000, disabledValues: [-1],
                              documentation: "Cached metadata older than this is refreshed before use (and by run() in the background). Metadata is also refreshed at once after routing errors and lost connections."),
        .milliseconds("retry.backoff.ms", \.retryBackoff, range: 1...300_000,
                      documentation: "First backoff before retrying a failed request; doubles with each retry (with jitter) up to retry.backoff.max.ms."),
        .milliseconds("retry.backoff.max.ms", \.retryBackoffMax, range: 1...300_000,
                      documentation: "Maximum backoff between retries of a request."),
        .milliseconds("reconnect.backoff.ms", \.reconnectBackoff, range: 0...3_600_000,
                      documentation: "First backoff before reconnecting to a broker that could not be reached; doubles (with jitter) up to reconnect.backoff.max.ms."),
        .milliseconds("reconnect.backoff.max.ms", \.reconnectBackoffMax, range: 0...3_600_000,
                      documentation: "Maximum backoff before reconnecting to a broker."),
        .optionalMilliseconds("connections.max.idle.ms", \.connectionsMaxIdle, range: 1...2_147_483_647,
                              disabledValues: [0, -1],
                              documentation: "Close connections that have had nothing in flight for this long."),
        .integer("max.in.flight.requests.per.connection", aliases: ["max.in.flight"], \.maxInFlightRequestsPerConnection,
                 range: 1...1_000_000,
                 documentation: "Requests written to one connection before their responses arrive; more wait in order."),
        .integer("receive.message.max.bytes", \.receiveMessageMaxBytes, range: 1000...2_147_483_647,
                 documentation: "Largest response frame accepted; a bigger size prefix closes the connection."),
        .optionalBytes("socket.send.buffer.bytes", \.socketSendBufferBytes, range: 1...100_000_000,
                       documentation: "Socket send buffer size (SO_SNDBUF)."),
        .optionalBytes("socket.receive.buffer.bytes", \.socketReceiveBufferBytes, range: 1...100_000_000,
                       documentation: "Socket receive buffer size (SO_RCVBUF)."),
        .boolean("socket.nagle.disable", \.socketNagleDisable,
                 documentation: "Disable Nagle's algorithm (TCP_NODELAY). Defaults to true, as in the Java client."),
        .boolean("socket.keepalive.enable", \.socketKeepaliveEnable,
                 documentation: "Enable TCP keep-alives (SO_KEEPALIVE)."),
        .milliseconds("default.api.timeout.ms", \.defaultApiTimeout, range: 1...2_147_483_647,
                      documentation: "Deadline of a client operation, all its retries included, when the call passes none."),
        .boolean("allow.auto.create.topics", \.allowAutoCreateTopics,
                 documentation: "Let Metadata requests auto-create missing topics on brokers configured to (auto.create.topics.enable)."),
        ConfigurationProperty(
            "debug",
            documentation: "Comma-separated debug contexts to log at debug level: \(DebugContexts.names.joined(separator: ", ")). 'protocol' logs one line per request and response; contexts this client does not use are accepted and ignored.",
            parse: { configuration, text throws(ConfigurationValueError) in
                configuration.debug = try DebugContexts(parsing: text)
            },
            render: { $0.debug.description }),
        ConfigurationProperty(
            "api.version.max",
            documentation: "Comma-separated Api=version caps (e.g. ListOffsets=3): requests of that API never use a higher version than the cap, whatever the broker offers. Swafka's own; for a broker that answers some version wrongly. Empty: none.",
            parse: { configuration, text throws(ConfigurationValueError) in
                configuration.apiVersionCaps = try parseApiVersionCaps(text)
            },
            render: { caps in
                caps.apiVersionCaps.sorted { $0.key.rawValue < $1.key.rawValue }
                    .map { "\($0.key.name)=\($0.value)" }.joined(separator: ",")
            }),
        ConfigurationProperty(
            "sasl.mechanism", aliases: ["sasl.mechanisms"],
            documentation: "SASL mechanism: PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER (the last needs a token provider set in code).",
            parse: { configuration, text throws(ConfigurationValueError) in
                let trimmed = text.trimmingSpaces
                if trimmed.isEmpty {
                    configuration.saslMechanism = nil
                    return
                }
                guard let value = SaslMechanismName(rawValue: trimmed.uppercased()) else {
                    throw ConfigurationValueError("\"\(text)\" is not PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER (GSSAPI is not supported)")
                }
                configuration.saslMechanism = value
            },
            render: { $0.saslMechanism?.rawValue ?? "" }),
        ConfigurationProperty(
            "sasl.username",
            documentation: "SASL user name for PLAIN and SCRAM.",
            parse: { configuration, text throws(ConfigurationValueError) in configuration.saslCredentials.username = text },
            render: { $0.saslCredentials.username }),
        ConfigurationProperty(
            "sasl.password", isSensitive: true,
            documentation: "SASL password for PLAIN and SCRAM; redacted in -X dump, logs and errors.",
            parse: { configuration, text throws(ConfigurationValueError) in configuration.saslCredentials.password = text },
            render: { $0.saslCredentials.password }),
    ] + securityProperties
}

/// Parses `Name=version,Name=version` (names as the spec's, case-insensitive, or the numeric key).
func parseApiVersionCaps(_ text: String) throws(ConfigurationValueError) -> [ApiKey: Int16] {
    var caps: [ApiKey: Int16] = [:]
    for item in text.split(separator: ",") {
        let parts = item.split(separator: "=", omittingEmptySubsequences: false)
        let name = parts.first.map { String($0).trimmingSpaces } ?? ""
        guard parts.count == 2, let entry = MessageRegistry.entry(named: name) else {
            throw ConfigurationValueError("expected Api=version with a known API name, got \"\(item)\"")
        }
        guard let version = Int16(String(parts[1]).trimmingSpaces), version >= 0 else {
            throw ConfigurationValueError("expected a version number >= 0 for \(entry.name), got \"\(parts[1])\"")
        }
        caps[entry.apiKey] = version
    }
    return caps
}

/// The OAUTHBEARER token provider a `ClientConfiguration` hands to its connections, with its SASL
/// extensions (KIP-342). Providers have no equality of their own: two settings are equal when their
/// providers have the same type and their extensions match.
public struct OAuthBearerTokenSetting: Sendable, Equatable, CustomStringConvertible {
    /// Asked for a token before every authentication and re-authentication.
    public var provider: any OAuthBearerTokenProvider
    /// SASL extensions sent with the token.
    public var extensions: [String: String]

    /// A setting for `provider`.
    public init(_ provider: any OAuthBearerTokenProvider, extensions: [String: String] = [:]) {
        self.provider = provider
        self.extensions = extensions
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        ObjectIdentifier(type(of: lhs.provider)) == ObjectIdentifier(type(of: rhs.provider)) && lhs.extensions == rhs.extensions
    }

    /// The provider's type only (a provider may hold secrets).
    public var description: String { "OAuthBearerTokenSetting(provider: <\(type(of: provider))>, extensions: \(extensions.keys.sorted()))" }
}

/// Parses `host:port,host:port` (`[v6]:port`; a missing port is 9092, as librdkafka allows).
func parseBrokerList(_ text: String) throws(ConfigurationValueError) -> [BrokerAddress] {
    var servers: [BrokerAddress] = []
    for raw in text.split(separator: ",", omittingEmptySubsequences: false) {
        var entry = String(raw).trimmingSpaces
        // Accept a scheme prefix as librdkafka and kcat users sometimes write it.
        for scheme in ["plaintext://", "PLAINTEXT://", "tcp://", "ssl://", "SSL://"] where entry.hasPrefix(scheme) {
            entry.removeFirst(scheme.count)
        }
        if entry.isEmpty {
            throw ConfigurationValueError(text.trimmingSpaces.isEmpty ? "at least one host:port is required" : "empty entry in \"\(text)\"")
        }
        if let address = BrokerAddress(parsing: entry) {
            servers.append(address)
        } else if !entry.contains(":"), !entry.contains("["), !entry.contains(where: \.isWhitespace) {
            servers.append(BrokerAddress(host: entry, port: 9092))
        } else {
            throw ConfigurationValueError("\"\(entry)\" is not host:port (a port is 1-65535; IPv6 hosts go in brackets)")
        }
    }
    return servers
}

/// nil when `text` is a valid client software name or version, else why not.
@Sendable func checkSoftwareName(_ text: String) -> String? {
    // KIP-511: [a-zA-Z0-9](?:[a-zA-Z0-9\-.]*[a-zA-Z0-9])?
    let bytes = Array(text.utf8)
    func alnum(_ b: UInt8) -> Bool { (b >= 48 && b <= 57) || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) }
    guard let first = bytes.first, let last = bytes.last, alnum(first), alnum(last),
          bytes.allSatisfy({ alnum($0) || $0 == UInt8(ascii: "-") || $0 == UInt8(ascii: ".") }) else {
        return "\"\(text)\" must start and end with a letter or digit and hold only letters, digits, '.' and '-'"
    }
    return nil
}
