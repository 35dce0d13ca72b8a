import Foundation
import KafkaWire

/// Encodes a job for the queue and decodes it in the worker (Karafka's interchanger).
public protocol Interchanger: Sendable {
    /// The bytes put on the queue for `envelope`.
    func encode(_ envelope: JobEnvelope) throws -> [UInt8]
    /// The envelope `bytes` carry; throws `InterchangeError` when they are not one.
    func decode(_ bytes: [UInt8]) throws -> JobEnvelope
}

/// Why a job could not be encoded or decoded.
public enum InterchangeError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The bytes do not start with this interchanger's magic.
    case badMagic
    /// The bytes end early or hold an impossible value.
    case malformed(String)
    /// A job message lacks a header the worker needs.
    case missingHeader(String)

    public var description: String {
        switch self {
        case .badMagic: "interchange: not a Swafka job"
        case let .malformed(why): "interchange: malformed job: \(why)"
        case let .missingHeader(name): "interchange: job message has no \(name) header"
        }
    }
}

/// The default interchanger: a compact, length-prefixed binary form of the envelope.
///
/// Lossless by construction: payload, key and header values are copied as bytes (a JPEG or a
/// protobuf survives unchanged, null and empty stay distinct), and parsed values are never
/// stored, only the raw payload and the callbacks' overrides.
///
/// Layout: `SWJ` + version 1, then varint-length-prefixed fields (see `encode`). Decoding is
/// bounds-checked by `ByteReader`; nesting of override values is capped at 64 levels.
public struct BinaryInterchanger: Interchanger {
    static let magic: [UInt8] = Array("SWJ".utf8) + [1]
    static let maxDepth = 64

    /// The binary interchanger.
    public init() {}

    public func encode(_ envelope: JobEnvelope) throws -> [UInt8] {
        var w = ByteWriter()
        w.writeRaw(Self.magic)
        let m = envelope.message
        Self.writeString(envelope.route, &w)
        Self.writeString(m.topic, &w)
        w.writeInt32(m.partition)
        w.writeInt64(m.offset)
        w.writeCompactNullableBytes(m.key)
        w.writeCompactNullableBytes(m.payload)
        w.writeUnsignedVarint(UInt32(m.headers.count))
        for header in m.headers {
            Self.writeString(header.key, &w)
            w.writeCompactNullableBytes(header.value)
        }
        Self.writeOptional(m.timestampMs, &w)
        w.writeInt64(m.receivedAtMs)
        w.writeUnsignedVarint(UInt32(envelope.overrides.count))
        for key in envelope.overrides.keys.sorted() {
            Self.writeString(key, &w)
            Self.writeValue(envelope.overrides[key] ?? .null, &w)
        }
        w.writeInt32(Int32(clamping: envelope.attempt))
        w.writeUnsignedVarint(UInt32(envelope.headers.count))
        for key in envelope.headers.keys.sorted() {
            Self.writeString(key, &w)
            Self.writeString(envelope.headers[key] ?? "", &w)
        }
        Self.writeOptional(envelope.notBeforeMs, &w)
        return w.bytes
    }

    public func decode(_ bytes: [UInt8]) throws -> JobEnvelope {
        guard bytes.starts(with: Self.magic) else { throw InterchangeError.badMagic }
        var r = ByteReader(ByteSlice(Array(bytes.dropFirst(Self.magic.count))))
        do {
            let route = try Self.readString(&r)
            let topic = try Self.readString(&r)
            let partition = try r.readInt32()
            let offset = try r.readInt64()
            let key = try r.readCompactNullableBytes()
            let payload = try r.readCompactNullableBytes()
            var headers: [RecordHeader] = []
            for _ in 0..<(try Self.readCount(&r)) {
                headers.append(RecordHeader(key: try Self.readString(&r), value: try r.readCompactNullableBytes()))
            }
            let timestamp = try Self.readOptional(&r)
            let received = try r.readInt64()
            var overrides: [String: ParamValue] = [:]
            for _ in 0..<(try Self.readCount(&r)) {
                let name = try Self.readString(&r)
                overrides[name] = try Self.readValue(&r, depth: 0)
            }
            let attempt = Int(try r.readInt32())
            var jobHeaders: [String: String] = [:]
            for _ in 0..<(try Self.readCount(&r)) {
                let name = try Self.readString(&r)
                jobHeaders[name] = try Self.readString(&r)
            }
            let notBefore = try Self.readOptional(&r)
            guard r.isAtEnd else { throw InterchangeError.malformed("\(r.remaining) trailing bytes") }
            let message = InboundMessage(topic: topic, partition: partition, offset: offset, key: key,
                                         payload: payload, headers: headers, timestampMs: timestamp,
                                         receivedAtMs: received)
            return JobEnvelope(route: route, message: message, overrides: overrides, attempt: attempt,
                               headers: jobHeaders, notBeforeMs: notBefore)
        } catch let error as WireDecodingError {
            throw InterchangeError.malformed(String(describing: error))
        }
    }

