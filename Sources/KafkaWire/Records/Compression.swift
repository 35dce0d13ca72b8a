/// The compression codec of a record batch or legacy wrapper message: the low three bits of its attributes.
public enum CompressionCodec: Int8, Sendable, CaseIterable, CustomStringConvertible {
    case none = 0
    case gzip = 1
    case snappy = 2
    case lz4 = 3
    case zstd = 4

    /// The codec in the low three bits of `attributes`; throws `unknownCompressionCodec` for 5, 6 and 7.
    public static func from(attributes: Int16, at offset: Int) throws(WireDecodingError) -> CompressionCodec {
        let bits = Int8(truncatingIfNeeded: attributes & 0x07)
        guard let codec = CompressionCodec(rawValue: bits) else {
            throw WireDecodingError(.unknownCompressionCodec(Int(bits)), at: offset)
        }
        return codec
    }

    /// The name Kafka and librdkafka use (`"gzip"`, `"lz4"`, ...).
    public var description: String {
        switch self {
        case .none: "none"
        case .gzip: "gzip"
        case .snappy: "snappy"
        case .lz4: "lz4"
        case .zstd: "zstd"
        }
    }
}

/// Compresses and decompresses record payloads. KafkaWire has no compression of its own
/// (it links no C library); KafkaCompression provides the implementation.
///
/// `magic` is the record format of the batch or message the payload belongs to: LZ4 in magic-0
/// messages used a non-standard frame header checksum, and decoders must accept it.
public protocol CompressionProvider: Sendable {
    /// Compresses `data` with `codec` at `level` (nil: the codec's default level).
    func compress(_ data: ByteSlice, codec: CompressionCodec, level: Int?, magic: Int8) throws -> [UInt8]
    /// Decompresses `data`, failing with `WireDecodingError.Kind.decompressedSizeExceeded` rather
    /// than producing more than `limit` bytes, and with `corruptCompressedData` on bad input.
    func decompress(_ data: ByteSlice, codec: CompressionCodec, magic: Int8, limit: Int) throws -> [UInt8]
}
