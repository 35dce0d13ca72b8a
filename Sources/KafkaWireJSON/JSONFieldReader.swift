import KafkaWire

/// Fills a struct from its JSON object by visiting its fields: the inverse of `JSONFieldWriter`.
///
/// Every regular field of the version must be present; tagged fields may be left out and
/// then take their default; fields the version lacks take their default and must not appear.
/// Any other key is an error, as is a value of the wrong type or range. Errors name the
/// field's path (`Topics[0].Partitions[1].Index`).
struct JSONFieldReader: FieldVisitor {
    let version: Int16
    /// True when the version has tagged sections (so `_unknownTaggedFields` is allowed).
    let flexible: Bool
    let options: WireJSONOptions
    /// The object being read.
    let object: JSONObject
    /// The path of the struct being read ("" for the message).
    let path: String
    /// Keys claimed by the struct's fields at this version.
    var claimed: Set<String> = []
    /// Names of the struct's fields that this version lacks, for a clearer unknown-key message.
    var absentFields: Set<String> = []

    init(object: JSONObject, path: String, version: Int16, flexible: Bool, options: WireJSONOptions) {
        self.object = object
        self.path = path
        self.version = version
        self.flexible = flexible
        self.options = options
    }

    func childPath(_ name: String) -> String { path.isEmpty ? name : "\(path).\(name)" }

    /// Reads a whole struct from `json`, checking for keys no field claimed and reading unknown tags.
    func readStruct<T: KafkaStruct>(_: T.Type, from json: JSONValue, path: String) throws -> T {
        guard case let .object(members) = json else {
            throw JSONFieldError(.invalidField, path: path, "expected an object, found \(json.typeName)")
        }
        var reader = JSONFieldReader(object: members, path: path, version: version, flexible: flexible, options: options)
        var value = T()
        try value.visitFields(&reader)
        value.unknownTaggedFields = try reader.finish()
        return value
    }

    /// Checks that every key was claimed and returns the struct's unknown tagged fields.
    func finish() throws -> [TaggedField] {
        var unknown = [TaggedField]()
        for key in object.keys where !claimed.contains(key) {
            if key == unknownTaggedFieldsKey {
                unknown = try readUnknownTags(object[key] ?? .null)
            } else if absentFields.contains(key) {
                throw JSONFieldError(.unknownField, path: childPath(key), "the field is not in version \(version)")
            } else {
                throw JSONFieldError(.unknownField, path: childPath(key), "no such field")
            }
        }
        return unknown
    }

    func readUnknownTags(_ json: JSONValue) throws -> [TaggedField] {
        let path = childPath(unknownTaggedFieldsKey)
        guard flexible else { throw JSONFieldError(.unknownField, path: path, "version \(version) has no tagged fields") }
        guard case let .array(elements) = json else {
            throw JSONFieldError(.invalidField, path: path, "expected an array, found \(json.typeName)")
        }
        return try elements.enumerated().map { index, element in
            let elementPath = "\(path)[\(index)]"
            guard case let .object(entry) = element, entry.count == 2,
                  case let .int(tag)? = entry["tag"], case let .string(data)? = entry["data"] else {
                throw JSONFieldError(.invalidField, path: elementPath, "expected {\"tag\": integer, \"data\": base64}")
            }
            guard let tag32 = UInt32(exactly: tag) else {
                throw JSONFieldError(.invalidField, path: elementPath + ".tag", "\(tag) is out of range for a tag")
            }
            guard let bytes = Base64.decode(data) else {
                throw JSONFieldError(.invalidField, path: elementPath + ".data", "not canonical base64")
            }
            return TaggedField(tag: tag32, data: ByteSlice(bytes))
        }
    }

    /// The field's JSON value, or nil when it should take its default (absent from the version, or an omitted tagged field).
    mutating func value(of field: FieldSpec) throws -> JSONValue? {
        let name = field.nameString
        guard field.isPresent(at: version) else {
            absentFields.insert(name)
            return nil
        }
        claimed.insert(name)
        if let json = object[name] { return json }
        if field.isTagged(at: version) { return nil }
        throw JSONFieldError(.missingField, path: childPath(name), "required at version \(version)")
    }

    /// Null is only accepted where the version allows it.
    func checkNull(_ field: FieldSpec) throws {
        guard field.nullableVersions.contains(version) else {
            throw JSONFieldError(.invalidField, path: childPath(field.nameString), "null is not allowed at version \(version)")
        }
    }

