import Foundation
import Glibc
@testable import KafkaSecurity
import KafkaTransport
import KafkaWire
import Synchronization

/// A SASL-terminating gateway for tests: it accepts Kafka connections, answers ApiVersions (the upstream
/// broker's ranges plus SaslHandshake and SaslAuthenticate), SaslHandshake and SaslAuthenticate itself, and
/// relays every later request to a real broker (Tansu), rewriting the broker addresses in Metadata and
/// FindCoordinator responses to its own so that every connection the client opens comes through it.
///
/// It checks PLAIN and SCRAM-SHA-256/512 as a broker does: SCRAM credentials are stored as Kafka stores
/// them (salt, iterations, StoredKey, ServerKey), the client's proof is verified by recovering ClientKey,
/// and the server-final message carries the server signature. A failed login is answered with
/// SASL_AUTHENTICATION_FAILED and the connection closed. With `sessionLifetimeMs` > 0 (KIP-368), a
/// non-SASL request arriving after the session expired closes the connection, as Kafka's brokers do, so
/// a client that does not re-authenticate in time loses its connection. Unlike Kafka, the gateway allows
/// `expiryGrace` past the expiry (counting such requests as `lateRequests`): the client renews at 85-95 %
/// of a 2 s lifetime, a margin of 100-300 ms that a loaded test machine's scheduling could eat.
///
/// One blocking thread per connection; requests are relayed one at a time (response before the next
/// request), which keeps Kafka's in-order answering trivially true. Produce with acks=0 is not supported.
final class SaslGateway: Sendable {
    /// What the gateway saw.
    struct Counts: Sendable, Equatable {
        var connections = 0
        var handshakes = 0
        /// SaslAuthenticate frames received.
        var authenticateFrames = 0
        /// Completed logins (first authentications and re-authentications).
        var logins = 0
        /// Re-authentications (logins on a connection that had logged in before).
        var reauthentications = 0
        var failedLogins = 0
        /// Connections closed because a request arrived after the session expired (and its grace).
        var expiredSessions = 0
        /// Requests that arrived after the session expired but within the grace.
        var lateRequests = 0
        var relayedRequests = 0
        /// OAUTHBEARER tokens accepted, in order.
        var acceptedTokens: [String] = []
    }

    let port: Int
    let upstream: BrokerAddress
    let mechanisms: [String]
    let sessionLifetimeMs: Int64
    let expiryGrace: Duration = .seconds(1)
    private let listenFD: Int32
    private let users: [String: String]
    private let acceptsToken: @Sendable (String) -> Bool
    private let scramCredentials: [String: ScramCredential]
    private let counts = Mutex(Counts())
    private let openConnections = Mutex<Set<Int32>>([])

    var address: BrokerAddress { BrokerAddress(host: "127.0.0.1", port: port) }
    var snapshot: Counts { counts.withLock { $0 } }

    /// A gateway on an ephemeral loopback port in front of `upstream`, accepting `users` (name: password)
    /// with `mechanisms`.
    init(upstream: BrokerAddress, users: [String: String],
         mechanisms: [String] = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"], sessionLifetimeMs: Int64 = 0,
         acceptsToken: @escaping @Sendable (String) -> Bool = { _ in false }) throws {
        self.upstream = upstream
        self.users = users
        self.acceptsToken = acceptsToken
        self.mechanisms = mechanisms
        self.sessionLifetimeMs = sessionLifetimeMs
        var scram: [String: ScramCredential] = [:]
        for (name, password) in users {
            for algorithm in [HashAlgorithm.sha256, .sha512] {
                scram["\(algorithm.rawValue)/\(name)"] = try ScramCredential(algorithm: algorithm, password: password)
            }
        }
        scramCredentials = scram
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        address.sin_port = 0
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 16) == 0 else { throw SocketError("bind/listen", code: errno) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listenFD = fd
        port = Int(UInt16(bigEndian: address.sin_port))
        Thread { [self] in self.serve() }.start()
    }

    /// Stops accepting and breaks every open connection.
    func stop() {
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        for fd in openConnections.withLock({ $0 }) { shutdown(fd, Int32(SHUT_RDWR)) }
    }

    private func serve() {
        while true {
            let client = accept(listenFD, nil, nil)
            guard client >= 0 else { return }
            counts.withLock { $0.connections += 1 }
            Thread { [self] in self.handle(client) }.start()
        }
    }

    // MARK: One connection

    private struct Session {
        var mechanism: String? = nil
        var scram: ScramServerExchange? = nil
        /// OAUTHBEARER: the token was refused with an error challenge; the client's %x01 ends the exchange.
        var oauthRefused = false
        var loggedIn = false
        var expiresAt: ContinuousClock.Instant? = nil
    }

