// SASL settings, named as Kafka and librdkafka name them, and the factory that turns them into a fresh
// mechanism for each (re-)authentication. The transport holds one of these per connection configuration.

/// `security.protocol`: how a connection is secured.
public enum SecurityProtocol: String, Hashable, Sendable, CaseIterable {
    /// No TLS, no SASL.
    case plaintext = "PLAINTEXT"
    /// TLS only.
    case ssl = "SSL"
    /// SASL over plain TCP.
    case saslPlaintext = "SASL_PLAINTEXT"
    /// SASL over TLS.
    case saslSSL = "SASL_SSL"

    /// Whether the protocol authenticates with SASL.
    public var usesSASL: Bool { self == .saslPlaintext || self == .saslSSL }
    /// Whether the protocol runs over TLS.
    public var usesTLS: Bool { self == .ssl || self == .saslSSL }
}

/// The SASL mechanisms this client implements (`sasl.mechanism`).
public enum SaslMechanismName: String, Hashable, Sendable, CaseIterable {
    /// RFC 4616.
    case plain = "PLAIN"
    /// RFC 7677.
    case scramSHA256 = "SCRAM-SHA-256"
    /// RFC 7677 with SHA-512.
    case scramSHA512 = "SCRAM-SHA-512"
    /// RFC 7628.
    case oauthBearer = "OAUTHBEARER"
}

/// A setting that cannot be used; names the property, never a secret value.
public enum SecurityConfigurationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// `security.protocol` has a value outside PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL.
    case unknownSecurityProtocol(String)
    /// `sasl.mechanism` names a mechanism this client does not implement.
    case unknownMechanism(String)
    /// A property the chosen mechanism needs is missing.
    case missingProperty(String)
    /// OAUTHBEARER needs a token provider, which properties cannot supply.
    case missingTokenProvider

    /// A one-line reason.
    public var description: String {
        switch self {
        case let .unknownSecurityProtocol(value):
            "unknown security.protocol \"\(value)\" (expected PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL)"
        case let .unknownMechanism(value):
            "unsupported sasl.mechanism \"\(value)\" (expected PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 or OAUTHBEARER)"
        case let .missingProperty(name):
            "\(name) is required for this SASL mechanism"
        case .missingTokenProvider:
            "sasl.mechanism OAUTHBEARER needs a token provider"
        }
    }
}

