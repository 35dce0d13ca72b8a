/// A growable byte buffer with one write method per Kafka primitive type.
///
/// Length prefixes whose value is only known afterwards (frame sizes, record batch lengths)
/// are reserved with `reserveInt32()` and filled in with `backfillInt32(_:at:)`.
public struct ByteWriter: Sendable {
    /// The bytes written so far.
    @inlinable public var bytes: [UInt8] { storage }
    @usableFromInline var storage: [UInt8]

    /// An empty writer with room for `capacity` bytes.
    public init(capacity: Int = 256) {
        storage = []
        storage.reserveCapacity(capacity)
    }

    /// Number of bytes written so far.
    @inlinable public var count: Int { storage.count }

    /// The written bytes as a slice.
    public var slice: ByteSlice { ByteSlice(bytes) }

    // MARK: Fixed-width integers (big-endian)

    @inlinable mutating func writeBigEndian<T: FixedWidthInteger>(_ value: T) {
        var big = value.bigEndian
        withUnsafeBytes(of: &big) { storage.append(contentsOf: $0) }
    }

    /// BOOLEAN: writes 1 for true and 0 for false.
    @inlinable public mutating func writeBool(_ value: Bool) { storage.append(value ? 1 : 0) }
    /// INT8.
    @inlinable public mutating func writeInt8(_ value: Int8) { storage.append(UInt8(bitPattern: value)) }
    /// INT16, big-endian.
    @inlinable public mutating func writeInt16(_ value: Int16) { writeBigEndian(value) }
    /// INT32, big-endian.
    @inlinable public mutating func writeInt32(_ value: Int32) { writeBigEndian(value) }
    /// INT64, big-endian.
    @inlinable public mutating func writeInt64(_ value: Int64) { writeBigEndian(value) }
    /// UINT8.
    @inlinable public mutating func writeUInt8(_ value: UInt8) { storage.append(value) }
    /// UINT16, big-endian.
    @inlinable public mutating func writeUInt16(_ value: UInt16) { writeBigEndian(value) }
    /// UINT32, big-endian.
    @inlinable public mutating func writeUInt32(_ value: UInt32) { writeBigEndian(value) }
    /// FLOAT64: the IEEE 754 bits, big-endian.
    @inlinable public mutating func writeFloat64(_ value: Double) { writeBigEndian(value.bitPattern) }
    /// UUID: 16 bytes, high half first.
    @inlinable public mutating func writeUUID(_ value: KafkaUUID) {
        writeBigEndian(value.high)
        writeBigEndian(value.low)
    }

    // MARK: Varints

    /// UNSIGNED_VARINT: 7 bits per byte, least significant first.
    @inlinable public mutating func writeUnsignedVarint(_ value: UInt32) { writeUnsignedVarlong(UInt64(value)) }

    /// An unsigned varint of up to 64 bits.
    @inlinable public mutating func writeUnsignedVarlong(_ value: UInt64) {
        var rest = value
        while rest >= 0x80 {
            storage.append(UInt8(truncatingIfNeeded: rest) | 0x80)
            rest >>= 7
        }
        storage.append(UInt8(rest))
    }

    /// VARINT: zig-zag (`(n << 1) ^ (n >> 31)`), then unsigned varint.
    @inlinable public mutating func writeVarint(_ value: Int32) {
        writeUnsignedVarint(UInt32(bitPattern: (value << 1) ^ (value >> 31)))
    }

