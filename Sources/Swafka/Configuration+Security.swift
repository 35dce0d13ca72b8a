// The framework's Karafka-style `ssl.*` options as the client's Kafka-named properties.

extension Configuration {
    /// `security.protocol` and `ssl.*` client properties for the framework's `ssl.ca_cert`,
    /// `ssl.client_cert` and `ssl.client_cert_key` (PEM paths): empty when none is set (plaintext),
    /// else TLS trusting `ssl.ca_cert` (or the system store) and presenting the client certificate.
    /// Merge them into the producer's and consumers' property maps.
    public var clientSecurityProperties: [String: String] {
        guard sslCACert != nil || sslClientCert != nil || sslClientKey != nil else { return [:] }
        var properties = ["security.protocol": "ssl"]
        if let sslCACert { properties["ssl.ca.location"] = sslCACert }
        if let sslClientCert { properties["ssl.certificate.location"] = sslClientCert }
        if let sslClientKey { properties["ssl.key.location"] = sslClientKey }
        return properties
    }
}
