import KafkaWire

/// The `decoded` JSON form of RECORDS fields: record batches and their records.
///
/// A RECORDS value becomes an array of entries, in wire order:
///
/// - a v2 batch: `{"BaseOffset", "PartitionLeaderEpoch", "Magic": 2, "Attributes": {"Compression",
///   "TimestampType", "Transactional", "Control", "DeleteHorizon"}, "LastOffsetDelta", "BaseTimestamp",
///   "MaxTimestamp", "ProducerId", "ProducerEpoch", "BaseSequence", "Records": [{"Attributes",
///   "TimestampDelta", "OffsetDelta", "Key", "Value", "Headers": [{"Key", "Value"}]}]}`;
/// - a legacy (magic 0 or 1) message: `{"Offset", "Magic", "Attributes": {"Compression",
///   "TimestampType"}, "Timestamp" (magic 1), "Key", "Value"}`, and for a compressed wrapper also
///   `"Messages"`: its inner messages as a consumer sees them (absolute offsets), same shape;
/// - last, when the bytes end inside a batch (a fetch cut short): `{"IncompleteTail": base64}`.
///
/// Keys, values and header values are base64 (null for null); header keys are strings. Batch
/// length, record count and CRCs are derived, so they do not appear. `"UnknownBits"` appears in
/// an `Attributes` object only when bits no Kafka version defines are set.
///
/// Encoding writes uncompressed batches and every legacy message byte for byte. A compressed v2
/// batch is compressed again by the provider, so its bytes may differ from the original ones while
/// its decoded form does not. A legacy wrapper is written from its own `Value` (exact), and its
/// `"Messages"` must match what that value holds: the expanded form is a view, not an input.
enum RecordsJSON {
    // MARK: Bytes to JSON

    /// The decoded form of a RECORDS value. Errors are restated at `base` + their offset in the
    /// value, and under `path`.
    static func json(for bytes: ByteSlice, path: String, base: Int, options: WireJSONOptions) throws(WireDecodingError) -> JSONValue {
        let decoding = RecordDecodingOptions(compressionProvider: options.compression)
        var reader = RecordBatchReader(bytes, options: decoding)
        var entries = [JSONValue]()
        do throws(WireDecodingError) {
            while true {
                let start = reader.offset
                guard let entry = try reader.next() else { break }
                switch entry {
                case let .batch(batch):
                    entries.append(batchJSON(batch))
                case let .legacy(messages):
                    // The reader expands a wrapper; the wrapper as stored is needed to write it back.
                    let stored = try LegacyMessage(decoding: bytes.slice(start..<reader.offset), options: decoding)
                    var json = legacyJSON(stored)
                    if stored.attributes.compression != CompressionCodec.none, case var .object(object) = json {
                        object["Messages"] = .array(messages.map(legacyJSON))
                        json = .object(object)
                    }
                    entries.append(json)
                }
            }
        } catch {
            throw WireDecodingError(error.kind, at: base + error.offset, field: path + (error.field.map { ".\($0)" } ?? ""))
        }
        if let tail = reader.incompleteTail {
            entries.append(["IncompleteTail": .string(Base64.encode(bytes.slice(tail.offset..<bytes.count)))])
        }
        return .array(entries)
    }

    static func bytesJSON(_ bytes: ByteSlice?) -> JSONValue {
        bytes.map { .string(Base64.encode($0)) } ?? .null
    }

