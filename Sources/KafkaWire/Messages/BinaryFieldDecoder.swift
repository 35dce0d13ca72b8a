/// Decodes a message from its binary form by visiting its fields.
///
/// Tagged fields sit at the end of each struct on the wire but anywhere in the spec's field
/// order, so a flexible struct is visited in two passes: the first reads the regular fields
/// and then the tagged section; the second, only when the section is not empty, decodes the
/// tagged fields it knows from their saved bytes. Tags that no field claims are kept in
/// `unknownTaggedFields`.
@usableFromInline
struct BinaryFieldDecoder: FieldVisitor {
    @usableFromInline var reader: ByteReader
    @usableFromInline let version: Int16
    @usableFromInline let flexible: Bool
    /// The tagged section of the struct being decoded, during the second pass.
    @usableFromInline var pendingTags: [PendingTag]? = nil

    @usableFromInline struct PendingTag {
        @usableFromInline let tag: UInt32
        @usableFromInline let data: ByteSlice
        @usableFromInline let offset: Int
        @usableFromInline var claimed = false
    }

    @usableFromInline init(reader: ByteReader, version: Int16, flexible: Bool) {
        self.reader = reader
        self.version = version
        self.flexible = flexible
    }

    /// Decodes all of a struct's fields, tagged section included.
    @usableFromInline mutating func decodeStruct<T: KafkaStruct>(_ value: inout T) throws {
        let outer = pendingTags
        defer { pendingTags = outer }
        pendingTags = nil
        try value.visitFields(&self)
        guard flexible else { return }
        let tags = try readTaggedSection()
        guard !tags.isEmpty else { return }
        pendingTags = tags
        try value.visitFields(&self)
        value.unknownTaggedFields = (pendingTags ?? []).filter { !$0.claimed }.map { TaggedField(tag: $0.tag, data: $0.data) }
    }

    @usableFromInline mutating func readTaggedSection() throws(WireDecodingError) -> [PendingTag] {
        let countOffset = reader.offset
        let count = Int(try reader.readUnsignedVarint())
        // Each tagged field takes at least two bytes (tag and size).
        guard count <= reader.remaining / 2 else {
            throw WireDecodingError(.lengthExceedsRemaining(length: count, remaining: reader.remaining), at: countOffset,
                                    field: "_taggedFields")
        }
        var tags = [PendingTag]()
        tags.reserveCapacity(count)
        for _ in 0..<count {
            let tagOffset = reader.offset
            let tag = try reader.readUnsignedVarint()
            if let last = tags.last, tag <= last.tag {
                throw WireDecodingError(.tagsOutOfOrder(tag: tag), at: tagOffset, field: "_taggedFields")
            }
            let size = try reader.readCompactLengthForTag()
            let dataOffset = reader.offset
            let data = try reader.readSlice(count: size)
            tags.append(PendingTag(tag: tag, data: data, offset: dataOffset))
        }
        return tags
    }

    /// In the second pass, runs `read` over the bytes of `field`'s tag if the section has it.
    @usableFromInline mutating func withTaggedData(_ field: FieldSpec, _ read: (inout BinaryFieldDecoder) throws -> Void) throws {
        guard let tag = field.tag, var tags = pendingTags, let index = tags.firstIndex(where: { $0.tag == tag }) else { return }
        tags[index].claimed = true
        pendingTags = tags
        var sub = BinaryFieldDecoder(reader: ByteReader(tags[index].data, offsetBase: tags[index].offset), version: version, flexible: true)
        try read(&sub)
        try sub.reader.expectEnd()
    }

    /// Decides what to do with a field at this version and pass: read it, read its tag, or reset it.
    @usableFromInline enum Step { case read, readTagged, setDefault, skip }

    @usableFromInline func step(for field: FieldSpec) -> Step {
        let tagged = field.isTagged(at: version)
        if pendingTags != nil { return tagged ? .readTagged : .skip }
        if tagged { return .setDefault }
        return field.versions.contains(version) ? .read : .setDefault
    }

    @usableFromInline func nullable(_ field: FieldSpec) -> Bool { field.nullableVersions.contains(version) }

    @inlinable mutating func named<R>(_ field: FieldSpec, _ body: (inout BinaryFieldDecoder) throws -> R) throws -> R {
        do {
            return try body(&self)
        } catch var error as WireDecodingError {
            error.field = error.field.map { $0.hasPrefix("[") ? "\(field.name)\($0)" : "\(field.name).\($0)" } ?? field.nameString
            throw error
        }
    }

