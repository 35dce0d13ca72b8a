// DeleteGroups (key 42): deletes empty consumer groups and their committed offsets.
// Follows DeleteGroupsRequest.json and DeleteGroupsResponse.json.
//
// Version notes:
// - v0 is deprecated; v1 has the same fields, and from v1 the broker answers before throttling.
// - v2 is the first flexible version.

/// Deletes the named groups; each must have no active members.
public struct DeleteGroupsRequest: KafkaRequest {
    public typealias Response = DeleteGroupsResponse
    public static let apiKey = ApiKey.deleteGroups
    public static let validVersions: ClosedRange<Int16> = 0...2
    public static let flexibleVersions: Versions = "2+"

    /// The IDs of the groups to delete.
    public var groupsNames: [String] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request deleting `groupsNames`.
    public init(groupsNames: [String] = []) {
        self.groupsNames = groupsNames
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("GroupsNames", &groupsNames, versions: "0+")
    }
}

/// The coordinator's answer to DeleteGroups: one result per group.
public struct DeleteGroupsResponse: KafkaResponse {
    public static let apiKey = ApiKey.deleteGroups
    public static let validVersions: ClosedRange<Int16> = 0...2
    public static let flexibleVersions: Versions = "2+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The result for each group.
    public var results: [DeletableGroupResult] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `results`.
    public init(throttleTimeMs: Int32 = 0, results: [DeletableGroupResult] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+")
        try v.field("Results", &results, versions: "0+")
    }

    /// The outcome for one group.
    public struct DeletableGroupResult: KafkaStruct {
        /// The group ID.
        public var groupID: String = ""
        /// The deletion error, or NONE.
        public var errorCode: ErrorCode = .none
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The result for `groupID`.
        public init(groupID: String = "", errorCode: ErrorCode = .none) {
            self.groupID = groupID
            self.errorCode = errorCode
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("GroupId", &groupID, versions: "0+")
            try v.field("ErrorCode", &errorCode, versions: "0+")
        }
    }
}