    static func batchJSON(_ batch: RecordBatch) -> JSONValue {
        var attributes: JSONObject = [
            "Compression": .string(batch.attributes.compression.description),
            "TimestampType": .string(batch.attributes.timestampType.description),
            "Transactional": .bool(batch.attributes.isTransactional),
            "Control": .bool(batch.attributes.isControl),
            "DeleteHorizon": .bool(batch.attributes.hasDeleteHorizon),
        ]
        if batch.attributes.unknownBits != 0 { attributes["UnknownBits"] = .int(Int64(batch.attributes.unknownBits)) }
        let records: [JSONValue] = batch.records.map { record in
            .object([
                "Attributes": .int(Int64(record.attributes)),
                "TimestampDelta": .int(record.timestampDelta),
                "OffsetDelta": .int(Int64(record.offsetDelta)),
                "Key": bytesJSON(record.key),
                "Value": bytesJSON(record.value),
                "Headers": .array(record.headers.map { .object(["Key": .string($0.key), "Value": bytesJSON($0.value)]) }),
            ])
        }
        return .object([
            "BaseOffset": .int(batch.baseOffset),
            "PartitionLeaderEpoch": .int(Int64(batch.partitionLeaderEpoch)),
            "Magic": .int(Int64(batch.magic)),
            "Attributes": .object(attributes),
            "LastOffsetDelta": .int(Int64(batch.lastOffsetDelta)),
            "BaseTimestamp": .int(batch.baseTimestamp),
            "MaxTimestamp": .int(batch.maxTimestamp),
            "ProducerId": .int(batch.producerID),
            "ProducerEpoch": .int(Int64(batch.producerEpoch)),
            "BaseSequence": .int(Int64(batch.baseSequence)),
            "Records": .array(records),
        ])
    }

    static func legacyJSON(_ message: LegacyMessage) -> JSONValue {
        var attributes: JSONObject = [
            "Compression": .string(message.attributes.compression.description),
            "TimestampType": .string(message.attributes.timestampType.description),
        ]
        if message.attributes.unknownBits != 0 { attributes["UnknownBits"] = .int(Int64(message.attributes.unknownBits)) }
        var object: JSONObject = [
            "Offset": .int(message.offset),
            "Magic": .int(Int64(message.magic)),
            "Attributes": .object(attributes),
        ]
        if let timestamp = message.timestamp { object["Timestamp"] = .int(timestamp) }
        object["Key"] = bytesJSON(message.key)
        object["Value"] = bytesJSON(message.value)
        return .object(object)
    }

    // MARK: JSON to bytes

    /// The bytes of a RECORDS value given in decoded form.
    static func bytes(from json: JSONValue, path: String, options: WireJSONOptions) throws -> [UInt8] {
        guard case let .array(entries) = json else {
            throw JSONFieldError(.invalidField, path: path, "expected an array of record batches, found \(json.typeName)")
        }
        var writer = ByteWriter()
        for (index, entry) in entries.enumerated() {
            let entryPath = "\(path)[\(index)]"
            var fields = try Members(entry, path: entryPath)
            if fields.object.contains("IncompleteTail") {
                guard index == entries.count - 1 else {
                    throw JSONFieldError(.invalidField, path: entryPath, "an incomplete tail can only be the last entry")
                }
                writer.writeRaw(try fields.bytes("IncompleteTail") ?? [])
                try fields.finish()
                continue
            }
            let magic = try fields.integer("Magic", Int8.self)
            switch magic {
            case RecordBatch.currentMagic:
                try encodeBatch(&fields, into: &writer, options: options)
            case 0, 1:
                try encodeLegacy(&fields, magic: magic, into: &writer, options: options)
            default:
                throw JSONFieldError(.invalidField, path: entryPath + ".Magic", "expected 0, 1 or 2")
            }
        }
        return writer.bytes
    }