    private func handle(_ fd: Int32) {
        openConnections.withLock { _ = $0.insert(fd) }
        var upstreamFD: Int32 = -1
        defer {
            openConnections.withLock { _ = $0.remove(fd) }
            close(fd)
            if upstreamFD >= 0 {
                openConnections.withLock { _ = $0.remove(upstreamFD) }
                close(upstreamFD)
            }
        }
        guard let up = Self.connect(to: upstream) else { return }
        upstreamFD = up
        openConnections.withLock { _ = $0.insert(up) }
        var session = Session()
        while let frame = Self.readFrame(fd) {
            var reader = ByteReader(frame)
            guard let header = try? RequestHeader(from: &reader) else { return }
            let body = reader.readRemaining()
            switch header.apiKey {
            case .apiVersions:
                guard Self.writeAll(up, Self.sizePrefixed(frame)), let answer = Self.readFrame(up),
                      Self.writeAll(fd, Self.sizePrefixed(Self.addSaslApis(answer, version: header.apiVersion))) else { return }
            case .saslHandshake:
                counts.withLock { $0.handshakes += 1 }
                var response = SaslHandshakeResponse()
                response.mechanisms = mechanisms
                let request = try? SaslHandshakeRequest(decoding: body, version: header.apiVersion)
                if let request, mechanisms.contains(request.mechanism) {
                    session.mechanism = request.mechanism
                    session.scram = nil
                } else {
                    response.errorCode = .unsupportedSaslMechanism
                }
                guard reply(fd, header, response) else { return }
                if response.errorCode != .none { return }
            case .saslAuthenticate:
                counts.withLock { $0.authenticateFrames += 1 }
                guard let mechanism = session.mechanism,
                      let request = try? SaslAuthenticateRequest(decoding: body, version: header.apiVersion) else {
                    _ = reply(fd, header, SaslAuthenticateResponse(errorCode: .illegalSaslState,
                                                                    errorMessage: "SaslAuthenticate without SaslHandshake"))
                    return
                }
                let outcome = authenticate(mechanism: mechanism, token: request.authBytes.array, session: &session)
                var response = SaslAuthenticateResponse()
                switch outcome {
                case let .challenge(bytes):
                    response.authBytes = ByteSlice(bytes)
                case let .success(bytes):
                    response.authBytes = ByteSlice(bytes)
                    response.sessionLifetimeMs = sessionLifetimeMs
                    counts.withLock {
                        $0.logins += 1
                        if session.loggedIn { $0.reauthentications += 1 }
                    }
                    session.loggedIn = true
                    session.mechanism = nil
                    session.expiresAt = sessionLifetimeMs > 0 ? .now + .milliseconds(sessionLifetimeMs) : nil
                case let .failure(message):
                    counts.withLock { $0.failedLogins += 1 }
                    response.errorCode = .saslAuthenticationFailed
                    response.errorMessage = message
                }
                guard reply(fd, header, response) else { return }
                if case .failure = outcome { return }
            default:
                guard session.loggedIn else { return }  // Kafka closes a connection that skips authentication
                if let expiresAt = session.expiresAt, ContinuousClock.now >= expiresAt {
                    if ContinuousClock.now >= expiresAt + expiryGrace {
                        counts.withLock { $0.expiredSessions += 1 }
                        return
                    }
                    counts.withLock { $0.lateRequests += 1 }
                }
                counts.withLock { $0.relayedRequests += 1 }
                guard Self.writeAll(up, Self.sizePrefixed(frame)) else { return }
                if header.apiKey == .produce,
                   let produce = try? ProduceRequest(decoding: body, version: header.apiVersion), produce.acks == 0 {
                    continue
                }
                guard let answer = Self.readFrame(up),
                      Self.writeAll(fd, Self.sizePrefixed(rewriteAddresses(answer, header: header))) else { return }
            }
        }
    }

    private enum Outcome { case challenge([UInt8]), success([UInt8]), failure(String) }

