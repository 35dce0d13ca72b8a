// CRC-32C (Castagnoli) guards record batches (magic 2); CRC-32 (IEEE 802.3) guards legacy
// messages (magic 0 and 1). Both are the reflected form: the register shifts right, the
// polynomial is bit-reversed (0x82F63B78 and 0xEDB88320), the register starts at all ones
// and the result is inverted.
//
// Speed comes from slicing-by-8: eight 256-entry tables, where table k gives the CRC of a
// byte followed by k zero bytes, so one step folds eight input bytes with eight look-ups.
// CRC-32C uses the CPU's crc32 instruction instead when it has one (SSE4.2 on x86-64, the CRC
// extension on AArch64; the CCRC32C shim), several times faster than the tables.

import CCRC32C

/// The eight slicing tables of one reflected CRC-32 polynomial, built once.
@usableFromInline
struct CRC32Tables: Sendable {
    /// Table k at `k * 256`, as one array so a single pointer reaches all eight.
    @usableFromInline let entries: [UInt32]

    init(reflectedPolynomial polynomial: UInt32) {
        var entries = [UInt32](repeating: 0, count: 8 * 256)
        for byte in 0..<256 {
            var crc = UInt32(byte)
            for _ in 0..<8 {
                crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1
            }
            entries[byte] = crc
        }
        for table in 1..<8 {
            for byte in 0..<256 {
                let previous = entries[(table - 1) * 256 + byte]
                entries[table * 256 + byte] = (previous >> 8) ^ entries[Int(previous & 0xFF)]
            }
        }
        self.entries = entries
    }

    @usableFromInline static let castagnoli = CRC32Tables(reflectedPolynomial: 0x82F6_3B78)
    @usableFromInline static let ieee = CRC32Tables(reflectedPolynomial: 0xEDB8_8320)

    /// Folds `bytes` into `register` (the pre-inversion state) and returns the new state.
    @usableFromInline
    func update(_ register: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard var p = bytes.baseAddress, !bytes.isEmpty else { return register }
        var crc = register
        var left = bytes.count
        entries.withUnsafeBufferPointer { tables in
            // The buffer is never empty (8 × 256 entries), so the base address exists; an
            // empty buffer would only make this a no-op, never a trap.
            guard let t = tables.baseAddress else { return }
            while left >= 8 {
                let one = UInt32(littleEndian: p.loadUnaligned(as: UInt32.self)) ^ crc
                let two = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
                crc = t[7 * 256 + Int(one & 0xFF)]
                    ^ t[6 * 256 + Int((one >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((one >> 16) & 0xFF)]
                    ^ t[4 * 256 + Int(one >> 24)]
                    ^ t[3 * 256 + Int(two & 0xFF)]
                    ^ t[2 * 256 + Int((two >> 8) & 0xFF)]
                    ^ t[1 * 256 + Int((two >> 16) & 0xFF)]
                    ^ t[Int(two >> 24)]
                p += 8
                left -= 8
            }
            while left > 0 {
                crc = (crc >> 8) ^ t[Int((crc ^ UInt32(p.load(as: UInt8.self))) & 0xFF)]
                p += 1
                left -= 1
            }
        }
        return crc
    }
}

/// A reflected CRC-32 fed incrementally: the API shared by `CRC32C` and `CRC32`.
public protocol IncrementalCRC32: Sendable, Equatable {
    /// A checksum of no bytes yet.
    init()
    /// Adds `bytes` to the checksum.
    mutating func update(_ bytes: UnsafeRawBufferPointer)
    /// The checksum of every byte added so far.
    var value: UInt32 { get }
}

extension IncrementalCRC32 {
    /// Adds `bytes` to the checksum.
    @inlinable public mutating func update(_ bytes: ByteSlice) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Adds `bytes` to the checksum.
    @inlinable public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// The checksum of `bytes`.
    @inlinable public static func checksum(of bytes: UnsafeRawBufferPointer) -> UInt32 {
        var crc = Self()
        crc.update(bytes)
        return crc.value
    }

    /// The checksum of `bytes`.
    @inlinable public static func checksum(of bytes: ByteSlice) -> UInt32 {
        bytes.withUnsafeBytes { checksum(of: $0) }
    }

    /// The checksum of `bytes`.
    @inlinable public static func checksum(of bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { checksum(of: $0) }
    }
}

/// CRC-32C (Castagnoli), the checksum of record batches (magic 2).
///
/// Feed bytes with `update` as they arrive; `value` is the checksum of everything so far.
/// `CRC32C.checksum(of: Array("123456789".utf8)) == 0xE3069283`.
public struct CRC32C: IncrementalCRC32 {
    @usableFromInline var register: UInt32 = 0xFFFF_FFFF

    @inlinable public init() {}

    @inlinable public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        register = Self.update(register, bytes)
    }

    @inlinable public var value: UInt32 { ~register }

    /// Whether the CPU computes CRC-32C itself (asked once).
    static let hardware = swafka_crc32c_hardware() != 0

    /// Folds `bytes` into `register` with the CPU's instruction when there is one, else the tables.
    @usableFromInline
    static func update(_ register: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        guard hardware, let base = bytes.baseAddress else { return CRC32Tables.castagnoli.update(register, bytes) }
        return swafka_crc32c_update(register, base, bytes.count)
    }

    /// Folds `bytes` into `register` with the slicing-by-8 tables only (the portable path, for tests
    /// that compare it with the instruction).
    static func updateWithTables(_ register: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        CRC32Tables.castagnoli.update(register, bytes)
    }
}

/// CRC-32 (IEEE 802.3, the zlib one), the checksum of legacy messages (magic 0 and 1).
///
/// `CRC32.checksum(of: Array("123456789".utf8)) == 0xCBF43926`.
public struct CRC32: IncrementalCRC32 {
    @usableFromInline var register: UInt32 = 0xFFFF_FFFF

    @inlinable public init() {}

    @inlinable public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        register = CRC32Tables.ieee.update(register, bytes)
    }

    @inlinable public var value: UInt32 { ~register }
}
