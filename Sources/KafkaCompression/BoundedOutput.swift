import KafkaWire

/// What one decoding step did: how many bytes it wrote into the buffer it was given, and
/// whether the compressed stream is complete (every input byte consumed, all output flushed).
struct DecodeStep {
    var written: Int
    var finished: Bool
}

/// Drives a streaming decoder into an array that never holds more than `limit` bytes.
///
/// The decoder is a closure that writes into the buffer it is handed and reports a
/// `DecodeStep`; it must make progress (consume input or write output) or throw, so the loop
/// always ends. Output goes straight into the result array's storage: when the array is full
/// a larger one is allocated and the bytes so far are copied over (the same amortised doubling
/// an append would do), so nothing is zero-filled and nothing is copied at the end.
///
/// Once `limit` bytes are out and the stream is not finished, the decoder is handed a
/// one-byte probe outside the array: if it writes there, the stream holds more than `limit`
/// bytes and the call throws `decompressedSizeExceeded` (the probe byte is discarded). A
/// stream of exactly `limit` bytes still decodes, as its decoder then reports the end
/// without writing.
enum BoundedOutput {
    /// The first buffer never exceeds this, whatever size the stream claims: a claim is
    /// believed only as far as the decoded bytes bear it out (past this the array doubles).
    static let maximumInitialCapacity = 16 << 20
    /// The smallest buffer handed out, so tiny hints do not mean tiny steps.
    static let minimumCapacity = 64 << 10

    /// Runs `step` until it reports the end of the stream.
    ///
    /// - Parameters:
    ///   - limit: the most bytes the result may hold (>= 0).
    ///   - sizeHint: the decoded size the stream states, or a guess; it sizes the first buffer
    ///     (capped at `maximumInitialCapacity`) and, once the output has grown past the cap,
    ///     the next one.
    ///   - step: decodes into the buffer it is given (never empty).
    static func decode(limit: Int, sizeHint: Int,
                       _ step: (UnsafeMutableRawBufferPointer) throws -> DecodeStep) throws -> [UInt8] {
        var result: [UInt8] = []
        var finished = false
        let claimed = max(0, sizeHint)
        var nextCapacity = min(limit, max(minimumCapacity, min(claimed, maximumInitialCapacity)))

        while !finished {
            if result.count >= limit {
                var probe: UInt8 = 0
                let step = try withUnsafeMutableBytes(of: &probe) { try step($0) }
                if step.written > 0 { throw WireDecodingError(.decompressedSizeExceeded(limit: limit), at: 0) }
                finished = step.finished
                continue
            }
            let previous = result
            let capacity = nextCapacity
            result = try [UInt8](unsafeUninitializedCapacity: capacity) { buffer, initialized in
                let usable = min(buffer.count, capacity)
                let raw = UnsafeMutableRawBufferPointer(buffer)
                if !previous.isEmpty {
                    previous.withUnsafeBytes { old in raw.copyMemory(from: old) }
                }
                initialized = previous.count
                while initialized < usable {
                    let step = try step(UnsafeMutableRawBufferPointer(rebasing: raw[initialized..<usable]))
                    guard (0...(usable - initialized)).contains(step.written) else {
                        throw WireDecodingError(.corruptCompressedData("decoder reported an impossible size"), at: 0)
                    }
                    initialized += step.written
                    if step.finished {
                        finished = true
                        break
                    }
                }
            }
            // Double, or jump to the claimed size once the stream has shown it is that large.
            let doubled = saturatingMultiply(result.count, 2)
            let grown = max(doubled, claimed > result.count ? claimed : 0)
            nextCapacity = min(limit, max(grown, saturatingAdd(result.count, minimumCapacity)))
        }
        return result.compacted()
    }

    /// A size guess for a stream that does not state its decoded size: four times its
    /// compressed size, as librdkafka guesses.
    static func guess(compressedSize: Int) -> Int {
        saturatingMultiply(compressedSize, 4)
    }

    static func saturatingMultiply(_ a: Int, _ b: Int) -> Int {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? Int.max : product
    }

    static func saturatingAdd(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}

extension Array where Element == UInt8 {
    /// The bytes in a right-sized array when more than a third of this one's capacity would
    /// sit idle (a compression bound or a size guess that overshot), else the array itself:
    /// the result may be kept for as long as any record sliced from it.
    func compacted() -> [UInt8] {
        capacity - count > Swift.max(4096, count / 2) ? Array(self[...]) : self
    }
}

extension ByteSlice {
    /// Calls `body` with the bytes; an empty slice comes as an empty buffer that still has a
    /// base address, so codecs can hand C APIs a non-null pointer with a zero length.
    func withNonNullBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        if isEmpty {
            var zero: UInt8 = 0
            return try Swift.withUnsafeBytes(of: &zero) { try body(UnsafeRawBufferPointer(rebasing: $0[0..<0])) }
        }
        return try withUnsafeBytes(body)
    }
}
