// DescribeCluster (key 60): the cluster ID, controller and brokers (or controllers), for admin clients.
// Follows DescribeClusterRequest.json and DescribeClusterResponse.json.
//
// Version notes:
// - v0 is flexible (every version is).
// - v1 adds EndpointType (KIP-919: describe the brokers or the controllers) to both messages,
//   with MISMATCHED_ENDPOINT_TYPE and UNSUPPORTED_ENDPOINT_TYPE as top-level errors.

/// Asks any broker (or, v1+, controller) to describe the cluster.
public struct DescribeClusterRequest: KafkaRequest {
    public typealias Response = DescribeClusterResponse
    public static let apiKey = ApiKey.describeCluster
    public static let validVersions: ClosedRange<Int16> = 0...1
    public static let flexibleVersions: Versions = "0+"

    /// Whether to return the operations the caller may perform on the cluster.
    public var includeClusterAuthorizedOperations: Bool = false
    /// The endpoints to describe: 1 brokers, 2 controllers. // v1+
    public var endpointType: Int8 = 1
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request with every field given.
    public init(includeClusterAuthorizedOperations: Bool = false, endpointType: Int8 = 1) {
        self.includeClusterAuthorizedOperations = includeClusterAuthorizedOperations
        self.endpointType = endpointType
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("IncludeClusterAuthorizedOperations", &includeClusterAuthorizedOperations, versions: "0+")
        try v.field("EndpointType", &endpointType, versions: "1+", default: 1)
    }
}

/// The cluster as the answering node sees it.
public struct DescribeClusterResponse: KafkaResponse {
    public static let apiKey = ApiKey.describeCluster
    public static let validVersions: ClosedRange<Int16> = 0...1
    public static let flexibleVersions: Versions = "0+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The top-level error code, or NONE.
    public var errorCode: ErrorCode = .none
    /// The top-level error message, or nil when there was no error.
    public var errorMessage: String? = nil
    /// The endpoints described: 1 brokers, 2 controllers. // v1+
    public var endpointType: Int8 = 1
    /// The cluster ID.
    public var clusterID: String = ""
    /// The ID of the controller broker, or -1.
    public var controllerID: Int32 = -1
    /// Each broker (or controller) in the cluster.
    public var brokers: [DescribeClusterBroker] = []
    /// Bit field of the operations the caller may perform on the cluster; Int32.min when not asked for.
    public var clusterAuthorizedOperations: Int32 = -2147483648
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response with every field given.
    public init(throttleTimeMs: Int32 = 0, errorCode: ErrorCode = .none, errorMessage: String? = nil,
                endpointType: Int8 = 1, clusterID: String = "", controllerID: Int32 = -1,
                brokers: [DescribeClusterBroker] = [], clusterAuthorizedOperations: Int32 = -2147483648) {
        self.throttleTimeMs = throttleTimeMs
        self.errorCode = errorCode
        self.errorMessage = errorMessage
        self.endpointType = endpointType
        self.clusterID = clusterID
        self.controllerID = controllerID
        self.brokers = brokers
        self.clusterAuthorizedOperations = clusterAuthorizedOperations
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+")
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("ErrorMessage", &errorMessage, versions: "0+", nullableVersions: "0+", default: nil)
        try v.field("EndpointType", &endpointType, versions: "1+", default: 1)
        try v.field("ClusterId", &clusterID, versions: "0+")
        try v.field("ControllerId", &controllerID, versions: "0+", default: -1)
        try v.field("Brokers", &brokers, versions: "0+")
        try v.field("ClusterAuthorizedOperations", &clusterAuthorizedOperations, versions: "0+", default: -2147483648)
    }

    /// One broker (or controller) of the cluster.
    public struct DescribeClusterBroker: KafkaStruct {
        /// The broker ID.
        public var brokerID: Int32 = 0
        /// The broker's host name.
        public var host: String = ""
        /// The broker's port.
        public var port: Int32 = 0
        /// The broker's rack, or nil when it has none.
        public var rack: String? = nil
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A broker with every field given.
        public init(brokerID: Int32 = 0, host: String = "", port: Int32 = 0, rack: String? = nil) {
            self.brokerID = brokerID
            self.host = host
            self.port = port
            self.rack = rack
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("BrokerId", &brokerID, versions: "0+")
            try v.field("Host", &host, versions: "0+")
            try v.field("Port", &port, versions: "0+")
            try v.field("Rack", &rack, versions: "0+", nullableVersions: "0+", default: nil)
        }
    }
}
