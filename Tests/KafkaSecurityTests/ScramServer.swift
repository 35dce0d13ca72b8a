import KafkaWire
@testable import KafkaSecurity

/// The broker side of SCRAM, for tests: stores (salt, iterations, StoredKey, ServerKey) as Kafka does and
/// checks proofs by recovering ClientKey, so the client is exercised against a different code path than its own.
struct ScramServer {
    let algorithm: HashAlgorithm
    let username: String
    let salt: [UInt8]
    let iterations: Int
    let storedKey: [UInt8]
    let serverKey: [UInt8]
    private var clientFirstBare = ""
    private var serverFirst = ""
    private var nonce = ""

    init(algorithm: HashAlgorithm, username: String, password: String, iterations: Int = 4096) throws {
        self.algorithm = algorithm
        self.username = username
        self.iterations = iterations
        salt = try Crypto.randomBytes(count: 16)
        let salted = try Crypto.pbkdf2(algorithm, password: Array(password.utf8), salt: salt,
                                       iterations: iterations, keyLength: algorithm.digestSize)
        storedKey = try Crypto.digest(algorithm, try Crypto.hmac(algorithm, key: salted, data: Array("Client Key".utf8)))
        serverKey = try Crypto.hmac(algorithm, key: salted, data: Array("Server Key".utf8))
    }

    enum Reply: Equatable { case message(String), authenticationFailed(String) }

    /// Answers client-first with server-first.
    mutating func clientFirst(_ message: [UInt8]) throws -> Reply {
        let text = String(decoding: message, as: UTF8.self)
        guard text.hasPrefix("n,,") else { return .authenticationFailed("bad gs2 header") }
        clientFirstBare = String(text.dropFirst(3))
        let parts = clientFirstBare.split(separator: ",")
        guard parts.count == 2, parts[0] == "n=" + ScramMechanism.saslName(username), parts[1].hasPrefix("r=") else {
            return .authenticationFailed("unknown user")
        }
        nonce = String(parts[1].dropFirst(2)) + Base64.encode(try Crypto.randomBytes(count: 12))
        serverFirst = "r=\(nonce),s=\(Base64.encode(salt)),i=\(iterations)"
        return .message(serverFirst)
    }

    /// Answers client-final with server-final, or fails the way Kafka does (SASL_AUTHENTICATION_FAILED).
    func clientFinal(_ message: [UInt8]) throws -> Reply {
        let text = String(decoding: message, as: UTF8.self)
        let parts = text.split(separator: ",", omittingEmptySubsequences: false)
        guard let last = parts.last, last.hasPrefix("p=") else { return .authenticationFailed("no proof") }
        let withoutProof = parts.dropLast().joined(separator: ",")
        guard withoutProof == "c=biws,r=\(nonce)", let proof = Base64.decode(last.dropFirst(2)) else {
            return .authenticationFailed("bad client-final")
        }
        let authMessage = Array("\(clientFirstBare),\(serverFirst),\(withoutProof)".utf8)
        let clientSignature = try Crypto.hmac(algorithm, key: storedKey, data: authMessage)
        guard proof.count == clientSignature.count else { return .authenticationFailed("bad proof length") }
        let clientKey = zip(proof, clientSignature).map { $0 ^ $1 }
        guard try Crypto.digest(algorithm, clientKey) == storedKey else {
            return .authenticationFailed("Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-\(algorithm.rawValue)")
        }
        return .message("v=" + Base64.encode(try Crypto.hmac(algorithm, key: serverKey, data: authMessage)))
    }
}

/// Answers a SaslAuthenticate the way a broker would for `reply`.
func brokerResponse(_ reply: ScramServer.Reply, lifetimeMs: Int64 = 0) -> SaslAuthenticateResponse {
    switch reply {
    case let .message(text):
        SaslAuthenticateResponse(errorCode: .none, errorMessage: nil, authBytes: ByteSlice(Array(text.utf8)),
                                 sessionLifetimeMs: lifetimeMs)
    case let .authenticationFailed(message):
        SaslAuthenticateResponse(errorCode: .saslAuthenticationFailed, errorMessage: message)
    }
}
