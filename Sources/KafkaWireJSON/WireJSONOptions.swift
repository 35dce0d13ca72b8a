import KafkaWire

/// How `WireJSON` renders and reads the parts of a message that have more than one JSON form.
public struct WireJSONOptions: Sendable {
    /// The JSON form of RECORDS fields.
    public enum RecordsForm: String, Sendable, CaseIterable {
        /// The raw bytes as one base64 string (the default: exact and always available).
        case base64
        /// Record batches and their records as JSON objects.
        case decoded
    }

    /// The JSON form of RECORDS fields.
    public var records: RecordsForm
    /// Decompresses and compresses record batches in the `decoded` form; nil leaves compressed batches as base64.
    public var compression: (any CompressionProvider)?

    /// Options; the defaults give the base64 form of records.
    public init(records: RecordsForm = .base64, compression: (any CompressionProvider)? = nil) {
        self.records = records
        self.compression = compression
    }
}

/// Why a JSON value does not describe a message at the requested version.
public struct JSONFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong with the field.
    public enum Kind: String, Sendable {
        /// A field the version requires is not in the object.
        case missingField
        /// A key that is not a field of the struct at this version.
        case unknownField
        /// A value of the wrong JSON type, out of range for its field, or null where null is not allowed.
        case invalidField
    }

    /// What is wrong.
    public var kind: Kind
    /// The field's path (`Topics[0].Partitions[1].Index`), empty for the message itself.
    public var path: String
    /// Details.
    public var message: String

    /// An error for the field at `path`.
    public init(_ kind: Kind, path: String, _ message: String) {
        self.kind = kind
        self.path = path
        self.message = message
    }

    /// `invalidField in Topics[0].Name: expected a string, found number`.
    public var description: String {
        path.isEmpty ? "\(kind.rawValue): \(message)" : "\(kind.rawValue) in \(path): \(message)"
    }
}

extension FieldSpec {
    /// True when the field appears in JSON at `version`: a regular field of the version, or a tagged field it knows.
    func isPresent(at version: Int16) -> Bool {
        versions.contains(version) || isTagged(at: version)
    }
}

/// The spec's name of a scalar Swift type, for error messages.
func specTypeName<T: WireScalar>(_: T.Type) -> String {
    switch T.self {
    case is Int8.Type: "int8"
    case is Int16.Type: "int16"
    case is Int32.Type: "int32"
    case is Int64.Type: "int64"
    case is UInt16.Type: "uint16"
    case is UInt32.Type: "uint32"
    case is Double.Type: "float64"
    case is Bool.Type: "bool"
    case is String.Type: "string"
    case is ByteSlice.Type: "bytes"
    case is KafkaUUID.Type: "uuid"
    default: "\(T.self)"
    }
}
