import KafkaWire

/// Walks a decoded message and collects every non-zero error code in it, at any depth.
///
/// Error codes are the `int16` fields the specs name `ErrorCode` (or `...ErrorCode`, like
/// CreateTopics' `TopicConfigErrorCode`). The walk uses the same `visitFields` description the codecs
/// use, so it knows every API without per-API code. Used by the protocol trace and the error metrics.
struct ErrorCodeCollector: FieldVisitor {
    let version: Int16
    /// The codes found, in the order met (duplicates kept, so counts are right).
    private(set) var codes: [ErrorCode] = []

    init(version: Int16) { self.version = version }

    /// The non-zero error codes in `message` decoded at `version`.
    static func errorCodes<M: KafkaStruct>(in message: M, version: Int16) -> [ErrorCode] {
        var collector = ErrorCodeCollector(version: version)
        var copy = message
        try? copy.visitFields(&collector)
        return collector.codes
    }

    mutating func scalar<T: WireScalar>(_ field: FieldSpec, _ value: inout T, default: T) throws {
        guard let raw = value as? Int16, raw != 0, field.versions.contains(version),
              field.nameString.hasSuffix("ErrorCode") else { return }
        codes.append(ErrorCode(rawValue: raw))
    }

    mutating func nullableScalar<T: WireNullableScalar>(_ field: FieldSpec, _ value: inout T?, default: T?) throws {}

    mutating func records(_ field: FieldSpec, _ value: inout ByteSlice?) throws {}

    mutating func structure<T: KafkaStruct>(_ field: FieldSpec, _ value: inout T) throws {
        guard field.versions.contains(version) else { return }
        try value.visitFields(&self)
    }

    mutating func structArray<T: KafkaStruct>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {
        guard field.versions.contains(version), var elements = value else { return }
        for index in elements.indices { try elements[index].visitFields(&self) }
    }

    mutating func scalarArray<T: WireScalar>(_ field: FieldSpec, _ value: inout [T]?, default: [T]?) throws {}
}

extension Array where Element == ErrorCode {
    /// `NOT_LEADER_OR_FOLLOWER x2, UNKNOWN_TOPIC_OR_PARTITION`: each distinct code once, with its count.
    var summary: String {
        var counts: [(ErrorCode, Int)] = []
        for code in self {
            if let index = counts.firstIndex(where: { $0.0 == code }) { counts[index].1 += 1 } else { counts.append((code, 1)) }
        }
        return counts.map { $0.1 > 1 ? "\($0.0.name) x\($0.1)" : $0.0.name }.joined(separator: ", ")
    }
}
