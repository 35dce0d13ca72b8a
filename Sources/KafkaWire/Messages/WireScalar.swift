/// The shape of a scalar value, for codecs that are not binary (JSON, debug printing).
public enum ScalarKind: Sendable {
    case bool, int, float, string, bytes, uuid
}

/// A scalar field's value in a form every non-binary codec understands.
public enum ScalarValue: Sendable, Equatable {
    case bool(Bool)
    case int(Int64)
    case float(Double)
    case string(String)
    case bytes(ByteSlice)
    case uuid(KafkaUUID)
}

/// A value of one of the spec's scalar types: bool, int8/16/32/64, uint16/32, float64, uuid, string, bytes.
///
/// Strings and bytes pick their compact form in flexible versions.
public protocol WireScalar: Sendable, Equatable {
    /// The value of a field whose spec gives no default.
    static var zero: Self { get }
    /// The scalar's shape for non-binary codecs.
    static var scalarKind: ScalarKind { get }
    /// Reads one value; `flexible` selects the compact forms of strings and bytes.
    static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> Self
    /// Writes one value; `flexible` selects the compact forms of strings and bytes.
    func write(to writer: inout ByteWriter, flexible: Bool) throws(WireEncodingError)
    /// The value for non-binary codecs.
    var scalarValue: ScalarValue { get }
    /// The value from a non-binary codec; nil when out of range or of the wrong shape.
    init?(scalarValue: ScalarValue)
}

/// A scalar that some versions allow to be null: strings and bytes.
public protocol WireNullableScalar: WireScalar {
    /// Reads a value or null.
    static func readNullable(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> Self?
    /// Writes a value or null.
    static func writeNullable(_ value: Self?, to writer: inout ByteWriter, flexible: Bool) throws(WireEncodingError)
}

/// Shared conformance for the fixed-width integer types the specs use.
public protocol WireInteger: WireScalar, FixedWidthInteger {}

extension WireInteger {
    @inlinable public static var zero: Self { 0 }
    @inlinable public static var scalarKind: ScalarKind { .int }
    @inlinable public var scalarValue: ScalarValue { .int(Int64(self)) }
    @inlinable public init?(scalarValue: ScalarValue) {
        guard case let .int(value) = scalarValue, let exact = Self(exactly: value) else { return nil }
        self = exact
    }
}

extension Int8: WireInteger {
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> Int8 { try reader.readInt8() }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) { writer.writeInt8(self) }
}

extension Int16: WireInteger {
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> Int16 { try reader.readInt16() }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) { writer.writeInt16(self) }
}

extension Int32: WireInteger {
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> Int32 { try reader.readInt32() }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) { writer.writeInt32(self) }
}

extension Int64: WireInteger {
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> Int64 { try reader.readInt64() }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) { writer.writeInt64(self) }
}

extension UInt16: WireInteger {
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> UInt16 { try reader.readUInt16() }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) { writer.writeUInt16(self) }
}

extension UInt32: WireInteger {
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> UInt32 { try reader.readUInt32() }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) { writer.writeUInt32(self) }
}

extension Bool: WireScalar {
    @inlinable public static var zero: Bool { false }
    @inlinable public static var scalarKind: ScalarKind { .bool }
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> Bool { try reader.readBool() }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) { writer.writeBool(self) }
    @inlinable public var scalarValue: ScalarValue { .bool(self) }
    @inlinable public init?(scalarValue: ScalarValue) {
        guard case let .bool(value) = scalarValue else { return nil }
        self = value
    }
}

extension Double: WireScalar {
    @inlinable public static var zero: Double { 0 }
    @inlinable public static var scalarKind: ScalarKind { .float }
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> Double { try reader.readFloat64() }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) { writer.writeFloat64(self) }
    @inlinable public var scalarValue: ScalarValue { .float(self) }
    @inlinable public init?(scalarValue: ScalarValue) {
        switch scalarValue {
        case let .float(value): self = value
        case let .int(value): self = Double(value)
        default: return nil
        }
    }
}

extension KafkaUUID: WireScalar {
    @inlinable public static var zero: KafkaUUID { KafkaUUID(high: 0, low: 0) }
    @inlinable public static var scalarKind: ScalarKind { .uuid }
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> KafkaUUID { try reader.readUUID() }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) { writer.writeUUID(self) }
    @inlinable public var scalarValue: ScalarValue { .uuid(self) }
    @inlinable public init?(scalarValue: ScalarValue) {
        guard case let .uuid(value) = scalarValue else { return nil }
        self = value
    }
}

extension String: WireNullableScalar {
    @inlinable public static var zero: String { "" }
    @inlinable public static var scalarKind: ScalarKind { .string }
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> String {
        flexible ? try reader.readCompactString() : try reader.readString()
    }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) throws(WireEncodingError) {
        if flexible { try writer.writeCompactString(self) } else { try writer.writeString(self) }
    }
    @inlinable public static func readNullable(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> String? {
        flexible ? try reader.readCompactNullableString() : try reader.readNullableString()
    }
    @inlinable public static func writeNullable(_ value: String?, to writer: inout ByteWriter, flexible: Bool) throws(WireEncodingError) {
        if flexible { try writer.writeCompactNullableString(value) } else { try writer.writeNullableString(value) }
    }
    @inlinable public var scalarValue: ScalarValue { .string(self) }
    @inlinable public init?(scalarValue: ScalarValue) {
        guard case let .string(value) = scalarValue else { return nil }
        self = value
    }
}

extension ByteSlice: WireNullableScalar {
    @inlinable public static var zero: ByteSlice { ByteSlice() }
    @inlinable public static var scalarKind: ScalarKind { .bytes }
    @inlinable public static func read(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> ByteSlice {
        flexible ? try reader.readCompactBytes() : try reader.readBytes()
    }
    @inlinable public func write(to writer: inout ByteWriter, flexible: Bool) throws(WireEncodingError) {
        if flexible { writer.writeCompactBytes(self) } else { try writer.writeBytes(self) }
    }
    @inlinable public static func readNullable(from reader: inout ByteReader, flexible: Bool) throws(WireDecodingError) -> ByteSlice? {
        flexible ? try reader.readCompactNullableBytes() : try reader.readNullableBytes()
    }
    @inlinable public static func writeNullable(_ value: ByteSlice?, to writer: inout ByteWriter, flexible: Bool) throws(WireEncodingError) {
        if flexible { writer.writeCompactNullableBytes(value) } else { try writer.writeNullableBytes(value) }
    }
    @inlinable public var scalarValue: ScalarValue { .bytes(self) }
    @inlinable public init?(scalarValue: ScalarValue) {
        guard case let .bytes(value) = scalarValue else { return nil }
        self = value
    }
}
