// LeaveGroup (key 13): one member (v0-2) or a batch of members (v3+) leaves a classic group.
// Follows LeaveGroupRequest.json and LeaveGroupResponse.json.
//
// Version notes:
// - v1 adds ThrottleTimeMs to the response; v2 throttles after answering.
// - v3 batches (KIP-345): Members (member id + group instance id) replaces MemberId, with one result each.
// - v4 is the first flexible version.
// - v5 adds a Reason per member (KIP-800).

/// Removes `memberID` (v0-2) or every one of `members` (v3+) from `groupID`.
public struct LeaveGroupRequest: KafkaRequest {
    public typealias Response = LeaveGroupResponse
    public static let apiKey = ApiKey.leaveGroup
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "4+"

    /// The ID of the group to leave.
    public var groupID: String = ""
    /// The member ID to remove from the group. // v0-2
    public var memberID: String = ""
    /// The members leaving the group. // v3+
    public var members: [MemberIdentity] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A leave of `memberID` (v0-2) or `members` (v3+).
    public init(groupID: String = "", memberID: String = "", members: [MemberIdentity] = []) {
        self.groupID = groupID
        self.memberID = memberID
        self.members = members
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("GroupId", &groupID, versions: "0+")
        try v.field("MemberId", &memberID, versions: "0-2")
        try v.field("Members", &members, versions: "3+")
    }

    /// One leaving member (v3+).
    public struct MemberIdentity: KafkaStruct {
        /// The member ID to remove from the group. // v3+
        public var memberID: String = ""
        /// The group instance ID to remove from the group, or nil. // v3+
        public var groupInstanceID: String? = nil
        /// Why the member leaves, or nil. // v5+
        public var reason: String? = nil
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Member `memberID` (or static member `groupInstanceID`) leaving.
        public init(memberID: String = "", groupInstanceID: String? = nil, reason: String? = nil) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.reason = reason
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("MemberId", &memberID, versions: "3+")
            try v.field("GroupInstanceId", &groupInstanceID, versions: "3+", nullableVersions: "3+", default: nil)
            try v.field("Reason", &reason, versions: "5+", nullableVersions: "5+", ignorable: true, default: nil)
        }
    }
}

/// The outcome of a leave: one error code, and from v3 one per member.
public struct LeaveGroupResponse: KafkaResponse {
    public static let apiKey = ApiKey.leaveGroup
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "4+"

    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// The result for each leaving member. // v3+
    public var members: [MemberResponse] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `errorCode` and per-member results.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, members: [MemberResponse] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.members = members
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("Members", &members, versions: "3+")
    }

    /// The result for one leaving member (v3+).
    public struct MemberResponse: KafkaStruct {
        /// The member ID removed from the group. // v3+
        public var memberID: String = ""
        /// The group instance ID removed from the group, or nil. // v3+
        public var groupInstanceID: String? = ""
        /// The error code, or NONE. // v3+
        public var errorCode: ErrorCode = .none
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The result `errorCode` for member `memberID`.
        public init(memberID: String = "", groupInstanceID: String? = "", errorCode: ErrorCode = .none) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.errorCode = errorCode
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("MemberId", &memberID, versions: "3+")
            // No default in the spec, so "" (not null) like every other string.
            try v.field("GroupInstanceId", &groupInstanceID, versions: "3+", nullableVersions: "3+")
            try v.field("ErrorCode", &errorCode, versions: "3+")
        }
    }
}
