import KafkaWire

/// Splits a byte stream into Kafka frames: an INT32 size, then that many bytes.
///
/// Bytes are fed in whatever pieces the socket delivers; each complete frame comes out as an
/// array of its own (header + body, without the size prefix). A frame's bytes are copied once,
/// from the socket's read chunk into the frame's array. A size prefix above the maximum is
/// refused before anything is allocated, and a frame's array grows with the bytes that really
/// arrive, so a peer announcing a large frame and then stalling pins little memory.
public struct FrameDecoder: Sendable {
    /// The largest frame accepted (`receive.message.max.bytes`).
    public let maximumFrameSize: Int

    private var prefix: [UInt8] = []
    private var frame: [UInt8] = []
    private var expected: Int? = nil

    /// A decoder refusing frames above `maximumFrameSize` bytes.
    public init(maximumFrameSize: Int) {
        self.maximumFrameSize = maximumFrameSize
        prefix.reserveCapacity(4)
    }

    /// Bytes of a frame received so far but not yet complete (for diagnostics).
    public var bufferedByteCount: Int { prefix.count + frame.count }

    /// True when no partial frame is buffered.
    public var isIdle: Bool { prefix.isEmpty && expected == nil }

    /// Consumes `bytes`, calling `emit` with every frame they complete.
    /// Throws `TransportError.invalidFrameSize` for a negative or oversized prefix; the stream is then unusable.
    public mutating func feed(_ bytes: UnsafeRawBufferPointer, emit: ([UInt8]) throws -> Void) throws {
        var rest = bytes[...]
        while !rest.isEmpty {
            if let size = expected {
                let take = min(size - frame.count, rest.count)
                frame.append(contentsOf: rest.prefix(take))
                rest = rest.dropFirst(take)
                if frame.count == size {
                    let complete = frame
                    frame = []
                    expected = nil
                    try emit(complete)
                }
                continue
            }
            let take = min(4 - prefix.count, rest.count)
            prefix.append(contentsOf: rest.prefix(take))
            rest = rest.dropFirst(take)
            guard prefix.count == 4 else { continue }
            let size = Int(Int32(bitPattern: UInt32(prefix[0]) << 24 | UInt32(prefix[1]) << 16 | UInt32(prefix[2]) << 8 | UInt32(prefix[3])))
            prefix.removeAll(keepingCapacity: true)
            guard size >= 0, size <= maximumFrameSize else {
                throw TransportError.invalidFrameSize(size, maximum: maximumFrameSize)
            }
            if size == 0 {
                try emit([])
                continue
            }
            expected = size
            frame = []
            // Reserve at most what has arrived plus a chunk: a peer that announces a large
            // frame and then stalls must not pin the whole announced size in memory.
            frame.reserveCapacity(min(size, max(rest.count, 64 * 1024)))
        }
    }

    /// Convenience for tests: feeds an array.
    public mutating func feed(_ bytes: [UInt8]) throws -> [[UInt8]] {
        var frames: [[UInt8]] = []
        try bytes.withUnsafeBytes { raw in
            try feed(raw) { frames.append($0) }
        }
        return frames
    }
}
