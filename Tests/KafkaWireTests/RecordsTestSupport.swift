import KafkaWire
import Testing

/// A stand-in for KafkaCompression, so the compressed paths run without C libraries.
///
/// - gzip, zstd: every byte XOR 0x5A (a "codec" whose output differs from its input, so a
///   forgotten decompression shows up as garbage).
/// - lz4: identity.
/// - snappy: a bomb-friendly run-length codec: a 4-byte big-endian count then one byte,
///   which decompresses to `count` copies of the byte (compresses any input as runs).
/// Every codec honours `limit` the way the protocol asks: it throws `decompressedSizeExceeded`.
struct TestCompressionProvider: CompressionProvider {
    /// When true, ignore `limit` (a misbehaving provider, to test that the decoder checks anyway).
    var ignoresLimit = false

    func compress(_ data: ByteSlice, codec: CompressionCodec, level: Int?, magic: Int8) throws -> [UInt8] {
        switch codec {
        case .none, .lz4: return Array(data)
        case .gzip, .zstd: return data.map { $0 ^ 0x5A }
        case .snappy:
            var out: [UInt8] = []
            for byte in data { out += [0, 0, 0, 1, byte] }
            return out
        }
    }

    func decompress(_ data: ByteSlice, codec: CompressionCodec, magic: Int8, limit: Int) throws -> [UInt8] {
        var out: [UInt8]
        switch codec {
        case .none, .lz4: out = Array(data)
        case .gzip, .zstd: out = data.map { $0 ^ 0x5A }
        case .snappy:
            out = []
            var reader = ByteReader(data)
            while !reader.isAtEnd {
                let count = Int(try reader.readUInt32())
                let byte = try reader.readUInt8()
                if !ignoresLimit && out.count + count > limit {
                    throw WireDecodingError(.decompressedSizeExceeded(limit: limit), at: 0)
                }
                out += repeatElement(byte, count: count)
            }
        }
        if !ignoresLimit && out.count > limit { throw WireDecodingError(.decompressedSizeExceeded(limit: limit), at: 0) }
        return out
    }
}

/// A provider that always fails, like a codec handed garbage.
struct FailingCompressionProvider: CompressionProvider {
    struct Failure: Error {}
    func compress(_ data: ByteSlice, codec: CompressionCodec, level: Int?, magic: Int8) throws -> [UInt8] { throw Failure() }
    func decompress(_ data: ByteSlice, codec: CompressionCodec, magic: Int8, limit: Int) throws -> [UInt8] { throw Failure() }
}

extension ByteSlice {
    /// Test shorthand: the UTF-8 bytes of `text`.
    static func utf8(_ text: String) -> ByteSlice { ByteSlice(text) }
}

/// Bytes from hex with white space, for golden vectors.
func hexBytes(_ hex: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    guard let slice = ByteSlice(hex: hex) else {
        Issue.record("bad hex", sourceLocation: sourceLocation)
        return []
    }
    return slice.array
}

/// True when `inner` points into the memory of `outer` (a zero-copy slice of it).
func isView(_ inner: ByteSlice, of outer: [UInt8]) -> Bool {
    outer.withUnsafeBytes { o in
        inner.withUnsafeBytes { i in
            guard let ob = o.baseAddress, let ib = i.baseAddress else { return false }
            return ib >= ob && ib + i.count <= ob + o.count
        }
    }
}

/// Appends a legacy message by hand (independent of `LegacyMessage.encode`), for wrapper fixtures.
func handLegacyMessage(offset: Int64, magic: Int8, attributes: Int8, timestamp: Int64?,
                       key: [UInt8]?, value: [UInt8]?) -> [UInt8] {
    func be<T: FixedWidthInteger>(_ v: T) -> [UInt8] { withUnsafeBytes(of: v.bigEndian) { Array($0) } }
    var body: [UInt8] = [UInt8(bitPattern: magic), UInt8(bitPattern: attributes)]
    if let timestamp { body += be(timestamp) }
    body += key.map { be(Int32($0.count)) + $0 } ?? be(Int32(-1))
    body += value.map { be(Int32($0.count)) + $0 } ?? be(Int32(-1))
    return be(offset) + be(Int32(body.count + 4)) + be(CRC32.checksum(of: body)) + body
}

/// Checks that `body` throws a `WireDecodingError` of the named kind.
func expectDecodingError(_ name: String, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation,
                         _ body: () throws -> Void) {
    do {
        try body()
        Issue.record("expected \(name), nothing thrown. \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
    } catch let error as WireDecodingError {
        #expect(error.kind.name == name, "\(error) \(comment.map { "\($0)" } ?? "")", sourceLocation: sourceLocation)
    } catch {
        Issue.record("expected WireDecodingError \(name), got \(error)", sourceLocation: sourceLocation)
    }
}