    static func encodeBatch(_ fields: inout Members, into writer: inout ByteWriter, options: WireJSONOptions) throws {
        var attributesFields = try Members(try fields.value("Attributes"), path: fields.path + ".Attributes")
        let attributes = RecordBatch.Attributes(
            compression: try attributesFields.compression(),
            timestampType: try attributesFields.timestampType(),
            isTransactional: try attributesFields.bool("Transactional"),
            isControl: try attributesFields.bool("Control"),
            hasDeleteHorizon: try attributesFields.bool("DeleteHorizon"),
            unknownBits: try attributesFields.optionalInteger("UnknownBits", Int16.self) ?? 0)
        try attributesFields.finish()
        let baseOffset = try fields.integer("BaseOffset", Int64.self)
        let partitionLeaderEpoch = try fields.integer("PartitionLeaderEpoch", Int32.self)
        let lastOffsetDelta = try fields.integer("LastOffsetDelta", Int32.self)
        let baseTimestamp = try fields.integer("BaseTimestamp", Int64.self)
        let maxTimestamp = try fields.integer("MaxTimestamp", Int64.self)
        let producerID = try fields.integer("ProducerId", Int64.self)
        let producerEpoch = try fields.integer("ProducerEpoch", Int16.self)
        let baseSequence = try fields.integer("BaseSequence", Int32.self)
        let records = try fields.array("Records").enumerated().map { index, json in
            var record = try Members(json, path: "\(fields.path).Records[\(index)]")
            let headers = try record.array("Headers").enumerated().map { headerIndex, header in
                var members = try Members(header, path: "\(record.path).Headers[\(headerIndex)]")
                let value = RecordHeader(key: try members.string("Key"), value: try members.bytes("Value").map(ByteSlice.init))
                try members.finish()
                return value
            }
            let value = Record(attributes: try record.integer("Attributes", Int8.self),
                               timestampDelta: try record.integer("TimestampDelta", Int64.self),
                               offsetDelta: try record.integer("OffsetDelta", Int32.self),
                               key: try record.bytes("Key").map(ByteSlice.init),
                               value: try record.bytes("Value").map(ByteSlice.init), headers: headers)
            try record.finish()
            return value
        }
        try fields.finish()
        let batch = RecordBatch(baseOffset: baseOffset, partitionLeaderEpoch: partitionLeaderEpoch, attributes: attributes,
                                lastOffsetDelta: lastOffsetDelta, baseTimestamp: baseTimestamp, maxTimestamp: maxTimestamp,
                                producerID: producerID, producerEpoch: producerEpoch, baseSequence: baseSequence,
                                records: records)
        do {
            try batch.encode(into: &writer, compressionProvider: options.compression)
        } catch {
            throw JSONFieldError(.invalidField, path: fields.path, "\(error)")
        }
    }

    static func legacyMessage(_ fields: inout Members, magic: Int8) throws -> LegacyMessage {
        var attributesFields = try Members(try fields.value("Attributes"), path: fields.path + ".Attributes")
        let attributes = LegacyMessage.Attributes(
            compression: try attributesFields.compression(),
            timestampType: try attributesFields.timestampType(),
            unknownBits: try attributesFields.optionalInteger("UnknownBits", Int8.self) ?? 0)
        try attributesFields.finish()
        return LegacyMessage(offset: try fields.integer("Offset", Int64.self), magic: magic, attributes: attributes,
                             timestamp: magic == 1 ? try fields.integer("Timestamp", Int64.self) : nil,
                             key: try fields.bytes("Key").map(ByteSlice.init), value: try fields.bytes("Value").map(ByteSlice.init))
    }

    static func encodeLegacy(_ fields: inout Members, magic: Int8, into writer: inout ByteWriter, options: WireJSONOptions) throws {
        let message = try legacyMessage(&fields, magic: magic)
        var expanded: JSONValue? = nil
        if message.attributes.compression != CompressionCodec.none { expanded = try fields.value("Messages") }
        try fields.finish()
        let start = writer.count
        do {
            try message.encode(into: &writer)
        } catch {
            throw JSONFieldError(.invalidField, path: fields.path, "\(error)")
        }
        guard let expanded else { return }
        // The expanded messages are a view of the wrapper's value: they must be what it holds.
        let written = ByteSlice(Array(writer.bytes[start...]))
        var actual: JSONValue = .null
        do {
            var reader = RecordBatchReader(written, options: RecordDecodingOptions(compressionProvider: options.compression))
            if case let .legacy(messages)? = try reader.next() { actual = .array(messages.map(legacyJSON)) }
        } catch {
            throw JSONFieldError(.invalidField, path: fields.path + ".Value", "the compressed messages do not decode: \(error)")
        }
        guard actual == expanded else {
            throw JSONFieldError(.invalidField, path: fields.path + ".Messages",
                                 "does not match the wrapper's Value (the expanded messages are read-only; edit Value)")
        }
    }
}