    /// VARLONG: zig-zag (`(n << 1) ^ (n >> 63)`), then unsigned varint.
    @inlinable public mutating func writeVarlong(_ value: Int64) {
        writeUnsignedVarlong(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    /// The number of bytes `writeUnsignedVarlong(value)` writes.
    @inlinable public static func unsignedVarintSize(_ value: UInt64) -> Int {
        var size = 1
        var rest = value >> 7
        while rest != 0 {
            size += 1
            rest >>= 7
        }
        return size
    }

    /// The number of bytes `writeVarint(value)` writes.
    @inlinable public static func varintSize(_ value: Int32) -> Int {
        unsignedVarintSize(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    /// The number of bytes `writeVarlong(value)` writes.
    @inlinable public static func varlongSize(_ value: Int64) -> Int {
        unsignedVarintSize(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    // MARK: Raw bytes

    /// Appends bytes with no length prefix.
    @inlinable public mutating func writeRaw(_ raw: ByteSlice) {
        raw.withUnsafeBytes { storage.append(contentsOf: $0) }
    }

    /// Appends bytes with no length prefix.
    @inlinable public mutating func writeRaw(_ raw: some Sequence<UInt8>) {
        storage.append(contentsOf: raw)
    }

    // MARK: Lengths, strings and bytes

    /// ARRAY count (INT32), -1 for null.
    @inlinable public mutating func writeArrayCount(_ count: Int?) {
        writeInt32(count.map { Int32(truncatingIfNeeded: $0) } ?? -1)
    }

    /// COMPACT_ARRAY count: UNSIGNED_VARINT N+1, 0 for null.
    @inlinable public mutating func writeCompactArrayCount(_ count: Int?) {
        writeUnsignedVarlong(count.map { UInt64($0) + 1 } ?? 0)
    }

    /// STRING or NULLABLE_STRING: INT16 length (-1 for null), then UTF-8. Throws when longer than 32,767 bytes.
    @inlinable public mutating func writeNullableString(_ value: String?) throws(WireEncodingError) {
        guard let value else { return writeInt16(-1) }
        var text = value
        let count = text.utf8.count
        guard count <= Int(Int16.max) else { throw WireEncodingError(.valueTooLarge(count), field: nil, version: -1) }
        writeInt16(Int16(count))
        text.withUTF8 { storage.append(contentsOf: $0) }
    }

    /// STRING: INT16 length, then UTF-8.
    @inlinable public mutating func writeString(_ value: String) throws(WireEncodingError) {
        try writeNullableString(value)
    }

    /// COMPACT_STRING or COMPACT_NULLABLE_STRING: UNSIGNED_VARINT N+1 (0 for null), then UTF-8.
    /// Kafka caps strings at 32,767 bytes in every form, compact ones included; longer ones throw.
    @inlinable public mutating func writeCompactNullableString(_ value: String?) throws(WireEncodingError) {
        guard let value else { return writeUnsignedVarint(0) }
        var text = value
        let count = text.utf8.count
        guard count <= Int(Int16.max) else { throw WireEncodingError(.valueTooLarge(count), field: nil, version: -1) }
        writeUnsignedVarlong(UInt64(count) + 1)
        text.withUTF8 { storage.append(contentsOf: $0) }
    }

    /// COMPACT_STRING.
    @inlinable public mutating func writeCompactString(_ value: String) throws(WireEncodingError) {
        try writeCompactNullableString(value)
    }

    /// BYTES or NULLABLE_BYTES: INT32 length (-1 for null), then the bytes.
    @inlinable public mutating func writeNullableBytes(_ value: ByteSlice?) throws(WireEncodingError) {
        guard let value else { return writeInt32(-1) }
        guard value.count <= Int(Int32.max) else { throw WireEncodingError(.valueTooLarge(value.count), field: nil, version: -1) }
        writeInt32(Int32(value.count))
        writeRaw(value)
    }

    /// BYTES.
    @inlinable public mutating func writeBytes(_ value: ByteSlice) throws(WireEncodingError) {
        try writeNullableBytes(value)
    }

    /// COMPACT_BYTES or COMPACT_NULLABLE_BYTES: UNSIGNED_VARINT N+1 (0 for null), then the bytes.
    @inlinable public mutating func writeCompactNullableBytes(_ value: ByteSlice?) {
        guard let value else { return writeUnsignedVarint(0) }
        writeUnsignedVarlong(UInt64(value.count) + 1)
        writeRaw(value)
    }

    /// COMPACT_BYTES.
    @inlinable public mutating func writeCompactBytes(_ value: ByteSlice) {
        writeCompactNullableBytes(value)
    }

    // MARK: Back-filled prefixes

    /// Reserves four bytes for an INT32 written later; returns where they are.
    @inlinable public mutating func reserveInt32() -> Int {
        let at = storage.count
        storage.append(contentsOf: [0, 0, 0, 0])
        return at
    }

    /// Writes `value` big-endian into four bytes reserved at `index`.
    @inlinable public mutating func backfillInt32(_ value: Int32, at index: Int) {
        let raw = UInt32(bitPattern: value)
        storage[index] = UInt8(truncatingIfNeeded: raw >> 24)
        storage[index + 1] = UInt8(truncatingIfNeeded: raw >> 16)
        storage[index + 2] = UInt8(truncatingIfNeeded: raw >> 8)
        storage[index + 3] = UInt8(truncatingIfNeeded: raw)
    }

    /// Writes `value` big-endian over the four bytes at `index` (for CRCs computed after the fact).
    @inlinable public mutating func backfillUInt32(_ value: UInt32, at index: Int) {
        backfillInt32(Int32(bitPattern: value), at: index)
    }

    /// Calls `body` with the bytes written from `index` to the end (for checksums).
    @inlinable public func withBytes<R>(from index: Int, _ body: (UnsafeRawBufferPointer) -> R) -> R {
        storage.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[index...])) }
    }

    /// Drops everything written, keeping the capacity.
    @inlinable public mutating func removeAll() {
        storage.removeAll(keepingCapacity: true)
    }
}