    @usableFromInline mutating func scalar<T: WireScalar>(_ field: FieldSpec, _ value: inout T, default: T) throws {
        switch step(for: field) {
        case .read: value = try named(field) { try T.read(from: &$0.reader, flexible: $0.flexible) }
        case .readTagged: try named(field) { try $0.withTaggedData(field) { value = try T.read(from: &$0.reader, flexible: true) } }
        case .setDefault: value = `default`
        case .skip: break
        }
    }

    @usableFromInline mutating func nullableScalar<T: WireNullableScalar>(_ field: FieldSpec, _ value: inout T?, default: T?) throws {
        switch step(for: field) {
        case .read:
            value = try named(field) { try $0.readNullable(T.self, field: field, flexible: $0.flexible) }
        case .readTagged:
            try named(field) { try $0.withTaggedData(field) { value = try $0.readNullable(T.self, field: field, flexible: true) } }
        case .setDefault: value = `default`
        case .skip: break
        }
    }

    @usableFromInline mutating func readNullable<T: WireNullableScalar>(_: T.Type, field: FieldSpec, flexible: Bool) throws -> T? {
        let at = reader.offset
        let result = try T.readNullable(from: &reader, flexible: flexible)
        if result == nil && !nullable(field) { throw WireDecodingError(.unexpectedNull, at: at) }
        return result
    }

    @usableFromInline mutating func records(_ field: FieldSpec, _ value: inout ByteSlice?) throws {
        try nullableScalar(field, &value, default: nil)
    }

    @usableFromInline mutating func structure<T: KafkaStruct>(_ field: FieldSpec, _ value: inout T) throws {
        switch step(for: field) {
        case .read: try named(field) { try $0.decodeStruct(&value) }
        case .readTagged: try named(field) { try $0.withTaggedData(field) { try $0.decodeStruct(&value) } }
        case .setDefault: value = T()
        case .skip: break
        }
    }

    @usableFromInline mutating func structArray<T: KafkaStruct>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        switch step(for: field) {
        case .read: value = try named(field) { try $0.readStructArray(T.self, field: field) }
        case .readTagged: try named(field) { try $0.withTaggedData(field) { value = try $0.readStructArray(T.self, field: field) } }
        case .setDefault: value = `default`
        case .skip: break
        }
    }

    @usableFromInline mutating func readArrayCount(field: FieldSpec, minimumElementSize: Int) throws -> Int? {
        flexible
            ? try reader.readCompactArrayCount(nullable: nullable(field), minimumElementSize: minimumElementSize)
            : try reader.readArrayCount(nullable: nullable(field), minimumElementSize: minimumElementSize)
    }

    @usableFromInline mutating func readStructArray<T: KafkaStruct>(_: T.Type, field: FieldSpec) throws -> [T]? {
        // A flexible struct ends in at least a one-byte tagged section; others may in
        // principle be empty, so only the flexible bound is tight.
        guard let count = try readArrayCount(field: field, minimumElementSize: 1) else { return nil }
        var elements = [T]()
        elements.reserveCapacity(Swift.min(count, 1024))
        for index in 0..<count {
            var element = T()
            do {
                try decodeStruct(&element)
            } catch var error as WireDecodingError {
                error.field = error.field.map { "[\(index)].\($0)" } ?? "[\(index)]"
                throw error
            }
            elements.append(element)
        }
        return elements
    }

    @usableFromInline mutating func scalarArray<T: WireScalar>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        switch step(for: field) {
        case .read: value = try named(field) { try $0.readScalarArray(T.self, field: field) }
        case .readTagged: try named(field) { try $0.withTaggedData(field) { value = try $0.readScalarArray(T.self, field: field) } }
        case .setDefault: value = `default`
        case .skip: break
        }
    }

    @usableFromInline mutating func readScalarArray<T: WireScalar>(_: T.Type, field: FieldSpec) throws -> [T]? {
        guard let count = try readArrayCount(field: field, minimumElementSize: 1) else { return nil }
        var elements = [T]()
        elements.reserveCapacity(count)
        for index in 0..<count {
            do {
                elements.append(try T.read(from: &reader, flexible: flexible))
            } catch {
                var located = error
                located.field = "[\(index)]"
                throw located
            }
        }
        return elements
    }
}

extension ByteReader {
    /// The size of a tagged field's value: an UNSIGNED_VARINT, checked against what is left.
    @usableFromInline mutating func readCompactLengthForTag() throws(WireDecodingError) -> Int {
        let at = offset
        let size = Int(try readUnsignedVarint())
        guard size <= remaining else {
            throw WireDecodingError(.lengthExceedsRemaining(length: size, remaining: remaining), at: at)
        }
        return size
    }
}
