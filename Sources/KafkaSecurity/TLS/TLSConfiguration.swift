// TLS settings, named as Kafka and librdkafka name them. A value: the context built from it
// (`TLSContext`) holds the loaded certificates and keys.

/// How a client connection verifies the broker and, for mutual TLS, identifies itself.
///
/// Kafka's names: `ssl.ca.location` (or `ssl.ca.pem`), `ssl.certificate.location` (or
/// `ssl.certificate.pem`), `ssl.key.location` (or `ssl.key.pem`), `ssl.key.password`,
/// `ssl.endpoint.identification.algorithm` (`https`: check the host name, the default; `none`: do
/// not), `enable.ssl.certificate.verification`. The key password and an inline key never appear in
/// `description`, `debugDescription` or a mirror.
public struct TLSConfiguration: Hashable, Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// `ssl.ca.location`: a PEM file (or a directory of hashed certificates) of trusted CAs; nil with
    /// no `caPEM` trusts the system store.
    public var caLocation: String?
    /// `ssl.ca.pem`: trusted CA certificates as PEM text (added to `caLocation` or the system store).
    public var caPEM: String?
    /// `ssl.certificate.location`: the client certificate (and its chain) as a PEM file, for mutual TLS.
    public var certificateLocation: String?
    /// `ssl.certificate.pem`: the client certificate (and its chain) as PEM text.
    public var certificatePEM: String?
    /// `ssl.key.location`: the client's private key as a PEM file (encrypted or not).
    public var keyLocation: String?
    /// `ssl.key.pem`: the client's private key as PEM text. A secret.
    public var keyPEM: String?
    /// `ssl.key.password`: the password of an encrypted key. A secret.
    public var keyPassword: String?
    /// `enable.ssl.certificate.verification`: verify the broker's certificate chain (default true).
    public var verifiesCertificate: Bool = true
    /// `ssl.endpoint.identification.algorithm=https`: the broker's certificate must name the host we
    /// connect to (DNS name or IP address in its subject alternative names). Default true.
    public var verifiesHostname: Bool = true

    /// System trust store, host name checked, no client certificate.
    public init() {}

    /// Whether a client certificate is configured (mutual TLS).
    public var hasClientCertificate: Bool { certificateLocation != nil || certificatePEM != nil }

    /// The settings without secrets: `TLSConfiguration(ca: /etc/ca.pem, certificate: client.pem, key: client.key (encrypted), hostname verification)`.
    public var description: String {
        var parts: [String] = []
        parts.append("ca: " + (caLocation ?? (caPEM == nil ? "system store" : "inline PEM")) + (caLocation != nil && caPEM != nil ? " + inline PEM" : ""))
        if let certificateLocation { parts.append("certificate: \(certificateLocation)") } else if certificatePEM != nil { parts.append("certificate: inline PEM") }
        if let keyLocation { parts.append("key: \(keyLocation)") } else if keyPEM != nil { parts.append("key: <redacted>") }
        if keyPassword != nil { parts.append("key password: <redacted>") }
        if !verifiesCertificate { parts.append("certificate verification off") }
        parts.append(verifiesHostname ? "hostname verification" : "no hostname verification")
        return "TLSConfiguration(\(parts.joined(separator: ", ")))"
    }

    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror without secrets.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
