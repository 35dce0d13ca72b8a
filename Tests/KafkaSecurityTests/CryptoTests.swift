import Testing
@testable import KafkaSecurity

/// Lowercase hex, for comparing against published vectors.
func hex(_ bytes: [UInt8]) -> String {
    bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
}

@Suite struct CryptoTests {
    @Test func sha256AndSha512OfABC() throws {
        // FIPS 180-2 appendix vectors for "abc".
        #expect(hex(try Crypto.digest(.sha256, Array("abc".utf8)))
            == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(hex(try Crypto.digest(.sha512, Array("abc".utf8)))
            == "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a"
            + "2192992a274fc1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f")
        #expect(try Crypto.digest(.sha256, []).count == 32)
    }

    @Test func hmacSha256() throws {
        // The widely published "quick brown fox" HMAC-SHA256 value (cross-checked with Python's hmac).
        #expect(hex(try Crypto.hmac(.sha256, key: Array("key".utf8),
                                    data: Array("The quick brown fox jumps over the lazy dog".utf8)))
            == "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8")
        // Empty key and data still work (no null-pointer surprises).
        #expect(try Crypto.hmac(.sha512, key: [], data: []).count == 64)
    }

    @Test func pbkdf2Sha256() throws {
        // RFC 7914 §11 style vector (P="password", S="salt", c=4096, dkLen=32), checked with Python hashlib.
        #expect(hex(try Crypto.pbkdf2(.sha256, password: Array("password".utf8), salt: Array("salt".utf8),
                                      iterations: 4096, keyLength: 32))
            == "c5e478d59288c841aa530db6845c4c8d962893a001ce4e11a4963873aa98134a")
    }

    @Test func pbkdf2RejectsBadArgumentsWithoutTrapping() {
        #expect(throws: CryptoError.self) {
            try Crypto.pbkdf2(.sha256, password: [], salt: [1], iterations: 0, keyLength: 32)
        }
        #expect(throws: CryptoError.self) {
            try Crypto.pbkdf2(.sha256, password: [], salt: [1], iterations: Int.max, keyLength: 32)
        }
        #expect(throws: CryptoError.self) {
            try Crypto.pbkdf2(.sha256, password: [], salt: [1], iterations: 1, keyLength: 0)
        }
    }

    @Test func randomBytes() throws {
        let a = try Crypto.randomBytes(count: 32)
        let b = try Crypto.randomBytes(count: 32)
        #expect(a.count == 32 && a != b)
        #expect(try Crypto.randomBytes(count: 0).isEmpty)
        #expect(throws: CryptoError.self) { try Crypto.randomBytes(count: -1) }
    }

    @Test func constantTimeEqual() {
        #expect(Crypto.constantTimeEqual([1, 2, 3], [1, 2, 3]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2, 4]))
        #expect(!Crypto.constantTimeEqual([1, 2, 3], [1, 2]))
        #expect(Crypto.constantTimeEqual([], []))
    }

    @Test func base64RoundTripAndStrictness() {
        for length in 0..<10 {
            let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 * 37 + 200) }
            #expect(Base64.decode(Substring(Base64.encode(bytes))) == bytes)
        }
        #expect(Base64.encode(Array("n,,".utf8)) == "biws")
        #expect(Base64.decode("W22ZaJ0SNY7soEsUEjb6gQ==")?.count == 16)
        for bad in ["abc", "ab=c", "a===", "ab\u{0A}d", "ab-_", "QR==", "QUJ=", "===="] {
            #expect(Base64.decode(Substring(bad)) == nil, "\(bad)")
        }
    }
}
