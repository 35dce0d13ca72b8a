/// A tagged field this codec does not know, kept as raw bytes so it can be re-emitted unchanged.
public struct TaggedField: Sendable, Hashable {
    /// The field's tag.
    public var tag: UInt32
    /// The field's encoded value.
    public var data: ByteSlice

    /// A raw tagged field.
    public init(tag: UInt32, data: ByteSlice) {
        self.tag = tag
        self.data = data
    }
}

/// What the spec says about one field: the attributes that decide whether, and how, it is on the wire.
public struct FieldSpec: Sendable {
    /// The spec's field name (`"GroupInstanceId"`), used in JSON and in error paths.
    public let name: StaticString
    /// Versions that have the field.
    public let versions: Versions
    /// Versions in which the field may be null.
    public let nullableVersions: Versions
    /// The field's tag, for tagged fields.
    public let tag: UInt32?
    /// Versions in which the field is tagged rather than in the regular sequence.
    public let taggedVersions: Versions
    /// Whether a non-default value may be dropped when encoding a version that lacks the field.
    public let ignorable: Bool

    /// A field description; the arguments mirror the spec's attributes.
    @inlinable public init(
        _ name: StaticString, versions: Versions, nullableVersions: Versions = .none,
        tag: UInt32? = nil, taggedVersions: Versions = .none, ignorable: Bool = false
    ) {
        self.name = name
        self.versions = versions
        self.nullableVersions = nullableVersions
        self.tag = tag
        self.taggedVersions = tag == nil ? .none : taggedVersions
        self.ignorable = ignorable
    }

    /// The field's name as a `String`.
    public var nameString: String { name.description }

    /// True when the field is in the tagged section at `version`.
    @inlinable public func isTagged(at version: Int16) -> Bool {
        tag != nil && taggedVersions.contains(version)
    }

    /// True when the field is in the regular field sequence at `version`.
    @inlinable public func isRegular(at version: Int16) -> Bool {
        versions.contains(version) && !isTagged(at: version)
    }
}

/// A codec's view of a message: it visits each field once, in spec order.
///
/// Every message type describes its fields once, in `visitFields`, and that one description
/// drives binary decoding, binary encoding, and the JSON forms used by `swafka-wire`. Each
/// visitor method receives the field's spec attributes and the field itself `inout`:
/// decoders assign, encoders read.
public protocol FieldVisitor {
    /// The message version being visited.
    var version: Int16 { get }
    /// A scalar field (bool, integers, float64, uuid, non-nullable string or bytes).
    mutating func scalar<T: WireScalar>(_ field: FieldSpec, _ value: inout T, default: T) throws
    /// A string or bytes field that is nullable in some versions.
    mutating func nullableScalar<T: WireNullableScalar>(_ field: FieldSpec, _ value: inout T?, default: T?) throws
    /// A RECORDS field: nullable bytes holding record batches or a legacy message set.
    mutating func records(_ field: FieldSpec, _ value: inout ByteSlice?) throws
    /// A nested struct.
    mutating func structure<T: KafkaStruct>(_ field: FieldSpec, _ value: inout T) throws
    /// An array of structs, null where the version allows it.
    mutating func structArray<T: KafkaStruct>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws
    /// An array of scalars (`[]int32`, `[]int64`, `[]string`), null where the version allows it.
    mutating func scalarArray<T: WireScalar>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws
}

/// A struct of the protocol: a whole message, or a nested struct or array element of one.
public protocol KafkaStruct: Sendable, Equatable {
    /// Every field at its spec default.
    init()
    /// Tagged fields read but not known at the decoded version, re-emitted on encode.
    var unknownTaggedFields: [TaggedField] { get set }
    /// Visits every field in spec order.
    mutating func visitFields<V: FieldVisitor>(_ visitor: inout V) throws
}