/// How a connection authenticates with SASL. The password and provider never appear in descriptions.
public struct SaslConfiguration: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The mechanism.
    public var mechanism: SaslMechanismName
    /// User name and password, for PLAIN and SCRAM.
    public var credentials: SaslCredentials?
    /// Token source, for OAUTHBEARER.
    public var tokenProvider: (any OAuthBearerTokenProvider)?
    /// OAUTHBEARER SASL extensions (KIP-342).
    public var oauthBearerExtensions: [String: String] = [:]
    /// The lowest SCRAM iteration count accepted from the broker (RFC 7677: 4096).
    public var minimumScramIterations: Int = ScramMechanism.defaultMinimumIterations

    /// PLAIN or SCRAM with a user name and password.
    public init(mechanism: SaslMechanismName, credentials: SaslCredentials) {
        self.mechanism = mechanism
        self.credentials = credentials
    }

    /// OAUTHBEARER with a token provider.
    public init(oauthBearer provider: any OAuthBearerTokenProvider, extensions: [String: String] = [:]) {
        mechanism = .oauthBearer
        tokenProvider = provider
        oauthBearerExtensions = extensions
    }

    /// Reads `security.protocol`, `sasl.mechanism` (or librdkafka's `sasl.mechanisms`), `sasl.username` and
    /// `sasl.password`. Returns nil for the SASL settings when the protocol does not use SASL. OAUTHBEARER
    /// cannot be configured from strings alone: pass `tokenProvider`.
    public static func fromProperties(_ properties: [String: String],
                                      tokenProvider: (any OAuthBearerTokenProvider)? = nil)
        throws(SecurityConfigurationError) -> (securityProtocol: SecurityProtocol, sasl: SaslConfiguration?) {
        let protocolValue = properties["security.protocol"] ?? "PLAINTEXT"
        guard let securityProtocol = SecurityProtocol(rawValue: protocolValue.uppercased()) else {
            throw .unknownSecurityProtocol(protocolValue)
        }
        guard securityProtocol.usesSASL else { return (securityProtocol, nil) }
        // Java's default mechanism is GSSAPI, which we do not implement; librdkafka's too. Require it.
        guard let mechanismValue = properties["sasl.mechanism"] ?? properties["sasl.mechanisms"] else {
            throw .missingProperty("sasl.mechanism")
        }
        guard let mechanism = SaslMechanismName(rawValue: mechanismValue.uppercased()) else {
            throw .unknownMechanism(mechanismValue)
        }
        switch mechanism {
        case .plain, .scramSHA256, .scramSHA512:
            guard let username = properties["sasl.username"] else { throw .missingProperty("sasl.username") }
            guard let password = properties["sasl.password"] else { throw .missingProperty("sasl.password") }
            return (securityProtocol,
                    SaslConfiguration(mechanism: mechanism, credentials: SaslCredentials(username: username, password: password)))
        case .oauthBearer:
            guard let tokenProvider else { throw .missingTokenProvider }
            return (securityProtocol, SaslConfiguration(oauthBearer: tokenProvider))
        }
    }

    /// A fresh mechanism for one authentication; for OAUTHBEARER it asks the provider for a token first.
    /// The provider's own error is not repeated (it may contain secrets); only its type is named.
    public func makeMechanism() async throws(SaslError) -> any SaslClientMechanism {
        switch mechanism {
        case .plain:
            return PlainMechanism(credentials: try requiredCredentials())
        case .scramSHA256:
            return ScramMechanism(algorithm: .sha256, credentials: try requiredCredentials(),
                                  minimumIterations: minimumScramIterations)
        case .scramSHA512:
            return ScramMechanism(algorithm: .sha512, credentials: try requiredCredentials(),
                                  minimumIterations: minimumScramIterations)
        case .oauthBearer:
            guard let tokenProvider else { throw .tokenUnavailable(reason: "no token provider configured") }
            do {
                let token = try await tokenProvider.token()
                return OAuthBearerMechanism(token: token, extensions: oauthBearerExtensions)
            } catch {
                throw .tokenUnavailable(reason: "the provider threw \(type(of: error))")
            }
        }
    }

    private func requiredCredentials() throws(SaslError) -> SaslCredentials {
        guard let credentials else {
            throw .invalidCredential(field: "sasl.username/sasl.password", reason: "not configured")
        }
        return credentials
    }

    /// `SaslConfiguration(SCRAM-SHA-512, username: "alice")`.
    public var description: String {
        "SaslConfiguration(\(mechanism.rawValue)"
            + (credentials.map { ", username: \"\($0.username)\", password: <redacted>" } ?? "")
            + (tokenProvider.map { ", tokenProvider: <\(type(of: $0))>" } ?? "")
            + ")"
    }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror without secrets.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}

extension SaslConfiguration: Equatable {
    /// Equal settings. Token providers have no equality of their own (closures, actors): two providers
    /// compare equal when both are absent or both have the same type.
    public static func == (lhs: SaslConfiguration, rhs: SaslConfiguration) -> Bool {
        let sameProvider: Bool = switch (lhs.tokenProvider, rhs.tokenProvider) {
        case (nil, nil): true
        case let (left?, right?): ObjectIdentifier(type(of: left)) == ObjectIdentifier(type(of: right))
        default: false
        }
        return lhs.mechanism == rhs.mechanism && lhs.credentials == rhs.credentials && sameProvider
            && lhs.oauthBearerExtensions == rhs.oauthBearerExtensions
            && lhs.minimumScramIterations == rhs.minimumScramIterations
    }
}
