@testable import KafkaWire
import Testing

/// Bit-at-a-time reflected CRC-32, the textbook definition the table-driven code must match.
func referenceCRC(_ bytes: [UInt8], polynomial: UInt32) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc & 1) != 0 ? (crc >> 1) ^ polynomial : crc >> 1 }
    }
    return ~crc
}

@Suite("Records: CRC-32C and CRC-32")
struct RecordsCRCTests {
    let check = Array("123456789".utf8)

    @Test("check values of both polynomials")
    func checkValues() {
        #expect(CRC32C.checksum(of: check) == 0xE306_9283)
        #expect(CRC32.checksum(of: check) == 0xCBF4_3926)
        #expect(CRC32C.checksum(of: [UInt8]()) == 0)
        #expect(CRC32.checksum(of: [UInt8]()) == 0)
    }

    @Test("published vectors (RFC 3720 for CRC-32C, zlib for CRC-32)")
    func publishedVectors() {
        #expect(CRC32C.checksum(of: [UInt8](repeating: 0, count: 32)) == 0x8A91_36AA)
        #expect(CRC32C.checksum(of: [UInt8](repeating: 0xFF, count: 32)) == 0x62A8_AB43)
        #expect(CRC32C.checksum(of: (0..<32).map { UInt8($0) }) == 0x46DD_794E)
        #expect(CRC32.checksum(of: Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test("incremental updates equal one pass, at every split point")
    func incremental() {
        let bytes = Array("Swafka speaks Kafka, byte for byte: 0123456789abcdef".utf8)
        for split in 0...bytes.count {
            var c = CRC32C()
            c.update(Array(bytes[..<split]))
            c.update(ByteSlice(Array(bytes[split...])))
            #expect(c.value == CRC32C.checksum(of: bytes), "split \(split)")
            var i = CRC32()
            i.update(Array(bytes[..<split]))
            i.update(ByteSlice(Array(bytes[split...])))
            #expect(i.value == CRC32.checksum(of: bytes), "split \(split)")
        }
        // Byte by byte, too.
        var c = CRC32C()
        for byte in check { c.update([byte]) }
        #expect(c.value == 0xE306_9283)
    }

    @Test("slicing-by-8 matches the bitwise definition on random data of every length up to 300")
    func randomAgainstReference() {
        let seed: UInt64 = 0xC4C3_2C00
        var rng = SplitMix64(seed: seed)
        for length in 0...300 {
            let bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &rng) }
            #expect(CRC32C.checksum(of: bytes) == referenceCRC(bytes, polynomial: 0x82F6_3B78), "seed \(seed) length \(length)")
            #expect(CRC32.checksum(of: bytes) == referenceCRC(bytes, polynomial: 0xEDB8_8320), "seed \(seed) length \(length)")
        }
    }

    @Test("the CPU's CRC-32C instruction and the tables agree, at every length, alignment and split up to 300")
    func hardwareAgainstTables() {
        var rng = SplitMix64(seed: 0x5E42_C32C)
        let bytes = (0..<310).map { _ in UInt8.random(in: 0...255, using: &rng) }
        bytes.withUnsafeBytes { all in
            for start in 0..<8 {
                for length in 0...300 {
                    let part = UnsafeRawBufferPointer(rebasing: all[start..<(start + length)])
                    let tables = CRC32C.updateWithTables(0xFFFF_FFFF, part)
                    #expect(CRC32C.update(0xFFFF_FFFF, part) == tables, "start \(start) length \(length)")
                    // Continuing each other's register: half by the instruction, half by the tables.
                    let half = length / 2
                    let mixed = CRC32C.updateWithTables(
                        CRC32C.update(0xFFFF_FFFF, UnsafeRawBufferPointer(rebasing: part[0..<half])),
                        UnsafeRawBufferPointer(rebasing: part[half...]))
                    #expect(mixed == tables, "start \(start) length \(length) split \(half)")
                }
            }
        }
        #expect(CRC32C.hardware || CRC32C.update(0xFFFF_FFFF, UnsafeRawBufferPointer(start: nil, count: 0)) == 0xFFFF_FFFF)
    }

    @Test("a sub-slice is checksummed over its own bytes only")
    func subSlice() {
        let slice = ByteSlice(Array("xx123456789yy".utf8)).slice(2..<11)
        #expect(CRC32C.checksum(of: slice) == 0xE306_9283)
        #expect(CRC32.checksum(of: slice) == 0xCBF4_3926)
    }
}
