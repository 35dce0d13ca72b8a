// KafkaCompression: gzip, snappy, LZ4 and zstd for record batches (magic 2) and legacy
// wrapper messages (magic 0 and 1), on top of the system libraries zlib, libsnappy, liblz4
// and libzstd.
//
// Decompression is the hostile side: the bytes come from a broker, which relays them from
// any producer. Every decoder therefore
// - writes at most `limit` bytes and throws `decompressedSizeExceeded` rather than one more
//   (streaming codecs decode in chunks; snappy's declared sizes are checked before allocating),
// - sizes its first buffer from a hint that is capped (a size field is a claim, not a fact),
// - turns every library error, truncation and trailing garbage into `corruptCompressedData`,
//   whose text starts with the codec's name,
// - and holds no state between calls, so one provider can serve every thread at once.

import KafkaWire

/// The `CompressionProvider` that KafkaClient and the tools use: gzip (zlib), snappy (libsnappy,
/// raw and xerial-framed), LZ4 (liblz4's frame format, with Kafka's magic-0 header checksum),
/// and zstd (libzstd).
///
/// A value type without stored state: every call creates and frees its own library context,
/// so a single provider may be shared between any number of threads or tasks.
public struct KafkaCompressionProvider: CompressionProvider {
    /// Creates a provider.
    public init() {}

    /// The levels `compress` accepts for `codec`, or nil when the codec has no levels
    /// (`none` and `snappy`: pass `level: nil`).
    ///
    /// These are Kafka's ranges (`compression.gzip.level`, `compression.lz4.level`,
    /// `compression.zstd.level`, KIP-390), so a producer configuration is valid here exactly
    /// when it is valid for the Java client. liblz4 treats levels above 12 as 12.
    public static func supportedLevels(for codec: CompressionCodec) -> ClosedRange<Int>? {
        switch codec {
        case .none: nil
        case .gzip: GzipCodec.supportedLevels
        case .snappy: SnappyCodec.supportedLevels
        case .lz4: LZ4Codec.supportedLevels
        case .zstd: ZstdCodec.supportedLevels
        }
    }

    /// Compresses `data` with `codec` at `level` (nil: the codec's default, as Kafka's Java
    /// client picks it: zlib's 6, liblz4's fast mode, zstd's 3).
    ///
    /// `magic` matters only to LZ4: for magic 0 the frame carries Kafka's old header checksum
    /// (see `LZ4Codec`). `none` returns the bytes unchanged.
    ///
    /// - Throws: `CompressionError` for a level outside `supportedLevels(for:)` or a library failure.
    public func compress(_ data: ByteSlice, codec: CompressionCodec, level: Int?, magic: Int8) throws -> [UInt8] {
        if let level {
            let levels = Self.supportedLevels(for: codec)
            guard let levels, levels.contains(level) else {
                throw CompressionError(codec: codec, kind: .unsupportedLevel(level, supported: levels))
            }
        }
        switch codec {
        case .none: return data.array
        case .gzip: return try data.withNonNullBytes { try GzipCodec.compress($0, level: level, magic: magic) }
        case .snappy: return try data.withNonNullBytes { try SnappyCodec.compress($0, level: level, magic: magic) }
        case .lz4: return try data.withNonNullBytes { try LZ4Codec.compress($0, level: level, magic: magic) }
        case .zstd: return try data.withNonNullBytes { try ZstdCodec.compress($0, level: level, magic: magic) }
        }
    }

    /// Decompresses `data`, producing at most `limit` bytes (a negative limit counts as 0).
    ///
    /// `magic` matters only to LZ4 (see `LZ4Codec`). `none` returns the bytes unchanged,
    /// subject to the same limit.
    ///
    /// - Throws: `WireDecodingError` at offset 0: `.decompressedSizeExceeded(limit:)` as soon as
    ///   the output would pass `limit`; `.corruptCompressedData("<codec>: <reason>")` for input the
    ///   library rejects, a truncated stream, or bytes after its end.
    public func decompress(_ data: ByteSlice, codec: CompressionCodec, magic: Int8, limit: Int) throws -> [UInt8] {
        let limit = max(0, limit)
        switch codec {
        case .none:
            guard data.count <= limit else { throw WireDecodingError(.decompressedSizeExceeded(limit: limit), at: 0) }
            return data.array
        case .gzip: return try data.withNonNullBytes { try GzipCodec.decompress($0, magic: magic, limit: limit) }
        case .snappy: return try data.withNonNullBytes { try SnappyCodec.decompress($0, magic: magic, limit: limit) }
        case .lz4: return try data.withNonNullBytes { try LZ4Codec.decompress($0, magic: magic, limit: limit) }
        case .zstd: return try data.withNonNullBytes { try ZstdCodec.decompress($0, magic: magic, limit: limit) }
        }
    }
}

/// Why `KafkaCompressionProvider.compress` failed. (Decompression throws `WireDecodingError`,
/// like every other decoder of bytes from the wire.)
public struct CompressionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Kind: Sendable, Equatable {
        /// The level is outside the codec's range; `supported` is nil when the codec has no levels.
        case unsupportedLevel(Int, supported: ClosedRange<Int>?)
        /// The compression library reported an error (its message).
        case libraryFailure(String)
    }

    /// The codec that failed.
    public var codec: CompressionCodec
    /// What went wrong.
    public var kind: Kind

    /// Creates an error for `codec`.
    public init(codec: CompressionCodec, kind: Kind) {
        self.codec = codec
        self.kind = kind
    }

    /// `zstd: level 40 is not supported (-131072...22)`.
    public var description: String {
        switch kind {
        case let .unsupportedLevel(level, supported?):
            "\(codec): level \(level) is not supported (\(supported.lowerBound)...\(supported.upperBound))"
        case let .unsupportedLevel(level, nil):
            "\(codec): level \(level) is not supported (the codec has no levels)"
        case let .libraryFailure(message):
            "\(codec): \(message)"
        }
    }
}

/// One compression format: the provider dispatches to a `Codec` by `CompressionCodec`.
///
/// Inputs arrive as raw buffers (the provider unwraps the `ByteSlice` once) whose base address
/// is never nil, even when empty.
protocol Codec {
    /// The codec, for error messages.
    static var codec: CompressionCodec { get }
    /// The levels `compress` accepts, nil when the codec has none.
    static var supportedLevels: ClosedRange<Int>? { get }
    /// Compresses `input`; `level` is already validated against `supportedLevels`.
    static func compress(_ input: UnsafeRawBufferPointer, level: Int?, magic: Int8) throws -> [UInt8]
    /// Decompresses `input` into at most `limit` (>= 0) bytes.
    static func decompress(_ input: UnsafeRawBufferPointer, magic: Int8, limit: Int) throws -> [UInt8]
}

extension Codec {
    /// `corruptCompressedData("<codec>: <reason>")` at offset 0.
    static func corrupt(_ reason: String) -> WireDecodingError {
        WireDecodingError(.corruptCompressedData("\(codec): \(reason)"), at: 0)
    }

    /// A `CompressionError.libraryFailure` for this codec.
    static func failure(_ message: String) -> CompressionError {
        CompressionError(codec: codec, kind: .libraryFailure(message))
    }
}
