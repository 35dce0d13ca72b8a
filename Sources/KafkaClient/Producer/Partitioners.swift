import KafkaWire

/// Chooses a message's partition from its partition key.
///
/// The producer calls it for every message without an explicit partition, with the message's
/// partition key (`ProducerMessage.Partitioning.key`) or else its record key. Returning nil means
/// "no preference": the producer then uses its sticky partition for the topic (KIP-480), which is
/// what every built-in partitioner does for a message without a key.
public protocol Partitioner: Sendable {
    /// The partition, in `0..<partitionCount`, for a message of `topic` with partition key `key`
    /// (nil: the message has none); `availablePartitions` are those with a known leader, in
    /// ascending order. Nil leaves the choice to the sticky partitioner.
    func partition(topic: String, key: ByteSlice?, partitionCount: Int32, availablePartitions: [Int32]) -> Int32?
}

/// The partitioners Kafka's clients ship, under librdkafka's names (its `partitioner` property).
///
/// | case               | keyed message                          | null key          | empty key         |
/// |--------------------|----------------------------------------|-------------------|-------------------|
/// | `murmur2Random`    | murmur2 (the Java client's default)    | sticky            | murmur2           |
/// | `murmur2`          | murmur2                                | murmur2 of ""     | murmur2           |
/// | `consistentRandom` | CRC-32 (librdkafka's default)          | sticky            | sticky            |
/// | `consistent`       | CRC-32                                 | CRC-32 of ""      | CRC-32 of ""      |
/// | `fnv1aRandom`      | FNV-1a (Sarama's default hash)         | sticky            | FNV-1a            |
/// | `fnv1a`            | FNV-1a                                 | FNV-1a of ""      | FNV-1a            |
/// | `random`           | sticky                                 | sticky            | sticky            |
///
/// "Sticky" is where librdkafka says "random": with its default `sticky.partitioning.linger.ms`
/// and in the Java client (KIP-480) keyless messages stick to one partition per batch.
public enum BuiltInPartitioner: String, Partitioner, CaseIterable {
    /// Every message sticky, whatever its key.
    case random
    /// CRC-32 of the key; a null key hashes as empty.
    case consistent
    /// CRC-32 of the key; null and empty keys sticky (librdkafka's default).
    case consistentRandom = "consistent_random"
    /// Murmur2 of the key; a null key hashes as empty.
    case murmur2
    /// Murmur2 of the key; a null key sticky (the Java client's default).
    case murmur2Random = "murmur2_random"
    /// FNV-1a of the key; a null key hashes as empty.
    case fnv1a
    /// FNV-1a of the key; a null key sticky.
    case fnv1aRandom = "fnv1a_random"

    /// The Java client's default (`murmur2_random`), so keys land where a Java producer puts them.
    public static let javaDefault = BuiltInPartitioner.murmur2Random

    public func partition(topic: String, key: ByteSlice?, partitionCount: Int32,
                          availablePartitions: [Int32]) -> Int32? {
        guard partitionCount > 0 else { return nil }
        let count = UInt32(partitionCount)
        switch self {
        case .random:
            return nil
        case .consistent:
            return Int32(PartitionerCRC32.checksum(key ?? ByteSlice()) % count)
        case .consistentRandom:
            guard let key, !key.isEmpty else { return nil }
            return Int32(PartitionerCRC32.checksum(key) % count)
        case .murmur2:
            return Int32(Murmur2.positive(Murmur2.hash(key ?? ByteSlice())) % count)
        case .murmur2Random:
            guard let key else { return nil }
            return Int32(Murmur2.positive(Murmur2.hash(key)) % count)
        case .fnv1a:
            return Int32(FNV1a.librdkafkaHash(key ?? ByteSlice()) % count)
        case .fnv1aRandom:
            guard let key else { return nil }
            return Int32(FNV1a.librdkafkaHash(key) % count)
        }
    }
}

