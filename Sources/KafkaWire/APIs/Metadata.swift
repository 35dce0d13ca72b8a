// Metadata (key 3): the brokers of the cluster, and the leader and replicas of each partition.
// Follows MetadataRequest.json and MetadataResponse.json.
//
// Version notes:
// - v0: an empty Topics array asks for every topic. From v1 on, Topics may be null: null asks for
//   every topic and an empty array for none. v1 also adds the broker Rack, ControllerId and IsInternal.
// - v2 adds ClusterId; v3 adds ThrottleTimeMs; v4 adds AllowAutoTopicCreation to the request.
// - v5 adds OfflineReplicas; v6 throttles after answering; v7 adds the partition LeaderEpoch.
// - v8 adds the authorized-operations flags and bitfields.
// - v9 is the first flexible version.
// - v10 adds TopicId and lets a requested topic Name be null (brokers only honour lookup by ID from v12).
// - v11 drops IncludeClusterAuthorizedOperations and ClusterAuthorizedOperations (now in DescribeCluster,
//   KIP-700); v12 lets a response topic Name be null for an unknown topic ID.

/// Asks for the cluster's brokers and for the partitions of some, or all, topics.
public struct MetadataRequest: KafkaRequest {
    public typealias Response = MetadataResponse
    public static let apiKey = ApiKey.metadata
    public static let validVersions: ClosedRange<Int16> = 0...12
    public static let flexibleVersions: Versions = "9+"

    /// The topics to describe; nil for every topic (v1+; in v0 an empty array means every topic).
    public var topics: [MetadataRequestTopic]? = []
    /// Whether the broker may auto-create requested topics that do not exist, if it is configured to. // v4+
    public var allowAutoTopicCreation: Bool = true
    /// Whether to return the cluster's authorized operations. // v8-10
    public var includeClusterAuthorizedOperations: Bool = false
    /// Whether to return each topic's authorized operations. // v8+
    public var includeTopicAuthorizedOperations: Bool = false
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request for `topics` (nil for every topic, from v1 on).
    public init(
        topics: [MetadataRequestTopic]? = [], allowAutoTopicCreation: Bool = true,
        includeClusterAuthorizedOperations: Bool = false, includeTopicAuthorizedOperations: Bool = false
    ) {
        self.topics = topics
        self.allowAutoTopicCreation = allowAutoTopicCreation
        self.includeClusterAuthorizedOperations = includeClusterAuthorizedOperations
        self.includeTopicAuthorizedOperations = includeTopicAuthorizedOperations
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Topics", &topics, versions: "0+", nullableVersions: "1+")
        try v.field("AllowAutoTopicCreation", &allowAutoTopicCreation, versions: "4+", ignorable: false, default: true)
        try v.field("IncludeClusterAuthorizedOperations", &includeClusterAuthorizedOperations, versions: "8-10")
        try v.field("IncludeTopicAuthorizedOperations", &includeTopicAuthorizedOperations, versions: "8+")
    }

    /// A topic to describe, by name or (v10+) by ID.
    public struct MetadataRequestTopic: KafkaStruct {
        /// The topic ID. // v10+
        public var topicID: KafkaUUID = .zero
        /// The topic name; nil when asking by ID (v10+).
        public var name: String? = ""
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The topic `name`, or the topic `topicID` with a nil name.
        public init(topicID: KafkaUUID = .zero, name: String? = "") {
            self.topicID = topicID
            self.name = name
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("TopicId", &topicID, versions: "10+", ignorable: true)
            try v.field("Name", &name, versions: "0+", nullableVersions: "10+")
        }
    }
}

/// The cluster's brokers and controller, and the partitions of the requested topics.
public struct MetadataResponse: KafkaResponse {
    public static let apiKey = ApiKey.metadata
    public static let validVersions: ClosedRange<Int16> = 0...12
    public static let flexibleVersions: Versions = "9+"

