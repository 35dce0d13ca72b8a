import CLZ4
import KafkaWire

/// LZ4 in the LZ4 *frame* format (lz4_Frame_format.md) through liblz4's lz4frame API: what
/// Kafka uses for `compression.type=lz4` in every record format.
///
/// Compression writes what Kafka's Java client (`KafkaLZ4BlockOutputStream`) writes: one frame,
/// frame version 01, independent blocks (Java rejects linked blocks), 64 KiB maximum block
/// size, no block or content checksum, no content size: the header is `04 22 4D 18 60 40 HC`.
/// Levels 1-17 are Kafka's (`compression.lz4.level`); liblz4 runs 1-2 in fast mode, 3 and up
/// in HC mode, and treats anything above 12 as 12. nil is liblz4's default fast mode, which is
/// also what the Java client runs at its default level.
///
/// ### The magic-0 header checksum (KAFKA-3160)
/// The frame descriptor ends with HC, the second byte of XXH32 (seed 0) over the descriptor:
/// `HC = (XXH32(FLG, BD [, content size] [, dictionary ID]) >> 8) & 0xFF`. Kafka before 0.10
/// (message format magic 0) hashed the four magic bytes as well:
/// `HC = (XXH32(04 22 4D 18, FLG, BD, ...) >> 8) & 0xFF`. KIP-57 fixed the checksum for
/// magic 1 and left magic 0 as it was, so that old consumers keep working. The public sources:
/// Kafka's `KafkaLZ4BlockOutputStream` (`useBrokenFlagDescriptorChecksum` for magic 0) and
/// `KafkaLZ4BlockInputStream` (`ignoreFlagDescriptorChecksum` for magic 0: it skips HC without
/// checking it), librdkafka's `rdkafka_lz4.c` (which writes the broken HC for MsgVersion 0 and,
/// when reading MsgVersion 0, overwrites HC with the correct value before liblz4 sees it), and
/// kafka-python's `lz4_encode_old_kafka` / `lz4_decode_old_kafka`.
///
/// So this codec
/// - writes the broken HC when compressing for magic 0, the correct one otherwise;
/// - for magic 0, does not check HC at all (as Java and librdkafka): it puts the correct value
///   in a copy of the header (at most 19 bytes) and feeds liblz4 that, then the rest of the
///   input in place;
/// - for magic 1 and 2, accepts the correct HC and also Kafka's broken one (a frame written by an
///   old producer that a broker passed on): any other value fails in liblz4 as a header checksum
///   error.
///
/// Decompression otherwise accepts what liblz4 accepts: linked blocks, block checksums, a content
/// checksum, a content size (used as a capped size hint), any block size. One frame only: bytes
/// after its end mark are corruption (as in librdkafka).
enum LZ4Codec: Codec {
    static let codec = CompressionCodec.lz4
    static let supportedLevels: ClosedRange<Int>? = 1...17

    /// The frame magic number 0x184D2204, as it appears on the wire (little-endian).
    static let frameMagic: [UInt8] = [0x04, 0x22, 0x4D, 0x18]

    static func compress(_ input: UnsafeRawBufferPointer, level: Int?, magic: Int8) throws -> [UInt8] {
        guard let base = input.baseAddress else { throw failure("no input buffer") }
        var preferences = LZ4F_preferences_t()
        preferences.frameInfo.blockSizeID = LZ4F_max64KB
        preferences.frameInfo.blockMode = LZ4F_blockIndependent
        preferences.frameInfo.contentChecksumFlag = LZ4F_noContentChecksum
        preferences.frameInfo.blockChecksumFlag = LZ4F_noBlockChecksum
        preferences.frameInfo.contentSize = 0
        preferences.compressionLevel = Int32(level ?? 0)

        let bound = LZ4F_compressFrameBound(input.count, &preferences)
        guard LZ4F_isError(bound) == 0 else { throw failure(errorName(bound)) }
        var failed: CompressionError?
        var frame = [UInt8](unsafeUninitializedCapacity: bound) { buffer, written in
            guard let out = buffer.baseAddress else { failed = failure("no output buffer"); return }
            let size = LZ4F_compressFrame(out, bound, base, input.count, &preferences)
            if LZ4F_isError(size) != 0 {
                failed = failure(errorName(size))
            } else {
                written = size
            }
        }
        if let failed { throw failed }

        if magic == 0 {
            guard let header = FrameHeader(frame) else { throw failure("liblz4 wrote no frame header") }
            frame[header.checksumOffset] = header.brokenChecksum
        }
        return frame.compacted()
    }

