// SyncGroup (key 14): after a join, the leader sends every member's assignment and each member receives its own.
// Follows SyncGroupRequest.json and SyncGroupResponse.json.
//
// Version notes:
// - v1 adds ThrottleTimeMs to the response; v2 throttles after answering.
// - v3 adds GroupInstanceId (static membership, KIP-345).
// - v4 is the first flexible version.
// - v5 adds ProtocolType and ProtocolName, in both directions (KIP-559).

/// Sent by every member after joining; the leader's carries the assignments it computed.
public struct SyncGroupRequest: KafkaRequest {
    public typealias Response = SyncGroupResponse
    public static let apiKey = ApiKey.syncGroup
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "4+"

    /// The unique group identifier.
    public var groupID: String = ""
    /// The generation of the group.
    public var generationID: Int32 = 0
    /// The member ID assigned by the group.
    public var memberID: String = ""
    /// The static member id given by the user, or nil. // v3+
    public var groupInstanceID: String? = nil
    /// The group protocol type, or nil. // v5+
    public var protocolType: String? = nil
    /// The group protocol name, or nil. // v5+
    public var protocolName: String? = nil
    /// The assignment of each member; empty unless sent by the leader.
    public var assignments: [SyncGroupRequestAssignment] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A sync of `memberID` in `generationID` of `groupID`, with the leader's `assignments`.
    public init(groupID: String = "", generationID: Int32 = 0, memberID: String = "", groupInstanceID: String? = nil,
                protocolType: String? = nil, protocolName: String? = nil, assignments: [SyncGroupRequestAssignment] = []) {
        self.groupID = groupID
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignments = assignments
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("GroupId", &groupID, versions: "0+")
        try v.field("GenerationId", &generationID, versions: "0+")
        try v.field("MemberId", &memberID, versions: "0+")
        try v.field("GroupInstanceId", &groupInstanceID, versions: "3+", nullableVersions: "3+", default: nil)
        try v.field("ProtocolType", &protocolType, versions: "5+", nullableVersions: "5+", ignorable: true, default: nil)
        try v.field("ProtocolName", &protocolName, versions: "5+", nullableVersions: "5+", ignorable: true, default: nil)
        try v.field("Assignments", &assignments, versions: "0+")
    }

    /// One member's assignment (for consumers: a versioned `ConsumerProtocolAssignment`).
    public struct SyncGroupRequestAssignment: KafkaStruct {
        /// The ID of the member to assign.
        public var memberID: String = ""
        /// The member assignment.
        public var assignment: ByteSlice = ByteSlice()
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// `assignment` for member `memberID`.
        public init(memberID: String = "", assignment: ByteSlice = ByteSlice()) {
            self.memberID = memberID
            self.assignment = assignment
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("MemberId", &memberID, versions: "0+")
            try v.field("Assignment", &assignment, versions: "0+")
        }
    }
}

/// The member's own assignment, as the leader computed it.
public struct SyncGroupResponse: KafkaResponse {
    public static let apiKey = ApiKey.syncGroup
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "4+"

    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// The group protocol type, or nil. // v5+
    public var protocolType: String? = nil
    /// The group protocol name, or nil. // v5+
    public var protocolName: String? = nil
    /// The member assignment.
    public var assignment: ByteSlice = ByteSlice()
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `assignment`.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, protocolType: String? = nil,
                protocolName: String? = nil, assignment: ByteSlice = ByteSlice()) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.assignment = assignment
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("ProtocolType", &protocolType, versions: "5+", nullableVersions: "5+", ignorable: true, default: nil)
        try v.field("ProtocolName", &protocolName, versions: "5+", nullableVersions: "5+", ignorable: true, default: nil)
        try v.field("Assignment", &assignment, versions: "0+")
    }
}