    static func scalar<T: WireScalar>(_: T.Type, from json: JSONValue, path: String) throws -> T {
        func invalid(_ message: String) -> JSONFieldError { JSONFieldError(.invalidField, path: path, message) }
        func expected(_ what: String) -> JSONFieldError { invalid("expected \(what), found \(json.typeName)") }
        let scalar: ScalarValue
        switch (T.scalarKind, json) {
        case let (.bool, .bool(flag)): scalar = .bool(flag)
        case (.bool, _): throw expected("a boolean")
        case let (.int, .int(number)):
            guard let value = T(scalarValue: .int(number)) else { throw invalid("\(number) is out of range for \(specTypeName(T.self))") }
            return value
        case let (.int, .double(number)) where number.rounded() == number:
            throw invalid("\(number) is out of range for \(specTypeName(T.self))")
        case (.int, _): throw expected("an integer")
        case let (.float, .int(number)): scalar = .float(Double(number))
        case let (.float, .double(number)): scalar = .float(number)
        case (.float, .string("NaN")): scalar = .float(.nan)
        case (.float, .string("Infinity")): scalar = .float(.infinity)
        case (.float, .string("-Infinity")): scalar = .float(-.infinity)
        case (.float, _): throw expected("a number")
        case let (.string, .string(text)): scalar = .string(text)
        case (.string, _): throw expected("a string")
        case let (.bytes, .string(text)):
            guard let bytes = Base64.decode(text) else { throw invalid("not canonical base64") }
            scalar = .bytes(ByteSlice(bytes))
        case (.bytes, _): throw expected("a base64 string")
        case let (.uuid, .string(text)):
            guard let uuid = KafkaUUID(text) else { throw invalid("\"\(text)\" is not a UUID (8-4-4-4-12 hex digits)") }
            scalar = .uuid(uuid)
        case (.uuid, _): throw expected("a UUID string")
        }
        guard let value = T(scalarValue: scalar) else { throw invalid("not a valid \(specTypeName(T.self))") }
        return value
    }

    mutating func scalar<T: WireScalar>(_ field: FieldSpec, _ value: inout T, default: T) throws {
        guard let json = try self.value(of: field) else { return value = `default` }
        if json == .null { try checkNull(field) }  // a field of a type that is never null: always refused
        value = try Self.scalar(T.self, from: json, path: childPath(field.nameString))
    }

    mutating func nullableScalar<T: WireNullableScalar>(_ field: FieldSpec, _ value: inout T?, default: T?) throws {
        guard let json = try self.value(of: field) else { return value = `default` }
        if json == .null {
            try checkNull(field)
            return value = nil
        }
        value = try Self.scalar(T.self, from: json, path: childPath(field.nameString))
    }

    mutating func records(_ field: FieldSpec, _ value: inout ByteSlice?) throws {
        guard let json = try self.value(of: field) else { return value = nil }
        let path = childPath(field.nameString)
        switch json {
        case .null:
            try checkNull(field)
            value = nil
        case let .string(text):
            guard let bytes = Base64.decode(text) else { throw JSONFieldError(.invalidField, path: path, "not canonical base64") }
            value = ByteSlice(bytes)
        case .array, .object:
            value = ByteSlice(try RecordsJSON.bytes(from: json, path: path, options: options))
        default:
            throw JSONFieldError(.invalidField, path: path, "expected base64 records, decoded record batches or null, found \(json.typeName)")
        }
    }

    mutating func structure<T: KafkaStruct>(_ field: FieldSpec, _ value: inout T) throws {
        guard let json = try self.value(of: field) else { return value = T() }
        value = try readStruct(T.self, from: json, path: childPath(field.nameString))
    }

    /// The elements of an array field, or nil for a (checked) null.
    func elements(_ field: FieldSpec, _ json: JSONValue) throws -> [JSONValue]? {
        switch json {
        case .null:
            try checkNull(field)
            return nil
        case let .array(elements): return elements
        default:
            throw JSONFieldError(.invalidField, path: childPath(field.nameString), "expected an array, found \(json.typeName)")
        }
    }

    mutating func structArray<T: KafkaStruct>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        guard let json = try self.value(of: field) else { return value = `default` }
        let path = childPath(field.nameString)
        value = try elements(field, json)?.enumerated().map { index, element in
            try readStruct(T.self, from: element, path: "\(path)[\(index)]")
        }
    }

    mutating func scalarArray<T: WireScalar>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        guard let json = try self.value(of: field) else { return value = `default` }
        let path = childPath(field.nameString)
        value = try elements(field, json)?.enumerated().map { index, element in
            try Self.scalar(T.self, from: element, path: "\(path)[\(index)]")
        }
    }
}
