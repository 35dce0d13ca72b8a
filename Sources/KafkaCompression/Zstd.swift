import CZstd
import KafkaWire

/// Zstandard (RFC 8878) through libzstd: Kafka's `compression.type=zstd` (magic 2 only, KIP-110).
///
/// - Compression: `ZSTD_compress2` with the level set on a fresh context; the frame records
///   its content size (libzstd's default for one-shot compression), which decoders use as a
///   hint. Levels are libzstd's (`ZSTD_minCLevel()...ZSTD_maxCLevel()`, the range Kafka's
///   `compression.zstd.level` allows; 0 means libzstd's default); nil is libzstd's default, 3,
///   which is also Kafka's.
/// - Decompression: `ZSTD_decompressStream` in chunks, so a frame without a content size (as a
///   streaming compressor writes) decodes too, and the limit holds while decoding. Concatenated
///   frames and skippable frames are accepted, as libzstd and the zstd tool accept them; a
///   content size in the header is only a capped size hint. libzstd's own guard on the window a
///   frame may ask for stays at its default (2^27 bytes): that is working memory, not output.
enum ZstdCodec: Codec {
    static let codec = CompressionCodec.zstd
    static let supportedLevels: ClosedRange<Int>? = Int(ZSTD_minCLevel())...Int(ZSTD_maxCLevel())

    static func compress(_ input: UnsafeRawBufferPointer, level: Int?, magic: Int8) throws -> [UInt8] {
        guard let base = input.baseAddress else { throw failure("no input buffer") }
        guard let context = ZSTD_createCCtx() else { throw failure("cannot create a compression context") }
        defer { ZSTD_freeCCtx(context) }
        let set = ZSTD_CCtx_setParameter(context, ZSTD_c_compressionLevel, Int32(level ?? Int(ZSTD_CLEVEL_DEFAULT)))
        guard ZSTD_isError(set) == 0 else { throw failure(errorName(set)) }

        let bound = ZSTD_compressBound(input.count)
        guard ZSTD_isError(bound) == 0 else { throw failure(errorName(bound)) }
        var failed: CompressionError?
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, written in
            guard let out = buffer.baseAddress else { failed = failure("no output buffer"); return }
            let size = ZSTD_compress2(context, out, bound, base, input.count)
            if ZSTD_isError(size) != 0 {
                failed = failure(errorName(size))
            } else {
                written = size
            }
        }
        if let failed { throw failed }
        return output.compacted()
    }

    static func decompress(_ input: UnsafeRawBufferPointer, magic: Int8, limit: Int) throws -> [UInt8] {
        guard let base = input.baseAddress, input.count > 0 else { throw corrupt("empty input") }
        guard let context = ZSTD_createDCtx() else { throw corrupt("cannot create a decompression context") }
        defer { ZSTD_freeDCtx(context) }

        // UNKNOWN is UInt64.max and ERROR is UInt64.max - 1: neither is a size.
        let declared = ZSTD_getFrameContentSize(base, input.count)
        let sizeHint = declared < UInt64.max - 1
            ? Int(clamping: declared) : BoundedOutput.guess(compressedSize: input.count)

        var source = ZSTD_inBuffer(src: base, size: input.count, pos: 0)
        return try BoundedOutput.decode(limit: limit, sizeHint: sizeHint) { buffer in
            var destination = ZSTD_outBuffer(dst: buffer.baseAddress, size: buffer.count, pos: 0)
            let consumedBefore = source.pos
            let hint = ZSTD_decompressStream(context, &destination, &source)
            guard ZSTD_isError(hint) == 0 else { throw corrupt(errorName(hint)) }
            if hint == 0 && source.pos == source.size {
                // The last frame is complete and flushed.
                return DecodeStep(written: destination.pos, finished: true)
            }
            if destination.pos == 0 && source.pos == consumedBefore {
                // Output room was offered and nothing moved: libzstd needs input that is not there.
                throw corrupt("truncated frame (\(hint) more bytes expected)")
            }
            return DecodeStep(written: destination.pos, finished: false)
        }
    }

    static func errorName(_ code: Int) -> String {
        guard let name = ZSTD_getErrorName(code) else { return "error \(code)" }
        return String(cString: name)
    }
}