/// Reads the members of one JSON object strictly: every key read once, none left over.
struct Members {
    let object: JSONObject
    let path: String
    private var claimed: Set<String> = []

    init(_ json: JSONValue, path: String) throws {
        guard case let .object(object) = json else {
            throw JSONFieldError(.invalidField, path: path, "expected an object, found \(json.typeName)")
        }
        self.object = object
        self.path = path
    }

    func childPath(_ key: String) -> String { "\(path).\(key)" }

    mutating func value(_ key: String) throws -> JSONValue {
        claimed.insert(key)
        guard let value = object[key] else { throw JSONFieldError(.missingField, path: childPath(key), "required") }
        return value
    }

    mutating func integer<T: FixedWidthInteger>(_ key: String, _: T.Type) throws -> T {
        let json = try value(key)
        guard case let .int(number) = json else {
            throw JSONFieldError(.invalidField, path: childPath(key), "expected an integer, found \(json.typeName)")
        }
        guard let exact = T(exactly: number) else {
            throw JSONFieldError(.invalidField, path: childPath(key), "\(number) is out of range for \(T.self)")
        }
        return exact
    }

    mutating func optionalInteger<T: FixedWidthInteger>(_ key: String, _ type: T.Type) throws -> T? {
        object.contains(key) ? try integer(key, type) : nil
    }

    mutating func bool(_ key: String) throws -> Bool {
        let json = try value(key)
        guard case let .bool(flag) = json else {
            throw JSONFieldError(.invalidField, path: childPath(key), "expected a boolean, found \(json.typeName)")
        }
        return flag
    }

    mutating func string(_ key: String) throws -> String {
        let json = try value(key)
        guard case let .string(text) = json else {
            throw JSONFieldError(.invalidField, path: childPath(key), "expected a string, found \(json.typeName)")
        }
        return text
    }

    /// Base64 bytes, or nil for null.
    mutating func bytes(_ key: String) throws -> [UInt8]? {
        let json = try value(key)
        if json == .null { return nil }
        guard case let .string(text) = json, let bytes = Base64.decode(text) else {
            throw JSONFieldError(.invalidField, path: childPath(key), "expected base64 or null, found \(json.typeName)")
        }
        return bytes
    }

    mutating func array(_ key: String) throws -> [JSONValue] {
        let json = try value(key)
        guard case let .array(elements) = json else {
            throw JSONFieldError(.invalidField, path: childPath(key), "expected an array, found \(json.typeName)")
        }
        return elements
    }

    mutating func compression() throws -> CompressionCodec {
        let name = try string("Compression")
        guard let codec = CompressionCodec.allCases.first(where: { $0.description == name }) else {
            throw JSONFieldError(.invalidField, path: childPath("Compression"), "expected none, gzip, snappy, lz4 or zstd")
        }
        return codec
    }

    mutating func timestampType() throws -> TimestampType {
        let name = try string("TimestampType")
        guard let type = TimestampType.allCases.first(where: { $0.description == name }) else {
            throw JSONFieldError(.invalidField, path: childPath("TimestampType"), "expected CreateTime or LogAppendTime")
        }
        return type
    }

    /// Throws for the first key nothing read.
    func finish() throws {
        for key in object.keys where !claimed.contains(key) {
            throw JSONFieldError(.unknownField, path: childPath(key), "no such field")
        }
    }
}
