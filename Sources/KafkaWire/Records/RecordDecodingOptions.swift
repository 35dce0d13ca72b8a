/// How record batches and legacy message sets are decoded: which compression provider to use
/// and the limits that keep hostile input from costing more memory than it is worth.
public struct RecordDecodingOptions: Sendable {
    /// Decompresses compressed batches and wrapper messages; nil makes them a decoding error.
    public var compressionProvider: (any CompressionProvider)?

    /// The most bytes one batch (or one legacy wrapper) may decompress to. Passed to the provider
    /// as its `limit` and checked again on what it returns; past it decoding throws
    /// `decompressedSizeExceeded`. Default 64 MiB.
    public var maxDecompressedSize: Int

    /// The largest size field (bytes after the offset and size fields) a batch or message may
    /// declare. Larger ones are treated as corruption, not as a batch the fetch cut short; see
    /// `RecordBatchReader` for why. Default 1 GiB.
    public var maxBatchSize: Int

    /// Whether to verify CRCs (Kafka's `check.crcs`, on by default). Turning it off saves one pass
    /// over the bytes when the transport already guarantees integrity.
    public var verifyChecksums: Bool

    /// 64 MiB.
    public static let defaultMaxDecompressedSize = 64 << 20
    /// 1 GiB: far above any batch a broker accepts by default (`message.max.bytes` is 1 MiB and
    /// `socket.request.max.bytes`, which bounds the produce request that carried it, 100 MiB).
    public static let defaultMaxBatchSize = 1 << 30

    /// Options with the given provider and limits.
    public init(compressionProvider: (any CompressionProvider)? = nil,
                maxDecompressedSize: Int = RecordDecodingOptions.defaultMaxDecompressedSize,
                maxBatchSize: Int = RecordDecodingOptions.defaultMaxBatchSize,
                verifyChecksums: Bool = true) {
        self.compressionProvider = compressionProvider
        self.maxDecompressedSize = maxDecompressedSize
        self.maxBatchSize = maxBatchSize
        self.verifyChecksums = verifyChecksums
    }

    /// Decompresses `data` (which starts at byte `offset` of the input) under the size cap.
    func decompress(_ data: ByteSlice, codec: CompressionCodec, magic: Int8, at offset: Int,
                    field: String) throws(WireDecodingError) -> ByteSlice {
        guard let provider = compressionProvider else {
            throw WireDecodingError(.invalidValue("\(codec) data and no CompressionProvider to decompress it"),
                                    at: offset, field: field)
        }
        let limit = max(0, maxDecompressedSize)
        let bytes: [UInt8]
        do {
            bytes = try provider.decompress(data, codec: codec, magic: magic, limit: limit)
        } catch let error as WireDecodingError {
            // The provider's offsets count from the start of the compressed data.
            throw WireDecodingError(error.kind, at: offset, field: field)
        } catch {
            throw WireDecodingError(.corruptCompressedData("\(codec): \(error)"), at: offset, field: field)
        }
        // Checked again so a provider that ignores `limit` cannot push us past the cap.
        guard bytes.count <= limit else {
            throw WireDecodingError(.decompressedSizeExceeded(limit: limit), at: offset, field: field)
        }
        return ByteSlice(bytes)
    }
}

extension WireDecodingError {
    /// This error, found at `self.offset` of decompressed data, restated at `offset` (where the
    /// compressed data starts in the input) with the decompressed offset in the field path.
    func inDecompressedData(at offset: Int, field: String) -> WireDecodingError {
        let inner = self.field ?? field
        return WireDecodingError(kind, at: offset, field: "\(inner) (decompressed byte \(self.offset))")
    }
}
