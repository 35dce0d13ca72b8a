import CZlib
import KafkaWire

/// gzip (RFC 1952) through zlib: what Kafka's Java client writes with `GZIPOutputStream`.
///
/// - Compression: `deflateInit2` with windowBits 15+16 (a gzip wrapper), memLevel 8, the
///   default strategy; levels 1-9, nil for zlib's default (6, as Java's `Deflater`).
/// - Decompression: `inflateInit2` with windowBits 15+32, which accepts a gzip or a zlib
///   wrapper. Members concatenated one after another (as `cat a.gz b.gz` makes, and as Java's
///   `GZIPInputStream` reads) decode to the concatenation of their contents; any other byte
///   after the end of a member is corruption (Java's `GZIPInputStream` stops there silently;
///   we would rather notice a damaged tail).
enum GzipCodec: Codec {
    static let codec = CompressionCodec.gzip
    static let supportedLevels: ClosedRange<Int>? = 1...9

    /// zlib counts input and output in `uInt` (32 bits): larger buffers go in pieces of this size.
    static let maximumPiece = Int(UInt32.max)

    static func compress(_ input: UnsafeRawBufferPointer, level: Int?, magic: Int8) throws -> [UInt8] {
        guard let base = input.baseAddress else { throw failure("no input buffer") }
        // zlib keeps a pointer back to the z_stream and checks it on every call, so the stream
        // lives at one heap address rather than in a Swift variable that may be moved.
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        let initialized = deflateInit2_(stream, Int32(level ?? Int(Z_DEFAULT_COMPRESSION)), Z_DEFLATED,
                                        15 + 16, 8, Z_DEFAULT_STRATEGY,
                                        zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initialized == Z_OK else { throw failure("deflateInit2 failed (\(zlibError(initialized, stream.pointee)))") }
        defer { deflateEnd(stream) }

        // deflateBound is exact enough for a single pass that ends in Z_FINISH.
        let bound = Int(deflateBound(stream, uLong(input.count)))
        var fed = 0
        var failed: CompressionError?
        let output = [UInt8](unsafeUninitializedCapacity: bound) { buffer, written in
            guard let out = buffer.baseAddress else { failed = failure("no output buffer"); return }
            let capacity = min(buffer.count, bound)
            while true {
                if stream.pointee.avail_in == 0 && fed < input.count {
                    let piece = min(input.count - fed, maximumPiece)
                    stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + fed).assumingMemoryBound(to: Bytef.self))
                    stream.pointee.avail_in = uInt(piece)
                    fed += piece
                }
                let room = min(capacity - written, maximumPiece)
                stream.pointee.next_out = out + written
                stream.pointee.avail_out = uInt(room)
                let flush = fed == input.count ? Z_FINISH : Z_NO_FLUSH
                let availableBefore = stream.pointee.avail_in
                let status = deflate(stream, flush)
                let produced = room - Int(stream.pointee.avail_out)
                written += produced
                if status == Z_STREAM_END { return }
                guard status == Z_OK || status == Z_BUF_ERROR else {
                    failed = failure("deflate failed (\(zlibError(status, stream.pointee)))")
                    return
                }
                if produced == 0 && stream.pointee.avail_in == availableBefore {
                    failed = failure("deflate made no progress (\(written) of at most \(bound) bytes written)")
                    return
                }
            }
        }
        if let failed { throw failed }
        return output.compacted()
    }

    static func decompress(_ input: UnsafeRawBufferPointer, magic: Int8, limit: Int) throws -> [UInt8] {
        guard let base = input.baseAddress, input.count > 0 else { throw corrupt("empty input") }
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deallocate() }
        let initialized = inflateInit2_(stream, 15 + 32, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
        guard initialized == Z_OK else { throw corrupt("inflateInit2 failed (\(zlibError(initialized, stream.pointee)))") }
        defer { inflateEnd(stream) }

        var fed = 0
        let sizeHint = trailerSize(input) ?? BoundedOutput.guess(compressedSize: input.count)
        return try BoundedOutput.decode(limit: limit, sizeHint: sizeHint) { buffer in
            if stream.pointee.avail_in == 0 && fed < input.count {
                let piece = min(input.count - fed, maximumPiece)
                stream.pointee.next_in = UnsafeMutablePointer(mutating: (base + fed).assumingMemoryBound(to: Bytef.self))
                stream.pointee.avail_in = uInt(piece)
                fed += piece
            }
            let room = min(buffer.count, maximumPiece)
            stream.pointee.next_out = buffer.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(room)
            let availableBefore = stream.pointee.avail_in
            let status = inflate(stream, Z_NO_FLUSH)
            let written = room - Int(stream.pointee.avail_out)
            let consumed = Int(availableBefore - stream.pointee.avail_in)

            switch status {
            case Z_STREAM_END:
                let left = Int(stream.pointee.avail_in) + (input.count - fed)
                if left == 0 { return DecodeStep(written: written, finished: true) }
                // Another gzip member may follow; anything else is garbage after the stream.
                let next = input.count - left
                guard left >= 2, input[next] == 0x1F, input[next + 1] == 0x8B else {
                    throw corrupt("\(left) bytes after the end of the stream")
                }
                let reset = inflateReset(stream)
                guard reset == Z_OK else { throw corrupt("inflateReset failed (\(zlibError(reset, stream.pointee)))") }
                return DecodeStep(written: written, finished: false)
            case Z_OK, Z_BUF_ERROR:
                if written == 0 && consumed == 0 {
                    // Output room was offered, so zlib stalls only for want of input.
                    throw corrupt(stream.pointee.avail_in == 0 && fed == input.count
                        ? "unexpected end of input" : "no progress (\(zlibError(status, stream.pointee)))")
                }
                return DecodeStep(written: written, finished: false)
            case Z_NEED_DICT:
                throw corrupt("a zlib stream that needs a preset dictionary")
            default:
                throw corrupt(zlibError(status, stream.pointee))
            }
        }
    }

    /// The gzip trailer's ISIZE (the size of the last member mod 2^32): a hint, never trusted.
    static func trailerSize(_ input: UnsafeRawBufferPointer) -> Int? {
        guard input.count >= 18, input[0] == 0x1F, input[1] == 0x8B else { return nil }
        let end = input.count
        return Int(input[end - 4]) | Int(input[end - 3]) << 8 | Int(input[end - 2]) << 16 | Int(input[end - 1]) << 24
    }

    /// zlib's message for the stream if it set one, else the name of the status code.
    static func zlibError(_ status: Int32, _ stream: z_stream) -> String {
        if let message = stream.msg { return String(cString: message) }
        switch status {
        case Z_DATA_ERROR: return "invalid or incomplete deflate data"
        case Z_MEM_ERROR: return "out of memory"
        case Z_STREAM_ERROR: return "inconsistent stream state"
        case Z_BUF_ERROR: return "no progress possible"
        case Z_VERSION_ERROR: return "incompatible zlib version"
        default: return "zlib status \(status)"
        }
    }
}