    private func authenticate(mechanism: String, token: [UInt8], session: inout Session) -> Outcome {
        let invalid = "Authentication failed: Invalid username or password"
        switch mechanism {
        case "PLAIN":
            let parts = token.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3 else { return .failure("Invalid SASL/PLAIN request") }
            let user = String(decoding: parts[1], as: UTF8.self)
            let password = String(decoding: parts[2], as: UTF8.self)
            return users[user] == password ? .success([]) : .failure(invalid)
        case "SCRAM-SHA-256", "SCRAM-SHA-512":
            let algorithm: HashAlgorithm = mechanism == "SCRAM-SHA-256" ? .sha256 : .sha512
            if var exchange = session.scram {
                session.scram = nil
                guard let final = exchange.clientFinal(token) else {
                    return .failure("Authentication failed during authentication due to invalid credentials with SASL mechanism \(mechanism)")
                }
                return .success(Array(final.utf8))
            }
            guard let (exchange, serverFirst) = ScramServerExchange.start(clientFirst: token, algorithm: algorithm,
                                                                          credentials: scramCredentials) else {
                return .failure("Authentication failed during authentication due to invalid credentials with SASL mechanism \(mechanism)")
            }
            session.scram = exchange
            return .challenge(Array(serverFirst.utf8))
        case "OAUTHBEARER":
            // RFC 7628: "n,[a=authzid]," %x01 "auth=Bearer " token %x01 [kvpairs] %x01.
            if session.oauthRefused {
                session.oauthRefused = false
                return .failure("Authentication failed: invalid_token")
            }
            let fields = String(decoding: token, as: UTF8.self).split(separator: "\u{1}")
            guard let auth = fields.first(where: { $0.hasPrefix("auth=Bearer ") }) else {
                return .failure("Invalid OAUTHBEARER client first message")
            }
            let bearer = String(auth.dropFirst("auth=Bearer ".count))
            guard acceptsToken(bearer) else {
                session.oauthRefused = true
                return .challenge(Array(#"{"status":"invalid_token"}"#.utf8))
            }
            counts.withLock { $0.acceptedTokens.append(bearer) }
            return .success([])
        default:
            return .failure("unsupported mechanism")
        }
    }

    private func reply<Response: KafkaResponse>(_ fd: Int32, _ header: RequestHeader, _ response: Response) -> Bool {
        guard let body = try? response.encoded(version: header.apiVersion) else { return false }
        var writer = ByteWriter()
        ResponseHeader(correlationID: header.correlationID)
            .encode(into: &writer, headerVersion: ResponseHeader.version(apiKey: header.apiKey, apiVersion: header.apiVersion))
        writer.writeRaw(body)
        return Self.writeAll(fd, Self.sizePrefixed(writer.bytes))
    }

    /// The upstream ApiVersions answer with SaslHandshake v0-1 and SaslAuthenticate v0-2 added.
    private static func addSaslApis(_ frame: [UInt8], version: Int16) -> [UInt8] {
        var reader = ByteReader(frame)
        guard let header = try? ResponseHeader(from: &reader, headerVersion: 0),
              var response = try? ApiVersionsResponse(decoding: reader.readRemaining(), version: version) else { return frame }
        response.apiKeys.removeAll { $0.apiKey == ApiKey.saslHandshake.rawValue || $0.apiKey == ApiKey.saslAuthenticate.rawValue }
        response.apiKeys.append(.init(apiKey: ApiKey.saslHandshake.rawValue, minVersion: 0, maxVersion: 1))
        response.apiKeys.append(.init(apiKey: ApiKey.saslAuthenticate.rawValue, minVersion: 0, maxVersion: 2))
        guard let body = try? response.encoded(version: version) else { return frame }
        var writer = ByteWriter()
        header.encode(into: &writer, headerVersion: 0)
        writer.writeRaw(body)
        return writer.bytes
    }

    /// Metadata and FindCoordinator answers with every broker address replaced by the gateway's.
    private func rewriteAddresses(_ frame: [UInt8], header: RequestHeader) -> [UInt8] {
        guard header.apiKey == .metadata || header.apiKey == .findCoordinator else { return frame }
        let headerVersion = ResponseHeader.version(apiKey: header.apiKey, apiVersion: header.apiVersion)
        var reader = ByteReader(frame)
        guard let responseHeader = try? ResponseHeader(from: &reader, headerVersion: headerVersion) else { return frame }
        let body = reader.readRemaining()
        let rewritten: [UInt8]?
        if header.apiKey == .metadata {
            guard var response = try? MetadataResponse(decoding: body, version: header.apiVersion) else { return frame }
            for index in response.brokers.indices {
                response.brokers[index].host = "127.0.0.1"
                response.brokers[index].port = Int32(port)
            }
            rewritten = try? response.encoded(version: header.apiVersion)
        } else {
            guard var response = try? FindCoordinatorResponse(decoding: body, version: header.apiVersion) else { return frame }
            if !response.host.isEmpty {
                response.host = "127.0.0.1"
                response.port = Int32(port)
            }
            for index in response.coordinators.indices where !response.coordinators[index].host.isEmpty {
                response.coordinators[index].host = "127.0.0.1"
                response.coordinators[index].port = Int32(port)
            }
            rewritten = try? response.encoded(version: header.apiVersion)
        }
        guard let rewritten else { return frame }
        var writer = ByteWriter()
        responseHeader.encode(into: &writer, headerVersion: headerVersion)
        writer.writeRaw(rewritten)
        return writer.bytes
    }

    // MARK: Blocking socket helpers

    private static func connect(to address: BrokerAddress) -> Int32? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return nil }
        var target = sockaddr_in()
        target.sin_family = sa_family_t(AF_INET)
        target.sin_addr.s_addr = inet_addr(address.host == "localhost" ? "127.0.0.1" : address.host)
        target.sin_port = UInt16(address.port).bigEndian
        let result = withUnsafePointer(to: &target) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { Glibc.connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard result == 0 else {
            close(fd)
            return nil
        }
        return fd
    }

    private static func readExactly(_ fd: Int32, _ count: Int) -> [UInt8]? {
        var buffer = [UInt8](repeating: 0, count: count)
        var got = 0
        while got < count {
            let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress! + got, count - got, 0) }
            if n <= 0 { return nil }
            got += n
        }
        return buffer
    }

    /// One frame without its size prefix.
    private static func readFrame(_ fd: Int32) -> [UInt8]? {
        guard let prefix = readExactly(fd, 4) else { return nil }
        let size = Int(Int32(bigEndian: prefix.withUnsafeBytes { $0.loadUnaligned(as: Int32.self) }))
        guard size >= 4, size <= 200_000_000 else { return nil }
        return readExactly(fd, size)
    }

    private static func sizePrefixed(_ frame: [UInt8]) -> [UInt8] {
        let size = UInt32(frame.count).bigEndian
        return withUnsafeBytes(of: size) { Array($0) } + frame
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, bytes.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }
}

