import KafkaWire

/// The `decoded` JSON form of RECORDS fields: record batches and their records.
enum RecordsJSON {
    /// The decoded form of a RECORDS value.
    static func json(for bytes: ByteSlice, options: WireJSONOptions) throws -> JSONValue {
        throw WireDecodingError(.invalidValue("decoded records need the record-batch codec, which is not merged yet"), at: 0)
    }

    /// The bytes of a RECORDS value given in decoded form.
    static func bytes(from json: JSONValue, path: String, options: WireJSONOptions) throws -> [UInt8] {
        throw JSONFieldError(.invalidField, path: path, "decoded records need the record-batch codec, which is not merged yet")
    }
}
