import KafkaCompression
import KafkaWire
import Testing

/// The provider under test: one instance, shared, as a client would share it.
let provider = KafkaCompressionProvider()

/// The seed of every pseudo-random payload; printed in failure messages.
let dataSeed: UInt64 = 0x5AFC_C0DE

/// Deterministic test payloads.
enum TestData {
    /// `count` pseudo-random bytes from SplitMix64 seeded with `seed` (incompressible).
    static func random(_ count: Int, seed: UInt64 = dataSeed) -> [UInt8] {
        var state = seed
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 8)
        while bytes.count < count {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            z ^= z >> 31
            withUnsafeBytes(of: z.littleEndian) { bytes.append(contentsOf: $0) }
        }
        return Array(bytes.prefix(count))
    }

    /// `count` bytes of JSON-like records that differ only in a counter (very compressible).
    static func repetitive(_ count: Int) -> [UInt8] {
        var bytes = [UInt8]()
        bytes.reserveCapacity(count + 128)
        var index = 0
        while bytes.count < count {
            bytes.append(contentsOf: #"{"id":\#(index),"topic":"orders","status":"shipped","amount":42.50}"#.utf8)
            bytes.append(0x0A)
            index += 1
        }
        return Array(bytes.prefix(count))
    }

    /// Half random, half repetitive: exercises both literal and match paths of every codec.
    static func mixed(_ count: Int) -> [UInt8] {
        random(count / 2, seed: dataSeed ^ 0xA5A5) + repetitive(count - count / 2)
    }

    static let small = Array("Swafka: a small payload, compressed and back.".utf8)
    static let mebibyte = 1 << 20
}

/// The codecs that compress (every case but `none`).
let compressingCodecs: [CompressionCodec] = [.gzip, .snappy, .lz4, .zstd]

/// Runs `body`, returning the `WireDecodingError` it threw; records an issue for success or
/// any other error.
func decodingError(_ what: String, sourceLocation: SourceLocation = #_sourceLocation,
                   _ body: () throws -> [UInt8]) -> WireDecodingError? {
    do {
        let output = try body()
        Issue.record("\(what): decoded \(output.count) bytes instead of throwing", sourceLocation: sourceLocation)
    } catch let error as WireDecodingError {
        return error
    } catch {
        Issue.record("\(what): threw \(error) instead of a WireDecodingError", sourceLocation: sourceLocation)
    }
    return nil
}

extension WireDecodingError {
    /// The message of a `corruptCompressedData` error, nil for any other kind.
    var corruptionReason: String? {
        if case let .corruptCompressedData(reason) = kind { return reason }
        return nil
    }

    /// True for `decompressedSizeExceeded(limit)` at offset 0.
    func isSizeExceeded(limit: Int) -> Bool {
        kind == .decompressedSizeExceeded(limit: limit) && offset == 0
    }
}

/// Bytes from a hex string in a test vector (white space ignored).
func hex(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    guard let slice = ByteSlice(hex: text) else {
        Issue.record("bad hex in a test vector", sourceLocation: sourceLocation)
        return []
    }
    return slice.array
}
