// A record inside a v2 record batch (implementation.html, "Record" and "Record Header"):
//
//   length: varint            bytes from attributes to the end of the headers
//   attributes: int8          unused by every Kafka version so far
//   timestampDelta: varlong   timestamp - batch.baseTimestamp
//   offsetDelta: varint       offset - batch.baseOffset
//   keyLength: varint, key    -1 for a null key
//   valueLength: varint, value  -1 for a null value
//   headersCount: varint, then per header:
//     headerKeyLength: varint, headerKey (UTF-8, never null)
//     headerValueLength: varint, value (-1 for null)

/// One record header: a UTF-8 key and an optional value.
public struct RecordHeader: Sendable, Hashable {
    /// The header's name. Kafka allows duplicates; order is preserved.
    public var key: String
    /// The header's value; nil is a null value (length -1), distinct from an empty one.
    public var value: ByteSlice?

    /// A header named `key` with `value`.
    public init(key: String, value: ByteSlice?) {
        self.key = key
        self.value = value
    }
}

/// A record of a v2 record batch, with its offset and timestamp relative to the batch.
///
/// Decoded keys, values and header values are slices of the fetched buffer (or, for a
/// compressed batch, of its decompressed records), not copies.
public struct Record: Sendable, Hashable {
    /// The record's own attribute byte. No Kafka version defines a bit; kept for exact re-encoding.
    public var attributes: Int8
    /// Milliseconds from the batch's `baseTimestamp`.
    public var timestampDelta: Int64
    /// Distance from the batch's `baseOffset`.
    public var offsetDelta: Int32
    /// The key; nil is a null key.
    public var key: ByteSlice?
    /// The value; nil is a null value (a tombstone on a compacted topic).
    public var value: ByteSlice?
    /// The headers, in wire order.
    public var headers: [RecordHeader]

    /// A record at the given deltas from its batch's base offset and base timestamp.
    public init(attributes: Int8 = 0, timestampDelta: Int64 = 0, offsetDelta: Int32, key: ByteSlice?,
                value: ByteSlice?, headers: [RecordHeader] = []) {
        self.attributes = attributes
        self.timestampDelta = timestampDelta
        self.offsetDelta = offsetDelta
        self.key = key
        self.value = value
        self.headers = headers
    }

    /// The smallest possible record: a length, attributes, two deltas, two null lengths and a
    /// header count take one byte each. Used to bound a record count against the bytes present.
    static let minimumEncodedSize = 7

    /// The smallest possible header: two one-byte lengths.
    static let minimumHeaderSize = 2
}

// MARK: Decoding

extension Record {
    /// Reads one length-prefixed record; the fields must use exactly `length` bytes.
    static func decode(from reader: inout ByteReader) throws(WireDecodingError) -> Record {
        let lengthAt = reader.offset
        let length = Int(try reader.readVarint())
        guard length >= 0 else { throw WireDecodingError(.negativeLength(length), at: lengthAt, field: "length") }
        guard length <= reader.remaining else {
            throw WireDecodingError(.lengthExceedsRemaining(length: length, remaining: reader.remaining),
                                    at: lengthAt, field: "length")
        }
        var body = ByteReader(boundedBy: reader, count: length)
        try reader.skip(length)

        let attributes = try body.readInt8()
        let timestampDelta = try body.readVarlong()
        let offsetDelta = try body.readVarint()
        let key = try body.readVarintNullableBytes()
        let value = try body.readVarintNullableBytes()

        let countAt = body.offset
        let count = try body.checkedCount(Int(try body.readVarint()), nullable: false,
                                          minimumElementSize: minimumHeaderSize, at: countAt) ?? 0
        var headers: [RecordHeader] = []
        if count > 0 {
            headers.reserveCapacity(count)
            for _ in 0..<count {
                let keyAt = body.offset
                let keyLength = try body.checkedLength(Int(try body.readVarint()), nullable: false, at: keyAt) ?? 0
                let keyBytes = try body.readSlice(count: keyLength)
                // Header keys are strings; like every string we decode, invalid UTF-8 is an error
                // (with its offset), not something to paper over with U+FFFD.
                guard let key = keyBytes.utf8String else { throw WireDecodingError(.invalidUTF8, at: keyAt) }
                let headerValue = try body.readVarintNullableBytes()
                headers.append(RecordHeader(key: key, value: headerValue))
            }
        }
        guard body.isAtEnd else {
            throw WireDecodingError(.trailingBytes(count: body.remaining), at: body.offset)
        }
        return Record(attributes: attributes, timestampDelta: timestampDelta, offsetDelta: offsetDelta,
                      key: key, value: value, headers: headers)
    }
}

extension ByteReader {
    /// A reader over the next `count` bytes of `parent` (the caller has checked they are there),
    /// sharing its storage and reporting the same offsets. Cheaper than going through a
    /// `ByteSlice`, which matters once per record.
    init(boundedBy parent: ByteReader, count: Int) {
        storage = parent.storage
        start = parent.start
        position = parent.position
        end = parent.position + count
        offsetBase = parent.offsetBase
    }

