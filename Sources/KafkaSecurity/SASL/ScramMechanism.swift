// SCRAM-SHA-256 and SCRAM-SHA-512 (RFC 5802, RFC 7677), the client side, as Kafka speaks them:
// no channel binding (gs2 header "n,,"), no authzid, no extensions sent.
//
//   client-first  = "n,," "n=" saslname ",r=" c-nonce
//   server-first  = ["m=" ext ","] "r=" c-nonce s-nonce ",s=" base64(salt) ",i=" iterations ["," ext]
//   client-final  = "c=biws,r=" nonce ",p=" base64(ClientKey XOR HMAC(StoredKey, AuthMessage))
//   server-final  = "v=" base64(HMAC(ServerKey, AuthMessage)) | "e=" error
//
// SASLprep: none. RFC 5802 asks for SASLprep (RFC 4013) on the password, but Kafka's brokers store SCRAM
// credentials derived from the password's raw UTF-8 bytes (its ScramFormatter does no normalisation), so a
// client that normalised would fail to log in whenever SASLprep changes the string (non-ASCII spaces, soft
// hyphens, compatibility forms). We therefore use the password's UTF-8 bytes as given; for printable ASCII
// passwords SASLprep is the identity and the two agree. The user name is only escaped (`=` → `=3D`,
// `,` → `=2C`), again as Kafka does.

