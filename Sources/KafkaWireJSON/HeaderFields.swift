import KafkaWire

// The headers' JSON forms go through the same field visitors as message bodies. These views
// describe RequestHeader.json and ResponseHeader.json field by field; the binary work stays
// with KafkaWire's `RequestHeader` and `ResponseHeader` (whose ClientId is never compact).

/// RequestHeader.json as a `WireMessage` whose "version" is the header version (0-2).
struct RequestHeaderFields: WireMessage {
    static let validVersions: ClosedRange<Int16> = 0...2
    static let flexibleVersions: Versions = "2+"

    var apiKey: Int16 = 0
    var apiVersion: Int16 = 0
    var correlationID: Int32 = 0
    var clientID: String? = nil
    var unknownTaggedFields: [TaggedField] = []

    init() {}

    init(_ header: RequestHeader) {
        apiKey = header.apiKey.rawValue
        apiVersion = header.apiVersion
        correlationID = header.correlationID
        clientID = header.clientID
        unknownTaggedFields = header.unknownTaggedFields
    }

    var header: RequestHeader {
        RequestHeader(apiKey: ApiKey(rawValue: apiKey), apiVersion: apiVersion, correlationID: correlationID,
                      clientID: clientID, unknownTaggedFields: unknownTaggedFields)
    }

    mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("RequestApiKey", &apiKey, versions: "0+")
        try v.field("RequestApiVersion", &apiVersion, versions: "0+")
        try v.field("CorrelationId", &correlationID, versions: "0+")
        try v.field("ClientId", &clientID, versions: "1+", nullableVersions: "1+", ignorable: true, default: nil)
    }
}

/// ResponseHeader.json as a `WireMessage` whose "version" is the header version (0-1).
struct ResponseHeaderFields: WireMessage {
    static let validVersions: ClosedRange<Int16> = 0...1
    static let flexibleVersions: Versions = "1+"

    var correlationID: Int32 = 0
    var unknownTaggedFields: [TaggedField] = []

    init() {}

    init(_ header: ResponseHeader) {
        correlationID = header.correlationID
        unknownTaggedFields = header.unknownTaggedFields
    }

    var header: ResponseHeader { ResponseHeader(correlationID: correlationID, unknownTaggedFields: unknownTaggedFields) }

    mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("CorrelationId", &correlationID, versions: "0+")
    }
}
