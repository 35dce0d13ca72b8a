import CSnappy
import KafkaWire

/// Snappy through libsnappy's C API, raw and in the xerial (snappy-java) framing.
///
/// ### What the clients write and read
/// - Kafka's Java client compresses with snappy-java's `SnappyOutputStream`: the xerial framing,
///   a 16-byte header `82 'S' 'N' 'A' 'P' 'P' 'Y' 00`, version int32 1, compatible-version int32 1
///   (big-endian), then blocks of [int32 big-endian compressed length][raw snappy block], each
///   block compressing up to 32 KiB of input. Its reader, `SnappyInputStream`, falls back to raw
///   snappy when the header is absent.
/// - librdkafka *writes raw* snappy (one block for the whole payload) and reads both: the xerial
///   framing when the payload is longer than 20 bytes and starts with the 8 magic bytes, raw
///   snappy otherwise. It does not check the version fields.
/// - kafka-python writes the xerial framing (32 KiB blocks) and reads both the same way.
///
/// This codec writes the xerial framing with 32 KiB blocks, as the Java client does (every
/// consumer reads it), and reads both: xerial when the payload has the 16-byte header and starts
/// with the 8 magic bytes (the version fields are not checked, as in librdkafka), raw otherwise.
/// Empty input compresses to the header alone, as `SnappyOutputStream` writes it; this codec
/// reads that back as empty (librdkafka would not, but Kafka never compresses an empty batch).
///
/// ### The limit
/// A raw snappy block starts with its decompressed length (a varint), which libsnappy checks
/// against what the block really decodes to. No block can honestly claim more than 64/3 bytes
/// per compressed byte (the best case is a 3-byte copy element producing 64 bytes), so a larger
/// claim is rejected as corrupt before anything is allocated, and the claims of all blocks are
/// summed and checked against `limit` before the output is allocated, at its exact size.
enum SnappyCodec: Codec {
    static let codec = CompressionCodec.snappy
    static let supportedLevels: ClosedRange<Int>? = nil

    /// The xerial stream header: magic, then version 1 and compatible version 1.
    static let xerialHeader: [UInt8] = [0x82, 0x53, 0x4E, 0x41, 0x50, 0x50, 0x59, 0x00,
                                        0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01]
    /// Uncompressed bytes per xerial block (snappy-java's default block size, which Kafka uses).
    static let xerialBlockSize = 32 * 1024