    static func decompress(_ input: UnsafeRawBufferPointer, magic: Int8, limit: Int) throws -> [UInt8] {
        guard let base = input.baseAddress, input.count > 0 else { throw corrupt("empty input") }
        var context: OpaquePointer?
        let created = LZ4F_createDecompressionContext(&context, UInt32(LZ4F_VERSION))
        guard LZ4F_isError(created) == 0, let context else {
            throw corrupt("cannot create a decompression context (\(errorName(created)))")
        }
        defer { _ = LZ4F_freeDecompressionContext(context) }

        var offset = 0
        let header = FrameHeader(input)
        if let header, header.stored != header.correctChecksum,
           magic == 0 || header.stored == header.brokenChecksum {
            // Feed liblz4 a copy of the descriptor with the checksum it expects.
            var fixed = Array(input[0...header.checksumOffset])
            fixed[header.checksumOffset] = header.correctChecksum
            try fixed.withUnsafeBytes { descriptor in
                var none: UInt8 = 0
                var outputSize = 0
                var inputSize = descriptor.count
                let hint = LZ4F_decompress(context, &none, &outputSize, descriptor.baseAddress, &inputSize, nil)
                guard LZ4F_isError(hint) == 0 else { throw corrupt(errorName(hint)) }
                guard inputSize == descriptor.count, outputSize == 0 else {
                    throw corrupt("frame descriptor not consumed (\(inputSize) of \(descriptor.count) bytes)")
                }
            }
            offset = fixed.count
        }

        let sizeHint = header?.contentSize ?? BoundedOutput.guess(compressedSize: input.count)
        return try BoundedOutput.decode(limit: limit, sizeHint: sizeHint) { buffer in
            var outputSize = buffer.count
            var inputSize = input.count - offset
            let hint = LZ4F_decompress(context, buffer.baseAddress, &outputSize, base + offset, &inputSize, nil)
            guard LZ4F_isError(hint) == 0 else { throw corrupt(errorName(hint)) }
            offset += inputSize
            if hint == 0 {
                // The frame is complete and flushed.
                guard offset == input.count else { throw corrupt("\(input.count - offset) bytes after the end of the frame") }
                return DecodeStep(written: outputSize, finished: true)
            }
            if outputSize == 0 && inputSize == 0 {
                // Output room was offered and nothing moved: liblz4 needs input that is not there.
                throw corrupt("truncated frame (\(hint) more bytes expected)")
            }
            return DecodeStep(written: outputSize, finished: false)
        }
    }

    /// liblz4's version as a number (10904 for 1.9.4): blocks compress byte for byte the same
    /// only between equal versions.
    static var libraryVersion: Int { Int(LZ4_versionNumber()) }

    static func errorName(_ code: Int) -> String {
        guard let name = LZ4F_getErrorName(code) else { return "error \(code)" }
        return String(cString: name)
    }

    /// The frame descriptor of an LZ4 frame: where its checksum byte is and what it holds.
    struct FrameHeader {
        /// Offset of HC, the descriptor checksum (6, plus 8 with a content size, plus 4 with a dictionary ID).
        var checksumOffset: Int
        /// The HC byte in the frame.
        var stored: UInt8
        /// HC as the frame format defines it: over FLG up to the byte before HC.
        var correctChecksum: UInt8
        /// HC as Kafka's magic-0 code computed it: over the magic number too.
        var brokenChecksum: UInt8
        /// The content size field, when the frame has one.
        var contentSize: Int?

        /// Reads the descriptor at the start of `bytes`; nil when `bytes` does not start with the
        /// frame magic number or ends before HC (liblz4 then reports the problem).
        init?(_ bytes: UnsafeRawBufferPointer) {
            guard bytes.count >= 7, bytes[0] == 0x04, bytes[1] == 0x22, bytes[2] == 0x4D, bytes[3] == 0x18 else {
                return nil
            }
            let flags = bytes[4]
            let hasContentSize = flags & 0x08 != 0
            let hasDictionaryID = flags & 0x01 != 0
            let offset = 6 + (hasContentSize ? 8 : 0) + (hasDictionaryID ? 4 : 0)
            guard bytes.count > offset else { return nil }
            checksumOffset = offset
            stored = bytes[offset]
            correctChecksum = UInt8(truncatingIfNeeded: XXHash32.hash(UnsafeRawBufferPointer(rebasing: bytes[4..<offset])) >> 8)
            brokenChecksum = UInt8(truncatingIfNeeded: XXHash32.hash(UnsafeRawBufferPointer(rebasing: bytes[0..<offset])) >> 8)
            if hasContentSize {
                var size: UInt64 = 0
                for index in (6..<14).reversed() { size = size << 8 | UInt64(bytes[index]) }
                contentSize = Int(clamping: size)
            } else {
                contentSize = nil
            }
        }

        init?(_ bytes: [UInt8]) {
            guard let header = bytes.withUnsafeBytes({ FrameHeader($0) }) else { return nil }
            self = header
        }
    }
}
