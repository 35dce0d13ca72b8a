/// A bounds-checked cursor over a `ByteSlice`, with one read method per Kafka primitive type.
///
/// Every method either returns a value and advances, or throws `WireDecodingError` with the
/// offset of the value it was reading and leaves the cursor where it was. Lengths and counts
/// are checked against the bytes that are left *before* anything is allocated, so hostile
/// input cannot make the decoder reserve more memory than it was given.
public struct ByteReader: Sendable {
    @usableFromInline let storage: [UInt8]
    @usableFromInline let start: Int
    @usableFromInline let end: Int
    @usableFromInline var position: Int
    /// Added to reported offsets, so a reader over part of a message reports offsets into the whole.
    @usableFromInline let offsetBase: Int

    /// A reader over `bytes`; offsets in errors count from their first byte.
    public init(_ bytes: ByteSlice) {
        self.storage = bytes.storage
        self.start = bytes.lowerBound
        self.end = bytes.upperBound
        self.position = bytes.lowerBound
        self.offsetBase = 0
    }

    /// A reader over `bytes`.
    public init(_ bytes: [UInt8]) {
        self.init(ByteSlice(bytes))
    }

    /// A reader over `bytes` whose errors report offsets shifted by `offsetBase`.
    public init(_ bytes: ByteSlice, offsetBase: Int) {
        self.storage = bytes.storage
        self.start = bytes.lowerBound
        self.end = bytes.upperBound
        self.position = bytes.lowerBound
        self.offsetBase = offsetBase
    }

    /// Bytes read so far (plus the offset base): the offset errors report.
    @inlinable public var offset: Int { position - start + offsetBase }
    /// Bytes not yet read.
    @inlinable public var remaining: Int { end - position }
    /// True when every byte has been read.
    @inlinable public var isAtEnd: Bool { position == end }

    @inlinable func error(_ kind: WireDecodingError.Kind) -> WireDecodingError {
        WireDecodingError(kind, at: offset)
    }

    @inlinable mutating func require(_ count: Int) throws(WireDecodingError) {
        guard count <= remaining else { throw error(.truncated(needed: count, available: remaining)) }
    }

    // MARK: Fixed-width integers (big-endian)

    @inlinable mutating func readBigEndian<T: FixedWidthInteger>(_: T.Type) throws(WireDecodingError) -> T {
        let size = MemoryLayout<T>.size
        try require(size)
        var value: T = 0
        for i in 0..<size {
            value = value << 8 | T(truncatingIfNeeded: storage[position + i])
        }
        position += size
        return value
    }

    /// BOOLEAN: one byte, zero is false and anything else true.
    @inlinable public mutating func readBool() throws(WireDecodingError) -> Bool { try readBigEndian(UInt8.self) != 0 }
    /// INT8.
    @inlinable public mutating func readInt8() throws(WireDecodingError) -> Int8 { try readBigEndian(Int8.self) }
    /// INT16, big-endian.
    @inlinable public mutating func readInt16() throws(WireDecodingError) -> Int16 { try readBigEndian(Int16.self) }
    /// INT32, big-endian.
    @inlinable public mutating func readInt32() throws(WireDecodingError) -> Int32 { try readBigEndian(Int32.self) }
    /// INT64, big-endian.
    @inlinable public mutating func readInt64() throws(WireDecodingError) -> Int64 { try readBigEndian(Int64.self) }
    /// UINT8 (used by record formats, not by the message specs).
    @inlinable public mutating func readUInt8() throws(WireDecodingError) -> UInt8 { try readBigEndian(UInt8.self) }
    /// UINT16, big-endian.
    @inlinable public mutating func readUInt16() throws(WireDecodingError) -> UInt16 { try readBigEndian(UInt16.self) }
    /// UINT32, big-endian.
    @inlinable public mutating func readUInt32() throws(WireDecodingError) -> UInt32 { try readBigEndian(UInt32.self) }
    /// FLOAT64: the big-endian bits of an IEEE 754 double.
    @inlinable public mutating func readFloat64() throws(WireDecodingError) -> Double {
        Double(bitPattern: try readBigEndian(UInt64.self))
    }
    /// UUID: 16 bytes.
    @inlinable public mutating func readUUID() throws(WireDecodingError) -> KafkaUUID {
        let high = try readBigEndian(UInt64.self)
        let low = try readBigEndian(UInt64.self)
        return KafkaUUID(high: high, low: low)
    }

