import COpenSSL
import Glibc

/// Trusted CAs, the client certificate and key, loaded once: every connection of a client makes
/// its `TLSSession` from one context.
///
/// Building the context reads every file the configuration names and fails, naming the setting,
/// when one cannot be read, a key does not decrypt with `ssl.key.password`, or the key does not
/// match the certificate, so configuration mistakes show when the client is created rather than
/// on the first connection.
///
/// `@unchecked Sendable`: the `SSL_CTX` is configured in `init` and only read afterwards
/// (`SSL_new` takes its own reference); OpenSSL documents a configured context as safe to share
/// between threads.
public final class TLSContext: @unchecked Sendable, Equatable {
    /// What the context was built from (no secrets in its description).
    public let configuration: TLSConfiguration
    /// True for the server side (tests and in-process peers).
    public let isServer: Bool
    let context: OpaquePointer

    /// A client context for `configuration`; throws `.invalidConfiguration` naming the setting at fault.
    public init(configuration: TLSConfiguration) throws(TLSError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_client_method()) else {
            throw OpenSSLErrors.configuration("security.protocol", "cannot create a TLS context")
        }
        self.context = context
        self.configuration = configuration
        self.isServer = false
        guard swafka_ssl_ctx_set_tls12_minimum(context) == 1 else {
            throw OpenSSLErrors.configuration("security.protocol", "cannot require TLS 1.2 or later")
        }
        swafka_ssl_ctx_set_client_defaults(context)
        try loadTrust(caLocation: configuration.caLocation, caPEM: configuration.caPEM, useSystemStore: true)
        try loadIdentity(certificateLocation: configuration.certificateLocation, certificatePEM: configuration.certificatePEM,
                         keyLocation: configuration.keyLocation, keyPEM: configuration.keyPEM, password: configuration.keyPassword)
    }

    /// A server context (for tests and in-process peers): presents `certificatePEM` with `keyPEM`;
    /// with `clientCAPEM`, requires a client certificate signed by it.
    public init(serverCertificatePEM: String, keyPEM: String, clientCAPEM: String? = nil) throws(TLSError) {
        ERR_clear_error()
        guard let context = SSL_CTX_new(TLS_server_method()) else {
            throw OpenSSLErrors.configuration("server", "cannot create a TLS context")
        }
        self.context = context
        self.configuration = TLSConfiguration()
        self.isServer = true
        guard swafka_ssl_ctx_set_tls12_minimum(context) == 1 else {
            throw OpenSSLErrors.configuration("server", "cannot require TLS 1.2 or later")
        }
        swafka_ssl_ctx_set_client_defaults(context)
        try loadIdentity(certificateLocation: nil, certificatePEM: serverCertificatePEM, keyLocation: nil, keyPEM: keyPEM,
                         password: nil)
        if let clientCAPEM {
            try loadTrust(caLocation: nil, caPEM: clientCAPEM, useSystemStore: false)
            SSL_CTX_set_verify(context, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nil)
        }
    }

    deinit { SSL_CTX_free(context) }

    /// Contexts are equal when built the same way from equal configurations.
    public static func == (lhs: TLSContext, rhs: TLSContext) -> Bool {
        lhs === rhs || (!lhs.isServer && !rhs.isServer && lhs.configuration == rhs.configuration)
    }

    /// A client session for a connection to `host` (its name is sent as SNI and, when hostname
    /// verification is on, must appear in the broker's certificate).
    public func makeSession(host: String) throws(TLSError) -> TLSSession {
        try TLSSession(context: self, host: host)
    }

    /// A server session (tests and in-process peers).
    public func makeServerSession() throws(TLSError) -> TLSSession {
        try TLSSession(context: self, host: nil)
    }

    // MARK: Loading

    private func loadTrust(caLocation: String?, caPEM: String?, useSystemStore: Bool) throws(TLSError) {
        if let caLocation {
            var info = stat()
            guard stat(caLocation, &info) == 0 else {
                throw .invalidConfiguration(setting: "ssl.ca.location", reason: "cannot read \(caLocation): \(String(cString: strerror(errno)))")
            }
            let isDirectory = (info.st_mode & S_IFMT) == S_IFDIR
            let ok = isDirectory ? SSL_CTX_load_verify_locations(context, nil, caLocation)
                                 : SSL_CTX_load_verify_locations(context, caLocation, nil)
            guard ok == 1 else {
                throw OpenSSLErrors.configuration("ssl.ca.location", "cannot load CA certificates from \(caLocation)")
            }
        }
        if let caPEM {
            let certificates = try Self.readCertificates(pem: caPEM, setting: "ssl.ca.pem")
            defer { certificates.forEach { X509_free($0) } }
            guard let store = SSL_CTX_get_cert_store(context) else {
                throw OpenSSLErrors.configuration("ssl.ca.pem", "no certificate store")
            }
            for certificate in certificates where X509_STORE_add_cert(store, certificate) != 1 {
                throw OpenSSLErrors.configuration("ssl.ca.pem", "cannot add a CA certificate")
            }
        }
        if caLocation == nil && caPEM == nil && useSystemStore {
            guard SSL_CTX_set_default_verify_paths(context) == 1 else {
                throw OpenSSLErrors.configuration("ssl.ca.location", "cannot load the system trust store")
            }
        }
    }

    private func loadIdentity(certificateLocation: String?, certificatePEM: String?, keyLocation: String?, keyPEM: String?,
                              password: String?) throws(TLSError) {
        let hasCertificate = certificateLocation != nil || certificatePEM != nil
        let hasKey = keyLocation != nil || keyPEM != nil
        if hasCertificate != hasKey {
            throw .invalidConfiguration(setting: hasCertificate ? "ssl.key.location" : "ssl.certificate.location",
                                        reason: "a client certificate needs both ssl.certificate.location and ssl.key.location (or their .pem forms)")
        }
        guard hasCertificate else { return }
        if let certificateLocation {
            guard access(certificateLocation, R_OK) == 0 else {
                throw .invalidConfiguration(setting: "ssl.certificate.location",
                                            reason: "cannot read \(certificateLocation): \(String(cString: strerror(errno)))")
            }
            guard SSL_CTX_use_certificate_chain_file(context, certificateLocation) == 1 else {
                throw OpenSSLErrors.configuration("ssl.certificate.location", "cannot load a PEM certificate from \(certificateLocation)")
            }
        } else if let certificatePEM {
            let certificates = try Self.readCertificates(pem: certificatePEM, setting: "ssl.certificate.pem")
            guard let leaf = certificates.first else {
                throw .invalidConfiguration(setting: "ssl.certificate.pem", reason: "no certificate in the PEM text")
            }
            defer { X509_free(leaf) }
            guard SSL_CTX_use_certificate(context, leaf) == 1 else {
                certificates.dropFirst().forEach { X509_free($0) }
                throw OpenSSLErrors.configuration("ssl.certificate.pem", "cannot use the certificate")
            }
            for (index, intermediate) in certificates.dropFirst().enumerated() where swafka_ssl_ctx_add_chain_cert(context, intermediate) != 1 {
                // add0 took ownership of the ones before; free this one and the rest.
                certificates.dropFirst(index + 1).forEach { X509_free($0) }
                throw OpenSSLErrors.configuration("ssl.certificate.pem", "cannot add a chain certificate")
            }
        }
        let keySetting = keyLocation != nil ? "ssl.key.location" : "ssl.key.pem"
        let bio: OpaquePointer?
        if let keyLocation {
            guard access(keyLocation, R_OK) == 0 else {
                throw .invalidConfiguration(setting: "ssl.key.location", reason: "cannot read \(keyLocation): \(String(cString: strerror(errno)))")
            }
            bio = BIO_new_file(keyLocation, "r")
        } else {
            bio = Self.memoryBIO(keyPEM ?? "")
        }
        guard let bio else { throw OpenSSLErrors.configuration(keySetting, "cannot open the key") }
        defer { BIO_free(bio) }
        // Always pass a password (empty when none is set): with none, OpenSSL would prompt on the terminal
        // for an encrypted key.
        let key = (password ?? "").withCString { text in
            PEM_read_bio_PrivateKey(bio, nil, nil, UnsafeMutableRawPointer(mutating: text))
        }
        guard let key else {
            _ = OpenSSLErrors.take()  // "bad decrypt" and the like: the reason below says it without OpenSSL's codes
            let reason = password == nil
                ? "cannot read the private key (not a PEM key, or encrypted and ssl.key.password is not set)"
                : "cannot read the private key (not a PEM key, or ssl.key.password is wrong)"
            throw .invalidConfiguration(setting: keySetting, reason: reason)
        }
        defer { EVP_PKEY_free(key) }
        guard SSL_CTX_use_PrivateKey(context, key) == 1, SSL_CTX_check_private_key(context) == 1 else {
            _ = OpenSSLErrors.take()
            throw .invalidConfiguration(setting: keySetting, reason: "the private key does not match the certificate")
        }
    }

    /// Every certificate in `pem`, owned by the caller (X509_free each).
    static func readCertificates(pem: String, setting: String) throws(TLSError) -> [OpaquePointer] {
        guard let bio = memoryBIO(pem) else { throw OpenSSLErrors.configuration(setting, "cannot read the PEM text") }
        defer { BIO_free(bio) }
        var certificates: [OpaquePointer] = []
        while let certificate = PEM_read_bio_X509(bio, nil, nil, nil) {
            certificates.append(certificate)
        }
        ERR_clear_error()  // the end of the text reads as "no start line"
        guard !certificates.isEmpty else {
            throw .invalidConfiguration(setting: setting, reason: "no PEM certificate found")
        }
        return certificates
    }

    /// A read-only memory BIO over a copy of `text`.
    static func memoryBIO(_ text: String) -> OpaquePointer? {
        guard let bio = BIO_new(BIO_s_mem()) else { return nil }
        let bytes = Array(text.utf8)
        let written = bytes.withUnsafeBytes { BIO_write(bio, $0.baseAddress, Int32(clamping: $0.count)) }
        guard written == bytes.count else {
            BIO_free(bio)
            return nil
        }
        return bio
    }
}
