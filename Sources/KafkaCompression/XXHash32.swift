/// XXH32 (Yann Collet's xxHash, 32-bit variant), which the LZ4 frame format uses for its
/// header checksum. liblz4 computes it internally but does not export it, and the LZ4 codec
/// needs it to recognise and to write Kafka's magic-0 header checksum (a hash over at most
/// 19 bytes), so it lives here. All arithmetic wraps modulo 2^32; lanes are little-endian.
enum XXHash32 {
    static let prime1: UInt32 = 0x9E37_79B1
    static let prime2: UInt32 = 0x85EB_CA77
    static let prime3: UInt32 = 0xC2B2_AE3D
    static let prime4: UInt32 = 0x27D4_EB2F
    static let prime5: UInt32 = 0x1656_67B1

    /// The XXH32 of `bytes` with `seed`.
    static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt32 = 0) -> UInt32 {
        let count = bytes.count
        var index = 0
        var hash: UInt32

        func lane(_ at: Int) -> UInt32 {
            UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        func round(_ accumulator: UInt32, _ input: UInt32) -> UInt32 {
            rotateLeft(accumulator &+ input &* prime2, 13) &* prime1
        }

        if count >= 16 {
            // Four accumulators over 16-byte stripes.
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            while index + 16 <= count {
                v1 = round(v1, lane(index))
                v2 = round(v2, lane(index + 4))
                v3 = round(v3, lane(index + 8))
                v4 = round(v4, lane(index + 12))
                index += 16
            }
            hash = rotateLeft(v1, 1) &+ rotateLeft(v2, 7) &+ rotateLeft(v3, 12) &+ rotateLeft(v4, 18)
        } else {
            hash = seed &+ prime5
        }
        hash = hash &+ UInt32(truncatingIfNeeded: count)

        while index + 4 <= count {
            hash = rotateLeft(hash &+ lane(index) &* prime3, 17) &* prime4
            index += 4
        }
        while index < count {
            hash = rotateLeft(hash &+ UInt32(bytes[index]) &* prime5, 11) &* prime1
            index += 1
        }

        // Final avalanche.
        hash ^= hash >> 15
        hash = hash &* prime2
        hash ^= hash >> 13
        hash = hash &* prime3
        hash ^= hash >> 16
        return hash
    }

    /// The XXH32 of `bytes` with `seed`.
    static func hash(_ bytes: [UInt8], seed: UInt32 = 0) -> UInt32 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    private static func rotateLeft(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value << count) | (value >> (32 - count))
    }
}
