/// The header in front of every request body.
///
/// v0: api key, api version, correlation id. v1 adds the client id as a non-compact nullable
/// string. v2 (flexible API versions) appends a tagged section; the client id stays non-compact.
public struct RequestHeader: Sendable, Equatable {
    /// Which API the body belongs to.
    public var apiKey: ApiKey
    /// The body's version.
    public var apiVersion: Int16
    /// Echoed in the response header to pair it with this request.
    public var correlationID: Int32
    /// The client's self-chosen name (v1+).
    public var clientID: String?
    /// Tagged fields of a v2 header this client does not know.
    public var unknownTaggedFields: [TaggedField]

    /// A request header.
    public init(apiKey: ApiKey, apiVersion: Int16, correlationID: Int32, clientID: String?, unknownTaggedFields: [TaggedField] = []) {
        self.apiKey = apiKey
        self.apiVersion = apiVersion
        self.correlationID = correlationID
        self.clientID = clientID
        self.unknownTaggedFields = unknownTaggedFields
    }

    /// The header version a request of `apiKey` at `apiVersion` carries: 2 for flexible versions, 1 otherwise.
    public static func version(apiKey: ApiKey, apiVersion: Int16) -> Int16 {
        guard let entry = MessageRegistry.entry(for: apiKey) else { return 1 }
        return entry.request.isFlexible(apiVersion) ? 2 : 1
    }

    /// Appends the header at `headerVersion` (0, 1 or 2).
    public func encode(into writer: inout ByteWriter, headerVersion: Int16) throws(WireEncodingError) {
        writer.writeInt16(apiKey.rawValue)
        writer.writeInt16(apiVersion)
        writer.writeInt32(correlationID)
        guard headerVersion >= 1 else { return }
        try writer.writeNullableString(clientID)
        guard headerVersion >= 2 else { return }
        writeTaggedSection(unknownTaggedFields, into: &writer)
    }

    /// Reads a header at `headerVersion`.
    public init(from reader: inout ByteReader, headerVersion: Int16) throws(WireDecodingError) {
        apiKey = ApiKey(rawValue: try reader.readInt16())
        apiVersion = try reader.readInt16()
        correlationID = try reader.readInt32()
        clientID = headerVersion >= 1 ? try reader.readNullableString() : nil
        unknownTaggedFields = headerVersion >= 2 ? try readTaggedSection(from: &reader) : []
    }

    /// Reads a header whose version follows from its own api key and version (unknown APIs read as v1).
    public init(from reader: inout ByteReader) throws(WireDecodingError) {
        var peek = reader
        let key = ApiKey(rawValue: try peek.readInt16())
        let version = try peek.readInt16()
        try self.init(from: &reader, headerVersion: Self.version(apiKey: key, apiVersion: version))
    }
}

/// The header in front of every response body: the correlation id, plus a tagged section in v1.
public struct ResponseHeader: Sendable, Equatable {
    /// The correlation id of the request this answers.
    public var correlationID: Int32
    /// Tagged fields of a v1 header this client does not know.
    public var unknownTaggedFields: [TaggedField]

    /// A response header.
    public init(correlationID: Int32, unknownTaggedFields: [TaggedField] = []) {
        self.correlationID = correlationID
        self.unknownTaggedFields = unknownTaggedFields
    }

    /// The header version of a response to `apiKey` at `apiVersion`: 1 for flexible versions, else 0.
    /// ApiVersions responses always use v0, so a client can read them whatever the broker supports.
    public static func version(apiKey: ApiKey, apiVersion: Int16) -> Int16 {
        if apiKey == .apiVersions { return 0 }
        guard let entry = MessageRegistry.entry(for: apiKey) else { return 0 }
        return entry.response.isFlexible(apiVersion) ? 1 : 0
    }

    /// Appends the header at `headerVersion` (0 or 1).
    public func encode(into writer: inout ByteWriter, headerVersion: Int16) {
        writer.writeInt32(correlationID)
        if headerVersion >= 1 { writeTaggedSection(unknownTaggedFields, into: &writer) }
    }

    /// Reads a header at `headerVersion`.
    public init(from reader: inout ByteReader, headerVersion: Int16) throws(WireDecodingError) {
        correlationID = try reader.readInt32()
        unknownTaggedFields = headerVersion >= 1 ? try readTaggedSection(from: &reader) : []
    }
}

/// Writes a tagged section holding only raw fields (headers know no tags of their own).
func writeTaggedSection(_ fields: [TaggedField], into writer: inout ByteWriter) {
    let sorted = fields.sorted { $0.tag < $1.tag }
    writer.writeUnsignedVarint(UInt32(sorted.count))
    for field in sorted {
        writer.writeUnsignedVarint(field.tag)
        writer.writeUnsignedVarlong(UInt64(field.data.count))
        writer.writeRaw(field.data)
    }
}

/// Reads a tagged section into raw fields.
func readTaggedSection(from reader: inout ByteReader) throws(WireDecodingError) -> [TaggedField] {
    var decoder = BinaryFieldDecoder(reader: reader, version: 0, flexible: true)
    let tags = try decoder.readTaggedSection()
    reader = decoder.reader
    return tags.map { TaggedField(tag: $0.tag, data: $0.data) }
}
