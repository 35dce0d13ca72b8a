import KafkaSecurity
import Testing

/// A client and an in-process server session talking over their BIO pairs: no sockets.
struct TLSPair {
    let client: TLSSession
    let server: TLSSession
    var clientError: TLSError? = nil
    var serverError: TLSError? = nil

    init(client configuration: TLSConfiguration, host: String = "localhost", serverCertificate: String = TLSTestCertificates.serverPEM,
         serverKey: String = TLSTestCertificates.serverKey, requireClientCertificate: Bool = false) throws {
        client = try TLSContext(configuration: configuration).makeSession(host: host)
        server = try TLSContext(serverCertificatePEM: serverCertificate, keyPEM: serverKey,
                                clientCAPEM: requireClientCertificate ? TLSTestCertificates.caPEM : nil).makeServerSession()
    }

    /// Moves every pending ciphertext byte across, both ways; returns how many moved.
    @discardableResult
    func pump() -> Int {
        var moved = 0
        for (from, to) in [(client, server), (server, client)] {
            while true {
                let chunk = from.pendingCiphertext()
                if chunk.isEmpty { break }
                let taken = to.receiveCiphertext(chunk)
                from.ciphertextSent(taken)
                moved += taken
                if taken < chunk.count { break }
            }
        }
        return moved
    }

    /// Runs both handshakes until neither side moves, recording each side's error.
    mutating func handshake() {
        for _ in 0..<20 {
            if clientError == nil { do { try client.advanceHandshake() } catch { clientError = error } }
            if serverError == nil { do { try server.advanceHandshake() } catch { serverError = error } }
            if pump() == 0 { break }
        }
    }

    /// Reads everything `session` can decrypt now.
    static func drain(_ session: TLSSession) throws -> [UInt8] {
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        while true {
            let result = try buffer.withUnsafeMutableBytes { raw in try session.read(into: raw) }
            switch result {
            case let .plaintext(count): out += buffer[0..<count]
            case .needsCiphertext, .closedByPeer: return out
            }
        }
    }
}

func trusting(_ ca: String = TLSTestCertificates.caPEM) -> TLSConfiguration {
    var configuration = TLSConfiguration()
    configuration.caPEM = ca
    return configuration
}

@Suite("TLS session over BIO pairs")
struct TLSSessionTests {
    @Test func handshakeThenDataBothWays() throws {
        var pair = try TLSPair(client: trusting())
        #expect(pair.client.state == .handshaking)
        pair.handshake()
        #expect(pair.clientError == nil)
        #expect(pair.serverError == nil)
        #expect(pair.client.state == .established)
        #expect(pair.server.state == .established)
        #expect(pair.client.negotiatedVersion == "TLSv1.3")

        let request: [UInt8] = Array("ApiVersions, please".utf8)
        let written = try request.withUnsafeBytes { raw throws(TLSError) in try pair.client.write(raw) }
        #expect(written == request.count)
        pair.pump()
        #expect(try TLSPair.drain(pair.server) == request)
    }

    @Test func largeWritesMeetBackpressureAndArriveIntact() throws {
        var pair = try TLSPair(client: trusting())
        pair.handshake()
        // More than the BIO pair holds: writes take nothing while the ciphertext is not sent.
        let payload = (0..<(3 * TLSSession.bufferSize)).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        var offset = 0
        var received: [UInt8] = []
        var sawBackpressure = false
        while offset < payload.count {
            let taken = try payload.withUnsafeBytes { raw throws(TLSError) in
                try pair.client.write(UnsafeRawBufferPointer(rebasing: raw[offset...]))
            }
            if taken == 0 {
                sawBackpressure = true
                pair.pump()
                received += try TLSPair.drain(pair.server)
            }
            offset += taken
        }
        pair.pump()
        received += try TLSPair.drain(pair.server)
        pair.pump()
        received += try TLSPair.drain(pair.server)
        #expect(sawBackpressure)
        #expect(received == payload)
    }

    @Test func ipAddressIsVerifiedAgainstTheCertificate() throws {
        var pair = try TLSPair(client: trusting(), host: "127.0.0.1")
        pair.handshake()
        #expect(pair.clientError == nil)
        #expect(pair.client.state == .established)
    }

