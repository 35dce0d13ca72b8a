/// Encodes a message to its binary form by visiting its fields.
///
/// Regular fields are written as they are visited. A tagged field whose value differs from
/// its default is encoded into a buffer of its own and written, with the struct's preserved
/// unknown tags, in ascending tag order when the struct ends.
@usableFromInline
struct BinaryFieldEncoder: FieldVisitor {
    @usableFromInline var writer: ByteWriter
    @usableFromInline let version: Int16
    @usableFromInline let flexible: Bool
    /// Tagged fields of the struct being encoded, waiting for its end.
    @usableFromInline var pendingTags: [TaggedField] = []

    @usableFromInline init(writer: ByteWriter, version: Int16, flexible: Bool) {
        self.writer = writer
        self.version = version
        self.flexible = flexible
    }

    @usableFromInline func failure(_ kind: WireEncodingError.Kind, _ field: FieldSpec?) -> WireEncodingError {
        WireEncodingError(kind, field: field?.nameString, version: version)
    }

    /// Encodes a struct's fields and then its tagged section.
    @usableFromInline mutating func encodeStruct<T: KafkaStruct>(_ value: T) throws {
        let outer = pendingTags
        defer { pendingTags = outer }
        pendingTags = []
        var copy = value
        try copy.visitFields(&self)
        guard flexible else {
            if !value.unknownTaggedFields.isEmpty {
                throw WireEncodingError(.fieldNotInVersion, field: "_unknownTaggedFields", version: version)
            }
            return
        }
        var tags = pendingTags
        tags.append(contentsOf: value.unknownTaggedFields)
        tags.sort { $0.tag < $1.tag }
        writer.writeUnsignedVarint(UInt32(tags.count))
        var previous: UInt32? = nil
        for tagged in tags {
            if tagged.tag == previous { throw failure(.duplicateTag(tagged.tag), nil) }
            previous = tagged.tag
            writer.writeUnsignedVarint(tagged.tag)
            writer.writeUnsignedVarlong(UInt64(tagged.data.count))
            writer.writeRaw(tagged.data)
        }
    }

    /// Decides how a field is written at this version, and throws when it cannot be.
    @usableFromInline enum Step { case write, writeTagged, omit }

    @usableFromInline func step(for field: FieldSpec, isDefault: Bool) throws -> Step {
        if field.isTagged(at: version) { return isDefault ? .omit : .writeTagged }
        if field.versions.contains(version) { return .write }
        if isDefault || field.ignorable { return .omit }
        throw failure(.fieldNotInVersion, field)
    }

    @usableFromInline func checkNull(_ isNull: Bool, _ field: FieldSpec) throws {
        if isNull && !field.nullableVersions.contains(version) { throw failure(.nullNotAllowed, field) }
    }

    @inlinable mutating func named<R>(_ field: FieldSpec, _ body: (inout BinaryFieldEncoder) throws -> R) throws -> R {
        do {
            return try body(&self)
        } catch var error as WireEncodingError {
            error.version = version
            error.field = error.field.map { $0.hasPrefix("[") ? "\(field.name)\($0)" : "\(field.name).\($0)" } ?? field.nameString
            throw error
        }
    }

    /// Encodes one tagged value into a buffer of its own and queues it for the struct's end.
    @usableFromInline mutating func queueTagged(_ field: FieldSpec, _ write: (inout BinaryFieldEncoder) throws -> Void) throws {
        guard let tag = field.tag else { return }
        var sub = BinaryFieldEncoder(writer: ByteWriter(capacity: 32), version: version, flexible: true)
        try write(&sub)
        pendingTags.append(TaggedField(tag: tag, data: sub.writer.slice))
    }

    @usableFromInline mutating func scalar<T: WireScalar>(_ field: FieldSpec, _ value: inout T, default: T) throws {
        let step = try step(for: field, isDefault: value == `default`)
        let current = value
        try named(field) {
            switch step {
            case .write: try current.write(to: &$0.writer, flexible: $0.flexible)
            case .writeTagged: try $0.queueTagged(field) { try current.write(to: &$0.writer, flexible: true) }
            case .omit: break
            }
        }
    }

    @usableFromInline mutating func nullableScalar<T: WireNullableScalar>(_ field: FieldSpec, _ value: inout T?, default: T?) throws {
        let step = try step(for: field, isDefault: value == `default`)
        let current = value
        if step != .omit { try checkNull(current == nil, field) }
        try named(field) {
            switch step {
            case .write: try T.writeNullable(current, to: &$0.writer, flexible: $0.flexible)
            case .writeTagged: try $0.queueTagged(field) { try T.writeNullable(current, to: &$0.writer, flexible: true) }
            case .omit: break
            }
        }
    }

    @usableFromInline mutating func records(_ field: FieldSpec, _ value: inout ByteSlice?) throws {
        try nullableScalar(field, &value, default: nil)
    }

    @usableFromInline mutating func structure<T: KafkaStruct>(_ field: FieldSpec, _ value: inout T) throws {
        let current = value
        let step = try step(for: field, isDefault: current == T())
        try named(field) {
            switch step {
            case .write: try $0.encodeStruct(current)
            case .writeTagged: try $0.queueTagged(field) { try $0.encodeStruct(current) }
            case .omit: break
            }
        }
    }

    @usableFromInline mutating func writeArrayCount(_ count: Int?) throws {
        guard let count else { return flexible ? writer.writeCompactArrayCount(nil) : writer.writeArrayCount(nil) }
        guard count <= Int(Int32.max) else { throw failure(.valueTooLarge(count), nil) }
        flexible ? writer.writeCompactArrayCount(count) : writer.writeArrayCount(count)
    }

    @usableFromInline mutating func structArray<T: KafkaStruct>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        let step = try step(for: field, isDefault: value == `default`)
        if step != .omit { try checkNull(value == nil, field) }
        let current = value
        try named(field) {
            switch step {
            case .write: try $0.writeStructArray(current)
            case .writeTagged: try $0.queueTagged(field) { try $0.writeStructArray(current) }
            case .omit: break
            }
        }
    }

    @usableFromInline mutating func writeStructArray<T: KafkaStruct>(_ elements: [T]?) throws {
        try writeArrayCount(elements?.count)
        guard let elements else { return }
        for (index, element) in elements.enumerated() {
            do {
                try encodeStruct(element)
            } catch var error as WireEncodingError {
                error.field = error.field.map { "[\(index)].\($0)" } ?? "[\(index)]"
                throw error
            }
        }
    }

    @usableFromInline mutating func scalarArray<T: WireScalar>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        let step = try step(for: field, isDefault: value == `default`)
        if step != .omit { try checkNull(value == nil, field) }
        let current = value
        try named(field) {
            switch step {
            case .write: try $0.writeScalarArray(current)
            case .writeTagged: try $0.queueTagged(field) { try $0.writeScalarArray(current) }
            case .omit: break
            }
        }
    }

    @usableFromInline mutating func writeScalarArray<T: WireScalar>(_ elements: [T]?) throws {
        try writeArrayCount(elements?.count)
        for element in elements ?? [] { try element.write(to: &writer, flexible: flexible) }
    }
}
