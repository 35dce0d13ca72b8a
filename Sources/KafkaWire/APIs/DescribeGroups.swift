// DescribeGroups (key 15): the state, protocol and members of classic groups, as their coordinator sees them.
// Follows DescribeGroupsRequest.json and DescribeGroupsResponse.json.
//
// Version notes:
// - v1 adds ThrottleTimeMs to the response; v2 throttles after answering.
// - v3 adds IncludeAuthorizedOperations, answered with AuthorizedOperations per group.
// - v4 adds each member's GroupInstanceId (static membership, KIP-345).
// - v5 is the first flexible version.

/// Asks the coordinator to describe `groups`.
public struct DescribeGroupsRequest: KafkaRequest {
    public typealias Response = DescribeGroupsResponse
    public static let apiKey = ApiKey.describeGroups
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "5+"

    /// The names of the groups to describe.
    public var groups: [String] = []
    /// Whether to include each group's authorized operations. // v3+
    public var includeAuthorizedOperations: Bool = false
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A description request for `groups`.
    public init(groups: [String] = [], includeAuthorizedOperations: Bool = false) {
        self.groups = groups
        self.includeAuthorizedOperations = includeAuthorizedOperations
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Groups", &groups, versions: "0+")
        try v.field("IncludeAuthorizedOperations", &includeAuthorizedOperations, versions: "3+")
    }
}

/// One description per requested group.
public struct DescribeGroupsResponse: KafkaResponse {
    public static let apiKey = ApiKey.describeGroups
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "5+"

    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// Each described group.
    public var groups: [DescribedGroup] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `groups`.
    public init(throttleTimeMs: Int32 = 0, groups: [DescribedGroup] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.groups = groups
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("Groups", &groups, versions: "0+")
    }

    /// One group's description.
    public struct DescribedGroup: KafkaStruct {
        /// The describe error, or NONE.
        public var errorCode: ErrorCode = .none
        /// The group ID.
        public var groupID: String = ""
        /// The group state (`Stable`, `PreparingRebalance`, `Dead`, ...), or empty.
        public var groupState: String = ""
        /// The group protocol type, or empty.
        public var protocolType: String = ""
        /// The group protocol data (the selected protocol's name), or empty; filled in only when Stable.
        public var protocolData: String = ""
        /// The group members; always empty for a Dead group.
        public var members: [DescribedGroupMember] = []
        /// A bit field of the operations the caller may perform on the group;
        /// Int32.min when not requested. // v3+
        public var authorizedOperations: Int32 = -2147483648
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The description of `groupID`, or its `errorCode`.
        public init(errorCode: ErrorCode = .none, groupID: String = "", groupState: String = "", protocolType: String = "",
                    protocolData: String = "", members: [DescribedGroupMember] = [],
                    authorizedOperations: Int32 = -2147483648) {
            self.errorCode = errorCode
            self.groupID = groupID
            self.groupState = groupState
            self.protocolType = protocolType
            self.protocolData = protocolData
            self.members = members
            self.authorizedOperations = authorizedOperations
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("GroupId", &groupID, versions: "0+")
            try v.field("GroupState", &groupState, versions: "0+")
            try v.field("ProtocolType", &protocolType, versions: "0+")
            try v.field("ProtocolData", &protocolData, versions: "0+")
            try v.field("Members", &members, versions: "0+")
            try v.field("AuthorizedOperations", &authorizedOperations, versions: "3+", default: -2147483648)
        }
    }

    /// One member of a described group.
    public struct DescribedGroupMember: KafkaStruct {
        /// The member ID assigned by the group coordinator.
        public var memberID: String = ""
        /// The member's static instance id, or nil. // v4+
        public var groupInstanceID: String? = nil
        /// The client ID used in the member's latest join group request.
        public var clientID: String = ""
        /// The client host.
        public var clientHost: String = ""
        /// The member's metadata for the group's current protocol; filled in only when Stable.
        public var memberMetadata: ByteSlice = ByteSlice()
        /// The member's current assignment from the leader; filled in only when Stable.
        public var memberAssignment: ByteSlice = ByteSlice()
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Member `memberID` of client `clientID` at `clientHost`.
        public init(memberID: String = "", groupInstanceID: String? = nil, clientID: String = "", clientHost: String = "",
                    memberMetadata: ByteSlice = ByteSlice(), memberAssignment: ByteSlice = ByteSlice()) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.clientID = clientID
            self.clientHost = clientHost
            self.memberMetadata = memberMetadata
            self.memberAssignment = memberAssignment
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("MemberId", &memberID, versions: "0+")
            try v.field("GroupInstanceId", &groupInstanceID, versions: "4+", nullableVersions: "4+", ignorable: true,
                        default: nil)
            try v.field("ClientId", &clientID, versions: "0+")
            try v.field("ClientHost", &clientHost, versions: "0+")
            try v.field("MemberMetadata", &memberMetadata, versions: "0+")
            try v.field("MemberAssignment", &memberAssignment, versions: "0+")
        }
    }
}
