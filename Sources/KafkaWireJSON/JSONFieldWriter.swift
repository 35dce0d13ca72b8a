import KafkaWire

/// Builds the JSON form of a struct by visiting its fields: one member per field present at
/// the version, named as the spec names it, in spec order.
///
/// Tagged fields known at the version are always written, holding their default when the
/// wire had no value for them, so the JSON shows every field the version has. Tags the codec
/// does not know go last, under `_unknownTaggedFields`, as `{"tag": n, "data": base64}`.
struct JSONFieldWriter: FieldVisitor {
    let version: Int16
    let options: WireJSONOptions
    /// The decoded bytes and the input offset of their first byte, so that errors found while
    /// expanding RECORDS fields point into the input; nil for a message built in memory.
    let source: (bytes: ByteSlice, base: Int)?
    /// The path of the struct being written ("" for the message), for errors.
    let path: String
    /// The members written so far.
    var object = JSONObject()

    init(version: Int16, options: WireJSONOptions, source: (bytes: ByteSlice, base: Int)? = nil, path: String = "") {
        self.version = version
        self.options = options
        self.source = source
        self.path = path
    }

    func childPath(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// The JSON object of a whole struct, unknown tags included.
    func structJSON<T: KafkaStruct>(_ value: T, path: String = "") throws -> JSONValue {
        var writer = JSONFieldWriter(version: version, options: options, source: source, path: path)
        var copy = value
        try copy.visitFields(&writer)
        if !value.unknownTaggedFields.isEmpty {
            writer.object[unknownTaggedFieldsKey] = .array(value.unknownTaggedFields.map { field in
                .object(["tag": .int(Int64(field.tag)), "data": .string(Base64.encode(field.data))])
            })
        }
        return .object(writer.object)
    }

    static func scalarJSON(_ value: ScalarValue) -> JSONValue {
        switch value {
        case let .bool(flag): .bool(flag)
        case let .int(number): .int(number)
        case let .float(number):
            // JSON has no NaN or infinities; they travel as the strings JavaScript prints for them.
            if number.isNaN { .string("NaN") } else if number.isInfinite { .string(number < 0 ? "-Infinity" : "Infinity") } else { .double(number) }
        case let .string(text): .string(text)
        case let .bytes(bytes): .string(Base64.encode(bytes))
        case let .uuid(uuid): .string(uuid.description)
        }
    }

    mutating func scalar<T: WireScalar>(_ field: FieldSpec, _ value: inout T, default: T) throws {
        guard field.isPresent(at: version) else { return }
        object[field.nameString] = Self.scalarJSON(value.scalarValue)
    }

    mutating func nullableScalar<T: WireNullableScalar>(_ field: FieldSpec, _ value: inout T?, default: T?) throws {
        guard field.isPresent(at: version) else { return }
        object[field.nameString] = value.map { Self.scalarJSON($0.scalarValue) } ?? .null
    }

    mutating func records(_ field: FieldSpec, _ value: inout ByteSlice?) throws {
        guard field.isPresent(at: version) else { return }
        guard let bytes = value else { return object[field.nameString] = .null }
        switch options.records {
        case .base64: object[field.nameString] = .string(Base64.encode(bytes))
        case .decoded:
            object[field.nameString] = try RecordsJSON.json(for: bytes, path: childPath(field.nameString),
                                                            base: inputOffset(of: bytes), options: options)
        }
    }

    /// Where `slice` starts in the input. Decoded slices share the input's storage, so the
    /// distance between their first bytes is the offset; anything else (a message built in
    /// memory, a tagged field's copy) reports 0.
    func inputOffset(of slice: ByteSlice) -> Int {
        guard let source, !slice.isEmpty, !source.bytes.isEmpty else { return 0 }
        let sourceStart = source.bytes.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        let sliceStart = slice.withUnsafeBytes { UInt(bitPattern: $0.baseAddress) }
        guard sliceStart >= sourceStart, sliceStart - sourceStart < UInt(source.bytes.count) else { return 0 }
        return source.base + Int(sliceStart - sourceStart)
    }

    mutating func structure<T: KafkaStruct>(_ field: FieldSpec, _ value: inout T) throws {
        guard field.isPresent(at: version) else { return }
        object[field.nameString] = try structJSON(value, path: childPath(field.nameString))
    }

    mutating func structArray<T: KafkaStruct>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        guard field.isPresent(at: version) else { return }
        guard let elements = value else { return object[field.nameString] = .null }
        let path = childPath(field.nameString)
        object[field.nameString] = .array(try elements.enumerated().map { try structJSON($1, path: "\(path)[\($0)]") })
    }

    mutating func scalarArray<T: WireScalar>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        guard field.isPresent(at: version) else { return }
        guard let elements = value else { return object[field.nameString] = .null }
        object[field.nameString] = .array(elements.map { Self.scalarJSON($0.scalarValue) })
    }
}

/// The key under which a struct's unknown tagged fields appear in JSON.
let unknownTaggedFieldsKey = "_unknownTaggedFields"