// Spelling the spec's attributes at each call site keeps codecs readable against the JSON.
extension FieldVisitor {
    /// A scalar field.
    @inlinable public mutating func field<T: WireScalar>(
        _ name: StaticString, _ value: inout T, versions: Versions, tag: UInt32? = nil,
        taggedVersions: Versions = .none, ignorable: Bool = false, default defaultValue: T = .zero
    ) throws {
        try scalar(FieldSpec(name, versions: versions, tag: tag, taggedVersions: taggedVersions, ignorable: ignorable),
                   &value, default: defaultValue)
    }

    /// A nullable string or bytes field.
    @inlinable public mutating func field<T: WireNullableScalar>(
        _ name: StaticString, _ value: inout T?, versions: Versions, nullableVersions: Versions,
        tag: UInt32? = nil, taggedVersions: Versions = .none, ignorable: Bool = false, default defaultValue: T? = .zero
    ) throws {
        try nullableScalar(FieldSpec(name, versions: versions, nullableVersions: nullableVersions, tag: tag,
                                     taggedVersions: taggedVersions, ignorable: ignorable),
                           &value, default: defaultValue)
    }

    /// A RECORDS field.
    @inlinable public mutating func records(
        _ name: StaticString, _ value: inout ByteSlice?, versions: Versions, nullableVersions: Versions, ignorable: Bool = false
    ) throws {
        try records(FieldSpec(name, versions: versions, nullableVersions: nullableVersions, ignorable: ignorable), &value)
    }

    /// A nested struct field; its default is the struct with every field at its default.
    @inlinable public mutating func field<T: KafkaStruct>(
        _ name: StaticString, _ value: inout T, versions: Versions, tag: UInt32? = nil,
        taggedVersions: Versions = .none, ignorable: Bool = false
    ) throws {
        try structure(FieldSpec(name, versions: versions, tag: tag, taggedVersions: taggedVersions, ignorable: ignorable), &value)
    }

    /// A non-nullable array of structs.
    @inlinable public mutating func field<T: KafkaStruct>(
        _ name: StaticString, _ value: inout [T], versions: Versions, tag: UInt32? = nil,
        taggedVersions: Versions = .none, ignorable: Bool = false
    ) throws {
        var optional: [T]? = value
        value = []  // keeps the buffer uniquely referenced while the visitor works on it
        defer { value = optional ?? [] }
        try structArray(FieldSpec(name, versions: versions, tag: tag, taggedVersions: taggedVersions, ignorable: ignorable),
                        &optional, default: [])
    }

    /// An array of structs that is nullable in some versions.
    @inlinable public mutating func field<T: KafkaStruct>(
        _ name: StaticString, _ value: inout [T]?, versions: Versions, nullableVersions: Versions,
        tag: UInt32? = nil, taggedVersions: Versions = .none, ignorable: Bool = false, default defaultValue: [T]? = []
    ) throws {
        try structArray(FieldSpec(name, versions: versions, nullableVersions: nullableVersions, tag: tag,
                                  taggedVersions: taggedVersions, ignorable: ignorable),
                        &value, default: defaultValue)
    }

    /// A non-nullable array of scalars.
    @inlinable public mutating func field<T: WireScalar>(
        _ name: StaticString, _ value: inout [T], versions: Versions, tag: UInt32? = nil,
        taggedVersions: Versions = .none, ignorable: Bool = false
    ) throws {
        var optional: [T]? = value
        value = []
        defer { value = optional ?? [] }
        try scalarArray(FieldSpec(name, versions: versions, tag: tag, taggedVersions: taggedVersions, ignorable: ignorable),
                        &optional, default: [])
    }

    /// An array of scalars that is nullable in some versions.
    @inlinable public mutating func field<T: WireScalar>(
        _ name: StaticString, _ value: inout [T]?, versions: Versions, nullableVersions: Versions,
        tag: UInt32? = nil, taggedVersions: Versions = .none, ignorable: Bool = false, default defaultValue: [T]? = []
    ) throws {
        try scalarArray(FieldSpec(name, versions: versions, nullableVersions: nullableVersions, tag: tag,
                                  taggedVersions: taggedVersions, ignorable: ignorable),
                        &value, default: defaultValue)
    }

