// A small crypto layer over OpenSSL 3: the primitives SCRAM needs and nothing more.
//
// Every OpenSSL return code is checked; failures become a `CryptoError` naming the call, never a trap.
// Lengths that OpenSSL takes as `int` are checked before the call, so no input size can overflow them.

import COpenSSL

/// A failure reported by OpenSSL, or an input it cannot take.
public struct CryptoError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The OpenSSL function that failed, or the check that refused the input.
    public var operation: String
    /// OpenSSL's error-queue entry for the failure, when it left one.
    public var reason: String?

    /// An error for `operation`, with OpenSSL's reason if any.
    public init(operation: String, reason: String? = nil) {
        self.operation = operation
        self.reason = reason
    }

    /// `PKCS5_PBKDF2_HMAC failed: <reason>`.
    public var description: String {
        "\(operation) failed" + (reason.map { ": \($0)" } ?? "")
    }

    /// Takes the oldest entry off OpenSSL's thread-local error queue and clears the rest.
    static func fromOpenSSL(_ operation: String) -> CryptoError {
        let code = ERR_get_error()
        ERR_clear_error()
        guard code != 0 else { return CryptoError(operation: operation) }
        var buffer = [CChar](repeating: 0, count: 256)
        ERR_error_string_n(code, &buffer, buffer.count)
        let text = buffer.withUnsafeBufferPointer { pointer in
            String(decoding: pointer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        return CryptoError(operation: operation, reason: text)
    }
}

/// The hash functions SASL/SCRAM uses.
public enum HashAlgorithm: String, Hashable, Sendable, CaseIterable, CustomStringConvertible {
    /// SHA-256 (SCRAM-SHA-256).
    case sha256 = "SHA-256"
    /// SHA-512 (SCRAM-SHA-512).
    case sha512 = "SHA-512"

    /// The digest size in bytes.
    public var digestSize: Int {
        switch self {
        case .sha256: 32
        case .sha512: 64
        }
    }

    /// `SHA-256`.
    public var description: String { rawValue }

    /// OpenSSL's static method table for the algorithm (never freed: it is a built-in).
    var evpMD: OpaquePointer? {
        switch self {
        case .sha256: EVP_sha256()
        case .sha512: EVP_sha512()
        }
    }
}

/// Hashes, HMAC, PBKDF2, random bytes and constant-time comparison, through OpenSSL.
public enum Crypto {
    /// `H(data)`.
    public static func digest(_ algorithm: HashAlgorithm, _ data: [UInt8]) throws(CryptoError) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: algorithm.digestSize)
        var length: UInt32 = 0
        let ok = data.withUnsafeBytes { input in
            output.withUnsafeMutableBufferPointer { out in
                EVP_Digest(input.baseAddress, input.count, out.baseAddress, &length, algorithm.evpMD, nil)
            }
        }
        guard ok == 1 else { throw CryptoError.fromOpenSSL("EVP_Digest") }
        guard Int(length) == algorithm.digestSize else {
            throw CryptoError(operation: "EVP_Digest", reason: "unexpected digest length \(length)")
        }
        return output
    }

    /// `HMAC(key, data)` with `algorithm`.
    public static func hmac(_ algorithm: HashAlgorithm, key: [UInt8], data: [UInt8]) throws(CryptoError) -> [UInt8] {
        guard let keyLength = Int32(exactly: key.count) else {
            throw CryptoError(operation: "HMAC", reason: "key longer than Int32.max bytes")
        }
        var output = [UInt8](repeating: 0, count: algorithm.digestSize)
        var length: UInt32 = 0
        let result = key.withUnsafeBytes { keyBytes in
            data.withUnsafeBytes { input in
                output.withUnsafeMutableBufferPointer { out in
                    // OpenSSL treats a null key pointer with length 0 as "no key"; pass a valid pointer anyway.
                    HMAC(algorithm.evpMD, keyBytes.baseAddress ?? UnsafeRawPointer(out.baseAddress), keyLength,
                         input.baseAddress?.assumingMemoryBound(to: UInt8.self), input.count,
                         out.baseAddress, &length)
                }
            }
        }
        guard result != nil else { throw CryptoError.fromOpenSSL("HMAC") }
        guard Int(length) == algorithm.digestSize else {
            throw CryptoError(operation: "HMAC", reason: "unexpected MAC length \(length)")
        }
        return output
    }

    /// PBKDF2 with HMAC-`algorithm` (RFC 8018): `keyLength` bytes derived from `password` and `salt`.
    public static func pbkdf2(_ algorithm: HashAlgorithm, password: [UInt8], salt: [UInt8], iterations: Int,
                              keyLength: Int) throws(CryptoError) -> [UInt8] {
        guard let passwordLength = Int32(exactly: password.count), let saltLength = Int32(exactly: salt.count),
              let rounds = Int32(exactly: iterations), rounds >= 1,
              let outLength = Int32(exactly: keyLength), outLength >= 1 else {
            throw CryptoError(operation: "PKCS5_PBKDF2_HMAC", reason: "length or iteration count out of range")
        }
        var output = [UInt8](repeating: 0, count: keyLength)
        let ok = password.withUnsafeBytes { pass in
            salt.withUnsafeBytes { saltBytes in
                output.withUnsafeMutableBufferPointer { out in
                    PKCS5_PBKDF2_HMAC(pass.baseAddress?.assumingMemoryBound(to: CChar.self), passwordLength,
                                      saltBytes.baseAddress?.assumingMemoryBound(to: UInt8.self), saltLength,
                                      rounds, algorithm.evpMD, outLength, out.baseAddress)
                }
            }
        }
        guard ok == 1 else { throw CryptoError.fromOpenSSL("PKCS5_PBKDF2_HMAC") }
        return output
    }

    /// `count` bytes from OpenSSL's CSPRNG.
    public static func randomBytes(count: Int) throws(CryptoError) -> [UInt8] {
        guard let length = Int32(exactly: count), length >= 0 else {
            throw CryptoError(operation: "RAND_bytes", reason: "count out of range")
        }
        var output = [UInt8](repeating: 0, count: count)
        guard count > 0 else { return output }
        let ok = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, length) }
        guard ok == 1 else { throw CryptoError.fromOpenSSL("RAND_bytes") }
        return output
    }

    /// Whether `a` and `b` are equal, in time that depends only on their lengths (for MACs and signatures).
    public static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        guard !a.isEmpty else { return true }
        return a.withUnsafeBytes { x in
            b.withUnsafeBytes { y in CRYPTO_memcmp(x.baseAddress, y.baseAddress, x.count) == 0 }
        }
    }
}
