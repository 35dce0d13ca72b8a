import KafkaSecurity
import KafkaTransport

// `security.protocol` and the `ssl.*` settings: TLS under the Kafka framing. SASL's settings
// (`sasl.*`) are in ClientConfiguration.swift; SASL_SSL is TLS first, then the SASL login over it.

extension ClientConfiguration {
    /// The connection settings, with the TLS context loaded when `security.protocol` uses TLS. Throws
    /// `.invalidConfiguration` naming the `ssl.*` setting whose file or key cannot be used.
    public func makeConnectionConfiguration() throws(KafkaClientError) -> ConnectionConfiguration {
        var connection = connectionConfiguration
        guard securityProtocol.usesTLS else { return connection }
        do {
            connection.tls = try TLSContext(configuration: ssl)
        } catch {
            if case let .invalidConfiguration(setting, reason) = error { throw .invalidConfiguration(setting: setting, reason: reason) }
            throw .invalidConfiguration(setting: "security.protocol", reason: "\(error)")
        }
        return connection
    }

    /// Checks the security settings together.
    func validateSecurity() throws(KafkaClientError) {
        let hasCertificate = ssl.certificateLocation != nil || ssl.certificatePEM != nil
        let hasKey = ssl.keyLocation != nil || ssl.keyPEM != nil
        if hasCertificate && !hasKey {
            throw .invalidConfiguration(setting: "ssl.key.location", reason: "ssl.certificate.location is set without a key")
        }
        if hasKey && !hasCertificate {
            throw .invalidConfiguration(setting: "ssl.certificate.location", reason: "ssl.key.location is set without a certificate")
        }
    }

    /// `security.protocol` and the TLS settings, in `-X list` order.
    static let securityProperties: [ConfigurationProperty<ClientConfiguration>] = [
        ConfigurationProperty(
            "security.protocol",
            documentation: "How connections are secured: PLAINTEXT, SSL (TLS 1.2/1.3 through OpenSSL), SASL_PLAINTEXT or SASL_SSL (a SASL login, sasl.mechanism, on every connection before any other request).",
            parse: { configuration, text throws(ConfigurationValueError) in
                guard let value = SecurityProtocol(rawValue: text.trimmingSpaces.uppercased()) else {
                    throw ConfigurationValueError("\"\(text)\" is not PLAINTEXT, SSL, SASL_PLAINTEXT or SASL_SSL")
                }
                configuration.securityProtocol = value
            },
            render: { $0.securityProtocol.rawValue.lowercased() }),
        .optionalText("ssl.ca.location", \.ssl.caLocation,
                      documentation: "PEM file (or directory of hashed certificates) of the CAs that sign the brokers' certificates. Unset: the system trust store."),
        .optionalText("ssl.ca.pem", \.ssl.caPEM,
                      documentation: "CA certificates as PEM text, in addition to ssl.ca.location (or the system store)."),
        .optionalText("ssl.certificate.location", \.ssl.certificateLocation,
                      documentation: "Client certificate (and chain) as a PEM file, for brokers that require mutual TLS."),
        .optionalText("ssl.certificate.pem", \.ssl.certificatePEM,
                      documentation: "Client certificate (and chain) as PEM text."),
        .optionalText("ssl.key.location", \.ssl.keyLocation,
                      documentation: "Client private key as a PEM file (encrypted keys need ssl.key.password)."),
        .optionalText("ssl.key.pem", isSensitive: true, \.ssl.keyPEM,
                      documentation: "Client private key as PEM text (redacted in listings)."),
        .optionalText("ssl.key.password", isSensitive: true, \.ssl.keyPassword,
                      documentation: "Password of an encrypted client key (redacted in listings and never logged)."),
        ConfigurationProperty(
            "ssl.endpoint.identification.algorithm",
            documentation: "https: the broker's certificate must name the host connected to (its DNS name or IP address); none: do not check. Default https, as in the Java client and librdkafka 2.",
            parse: { configuration, text throws(ConfigurationValueError) in
                switch text.trimmingSpaces.lowercased() {
                case "https": configuration.ssl.verifiesHostname = true
                case "none", "": configuration.ssl.verifiesHostname = false
                default: throw ConfigurationValueError("\"\(text)\" is not https or none")
                }
            },
            render: { $0.ssl.verifiesHostname ? "https" : "none" }),
        .boolean("enable.ssl.certificate.verification", \.ssl.verifiesCertificate,
                 documentation: "Verify the broker's certificate chain. Turning it off accepts any certificate: for tests only."),
    ]
}

extension ConfigurationProperty {
    /// A text setting where the empty string means unset (nil).
    static func optionalText(
        _ name: String, aliases: [String] = [], isSensitive: Bool = false,
        _ keyPath: any WritableKeyPath<Configuration, String?> & Sendable, documentation: String
    ) -> Self {
        Self(name, aliases: aliases, isSensitive: isSensitive, documentation: documentation,
             parse: { configuration, text throws(ConfigurationValueError) in
                 configuration[keyPath: keyPath] = text.isEmpty ? nil : text
             },
             render: { $0[keyPath: keyPath] ?? "" })
    }
}