    /// A varint length (-1 for null) followed by that many bytes, as in record keys and values.
    mutating func readVarintNullableBytes() throws(WireDecodingError) -> ByteSlice? {
        let at = offset
        guard let count = try checkedLength(Int(try readVarint()), nullable: true, at: at) else { return nil }
        return try readSlice(count: count)
    }
}

// MARK: Encoding

extension Record {
    /// Writes one record, length prefix included. Sizes are computed first, so this is a single pass.
    static func write(attributes: Int8, timestampDelta: Int64, offsetDelta: Int32, key: ByteSlice?,
                      value: ByteSlice?, headers: [RecordHeader],
                      into writer: inout ByteWriter) throws(WireEncodingError) {
        var size = 1 + ByteWriter.varlongSize(timestampDelta) + ByteWriter.varintSize(offsetDelta)
        size += try nullableBytesSize(key, field: "Record.key")
        size += try nullableBytesSize(value, field: "Record.value")
        guard headers.count <= Int(Int32.max) else { throw tooLarge(headers.count, "Record.headers") }
        size += ByteWriter.varintSize(Int32(headers.count))
        for header in headers {
            let keyCount = header.key.utf8.count
            guard keyCount <= Int(Int32.max) else { throw tooLarge(keyCount, "RecordHeader.key") }
            size += ByteWriter.varintSize(Int32(keyCount)) + keyCount
            size += try nullableBytesSize(header.value, field: "RecordHeader.value")
        }
        guard size <= Int(Int32.max) else { throw tooLarge(size, "Record") }

        // The varints before the key's bytes (and, with a null or empty key, before the value's) go
        // into a small scratch buffer appended at once: one append instead of one per byte.
        var prefix = VarintScratch()
        prefix.varint(Int32(size))
        prefix.byte(UInt8(bitPattern: attributes))
        prefix.varlong(timestampDelta)
        prefix.varint(offsetDelta)
        prefix.varint(key.map { Int32(truncatingIfNeeded: $0.count) } ?? -1)
        if let key, !key.isEmpty {
            prefix.append(to: &writer)
            writer.writeRaw(key)
            prefix = VarintScratch()
        }
        prefix.varint(value.map { Int32(truncatingIfNeeded: $0.count) } ?? -1)
        prefix.append(to: &writer)
        if let value { writer.writeRaw(value) }
        writer.writeVarint(Int32(headers.count))
        for header in headers {
            var name = header.key
            name.withUTF8 { utf8 in
                writer.writeVarint(Int32(utf8.count))
                writer.storage.append(contentsOf: utf8)
            }
            writer.writeVarintNullableBytes(header.value)
        }
    }

    /// Writes this record, length prefix included.
    func encode(into writer: inout ByteWriter) throws(WireEncodingError) {
        try Record.write(attributes: attributes, timestampDelta: timestampDelta, offsetDelta: offsetDelta,
                         key: key, value: value, headers: headers, into: &writer)
    }

    /// Bytes of a varint length plus the bytes (a single byte for null).
    static func nullableBytesSize(_ bytes: ByteSlice?, field: String) throws(WireEncodingError) -> Int {
        guard let bytes else { return 1 }
        guard bytes.count <= Int(Int32.max) else { throw tooLarge(bytes.count, field) }
        return ByteWriter.varintSize(Int32(bytes.count)) + bytes.count
    }

    static func tooLarge(_ size: Int, _ field: String) -> WireEncodingError {
        WireEncodingError(.valueTooLarge(size), field: field, version: Int16(RecordBatch.currentMagic))
    }
}

/// Up to 40 bytes of varints built on the stack, then appended to a writer in one go (a record's
/// length, attributes, timestamp and offset deltas and a length take at most 5 + 1 + 10 + 5 + 5 + 5).
struct VarintScratch {
    private var bytes: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    private var count = 0

    @inline(__always) mutating func byte(_ value: UInt8) {
        withUnsafeMutableBytes(of: &bytes) { $0[count] = value }
        count += 1
    }

    @inline(__always) mutating func unsigned(_ value: UInt64) {
        var rest = value
        withUnsafeMutableBytes(of: &bytes) { raw in
            while rest >= 0x80 {
                raw[count] = UInt8(truncatingIfNeeded: rest) | 0x80
                count += 1
                rest >>= 7
            }
            raw[count] = UInt8(rest)
            count += 1
        }
    }

    /// VARINT (zig-zag).
    @inline(__always) mutating func varint(_ value: Int32) {
        unsigned(UInt64(UInt32(bitPattern: (value << 1) ^ (value >> 31))))
    }

    /// VARLONG (zig-zag).
    @inline(__always) mutating func varlong(_ value: Int64) {
        unsigned(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inline(__always) func append(to writer: inout ByteWriter) {
        var copy = bytes
        let count = count
        withUnsafeBytes(of: &copy) { writer.storage.append(contentsOf: UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
    }
}

extension ByteWriter {
    /// A varint length (-1 for null) followed by the bytes; the caller has checked the length fits INT32.
    mutating func writeVarintNullableBytes(_ bytes: ByteSlice?) {
        guard let bytes else { return writeVarint(-1) }
        writeVarint(Int32(truncatingIfNeeded: bytes.count))
        writeRaw(bytes)
    }
}
