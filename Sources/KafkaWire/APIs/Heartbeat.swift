// Heartbeat (key 12): a group member tells the coordinator it is alive.
// Follows HeartbeatRequest.json and HeartbeatResponse.json.
//
// Version notes:
// - v1 adds ThrottleTimeMs to the response; v2 throttles after answering.
// - v3 adds GroupInstanceId (static membership, KIP-345).
// - v4 is the first flexible version.

/// Sent by a group member on its heartbeat schedule to keep its membership.
public struct HeartbeatRequest: KafkaRequest {
    public typealias Response = HeartbeatResponse
    public static let apiKey = ApiKey.heartbeat
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "4+"

    /// The group id.
    public var groupID: String = ""
    /// The generation of the group.
    public var generationID: Int32 = 0
    /// The member ID.
    public var memberID: String = ""
    /// The static member id given by the user, or nil. // v3+
    public var groupInstanceID: String? = nil
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A heartbeat for `memberID` in `generationID` of `groupID`.
    public init(groupID: String, generationID: Int32, memberID: String, groupInstanceID: String? = nil) {
        self.groupID = groupID
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("GroupId", &groupID, versions: "0+")
        try v.field("GenerationId", &generationID, versions: "0+")
        try v.field("MemberId", &memberID, versions: "0+")
        try v.field("GroupInstanceId", &groupInstanceID, versions: "3+", nullableVersions: "3+", default: nil)
    }
}

/// The coordinator's answer to a heartbeat; REBALANCE_IN_PROGRESS tells the member to rejoin.
public struct HeartbeatResponse: KafkaResponse {
    public static let apiKey = ApiKey.heartbeat
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "4+"

    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `errorCode`.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("ErrorCode", &errorCode, versions: "0+")
    }
}
