// ListGroups (key 16): the groups a broker coordinates.
// Follows ListGroupsRequest.json and ListGroupsResponse.json.
//
// Version notes:
// - v1 adds ThrottleTimeMs to the response; v2 throttles after answering.
// - v3 is the first flexible version.
// - v4 adds StatesFilter, answered with each group's GroupState (KIP-518).
// - v5 adds TypesFilter, answered with each group's GroupType (KIP-848).

/// Lists the groups on one broker, optionally filtered by state (v4+) and type (v5+).
public struct ListGroupsRequest: KafkaRequest {
    public typealias Response = ListGroupsResponse
    public static let apiKey = ApiKey.listGroups
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "3+"

    /// The states of the groups to list; empty for every state. // v4+
    public var statesFilter: [String] = []
    /// The types of the groups to list; empty for every type. // v5+
    public var typesFilter: [String] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A listing filtered by `statesFilter` and `typesFilter` (empty: no filter).
    public init(statesFilter: [String] = [], typesFilter: [String] = []) {
        self.statesFilter = statesFilter
        self.typesFilter = typesFilter
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("StatesFilter", &statesFilter, versions: "4+")
        try v.field("TypesFilter", &typesFilter, versions: "5+")
    }
}

/// The groups the broker coordinates.
public struct ListGroupsResponse: KafkaResponse {
    public static let apiKey = ApiKey.listGroups
    public static let validVersions: ClosedRange<Int16> = 0...5
    public static let flexibleVersions: Versions = "3+"

    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// Each group in the response.
    public var groups: [ListedGroup] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `groups`.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, groups: [ListedGroup] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.groups = groups
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("Groups", &groups, versions: "0+")
    }

    /// One listed group.
    public struct ListedGroup: KafkaStruct {
        /// The group ID.
        public var groupID: String = ""
        /// The group protocol type (`"consumer"`, or empty for offsets-only groups).
        public var protocolType: String = ""
        /// The group state name. // v4+
        public var groupState: String = ""
        /// The group type name (`classic`, `consumer`, ...). // v5+
        public var groupType: String = ""
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Group `groupID` of `protocolType`.
        public init(groupID: String = "", protocolType: String = "", groupState: String = "", groupType: String = "") {
            self.groupID = groupID
            self.protocolType = protocolType
            self.groupState = groupState
            self.groupType = groupType
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("GroupId", &groupID, versions: "0+")
            try v.field("ProtocolType", &protocolType, versions: "0+")
            try v.field("GroupState", &groupState, versions: "4+", ignorable: true)
            try v.field("GroupType", &groupType, versions: "5+", ignorable: true)
        }
    }
}