    @Test func unknownCAIsUntrusted() throws {
        var pair = try TLSPair(client: trusting(TLSTestCertificates.otherCAPEM))
        pair.handshake()
        guard case .untrustedCertificate = pair.clientError else {
            Issue.record("expected untrustedCertificate, got \(String(describing: pair.clientError))")
            return
        }
        #expect(pair.client.state == .failed(pair.clientError!))
        #expect(pair.clientError?.isRetriable == false)
    }

    @Test func wrongHostNameIsRefusedUnlessVerificationIsOff() throws {
        var pair = try TLSPair(client: trusting(), serverCertificate: TLSTestCertificates.wrongHostPEM,
                               serverKey: TLSTestCertificates.wrongHostKey)
        pair.handshake()
        #expect(pair.clientError == .hostnameMismatch(host: "localhost"))
        #expect(pair.clientError?.description.contains("localhost") == true)

        var relaxed = trusting()
        relaxed.verifiesHostname = false
        var allowed = try TLSPair(client: relaxed, serverCertificate: TLSTestCertificates.wrongHostPEM,
                                  serverKey: TLSTestCertificates.wrongHostKey)
        allowed.handshake()
        #expect(allowed.clientError == nil)
        #expect(allowed.client.state == .established)
    }

    @Test func wrongIPAddressIsAMismatch() throws {
        var pair = try TLSPair(client: trusting(), host: "127.0.0.2")
        pair.handshake()
        #expect(pair.clientError == .hostnameMismatch(host: "127.0.0.2"))
    }

    @Test func expiredCertificateIsRefused() throws {
        var pair = try TLSPair(client: trusting(), serverCertificate: TLSTestCertificates.expiredPEM,
                               serverKey: TLSTestCertificates.expiredKey)
        pair.handshake()
        #expect(pair.clientError == .certificateExpired)
    }

    @Test func mutualTLSWithAClientCertificate() throws {
        var configuration = trusting()
        configuration.certificatePEM = TLSTestCertificates.clientPEM
        configuration.keyPEM = TLSTestCertificates.clientEncryptedKey
        configuration.keyPassword = TLSTestCertificates.clientKeyPassword
        var pair = try TLSPair(client: configuration, requireClientCertificate: true)
        pair.handshake()
        #expect(pair.clientError == nil)
        #expect(pair.serverError == nil)
        let bytes: [UInt8] = [1, 2, 3]
        _ = try bytes.withUnsafeBytes { raw throws(TLSError) in try pair.client.write(raw) }
        pair.pump()
        #expect(try TLSPair.drain(pair.server) == bytes)
    }

    @Test func missingClientCertificateIsRefusedByTheServer() throws {
        var pair = try TLSPair(client: trusting(), requireClientCertificate: true)
        pair.handshake()
        #expect(pair.serverError != nil)
        // TLS 1.3: the client's side of the handshake ends before the server checks its certificate,
        // so the refusal arrives as an alert on the first read.
        var clientError = pair.clientError
        if clientError == nil {
            pair.pump()
            do { _ = try TLSPair.drain(pair.client) } catch { clientError = error as? TLSError }
        }
        #expect(clientError == .rejectedByPeer(alert: "certificate required"))
        #expect(clientError?.isRetriable == false)
    }

    @Test func clientCertificateFromAnotherCAIsRefused() throws {
        var configuration = trusting()
        configuration.certificatePEM = TLSTestCertificates.otherClientPEM
        configuration.keyPEM = TLSTestCertificates.otherClientKey
        var pair = try TLSPair(client: configuration, requireClientCertificate: true)
        pair.handshake()
        var clientError = pair.clientError
        if clientError == nil {
            pair.pump()
            do { _ = try TLSPair.drain(pair.client) } catch { clientError = error as? TLSError }
        }
        guard case .rejectedByPeer = clientError else {
            Issue.record("expected rejectedByPeer, got \(String(describing: clientError))")
            return
        }
    }

