import KafkaWire

// The checks behind the libFuzzer executables in Fuzz/. This file and FuzzRecordChecks.swift
// are compiled both into each fuzz executable (see Fuzz/build.sh) and into KafkaWireTests, where
// FuzzCrasherReplayTests feeds it every kept crasher: a fuzzer and its replay test cannot
// drift apart because they run the same code.
//
// Invariants, for every input:
// 1. Nothing traps: decoding either returns a value or throws `WireDecodingError`.
// 2. Decode-encode-decode is stable: if the bytes decode to M at version v, then M encodes at
//    v, that encoding decodes to M again, and encoding that second M gives the same bytes.
//    (The input itself need not come back byte for byte: a bool byte of 2 reads as true, a
//    varint may be padded, and so on; the encoder's output is the canonical form.)
// A broken invariant is reported as a `FuzzInvariantViolation`; the fuzz executables turn
// it into a crash so libFuzzer saves the input.

/// The fuzz targets, named as their executables and their crasher folders are.
enum FuzzTarget: String, CaseIterable, Sendable {
    case requests = "FuzzRequests"
    case responses = "FuzzResponses"
    case headers = "FuzzHeaders"
    case consumerProtocol = "FuzzConsumerProtocol"
    case records = "FuzzRecords"
}

/// An input for which an invariant other than "nothing traps" does not hold.
struct FuzzInvariantViolation: Error, CustomStringConvertible {
    /// What failed, with the message type and version.
    let description: String
}

/// The checks each fuzz target runs on one input.
enum FuzzChecks {
    /// Runs `target`'s checks on `input`.
    static func run(_ target: FuzzTarget, _ input: [UInt8]) throws(FuzzInvariantViolation) {
        switch target {
        case .requests: try requests(input)
        case .responses: try responses(input)
        case .headers: try headers(input)
        case .consumerProtocol: try dataMessage(input)
        case .records: try FuzzRecordChecks.records(input)
        }
    }

    // MARK: API bodies

    /// `[api key: u8][version: u8][request body...]`. Keys this codec does not register are
    /// skipped; versions outside `validVersions` must be refused with a thrown error.
    static func requests(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        guard input.count >= 2, let entry = MessageRegistry.entry(for: ApiKey(rawValue: Int16(input[0]))) else { return }
        let body = ByteSlice(input).slice(2..<input.count)
        try roundTrip(entry.request, body: body, version: Int16(input[1]), label: entry.name + "Request")
    }

    /// `[api key: u8][version: u8][response body...]`, as `requests`.
    static func responses(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        guard input.count >= 2, let entry = MessageRegistry.entry(for: ApiKey(rawValue: Int16(input[0]))) else { return }
        let body = ByteSlice(input).slice(2..<input.count)
        try roundTrip(entry.response, body: body, version: Int16(input[1]), label: entry.name + "Response")
    }

    /// Decodes `body` as `M` at `version` and, if that works, checks the round trip.
    static func roundTrip<M: WireMessage>(
        _: M.Type, body: ByteSlice, version: Int16, label: String
    ) throws(FuzzInvariantViolation) {
        let message: M
        do {
            message = try M(decoding: body, version: version)
        } catch {
            return  // refusing the bytes is always allowed; trapping is not
        }
        guard M.validVersions.contains(version) else {
            throw FuzzInvariantViolation(description: "\(label) decoded at version \(version), outside \(M.validVersions)")
        }
        let encoded: [UInt8]
        do {
            encoded = try message.encoded(version: version)
        } catch {
            throw FuzzInvariantViolation(description: "\(label) v\(version) decoded but does not encode: \(error)")
        }
        let again: M
        do {
            again = try M(decoding: encoded, version: version)
        } catch {
            throw FuzzInvariantViolation(description: "\(label) v\(version) re-encoding does not decode: \(error)")
        }
        // A float64 field holding NaN makes a message unequal to itself; the byte comparison
        // below still covers it.
        if message == message && again != message {
            throw FuzzInvariantViolation(description: "\(label) v\(version) decodes to a different value after re-encoding")
        }
        let reencoded: [UInt8]
        do {
            reencoded = try again.encoded(version: version)
        } catch {
            throw FuzzInvariantViolation(description: "\(label) v\(version) second encoding failed: \(error)")
        }
        guard reencoded == encoded else {
            throw FuzzInvariantViolation(description: "\(label) v\(version) encoding is not stable")
        }
    }

