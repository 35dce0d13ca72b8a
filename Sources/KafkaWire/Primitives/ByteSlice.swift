/// An immutable, zero-based view of bytes that shares its storage.
///
/// Decoded keys, values, headers and record blobs are `ByteSlice`s of the buffer they
/// were read from, so decoding a fetch response copies no payload bytes. Slicing a
/// `ByteSlice` is O(1) and keeps the whole underlying buffer alive, which is the usual
/// trade-off of zero-copy views: copy with `Array(slice)` to let the buffer go.
public struct ByteSlice: Sendable {
    @usableFromInline let storage: [UInt8]
    @usableFromInline let lowerBound: Int
    @usableFromInline let upperBound: Int

    /// An empty slice.
    @inlinable public init() {
        self.storage = []
        self.lowerBound = 0
        self.upperBound = 0
    }

    /// A slice covering all of `bytes`.
    @inlinable public init(_ bytes: [UInt8]) {
        self.storage = bytes
        self.lowerBound = 0
        self.upperBound = bytes.count
    }

    /// A slice covering the UTF-8 bytes of `string`.
    @inlinable public init(_ string: String) {
        self.init(Array(string.utf8))
    }

    /// A view of `storage[range]`; the caller guarantees the range is within bounds.
    @inlinable init(storage: [UInt8], range: Range<Int>) {
        self.storage = storage
        self.lowerBound = range.lowerBound
        self.upperBound = range.upperBound
    }

    /// The number of bytes in the slice.
    @inlinable public var count: Int { upperBound - lowerBound }

    /// The bytes copied into an array of their own.
    @inlinable public var array: [UInt8] {
        if lowerBound == 0 && upperBound == storage.count { return storage }
        return Array(storage[lowerBound..<upperBound])
    }

    /// Calls `body` with a pointer to the slice's bytes, valid only inside `body`.
    @inlinable public func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try storage.withUnsafeBytes { all in
            try body(UnsafeRawBufferPointer(rebasing: all[lowerBound..<upperBound]))
        }
    }

    /// A sub-slice sharing the same storage; `range` is relative to this slice and must be within it.
    @inlinable public func slice(_ range: Range<Int>) -> ByteSlice {
        ByteSlice(storage: storage, range: (lowerBound + range.lowerBound)..<(lowerBound + range.upperBound))
    }

    /// The bytes decoded as UTF-8, or nil when they are not valid UTF-8.
    public var utf8String: String? {
        withUnsafeBytes { raw in
            String(validating: raw, as: UTF8.self)
        }
    }
}

extension ByteSlice: RandomAccessCollection {
    public typealias Index = Int
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { count }
    /// Traps out of bounds, as `Array` does. Never reached with positions taken from input bytes:
    /// decoders read through `ByteReader`, which checks every length against what is left before it
    /// slices, and no module indexes a `ByteSlice` directly (only Collection algorithms do, within
    /// `startIndex..<endIndex`).
    @inlinable public subscript(position: Int) -> UInt8 {
        precondition(position >= 0 && position < count, "ByteSlice index out of range")
        return storage[lowerBound + position]
    }
}

extension ByteSlice: Equatable, Hashable {
    @inlinable public static func == (lhs: ByteSlice, rhs: ByteSlice) -> Bool {
        lhs.count == rhs.count && lhs.withUnsafeBytes { l in rhs.withUnsafeBytes { r in l.elementsEqual(r) } }
    }

    public func hash(into hasher: inout Hasher) {
        withUnsafeBytes { hasher.combine(bytes: $0) }
    }
}

extension ByteSlice: ExpressibleByArrayLiteral {
    @inlinable public init(arrayLiteral elements: UInt8...) {
        self.init(elements)
    }
}

extension ByteSlice: CustomStringConvertible {
    /// Lower-case hex, for logs and test failures.
    public var description: String { hexString }

    /// The bytes as lower-case hex digits.
    public var hexString: String {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8]()
        out.reserveCapacity(count * 2)
        for byte in self {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Parses hex digits (white space ignored); nil when `hex` is not an even number of hex digits.
    public init?(hex: String) {
        var bytes = [UInt8]()
        bytes.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8? = nil
        for char in hex.utf8 {
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char - UInt8(ascii: "A") + 10
            case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): continue
            default: return nil
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        guard high == nil else { return nil }
        self.init(bytes)
    }
}