/// The client side of SCRAM-SHA-256 or SCRAM-SHA-512; verifies the server's signature before completing.
public struct ScramMechanism: SaslClientMechanism, CustomStringConvertible, CustomDebugStringConvertible,
    CustomReflectable {
    /// RFC 7677's floor for the PBKDF2 iteration count.
    public static let defaultMinimumIterations = 4096
    /// A ceiling so that a hostile server cannot make the client spin; Kafka's own maximum is 16384.
    public static let defaultMaximumIterations = 1_000_000

    private enum State: Hashable, Sendable {
        case initial
        case clientFirstSent(clientFirstBare: String, clientNonce: String)
        case clientFinalSent(expectedServerSignature: [UInt8])
        case done
        case failed
    }

    /// The hash: SHA-256 or SHA-512.
    public let algorithm: HashAlgorithm
    private let credentials: SaslCredentials
    private let minimumIterations: Int
    private let maximumIterations: Int
    private let fixedClientNonce: String?
    private var state: State = .initial

    /// `SCRAM-SHA-256` or `SCRAM-SHA-512`.
    public var name: String { "SCRAM-\(algorithm.rawValue)" }

    /// SCRAM with `algorithm` for `credentials`, refusing iteration counts outside
    /// `minimumIterations...maximumIterations`.
    public init(algorithm: HashAlgorithm, credentials: SaslCredentials,
                minimumIterations: Int = Self.defaultMinimumIterations,
                maximumIterations: Int = Self.defaultMaximumIterations) {
        self.init(algorithm: algorithm, credentials: credentials, minimumIterations: minimumIterations,
                  maximumIterations: maximumIterations, clientNonce: nil)
    }

    /// For test vectors only: a fixed client nonce instead of 24 random bytes.
    init(algorithm: HashAlgorithm, credentials: SaslCredentials, minimumIterations: Int, maximumIterations: Int,
         clientNonce: String?) {
        self.algorithm = algorithm
        self.credentials = credentials
        self.minimumIterations = minimumIterations
        self.maximumIterations = maximumIterations
        self.fixedClientNonce = clientNonce
    }

    /// RFC 5802 saslname: `=` and `,` escaped.
    static func saslName(_ name: String) -> String {
        var out = ""
        for character in name.unicodeScalars {
            switch character {
            case "=": out += "=3D"
            case ",": out += "=2C"
            default: out.unicodeScalars.append(character)
            }
        }
        return out
    }

    public mutating func start() -> SaslMechanismAction {
        guard case .initial = state else {
            return fail(.unexpectedMessage(mechanism: name, reason: "start called twice"))
        }
        if credentials.username.isEmpty { return fail(.invalidCredential(field: "username", reason: "is empty")) }
        if credentials.username.utf8.contains(0) {
            return fail(.invalidCredential(field: "username", reason: "contains NUL"))
        }
        let nonce: String
        if let fixedClientNonce {
            nonce = fixedClientNonce
        } else {
            do {
                nonce = Base64.encode(try Crypto.randomBytes(count: 24))
            } catch {
                return fail(.crypto(error))
            }
        }
        let bare = "n=\(Self.saslName(credentials.username)),r=\(nonce)"
        state = .clientFirstSent(clientFirstBare: bare, clientNonce: nonce)
        return .send(Array(("n,," + bare).utf8))
    }

    public mutating func serverMessageReceived(_ message: [UInt8]) -> SaslMechanismAction {
        switch state {
        case let .clientFirstSent(bare, clientNonce):
            return serverFirstReceived(message, clientFirstBare: bare, clientNonce: clientNonce)
        case let .clientFinalSent(expected):
            return serverFinalReceived(message, expectedServerSignature: expected)
        case .initial, .done, .failed:
            return fail(.unexpectedMessage(mechanism: name, reason: "server message outside the exchange"))
        }
    }

    /// Splits `a=value,b=value` into (letter, value) pairs; nil when any part is not of that form.
    private static func attributes(_ text: Substring) -> [(Character, Substring)]? {
        var out: [(Character, Substring)] = []
        for part in text.split(separator: ",", omittingEmptySubsequences: false) {
            guard part.count >= 2, let letter = part.first, letter.isASCII, letter.isLetter,
                  part.dropFirst().first == "=" else { return nil }
            out.append((letter, part.dropFirst(2)))
        }
        return out
    }

    private mutating func serverFirstReceived(_ message: [UInt8], clientFirstBare: String,
                                              clientNonce: String) -> SaslMechanismAction {
        guard let text = String(validating: message, as: UTF8.self) else {
            return malformed("server-first is not UTF-8")
        }
        guard let attributes = Self.attributes(Substring(text)) else {
            return malformed("server-first is not a list of attributes")
        }
        if let error = attributes.first(where: { $0.0 == "e" }) {
            return fail(.serverReportedError(mechanism: name, message: String(error.1)))
        }
        if attributes.first?.0 == "m" {
            return malformed("server requires an unsupported mandatory extension")
        }
        guard attributes.count >= 3, attributes[0].0 == "r", attributes[1].0 == "s", attributes[2].0 == "i" else {
            return malformed("server-first must start with r=, s=, i=")
        }
        let serverNonce = attributes[0].1
        guard serverNonce.utf8.allSatisfy({ $0 >= 0x21 && $0 <= 0x7E && $0 != UInt8(ascii: ",") }) else {
            return malformed("nonce has characters outside printable ASCII")
        }
        guard serverNonce.count > clientNonce.count, serverNonce.hasPrefix(clientNonce) else {
            return fail(.serverNonceMismatch)
        }
        guard let salt = Base64.decode(attributes[1].1), !salt.isEmpty else {
            return malformed("salt is not base64")
        }
        let countText = attributes[2].1
        guard !countText.isEmpty, countText.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else {
            return malformed("iteration count is not a positive decimal number")
        }
        guard let iterations = Int(countText), iterations <= maximumIterations else {
            return fail(.iterationCountTooHigh(Int(countText) ?? Int.max, maximum: maximumIterations))
        }
        guard iterations >= minimumIterations else {
            return fail(.iterationCountTooLow(iterations, minimum: minimumIterations))
        }

        let withoutProof = "c=biws,r=\(serverNonce)"  // biws = base64("n,,")
        let authMessage = Array("\(clientFirstBare),\(text),\(withoutProof)".utf8)
        do {
            let salted = try Crypto.pbkdf2(algorithm, password: Array(credentials.password.utf8), salt: salt,
                                           iterations: iterations, keyLength: algorithm.digestSize)
            let clientKey = try Crypto.hmac(algorithm, key: salted, data: Array("Client Key".utf8))
            let storedKey = try Crypto.digest(algorithm, clientKey)
            let clientSignature = try Crypto.hmac(algorithm, key: storedKey, data: authMessage)
            let proof = zip(clientKey, clientSignature).map { $0 ^ $1 }
            let serverKey = try Crypto.hmac(algorithm, key: salted, data: Array("Server Key".utf8))
            let serverSignature = try Crypto.hmac(algorithm, key: serverKey, data: authMessage)
            state = .clientFinalSent(expectedServerSignature: serverSignature)
            return .send(Array("\(withoutProof),p=\(Base64.encode(proof))".utf8))
        } catch {
            return fail(.crypto(error))
        }
    }

    private mutating func serverFinalReceived(_ message: [UInt8],
                                              expectedServerSignature: [UInt8]) -> SaslMechanismAction {
        guard let text = String(validating: message, as: UTF8.self) else {
            return malformed("server-final is not UTF-8")
        }
        guard let attributes = Self.attributes(Substring(text)), let first = attributes.first else {
            return malformed("server-final is not a list of attributes")
        }
        switch first.0 {
        case "e":
            return fail(.serverReportedError(mechanism: name, message: String(first.1)))
        case "v":
            guard let signature = Base64.decode(first.1) else { return malformed("server signature is not base64") }
            guard Crypto.constantTimeEqual(signature, expectedServerSignature) else {
                return fail(.serverSignatureMismatch)
            }
            state = .done
            return .complete
        default:
            return malformed("server-final must start with v= or e=")
        }
    }

    private mutating func malformed(_ reason: String) -> SaslMechanismAction {
        fail(.malformedServerMessage(mechanism: name, reason: reason))
    }

    private mutating func fail(_ error: SaslError) -> SaslMechanismAction {
        state = .failed
        return .fail(error)
    }

    private var stateName: String {
        switch state {
        case .initial: "initial"
        case .clientFirstSent: "clientFirstSent"
        case .clientFinalSent: "clientFinalSent"
        case .done: "done"
        case .failed: "failed"
        }
    }

    /// `ScramMechanism(SCRAM-SHA-512, username: "alice", state: initial)`: no password, nonce or keys.
    public var description: String {
        "ScramMechanism(\(name), username: \"\(credentials.username)\", state: \(stateName))"
    }
    /// Same as `description`.
    public var debugDescription: String { description }
    /// A mirror without secrets.
    public var customMirror: Mirror { Mirror(self, children: ["description": description]) }
}