/// Kafka's murmur2: MurmurHash2 (32-bit) with seed 0x9747b28c, as `Utils.murmur2` in the Java
/// client computes it. The Java default partitioner takes `toPositive(murmur2(key)) % partitions`,
/// where `toPositive` clears the sign bit (it is not `abs`).
public enum Murmur2 {
    /// The hash of `data`, as the unsigned bit pattern of Java's `int` result.
    public static func hash(_ data: ByteSlice) -> UInt32 {
        data.withUnsafeBytes { hash($0) }
    }

    /// The hash of `bytes`.
    public static func hash(_ bytes: UnsafeRawBufferPointer) -> UInt32 {
        let m: UInt32 = 0x5bd1_e995
        let r: UInt32 = 24
        let length = bytes.count
        // Java mixes the length in as an int; keys are far below 2^31 bytes, and truncating keeps
        // the same bit pattern for any length that fits.
        var h: UInt32 = 0x9747_b28c ^ UInt32(truncatingIfNeeded: length)
        var index = 0
        while index + 4 <= length {
            // Little-endian 4-byte word.
            var k = UInt32(bytes[index]) | UInt32(bytes[index + 1]) << 8
                | UInt32(bytes[index + 2]) << 16 | UInt32(bytes[index + 3]) << 24
            k &*= m
            k ^= k >> r
            k &*= m
            h &*= m
            h ^= k
            index += 4
        }
        // The tail falls through from 3 to 1, as the switch in the reference does.
        let tail = length - index
        if tail >= 3 { h ^= UInt32(bytes[index + 2]) << 16 }
        if tail >= 2 { h ^= UInt32(bytes[index + 1]) << 8 }
        if tail >= 1 {
            h ^= UInt32(bytes[index])
            h &*= m
        }
        // Java's `>>>` is a logical shift: UInt32's `>>` is the same.
        h ^= h >> 13
        h &*= m
        h ^= h >> 15
        return h
    }

    /// Java's `Utils.toPositive`: the hash with its sign bit cleared.
    public static func positive(_ hash: UInt32) -> UInt32 { hash & 0x7fff_ffff }

    /// The Java client's partition for `key` among `partitionCount` partitions (nil when there are none).
    public static func partition(for key: ByteSlice, partitionCount: Int32) -> Int32? {
        guard partitionCount > 0 else { return nil }
        return Int32(positive(hash(key)) % UInt32(partitionCount))
    }
}

/// FNV-1a (32-bit) as librdkafka's `fnv1a` partitioner computes it: the hash taken as a signed
/// 32-bit value and made non-negative with `abs` (Sarama's `NewHashPartitioner` does the same).
public enum FNV1a {
    /// The librdkafka hash of `data`.
    public static func librdkafkaHash(_ data: ByteSlice) -> UInt32 {
        var h: UInt32 = 0x811c_9dc5
        data.withUnsafeBytes { bytes in
            for byte in bytes {
                h ^= UInt32(byte)
                h &*= 0x0100_0193
            }
        }
        // abs of the signed value; Int32.min stays as its own bit pattern, as in C.
        let signed = Int32(bitPattern: h)
        return signed < 0 ? UInt32(bitPattern: 0 &- signed) : h
    }
}

/// CRC-32 (IEEE 802.3, reflected polynomial 0xEDB88320), as librdkafka's `consistent`
/// partitioners use it. CRC-32("123456789") = 0xCBF43926.
///
/// A byte-at-a-time table: keys are short. Internal, and named apart from the records layer's
/// public `CRC32` (slicing-by-8, for legacy message sets) so the two do not clash when both are
/// in main; this one can then defer to that one.
enum PartitionerCRC32 {
    /// The CRC-32 of `data`.
    static func checksum(_ data: ByteSlice) -> UInt32 {
        var crc: UInt32 = 0xffff_ffff
        data.withUnsafeBytes { bytes in
            for byte in bytes {
                crc = table[Int((crc ^ UInt32(byte)) & 0xff)] ^ (crc >> 8)
            }
        }
        return crc ^ 0xffff_ffff
    }

    private static let table: [UInt32] = (0..<256).map { (index: Int) -> UInt32 in
        var value = UInt32(index)
        for _ in 0..<8 {
            value = value & 1 == 1 ? (value >> 1) ^ 0xedb8_8320 : value >> 1
        }
        return value
    }
}
