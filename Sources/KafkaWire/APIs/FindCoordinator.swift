// FindCoordinator (key 10): asks any broker which broker coordinates a group, transaction or share group.
// Follows FindCoordinatorRequest.json and FindCoordinatorResponse.json.
//
// Version notes:
// - v1 adds KeyType to the request, ThrottleTimeMs and ErrorMessage to the response.
// - v2 throttles after answering.
// - v3 is the first flexible version.
// - v4 batches keys (KIP-699): CoordinatorKeys replaces Key, and Coordinators replaces the single answer.
// - v5 may answer TRANSACTION_ABORTABLE (KIP-890); v6 adds share groups (KIP-932). Same layout as v4.

/// Asks which broker coordinates `key` (v0-3) or each of `coordinatorKeys` (v4+).
public struct FindCoordinatorRequest: KafkaRequest {
    public typealias Response = FindCoordinatorResponse
    public static let apiKey = ApiKey.findCoordinator
    public static let validVersions: ClosedRange<Int16> = 0...6
    public static let flexibleVersions: Versions = "3+"

    /// The coordinator key: a group id or a transactional id. // v0-3
    public var key: String = ""
    /// The coordinator key type: 0 group, 1 transaction, 2 share group. // v1+
    public var keyType: Int8 = 0
    /// The coordinator keys. // v4+
    public var coordinatorKeys: [String] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A lookup of `key` (v0-3) or `coordinatorKeys` (v4+), of type `keyType`.
    public init(key: String = "", keyType: Int8 = 0, coordinatorKeys: [String] = []) {
        self.key = key
        self.keyType = keyType
        self.coordinatorKeys = coordinatorKeys
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Key", &key, versions: "0-3")
        try v.field("KeyType", &keyType, versions: "1+", ignorable: false)
        try v.field("CoordinatorKeys", &coordinatorKeys, versions: "4+")
    }
}

/// Where the coordinator is: one answer (v0-3) or one per requested key (v4+).
public struct FindCoordinatorResponse: KafkaResponse {
    public static let apiKey = ApiKey.findCoordinator
    public static let validVersions: ClosedRange<Int16> = 0...6
    public static let flexibleVersions: Versions = "3+"

    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// The error code, or NONE. // v0-3
    public var errorCode: ErrorCode = .none
    /// The error message, or nil. // v1-3
    public var errorMessage: String? = ""
    /// The coordinator's node id. // v0-3
    public var nodeID: Int32 = 0
    /// The coordinator's host name. // v0-3
    public var host: String = ""
    /// The coordinator's port. // v0-3
    public var port: Int32 = 0
    /// One result per requested key. // v4+
    public var coordinators: [Coordinator] = []
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response naming one coordinator (v0-3) or `coordinators` (v4+).
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, errorMessage: String? = "", nodeID: Int32 = 0,
                host: String = "", port: Int32 = 0, coordinators: [Coordinator] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.nodeID = nodeID
        self.host = host
        self.port = port
        self.coordinators = coordinators
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("ErrorCode", &errorCode, versions: "0-3")
        try v.field("ErrorMessage", &errorMessage, versions: "1-3", nullableVersions: "1-3", ignorable: true)
        try v.field("NodeId", &nodeID, versions: "0-3")
        try v.field("Host", &host, versions: "0-3")
        try v.field("Port", &port, versions: "0-3")
        try v.field("Coordinators", &coordinators, versions: "4+")
    }

    /// The coordinator of one key (v4+).
    public struct Coordinator: KafkaStruct {
        /// The coordinator key. // v4+
        public var key: String = ""
        /// The coordinator's node id. // v4+
        public var nodeID: Int32 = 0
        /// The coordinator's host name. // v4+
        public var host: String = ""
        /// The coordinator's port. // v4+
        public var port: Int32 = 0
        /// The error code, or NONE. // v4+
        public var errorCode: ErrorCode = .none
        /// The error message, or nil. // v4+
        public var errorMessage: String? = ""
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The coordinator of `key` at `host`:`port`, or its `errorCode`.
        public init(key: String = "", nodeID: Int32 = 0, host: String = "", port: Int32 = 0,
                    errorCode: ErrorCode = .none, errorMessage: String? = "") {
            self.key = key
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Key", &key, versions: "4+")
            try v.field("NodeId", &nodeID, versions: "4+")
            try v.field("Host", &host, versions: "4+")
            try v.field("Port", &port, versions: "4+")
            try v.field("ErrorCode", &errorCode, versions: "4+")
            try v.field("ErrorMessage", &errorMessage, versions: "4+", nullableVersions: "4+", ignorable: true)
        }
    }
}