    // MARK: Headers and whole frames

    /// `[mode: u8][bytes...]`; mode modulo 7 picks:
    /// - 0, 1, 2: a request header at that header version, and nothing after it;
    /// - 3, 4: a response header at header version 0 or 1, and nothing after it;
    /// - 5: a request frame's payload: a header whose version follows from its own api key and
    ///   version, then that API's request body (the path a broker takes);
    /// - 6: `[api key: u8][version: u8]` then a response frame's payload: the response header
    ///   at the version the API and version imply, then the response body (the client's path).
    static func headers(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        guard let mode = input.first else { return }
        let rest = ByteSlice(input).slice(1..<input.count)
        switch mode % 7 {
        case 0, 1, 2:
            var reader = ByteReader(rest)
            try requestHeader(from: &reader, headerVersion: Int16(mode % 7), requireEnd: true)
        case 3, 4:
            var reader = ByteReader(rest)
            try responseHeader(from: &reader, headerVersion: Int16(mode % 7 - 3), requireEnd: true)
        case 5:
            var peek = ByteReader(rest)
            guard let key = try? peek.readInt16(), let version = try? peek.readInt16() else { return }
            let apiKey = ApiKey(rawValue: key)
            var reader = ByteReader(rest)
            guard try requestHeader(from: &reader, headerVersion: RequestHeader.version(apiKey: apiKey, apiVersion: version),
                                    requireEnd: false) else { return }
            guard let entry = MessageRegistry.entry(for: apiKey) else { return }
            try roundTrip(entry.request, body: reader.readRemaining(), version: version, label: entry.name + "Request")
        default:
            guard rest.count >= 2, let entry = MessageRegistry.entry(for: ApiKey(rawValue: Int16(rest[0]))) else { return }
            let version = Int16(rest[1])
            var reader = ByteReader(rest.slice(2..<rest.count))
            guard try responseHeader(from: &reader, headerVersion: ResponseHeader.version(apiKey: entry.apiKey, apiVersion: version),
                                     requireEnd: false) else { return }
            try roundTrip(entry.response, body: reader.readRemaining(), version: version, label: entry.name + "Response")
        }
    }

    /// Reads a request header and checks its round trip; false when the bytes are refused.
    @discardableResult
    static func requestHeader(from reader: inout ByteReader, headerVersion: Int16, requireEnd: Bool) throws(FuzzInvariantViolation) -> Bool {
        let header: RequestHeader
        do {
            header = try RequestHeader(from: &reader, headerVersion: headerVersion)
            if requireEnd { try reader.expectEnd() }
        } catch {
            return false
        }
        var writer = ByteWriter()
        do {
            try header.encode(into: &writer, headerVersion: headerVersion)
        } catch {
            throw FuzzInvariantViolation(description: "request header v\(headerVersion) decoded but does not encode: \(error)")
        }
        var again = ByteReader(writer.slice)
        do {
            let decoded = try RequestHeader(from: &again, headerVersion: headerVersion)
            try again.expectEnd()
            guard decoded == header else {
                throw FuzzInvariantViolation(description: "request header v\(headerVersion) changes in a round trip")
            }
        } catch let violation as FuzzInvariantViolation {
            throw violation
        } catch {
            throw FuzzInvariantViolation(description: "request header v\(headerVersion) re-encoding does not decode: \(error)")
        }
        return true
    }