    /// How long the response was throttled for a quota violation, in ms. // v3+
    public var throttleTimeMs: Int32 = 0
    /// Every broker in the cluster.
    public var brokers: [MetadataResponseBroker] = []
    /// The ID of the cluster the broker belongs to. // v2+
    public var clusterID: String? = nil
    /// The ID of the controller broker, or -1. // v1+
    public var controllerID: Int32 = -1
    /// Each topic in the response.
    public var topics: [MetadataResponseTopic] = []
    /// A bitfield of the operations the client may perform on the cluster. // v8-10
    public var clusterAuthorizedOperations: Int32 = Int32.min
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response describing `brokers` and `topics`.
    public init(
        throttleTimeMs: Int32 = 0, brokers: [MetadataResponseBroker] = [], clusterID: String? = nil,
        controllerID: Int32 = -1, topics: [MetadataResponseTopic] = [], clusterAuthorizedOperations: Int32 = Int32.min
    ) {
        self.throttleTimeMs = throttleTimeMs
        self.brokers = brokers
        self.clusterID = clusterID
        self.controllerID = controllerID
        self.topics = topics
        self.clusterAuthorizedOperations = clusterAuthorizedOperations
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "3+", ignorable: true)
        try v.field("Brokers", &brokers, versions: "0+")
        try v.field("ClusterId", &clusterID, versions: "2+", nullableVersions: "2+", ignorable: true, default: nil)
        try v.field("ControllerId", &controllerID, versions: "1+", ignorable: true, default: -1)
        try v.field("Topics", &topics, versions: "0+")
        try v.field("ClusterAuthorizedOperations", &clusterAuthorizedOperations, versions: "8-10", default: Int32.min)
    }

    /// A broker of the cluster and where to reach it.
    public struct MetadataResponseBroker: KafkaStruct {
        /// The broker ID.
        public var nodeID: Int32 = 0
        /// The broker's host name.
        public var host: String = ""
        /// The broker's port.
        public var port: Int32 = 0
        /// The broker's rack, or nil when it has none. // v1+
        public var rack: String? = nil
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The broker `nodeID` at `host`:`port`.
        public init(nodeID: Int32 = 0, host: String = "", port: Int32 = 0, rack: String? = nil) {
            self.nodeID = nodeID
            self.host = host
            self.port = port
            self.rack = rack
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("NodeId", &nodeID, versions: "0+")
            try v.field("Host", &host, versions: "0+")
            try v.field("Port", &port, versions: "0+")
            try v.field("Rack", &rack, versions: "1+", nullableVersions: "1+", ignorable: true, default: nil)
        }
    }

    /// One topic: its error, ID and partitions.
    public struct MetadataResponseTopic: KafkaStruct {
        /// The topic's error, or NONE.
        public var errorCode: ErrorCode = .none
        /// The topic name; nil (v12+) for an unknown topic asked for by ID.
        public var name: String? = ""
        /// The topic ID; zero for an unknown topic asked for by name. // v10+
        public var topicID: KafkaUUID = .zero
        /// Whether the topic is internal. // v1+
        public var isInternal: Bool = false
        /// Each partition of the topic.
        public var partitions: [MetadataResponsePartition] = []
        /// A bitfield of the operations the client may perform on the topic. // v8+
        public var topicAuthorizedOperations: Int32 = Int32.min
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The topic `name` with its `partitions`.
        public init(
            errorCode: ErrorCode = .none, name: String? = "", topicID: KafkaUUID = .zero, isInternal: Bool = false,
            partitions: [MetadataResponsePartition] = [], topicAuthorizedOperations: Int32 = Int32.min
        ) {
            self.errorCode = errorCode
            self.name = name
            self.topicID = topicID
            self.isInternal = isInternal
            self.partitions = partitions
            self.topicAuthorizedOperations = topicAuthorizedOperations
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("Name", &name, versions: "0+", nullableVersions: "12+")
            try v.field("TopicId", &topicID, versions: "10+", ignorable: true)
            try v.field("IsInternal", &isInternal, versions: "1+", ignorable: true, default: false)
            try v.field("Partitions", &partitions, versions: "0+")
            try v.field("TopicAuthorizedOperations", &topicAuthorizedOperations, versions: "8+", default: Int32.min)
        }
    }

    /// One partition: its leader and replicas.
    public struct MetadataResponsePartition: KafkaStruct {
        /// The partition's error, or NONE.
        public var errorCode: ErrorCode = .none
        /// The partition index.
        public var partitionIndex: Int32 = 0
        /// The ID of the leader broker.
        public var leaderID: Int32 = 0
        /// The leader's epoch. // v7+
        public var leaderEpoch: Int32 = -1
        /// Every broker that hosts a replica.
        public var replicaNodes: [Int32] = []
        /// The brokers in sync with the leader.
        public var isrNodes: [Int32] = []
        /// The replicas that are offline. // v5+
        public var offlineReplicas: [Int32] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The partition `partitionIndex`, led by `leaderID`.
        public init(
            errorCode: ErrorCode = .none, partitionIndex: Int32 = 0, leaderID: Int32 = 0, leaderEpoch: Int32 = -1,
            replicaNodes: [Int32] = [], isrNodes: [Int32] = [], offlineReplicas: [Int32] = []
        ) {
            self.errorCode = errorCode
            self.partitionIndex = partitionIndex
            self.leaderID = leaderID
            self.leaderEpoch = leaderEpoch
            self.replicaNodes = replicaNodes
            self.isrNodes = isrNodes
            self.offlineReplicas = offlineReplicas
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("PartitionIndex", &partitionIndex, versions: "0+")
            try v.field("LeaderId", &leaderID, versions: "0+")
            try v.field("LeaderEpoch", &leaderEpoch, versions: "7+", ignorable: true, default: -1)
            try v.field("ReplicaNodes", &replicaNodes, versions: "0+")
            try v.field("IsrNodes", &isrNodes, versions: "0+")
            try v.field("OfflineReplicas", &offlineReplicas, versions: "5+", ignorable: true)
        }
    }
}