    // MARK: fields

    private static func writeString(_ s: String, _ w: inout ByteWriter) { w.writeCompactBytes(ByteSlice(s)) }

    private static func readString(_ r: inout ByteReader) throws -> String {
        let bytes = try r.readCompactBytes()
        guard let s = bytes.utf8String else { throw InterchangeError.malformed("invalid UTF-8") }
        return s
    }

    private static func readCount(_ r: inout ByteReader) throws -> Int {
        let count = Int(try r.readUnsignedVarint())
        // Every element takes at least one byte: a larger count is a lie, refused before looping.
        guard count <= r.remaining else { throw InterchangeError.malformed("count \(count) exceeds the bytes left") }
        return count
    }

    private static func writeOptional(_ value: Int64?, _ w: inout ByteWriter) {
        w.writeBool(value != nil)
        if let value { w.writeInt64(value) }
    }

    private static func readOptional(_ r: inout ByteReader) throws -> Int64? {
        try r.readBool() ? try r.readInt64() : nil
    }

    private static func writeValue(_ value: ParamValue, _ w: inout ByteWriter) {
        switch value {
        case .null: w.writeInt8(0)
        case let .bool(b): w.writeInt8(1); w.writeBool(b)
        case let .int(i): w.writeInt8(2); w.writeInt64(i)
        case let .double(d): w.writeInt8(3); w.writeFloat64(d)
        case let .string(s): w.writeInt8(4); writeString(s, &w)
        case let .bytes(b): w.writeInt8(5); w.writeCompactBytes(ByteSlice(b))
        case let .array(values):
            w.writeInt8(6)
            w.writeUnsignedVarint(UInt32(values.count))
            for v in values { writeValue(v, &w) }
        case let .object(fields):
            w.writeInt8(7)
            w.writeUnsignedVarint(UInt32(fields.count))
            for key in fields.keys.sorted() {
                writeString(key, &w)
                writeValue(fields[key] ?? .null, &w)
            }
        }
    }

    private static func readValue(_ r: inout ByteReader, depth: Int) throws -> ParamValue {
        guard depth < maxDepth else { throw InterchangeError.malformed("values nested deeper than \(maxDepth)") }
        switch try r.readInt8() {
        case 0: return .null
        case 1: return .bool(try r.readBool())
        case 2: return .int(try r.readInt64())
        case 3: return .double(try r.readFloat64())
        case 4: return .string(try readString(&r))
        case 5: return .bytes(try r.readCompactBytes().array)
        case 6:
            var values: [ParamValue] = []
            for _ in 0..<(try readCount(&r)) { values.append(try readValue(&r, depth: depth + 1)) }
            return .array(values)
        case 7:
            var fields: [String: ParamValue] = [:]
            for _ in 0..<(try readCount(&r)) {
                let key = try readString(&r)
                fields[key] = try readValue(&r, depth: depth + 1)
            }
            return .object(fields)
        case let tag: throw InterchangeError.malformed("unknown value tag \(tag)")
        }
    }
}

/// Wraps another interchanger's bytes in Base64: for queues that only carry text (Karafka's
/// Base64 interchanger example).
public struct Base64Interchanger: Interchanger {
    /// The encoding inside the Base64.
    public let inner: any Interchanger

    /// Base64 around `inner` (the binary interchanger by default).
    public init(wrapping inner: any Interchanger = BinaryInterchanger()) { self.inner = inner }

    public func encode(_ envelope: JobEnvelope) throws -> [UInt8] {
        Array(Data(try inner.encode(envelope)).base64EncodedString().utf8)
    }

    public func decode(_ bytes: [UInt8]) throws -> JobEnvelope {
        guard let data = Data(base64Encoded: Data(bytes)) else { throw InterchangeError.malformed("not Base64") }
        return try inner.decode(Array(data))
    }
}
