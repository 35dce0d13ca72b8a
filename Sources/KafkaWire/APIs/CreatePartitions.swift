// CreatePartitions (key 37): adds partitions to existing topics.
// Follows CreatePartitionsRequest.json and CreatePartitionsResponse.json.
//
// Version notes:
// - v1 has the same fields; from v1 the broker answers before throttling.
// - v2 is the first flexible version.
// - v3 may answer THROTTLING_QUOTA_EXCEEDED (KIP-599).

/// Raises the partition count of topics, optionally placing the new partitions by hand.
public struct CreatePartitionsRequest: KafkaRequest {
    public typealias Response = CreatePartitionsResponse
    public static let apiKey = ApiKey.createPartitions
    public static let validVersions: ClosedRange<Int16> = 0...3
    public static let flexibleVersions: Versions = "2+"

    /// Each topic to add partitions to.
    public var topics: [CreatePartitionsTopic] = []
    /// How long to wait for the partitions to be created, in ms.
    public var timeoutMs: Int32 = 0
    /// If true, only validate the request without adding partitions.
    public var validateOnly: Bool = false
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request growing `topics`.
    public init(topics: [CreatePartitionsTopic] = [], timeoutMs: Int32 = 0, validateOnly: Bool = false) {
        self.topics = topics
        self.timeoutMs = timeoutMs
        self.validateOnly = validateOnly
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Topics", &topics, versions: "0+")
        try v.field("TimeoutMs", &timeoutMs, versions: "0+")
        try v.field("ValidateOnly", &validateOnly, versions: "0+")
    }

    /// One topic and its new partition count.
    public struct CreatePartitionsTopic: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// The new total partition count.
        public var count: Int32 = 0
        /// Where to place each new partition, or nil to let the controller choose.
        public var assignments: [CreatePartitionsAssignment]? = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Topic `name` grown to `count` partitions.
        public init(name: String = "", count: Int32 = 0, assignments: [CreatePartitionsAssignment]? = []) {
            self.name = name
            self.count = count
            self.assignments = assignments
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Count", &count, versions: "0+")
            try v.field("Assignments", &assignments, versions: "0+", nullableVersions: "0+")
        }
    }

    /// The replicas of one new partition.
    public struct CreatePartitionsAssignment: KafkaStruct {
        /// The brokers to place the partition on.
        public var brokerIDs: [Int32] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A partition placed on `brokerIDs`.
        public init(brokerIDs: [Int32] = []) {
            self.brokerIDs = brokerIDs
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("BrokerIds", &brokerIDs, versions: "0+")
        }
    }
}

/// The controller's answer to CreatePartitions: one result per topic.
public struct CreatePartitionsResponse: KafkaResponse {
    public static let apiKey = ApiKey.createPartitions
    public static let validVersions: ClosedRange<Int16> = 0...3
    public static let flexibleVersions: Versions = "2+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The result for each topic.
    public var results: [CreatePartitionsTopicResult] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `results`.
    public init(throttleTimeMs: Int32 = 0, results: [CreatePartitionsTopicResult] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+")
        try v.field("Results", &results, versions: "0+")
    }

    /// The outcome for one topic.
    public struct CreatePartitionsTopicResult: KafkaStruct {
        /// The topic name.
        public var name: String = ""
        /// The error code, or NONE.
        public var errorCode: ErrorCode = .none
        /// The error message, or nil when there was no error.
        public var errorMessage: String? = nil
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A result with every field given.
        public init(name: String = "", errorCode: ErrorCode = .none, errorMessage: String? = nil) {
            self.name = name
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("ErrorMessage", &errorMessage, versions: "0+", nullableVersions: "0+", default: nil)
        }
    }
}
