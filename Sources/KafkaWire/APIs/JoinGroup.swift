// JoinGroup (key 11): a member joins (or rejoins) a classic group and offers the protocols it supports.
// Follows JoinGroupRequest.json and JoinGroupResponse.json.
//
// Version notes:
// - v1 adds RebalanceTimeoutMs; v2 adds ThrottleTimeMs to the response; v3 throttles after answering.
// - v4: a new member is answered MEMBER_ID_REQUIRED and must join again with the id it was given.
// - v5 adds GroupInstanceId (static membership, KIP-345), in the request and per member in the response.
// - v6 is the first flexible version.
// - v7 adds ProtocolType to the response and makes ProtocolName nullable (KIP-559).
// - v8 adds Reason (KIP-800); v9 adds SkipAssignment to the response.

/// Joins `groupID` with the protocols (for consumers: assignors and their subscriptions) the member supports.
public struct JoinGroupRequest: KafkaRequest {
    public typealias Response = JoinGroupResponse
    public static let apiKey = ApiKey.joinGroup
    public static let validVersions: ClosedRange<Int16> = 0...9
    public static let flexibleVersions: Versions = "6+"

    /// The group identifier.
    public var groupID: String = ""
    /// How long the coordinator waits for a heartbeat before it considers the member dead, in ms.
    public var sessionTimeoutMs: Int32 = 0
    /// How long the coordinator waits for each member to rejoin during a rebalance, in ms;
    /// -1 is a placeholder meaning "use the session timeout". // v1+
    public var rebalanceTimeoutMs: Int32 = -1
    /// The member id assigned by the coordinator, or empty when joining for the first time.
    public var memberID: String = ""
    /// The static member id given by the user, or nil. // v5+
    public var groupInstanceID: String? = nil
    /// The class of protocols the group implements (`"consumer"` for consumers).
    public var protocolType: String = ""
    /// The protocols the member supports, in order of preference.
    public var protocols: [JoinGroupRequestProtocol] = []
    /// Why the member (re)joins, or nil. // v8+
    public var reason: String? = nil
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A join of `groupID` offering `protocols` of `protocolType`.
    public init(groupID: String = "", sessionTimeoutMs: Int32 = 0, rebalanceTimeoutMs: Int32 = -1, memberID: String = "",
                groupInstanceID: String? = nil, protocolType: String = "", protocols: [JoinGroupRequestProtocol] = [],
                reason: String? = nil) {
        self.groupID = groupID
        self.sessionTimeoutMs = sessionTimeoutMs
        self.rebalanceTimeoutMs = rebalanceTimeoutMs
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.protocolType = protocolType
        self.protocols = protocols
        self.reason = reason
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("GroupId", &groupID, versions: "0+")
        try v.field("SessionTimeoutMs", &sessionTimeoutMs, versions: "0+")
        try v.field("RebalanceTimeoutMs", &rebalanceTimeoutMs, versions: "1+", ignorable: true, default: -1)
        try v.field("MemberId", &memberID, versions: "0+")
        try v.field("GroupInstanceId", &groupInstanceID, versions: "5+", nullableVersions: "5+", default: nil)
        try v.field("ProtocolType", &protocolType, versions: "0+")
        try v.field("Protocols", &protocols, versions: "0+")
        try v.field("Reason", &reason, versions: "8+", nullableVersions: "8+", ignorable: true, default: nil)
    }

    /// One protocol the member supports, with its metadata (for consumers: a versioned `ConsumerProtocolSubscription`).
    public struct JoinGroupRequestProtocol: KafkaStruct {
        /// The protocol name (for consumers: the assignor's name).
        public var name: String = ""
        /// The protocol metadata.
        public var metadata: ByteSlice = ByteSlice()
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Protocol `name` with its `metadata`.
        public init(name: String = "", metadata: ByteSlice = ByteSlice()) {
            self.name = name
            self.metadata = metadata
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Metadata", &metadata, versions: "0+")
        }
    }
}

/// The outcome of a join: the generation, the chosen protocol, and (for the leader only) every member's metadata.
public struct JoinGroupResponse: KafkaResponse {
    public static let apiKey = ApiKey.joinGroup
    public static let validVersions: ClosedRange<Int16> = 0...9
    public static let flexibleVersions: Versions = "6+"

    /// How long the response was throttled for a quota violation, in ms. // v2+
    public var throttleTimeMs: Int32 = 0
    /// The error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// The generation ID of the group, or -1.
    public var generationID: Int32 = -1
    /// The group's protocol type, or nil. // v7+
    public var protocolType: String? = nil
    /// The protocol the coordinator selected; nil allowed from v7.
    public var protocolName: String? = ""
    /// The member ID of the group's leader.
    public var leader: String = ""
    /// True if the leader must skip running the assignment. // v9+
    public var skipAssignment: Bool = false
    /// The member ID assigned by the coordinator.
    public var memberID: String = ""
    /// Every member with its metadata; empty unless this member is the leader.
    public var members: [JoinGroupResponseMember] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A join outcome for `memberID` in `generationID`.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, generationID: Int32 = -1,
                protocolType: String? = nil, protocolName: String? = "", leader: String = "", skipAssignment: Bool = false,
                memberID: String = "", members: [JoinGroupResponseMember] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.generationID = generationID
        self.protocolType = protocolType
        self.protocolName = protocolName
        self.leader = leader
        self.skipAssignment = skipAssignment
        self.memberID = memberID
        self.members = members
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "2+", ignorable: true)
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("GenerationId", &generationID, versions: "0+", default: -1)
        try v.field("ProtocolType", &protocolType, versions: "7+", nullableVersions: "7+", ignorable: true, default: nil)
        try v.field("ProtocolName", &protocolName, versions: "0+", nullableVersions: "7+")
        try v.field("Leader", &leader, versions: "0+")
        try v.field("SkipAssignment", &skipAssignment, versions: "9+")
        try v.field("MemberId", &memberID, versions: "0+")
        try v.field("Members", &members, versions: "0+")
    }

    /// One member of the group and its protocol metadata, as sent to the leader.
    public struct JoinGroupResponseMember: KafkaStruct {
        /// The group member ID.
        public var memberID: String = ""
        /// The member's static instance id, or nil. // v5+
        public var groupInstanceID: String? = nil
        /// The member's metadata for the selected protocol.
        public var metadata: ByteSlice = ByteSlice()
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Member `memberID` with its `metadata`.
        public init(memberID: String = "", groupInstanceID: String? = nil, metadata: ByteSlice = ByteSlice()) {
            self.memberID = memberID
            self.groupInstanceID = groupInstanceID
            self.metadata = metadata
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("MemberId", &memberID, versions: "0+")
            try v.field("GroupInstanceId", &groupInstanceID, versions: "5+", nullableVersions: "5+", ignorable: true,
                        default: nil)
            try v.field("Metadata", &metadata, versions: "0+")
        }
    }
}