    /// Reads a response header and checks its round trip; false when the bytes are refused.
    @discardableResult
    static func responseHeader(from reader: inout ByteReader, headerVersion: Int16, requireEnd: Bool) throws(FuzzInvariantViolation) -> Bool {
        let header: ResponseHeader
        do {
            header = try ResponseHeader(from: &reader, headerVersion: headerVersion)
            if requireEnd { try reader.expectEnd() }
        } catch {
            return false
        }
        var writer = ByteWriter()
        header.encode(into: &writer, headerVersion: headerVersion)
        var again = ByteReader(writer.slice)
        do {
            let decoded = try ResponseHeader(from: &again, headerVersion: headerVersion)
            try again.expectEnd()
            guard decoded == header else {
                throw FuzzInvariantViolation(description: "response header v\(headerVersion) changes in a round trip")
            }
        } catch let violation as FuzzInvariantViolation {
            throw violation
        } catch {
            throw FuzzInvariantViolation(description: "response header v\(headerVersion) re-encoding does not decode: \(error)")
        }
        return true
    }

    // MARK: Versioned data payloads

    /// The versioned data types, in a fixed order so a corpus file keeps meaning the same type
    /// as more of them are registered: the consumer protocol first, then the KRaft records.
    static let dataTypeNames = [
        "ConsumerProtocolSubscription", "ConsumerProtocolAssignment", "DefaultPrincipalData", "LeaderChangeMessage",
        "SnapshotHeaderRecord", "SnapshotFooterRecord", "KRaftVersionRecord", "VotersRecord",
    ]

    /// `[type: u8][version: i16][body...]`: the payload as it is stored (in JoinGroup and
    /// SyncGroup metadata, in control records), its version in front; consumer-protocol payloads
    /// go through `decodeWithVersion`, the others are decoded strictly at that version. Type modulo
    /// `dataTypeNames.count + 1` picks from `dataTypeNames`, or last `FuzzSampleMessage`, which
    /// has every kind of field the codecs know; unregistered types are skipped.
    static func dataMessage(_ input: [UInt8]) throws(FuzzInvariantViolation) {
        guard input.count >= 3 else { return }
        let version = Int16(bitPattern: UInt16(input[1]) << 8 | UInt16(input[2]))
        let body = ByteSlice(input).slice(3..<input.count)
        let index = Int(input[0]) % (dataTypeNames.count + 1)
        guard index < dataTypeNames.count else {
            return try roundTrip(FuzzSampleMessage.self, body: body, version: version, label: "FuzzSampleMessage")
        }
        let name = dataTypeNames[index]
        guard let type = MessageRegistry.dataTypes.first(where: { $0.name == name })?.type else { return }
        if let payload = type as? any ConsumerProtocolPayload.Type {
            try versionedRoundTrip(payload, ByteSlice(input).slice(1..<input.count), label: name)
        } else {
            try roundTrip(type, body: body, version: version, label: name)
        }
    }

    /// A consumer-protocol payload with its version prefix, read the way a group member reads it
    /// (`decodeWithVersion`: a version newer than we know is read with our newest layout and the
    /// rest ignored). What decodes must re-encode, at the wire version or our newest if that is
    /// older, to bytes that decode to the same value and re-encode the same.
    static func versionedRoundTrip<P: ConsumerProtocolPayload>(
        _: P.Type, _ payload: ByteSlice, label: String
    ) throws(FuzzInvariantViolation) {
        guard let (wireVersion, value) = try? P.decodeWithVersion(payload) else { return }
        let version = min(wireVersion, P.validVersions.upperBound)
        let encoded: [UInt8]
        do {
            encoded = try value.encodedWithVersion(version)
        } catch {
            throw FuzzInvariantViolation(description: "\(label) v\(wireVersion) decoded but does not encode at v\(version): \(error)")
        }
        let again: P
        do {
            let decoded = try P.decodeWithVersion(ByteSlice(encoded))
            guard decoded.version == version else {
                throw FuzzInvariantViolation(description: "\(label) v\(version) re-encoding carries version \(decoded.version)")
            }
            again = decoded.value
        } catch let violation as FuzzInvariantViolation {
            throw violation
        } catch {
            throw FuzzInvariantViolation(description: "\(label) v\(version) re-encoding does not decode: \(error)")
        }
        guard again == value else {
            throw FuzzInvariantViolation(description: "\(label) v\(version) decodes to a different value after re-encoding")
        }
        guard (try? again.encodedWithVersion(version)) == encoded else {
            throw FuzzInvariantViolation(description: "\(label) v\(version) encoding is not stable")
        }
    }
}