    /// An `int16` field holding a Kafka error code.
    @inlinable public mutating func field(
        _ name: StaticString, _ value: inout ErrorCode, versions: Versions, tag: UInt32? = nil,
        taggedVersions: Versions = .none, ignorable: Bool = false
    ) throws {
        var raw = value.rawValue
        defer { value = ErrorCode(rawValue: raw) }
        try scalar(FieldSpec(name, versions: versions, tag: tag, taggedVersions: taggedVersions, ignorable: ignorable),
                   &raw, default: 0)
    }
}

/// A top-level message: an API's request or response, or a versioned data payload
/// (consumer-protocol subscription and assignment, control records).
public protocol WireMessage: KafkaStruct {
    /// The spec's `validVersions`.
    static var validVersions: ClosedRange<Int16> { get }
    /// The spec's `flexibleVersions`.
    static var flexibleVersions: Versions { get }
}

/// The request of an API.
public protocol KafkaRequest: WireMessage {
    /// The response type this request is answered with.
    associatedtype Response: KafkaResponse
    /// The API's key.
    static var apiKey: ApiKey { get }
}

/// The response of an API.
public protocol KafkaResponse: WireMessage {
    /// The API's key.
    static var apiKey: ApiKey { get }
}

extension WireMessage {
    /// True when `version` uses the compact encodings and tagged fields.
    @inlinable public static func isFlexible(_ version: Int16) -> Bool { flexibleVersions.contains(version) }

    /// Appends the message body encoded at `version`.
    public func encode(into writer: inout ByteWriter, version: Int16) throws(WireEncodingError) {
        guard Self.validVersions.contains(version) else {
            throw WireEncodingError(.unsupportedVersion, field: nil, version: version)
        }
        var encoder = BinaryFieldEncoder(writer: writer, version: version, flexible: Self.isFlexible(version))
        writer = ByteWriter(capacity: 0)  // the encoder owns the buffer while it works
        do {
            try encoder.encodeStruct(self)
        } catch let error as WireEncodingError {
            throw error
        } catch {
            throw WireEncodingError(.invalidValue("\(error)"), field: nil, version: version)
        }
        writer = encoder.writer
    }

    /// The message body encoded at `version`.
    public func encoded(version: Int16) throws(WireEncodingError) -> [UInt8] {
        var writer = ByteWriter()
        try encode(into: &writer, version: version)
        return writer.bytes
    }

    /// Decodes a message body at `version`, leaving `reader` after it.
    public init(from reader: inout ByteReader, version: Int16) throws(WireDecodingError) {
        guard Self.validVersions.contains(version) else {
            throw WireDecodingError(.unsupportedVersion(version), at: reader.offset)
        }
        var decoder = BinaryFieldDecoder(reader: reader, version: version, flexible: Self.isFlexible(version))
        var value = Self()
        do {
            try decoder.decodeStruct(&value)
        } catch let error as WireDecodingError {
            throw error
        } catch {
            throw WireDecodingError(.invalidValue("\(error)"), at: decoder.reader.offset)
        }
        reader = decoder.reader
        self = value
    }

    /// Decodes a message body at `version` that must use every byte of `bytes`.
    public init(decoding bytes: ByteSlice, version: Int16) throws(WireDecodingError) {
        var reader = ByteReader(bytes)
        try self.init(from: &reader, version: version)
        try reader.expectEnd()
    }

    /// Decodes a message body at `version` that must use every byte of `bytes`.
    public init(decoding bytes: [UInt8], version: Int16) throws(WireDecodingError) {
        try self.init(decoding: ByteSlice(bytes), version: version)
    }
}