    // MARK: Varints

    /// UNSIGNED_VARINT: 7 bits per byte, least significant first; at most 5 bytes.
    @inlinable public mutating func readUnsignedVarint() throws(WireDecodingError) -> UInt32 {
        let start = position
        let value = try readVarintBits(maxBytes: 5)
        // The fifth byte may only carry the top 4 bits of a 32-bit value.
        guard value <= UInt64(UInt32.max) else {
            position = start
            throw error(.malformedVarint)
        }
        return UInt32(value)
    }

    /// VARINT: zig-zag then unsigned varint; at most 5 bytes.
    @inlinable public mutating func readVarint() throws(WireDecodingError) -> Int32 {
        let raw = try readUnsignedVarint()
        return Int32(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// VARLONG: zig-zag then unsigned varint; at most 10 bytes.
    @inlinable public mutating func readVarlong() throws(WireDecodingError) -> Int64 {
        let raw = try readUnsignedVarlong()
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    /// An unsigned varint of up to 64 bits (10 bytes).
    @inlinable public mutating func readUnsignedVarlong() throws(WireDecodingError) -> UInt64 {
        try readVarintBits(maxBytes: 10)
    }

    @inlinable mutating func readVarintBits(maxBytes: Int) throws(WireDecodingError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var index = position
        for _ in 0..<maxBytes {
            guard index < end else {
                throw error(.truncated(needed: index - position + 1, available: remaining))
            }
            let byte = storage[index]
            index += 1
            if shift == 63 && byte > 1 { throw error(.malformedVarint) }
            result |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 == 0 {
                position = index
                return result
            }
            shift += 7
        }
        throw error(.malformedVarint)
    }

    // MARK: Lengths and counts

    /// Checks a length read at `lengthOffset` against what is left; `-1` is null when `nullable`.
    @inlinable mutating func checkedLength(_ length: Int, nullable: Bool, at lengthOffset: Int) throws(WireDecodingError) -> Int? {
        if length == -1 && nullable { return nil }
        if length < 0 {
            throw WireDecodingError(length == -1 ? .unexpectedNull : .negativeLength(length), at: lengthOffset)
        }
        guard length <= remaining else {
            throw WireDecodingError(.lengthExceedsRemaining(length: length, remaining: remaining), at: lengthOffset)
        }
        return length
    }

    /// Reads an INT16 length (non-flexible strings).
    @inlinable mutating func readInt16Length(nullable: Bool) throws(WireDecodingError) -> Int? {
        let at = offset
        let length = Int(try readInt16())
        return try checkedLength(length, nullable: nullable, at: at)
    }

    /// Reads an INT32 length (non-flexible bytes).
    @inlinable mutating func readInt32Length(nullable: Bool) throws(WireDecodingError) -> Int? {
        let at = offset
        let length = Int(try readInt32())
        return try checkedLength(length, nullable: nullable, at: at)
    }

    /// Reads an UNSIGNED_VARINT length N+1 (compact types); 0 is null.
    @inlinable mutating func readCompactLength(nullable: Bool) throws(WireDecodingError) -> Int? {
        let at = offset
        let length = Int(try readUnsignedVarint()) - 1
        return try checkedLength(length, nullable: nullable, at: at)
    }

    /// ARRAY count: INT32, -1 for null; the count may not exceed what `minimumElementSize` bytes each would fill.
    @inlinable public mutating func readArrayCount(nullable: Bool, minimumElementSize: Int = 1) throws(WireDecodingError) -> Int? {
        let at = offset
        let count = Int(try readInt32())
        return try checkedCount(count, nullable: nullable, minimumElementSize: minimumElementSize, at: at)
    }

    /// COMPACT_ARRAY count: UNSIGNED_VARINT N+1, 0 for null.
    @inlinable public mutating func readCompactArrayCount(nullable: Bool, minimumElementSize: Int = 1) throws(WireDecodingError) -> Int? {
        let at = offset
        let count = Int(try readUnsignedVarint()) - 1
        return try checkedCount(count, nullable: nullable, minimumElementSize: minimumElementSize, at: at)
    }

    @inlinable mutating func checkedCount(_ count: Int, nullable: Bool, minimumElementSize: Int, at countOffset: Int) throws(WireDecodingError) -> Int? {
        if count == -1 && nullable { return nil }
        if count < 0 {
            throw WireDecodingError(count == -1 ? .unexpectedNull : .negativeLength(count), at: countOffset)
        }
        // An element takes at least one byte on the wire (zero-size elements do not exist in
        // the specs), so a count above the remaining byte count is hostile: refuse to allocate.
        guard count <= remaining / max(minimumElementSize, 1) else {
            throw WireDecodingError(.lengthExceedsRemaining(length: count, remaining: remaining), at: countOffset)
        }
        return count
    }

    // MARK: Strings and bytes

    /// `count` raw bytes as a slice of the underlying buffer (no copy).
    @inlinable public mutating func readSlice(count: Int) throws(WireDecodingError) -> ByteSlice {
        guard count >= 0 else { throw error(.negativeLength(count)) }
        try require(count)
        let slice = ByteSlice(storage: storage, range: position..<(position + count))
        position += count
        return slice
    }

    /// Every byte that is left, as a slice.
    @inlinable public mutating func readRemaining() -> ByteSlice {
        let slice = ByteSlice(storage: storage, range: position..<end)
        position = end
        return slice
    }

    /// Skips `count` bytes.
    @inlinable public mutating func skip(_ count: Int) throws(WireDecodingError) {
        guard count >= 0 else { throw error(.negativeLength(count)) }
        try require(count)
        position += count
    }

    @inlinable mutating func readUTF8(count: Int, at stringOffset: Int) throws(WireDecodingError) -> String {
        let slice = try readSlice(count: count)
        guard let string = slice.utf8String else { throw WireDecodingError(.invalidUTF8, at: stringOffset) }
        return string
    }

    /// STRING: INT16 length N ≥ 0, then N bytes of UTF-8.
    @inlinable public mutating func readString() throws(WireDecodingError) -> String {
        let at = offset
        let count = try readInt16Length(nullable: false) ?? 0
        return try readUTF8(count: count, at: at)
    }

    /// NULLABLE_STRING: INT16 length, -1 for null.
    @inlinable public mutating func readNullableString() throws(WireDecodingError) -> String? {
        let at = offset
        guard let count = try readInt16Length(nullable: true) else { return nil }
        return try readUTF8(count: count, at: at)
    }

    /// COMPACT_STRING: UNSIGNED_VARINT N+1, then N bytes of UTF-8.
    @inlinable public mutating func readCompactString() throws(WireDecodingError) -> String {
        let at = offset
        let count = try readCompactLength(nullable: false) ?? 0
        return try readUTF8(count: count, at: at)
    }

    /// COMPACT_NULLABLE_STRING: UNSIGNED_VARINT N+1, 0 for null.
    @inlinable public mutating func readCompactNullableString() throws(WireDecodingError) -> String? {
        let at = offset
        guard let count = try readCompactLength(nullable: true) else { return nil }
        return try readUTF8(count: count, at: at)
    }

    /// BYTES: INT32 length N ≥ 0, then N bytes.
    @inlinable public mutating func readBytes() throws(WireDecodingError) -> ByteSlice {
        try readSlice(count: try readInt32Length(nullable: false) ?? 0)
    }

    /// NULLABLE_BYTES (and non-flexible RECORDS): INT32 length, -1 for null.
    @inlinable public mutating func readNullableBytes() throws(WireDecodingError) -> ByteSlice? {
        guard let count = try readInt32Length(nullable: true) else { return nil }
        return try readSlice(count: count)
    }

    /// COMPACT_BYTES: UNSIGNED_VARINT N+1, then N bytes.
    @inlinable public mutating func readCompactBytes() throws(WireDecodingError) -> ByteSlice {
        try readSlice(count: try readCompactLength(nullable: false) ?? 0)
    }

    /// COMPACT_NULLABLE_BYTES (and flexible RECORDS): UNSIGNED_VARINT N+1, 0 for null.
    @inlinable public mutating func readCompactNullableBytes() throws(WireDecodingError) -> ByteSlice? {
        guard let count = try readCompactLength(nullable: true) else { return nil }
        return try readSlice(count: count)
    }

    /// Throws `trailingBytes` unless every byte has been read.
    @inlinable public func expectEnd() throws(WireDecodingError) {
        guard isAtEnd else { throw error(.trailingBytes(count: remaining)) }
    }
}