    @Test func plaintextPeerIsNotTLS() throws {
        let client = try TLSContext(configuration: trusting()).makeSession(host: "localhost")
        _ = try client.advanceHandshake()
        #expect(client.pendingCiphertextCount > 0)  // the ClientHello
        // What a plaintext Kafka broker might send back: a size-prefixed frame.
        let frame: [UInt8] = [0, 0, 0, 10, 0, 0, 0, 0, 0, 35, 0, 0, 0, 0]
        _ = frame.withUnsafeBytes { client.receiveCiphertext($0) }
        #expect(throws: TLSError.self) { try client.advanceHandshake() }
        guard case .failed(.notTLS) = client.state else {
            Issue.record("expected notTLS, got \(client.state)")
            return
        }
    }

    @Test func peerClosingDuringTheHandshake() throws {
        let client = try TLSContext(configuration: trusting()).makeSession(host: "localhost")
        _ = try client.advanceHandshake()
        client.ciphertextEnded()
        #expect(throws: TLSError.closedDuringHandshake) { try client.advanceHandshake() }
    }

    @Test func closeNotifyEndsThePeersStream() throws {
        var pair = try TLSPair(client: trusting())
        pair.handshake()
        pair.server.close()
        pair.pump()
        var buffer = [UInt8](repeating: 0, count: 64)
        let result = try buffer.withUnsafeMutableBytes { raw throws(TLSError) in try pair.client.read(into: raw) }
        #expect(result == .closedByPeer)
        #expect(pair.client.state == .closed)
    }
}

@Suite("TLS configuration and context")
struct TLSContextTests {
    @Test func missingFilesNameTheSetting() {
        var configuration = TLSConfiguration()
        configuration.caLocation = "/nonexistent/ca.pem"
        #expect {
            try TLSContext(configuration: configuration)
        } throws: { error in
            guard case let .invalidConfiguration(setting, reason) = error as? TLSError else { return false }
            return setting == "ssl.ca.location" && reason.contains("/nonexistent/ca.pem")
        }
    }

    @Test func certificateWithoutKeyIsRefused() {
        var configuration = trusting()
        configuration.certificatePEM = TLSTestCertificates.clientPEM
        #expect {
            try TLSContext(configuration: configuration)
        } throws: { error in
            guard case let .invalidConfiguration(setting, _) = error as? TLSError else { return false }
            return setting == "ssl.key.location"
        }
    }

    @Test func wrongOrMissingKeyPasswordIsNamedWithoutTheSecret() {
        var configuration = trusting()
        configuration.certificatePEM = TLSTestCertificates.clientPEM
        configuration.keyPEM = TLSTestCertificates.clientEncryptedKey
        configuration.keyPassword = "not-the-password"
        #expect {
            try TLSContext(configuration: configuration)
        } throws: { error in
            guard case let .invalidConfiguration(setting, reason) = error as? TLSError else { return false }
            return setting == "ssl.key.pem" && reason.contains("ssl.key.password is wrong") && !"\(error)".contains("not-the-password")
        }
        configuration.keyPassword = nil
        #expect {
            try TLSContext(configuration: configuration)
        } throws: { error in
            guard case let .invalidConfiguration(_, reason) = error as? TLSError else { return false }
            return reason.contains("ssl.key.password is not set")
        }
    }

    @Test func keyOfAnotherCertificateIsRefused() {
        var configuration = trusting()
        configuration.certificatePEM = TLSTestCertificates.clientPEM
        configuration.keyPEM = TLSTestCertificates.otherClientKey
        #expect {
            try TLSContext(configuration: configuration)
        } throws: { error in
            guard case let .invalidConfiguration(_, reason) = error as? TLSError else { return false }
            return reason.contains("does not match")
        }
    }

    @Test func descriptionsHideSecrets() {
        var configuration = trusting()
        configuration.keyPEM = TLSTestCertificates.clientKey
        configuration.keyPassword = "hunter2"
        let texts = [configuration.description, configuration.debugDescription, String(reflecting: configuration),
                     "\(Mirror(reflecting: configuration).children.map(\.value))"]
        for text in texts {
            #expect(!text.contains("hunter2"))
            #expect(!text.contains("PRIVATE KEY"))
        }
    }

    @Test func systemStoreLoads() throws {
        let context = try TLSContext(configuration: TLSConfiguration())
        #expect(context.configuration.caLocation == nil)
    }
}