    static func compress(_ input: UnsafeRawBufferPointer, level: Int?, magic: Int8) throws -> [UInt8] {
        guard let base = input.baseAddress else { throw failure("no input buffer") }
        let blocks = input.count / xerialBlockSize + (input.count % xerialBlockSize == 0 ? 0 : 1)
        let bound = xerialHeader.count + blocks * (4 + snappy_max_compressed_length(xerialBlockSize))
        var failed: CompressionError?
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, written in
            let out = UnsafeMutableRawBufferPointer(buffer)
            for (index, byte) in xerialHeader.enumerated() { out[index] = byte }
            written = xerialHeader.count
            var consumed = 0
            while consumed < input.count {
                let piece = min(xerialBlockSize, input.count - consumed)
                guard let blockStart = out.baseAddress?.advanced(by: written + 4) else { failed = failure("no output buffer"); return }
                var blockLength = bound - written - 4
                let status = snappy_compress((base + consumed).assumingMemoryBound(to: CChar.self), piece,
                                             blockStart.assumingMemoryBound(to: CChar.self), &blockLength)
                guard status == SNAPPY_OK, let length = Int32(exactly: blockLength) else {
                    failed = failure("snappy_compress failed (\(describe(status)))")
                    return
                }
                writeInt32BigEndian(length, into: out, at: written)
                written += 4 + blockLength
                consumed += piece
            }
        }
        if let failed { throw failed }
        return output.compacted()
    }

    static func decompress(_ input: UnsafeRawBufferPointer, magic: Int8, limit: Int) throws -> [UInt8] {
        guard input.count > 0 else { throw corrupt("empty input") }
        // The spans of raw snappy blocks in `input`: the whole input, or the xerial blocks.
        var blocks: [Range<Int>] = []
        if isXerial(input) {
            var offset = xerialHeader.count
            while offset < input.count {
                guard input.count - offset >= 4 else {
                    throw corrupt("xerial block length truncated (\(input.count - offset) of 4 bytes)")
                }
                let length = Int(Int32(bitPattern: UInt32(input[offset]) << 24 | UInt32(input[offset + 1]) << 16
                                       | UInt32(input[offset + 2]) << 8 | UInt32(input[offset + 3])))
                offset += 4
                guard length >= 0, length <= input.count - offset else {
                    throw corrupt("xerial block of \(length) bytes with \(input.count - offset) left")
                }
                blocks.append(offset..<(offset + length))
                offset += length
            }
        } else {
            blocks.append(0..<input.count)
        }

        // Every claimed size is checked (plausible, and within the limit) before allocating.
        var sizes: [Int] = []
        sizes.reserveCapacity(blocks.count)
        var total = 0
        for block in blocks {
            let bytes = UnsafeRawBufferPointer(rebasing: input[block])
            var claimed = 0
            guard let start = bytes.baseAddress,
                  snappy_uncompressed_length(start.assumingMemoryBound(to: CChar.self), bytes.count, &claimed) == SNAPPY_OK
            else { throw corrupt("invalid block length header") }
            guard claimed <= bytes.count / 3 * 64 + 64 else {
                throw corrupt("a \(bytes.count)-byte block claims \(claimed) bytes")
            }
            guard claimed <= limit - total else { throw WireDecodingError(.decompressedSizeExceeded(limit: limit), at: 0) }
            sizes.append(claimed)
            total += claimed
        }

        var failure: WireDecodingError?
        let output = [UInt8](unsafeUninitializedCapacity: total) { buffer, written in
            for (block, size) in zip(blocks, sizes) {
                let bytes = UnsafeRawBufferPointer(rebasing: input[block])
                guard let start = bytes.baseAddress?.assumingMemoryBound(to: CChar.self) else {
                    failure = corrupt("no input buffer")
                    return
                }
                guard size > 0 else {
                    // Nothing to write, but the block must still be valid snappy.
                    let status = snappy_validate_compressed_buffer(start, bytes.count)
                    if status != SNAPPY_OK { failure = corrupt(describe(status)); return }
                    continue
                }
                guard let out = buffer.baseAddress else {
                    failure = corrupt("no output buffer")
                    return
                }
                var produced = size
                let status = snappy_uncompress(start, bytes.count,
                                               UnsafeMutableRawPointer(out + written).assumingMemoryBound(to: CChar.self),
                                               &produced)
                guard status == SNAPPY_OK, produced == size else {
                    failure = corrupt(describe(status))
                    return
                }
                written += size
            }
        }
        if let failure { throw failure }
        return output
    }

    /// True when `input` has the xerial header's 8 magic bytes and room for the two version fields.
    static func isXerial(_ input: UnsafeRawBufferPointer) -> Bool {
        guard input.count >= xerialHeader.count else { return false }
        for index in 0..<8 where input[index] != xerialHeader[index] { return false }
        return true
    }

    static func writeInt32BigEndian(_ value: Int32, into buffer: UnsafeMutableRawBufferPointer, at offset: Int) {
        let bits = UInt32(bitPattern: value)
        buffer[offset] = UInt8(truncatingIfNeeded: bits >> 24)
        buffer[offset + 1] = UInt8(truncatingIfNeeded: bits >> 16)
        buffer[offset + 2] = UInt8(truncatingIfNeeded: bits >> 8)
        buffer[offset + 3] = UInt8(truncatingIfNeeded: bits)
    }

    static func describe(_ status: snappy_status) -> String {
        switch status {
        case SNAPPY_OK: "ok"
        case SNAPPY_INVALID_INPUT: "invalid input"
        case SNAPPY_BUFFER_TOO_SMALL: "buffer too small"
        default: "status \(status.rawValue)"
        }
    }
}