/// A SCRAM credential as a Kafka broker stores it: never the password itself.
struct ScramCredential: Sendable {
    let algorithm: HashAlgorithm
    let salt: [UInt8]
    let iterations: Int
    let storedKey: [UInt8]
    let serverKey: [UInt8]

    init(algorithm: HashAlgorithm, password: String, iterations: Int = 4096) throws {
        self.algorithm = algorithm
        self.iterations = iterations
        salt = try Crypto.randomBytes(count: 16)
        let salted = try Crypto.pbkdf2(algorithm, password: Array(password.utf8), salt: salt,
                                       iterations: iterations, keyLength: algorithm.digestSize)
        storedKey = try Crypto.digest(algorithm, try Crypto.hmac(algorithm, key: salted, data: Array("Client Key".utf8)))
        serverKey = try Crypto.hmac(algorithm, key: salted, data: Array("Server Key".utf8))
    }
}

/// The server side of one SCRAM exchange (RFC 5802 §5): server-first, then the proof check and server-final.
struct ScramServerExchange: Sendable {
    let credential: ScramCredential
    let clientFirstBare: String
    let serverFirst: String
    let nonce: String

    /// Parses client-first (`n,,n=user,r=nonce`) and answers server-first; nil for an unknown user or bad syntax.
    static func start(clientFirst: [UInt8], algorithm: HashAlgorithm,
                      credentials: [String: ScramCredential]) -> (ScramServerExchange, String)? {
        let text = String(decoding: clientFirst, as: UTF8.self)
        guard text.hasPrefix("n,,") else { return nil }
        let bare = String(text.dropFirst(3))
        let parts = bare.split(separator: ",")
        guard parts.count >= 2, parts[0].hasPrefix("n="), parts[1].hasPrefix("r="),
              let random = try? Crypto.randomBytes(count: 12) else { return nil }
        let user = String(parts[0].dropFirst(2)).replacingOccurrences(of: "=2C", with: ",")
            .replacingOccurrences(of: "=3D", with: "=")
        guard let credential = credentials["\(algorithm.rawValue)/\(user)"] else { return nil }
        let nonce = String(parts[1].dropFirst(2)) + Base64.encode(random)
        let serverFirst = "r=\(nonce),s=\(Base64.encode(credential.salt)),i=\(credential.iterations)"
        return (ScramServerExchange(credential: credential, clientFirstBare: bare, serverFirst: serverFirst, nonce: nonce),
                serverFirst)
    }

    /// Verifies client-final's proof; returns server-final (`v=` + the server signature), or nil when the proof is wrong.
    mutating func clientFinal(_ message: [UInt8]) -> String? {
        let text = String(decoding: message, as: UTF8.self)
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard let last = parts.last, last.hasPrefix("p=") else { return nil }
        let withoutProof = parts.dropLast().joined(separator: ",")
        guard withoutProof == "c=biws,r=\(nonce)", let proof = Base64.decode(last.dropFirst(2)) else { return nil }
        let algorithm = credential.algorithm
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        guard let clientSignature = try? Crypto.hmac(algorithm, key: credential.storedKey, data: authMessage),
              proof.count == clientSignature.count else { return nil }
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        guard let digest = try? Crypto.digest(algorithm, clientKey), digest == credential.storedKey,
              let signature = try? Crypto.hmac(algorithm, key: credential.serverKey, data: authMessage) else { return nil }
        return "v=" + Base64.encode(signature)
    }
}