/// A made-up message with every kind of field `FieldVisitor` knows, regular and tagged,
/// nullable and not, appearing at later versions, so the shared codecs are fuzzed whatever
/// APIs are registered. Versions 0-1 are classic, 2-3 flexible.
struct FuzzSampleMessage: WireMessage {
    static let validVersions: ClosedRange<Int16> = 0...3
    static let flexibleVersions: Versions = "2+"

    /// A nested struct with a field of its own that appears later and a nullable one.
    struct Entry: KafkaStruct {
        var id: Int32 = 0
        var label: String? = ""
        var weight: Int64 = -1
        var unknownTaggedFields: [TaggedField] = []

        mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Id", &id, versions: "0+")
            try v.field("Label", &label, versions: "0+", nullableVersions: "1+", default: "")
            try v.field("Weight", &weight, versions: "1+", ignorable: true, default: -1)
        }
    }

    var flag = false
    var int8: Int8 = 0
    var int16: Int16 = -1
    var int32: Int32 = 0
    var int64: Int64 = 0
    var uint16: UInt16 = 0
    var uint32: UInt32 = 0
    var float64: Double = 0
    var uuid = KafkaUUID.zero
    var errorCode: ErrorCode = .none
    var name = ""
    var nullableName: String? = nil
    var data = ByteSlice()
    var nullableData: ByteSlice? = nil
    var records: ByteSlice? = nil
    var entry = Entry()
    var entries: [Entry] = []
    var nullableEntries: [Entry]? = []
    var numbers: [Int32] = []
    var ids: [KafkaUUID]? = []
    var names: [String] = []
    var taggedName: String? = nil
    var taggedEntry = Entry()
    var taggedEntries: [Entry] = []
    var taggedNumber: Int32 = -1
    var unknownTaggedFields: [TaggedField] = []

    mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Flag", &flag, versions: "0+")
        try v.field("Int8", &int8, versions: "0+")
        try v.field("Int16", &int16, versions: "0+", default: -1)
        try v.field("Int32", &int32, versions: "1+")
        try v.field("Int64", &int64, versions: "0+", ignorable: true)
        try v.field("Uint16", &uint16, versions: "0+")
        try v.field("Uint32", &uint32, versions: "3+")
        try v.field("Float64", &float64, versions: "0+")
        try v.field("Uuid", &uuid, versions: "2+")
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("Name", &name, versions: "0+")
        try v.field("NullableName", &nullableName, versions: "0+", nullableVersions: "0+", default: nil)
        try v.field("Data", &data, versions: "0+")
        try v.field("NullableData", &nullableData, versions: "1+", nullableVersions: "1+", default: nil)
        try v.records("Records", &records, versions: "0+", nullableVersions: "0+")
        try v.field("Entry", &entry, versions: "0+")
        try v.field("Entries", &entries, versions: "0+")
        try v.field("NullableEntries", &nullableEntries, versions: "0+", nullableVersions: "1+")
        try v.field("Numbers", &numbers, versions: "0+")
        try v.field("Ids", &ids, versions: "2+", nullableVersions: "3+")
        try v.field("Names", &names, versions: "0+")
        try v.field("TaggedName", &taggedName, versions: "2+", nullableVersions: "2+", tag: 0, taggedVersions: "2+",
                    default: nil)
        try v.field("TaggedEntry", &taggedEntry, versions: "3+", tag: 1, taggedVersions: "3+")
        try v.field("TaggedEntries", &taggedEntries, versions: "2+", tag: 2, taggedVersions: "2+")
        try v.field("TaggedNumber", &taggedNumber, versions: "2+", tag: 5, taggedVersions: "2+", default: -1)
    }
}
