// DeleteTopics (key 20): asks the controller to delete topics, by name or (v6+) by ID.
// Follows DeleteTopicsRequest.json and DeleteTopicsResponse.json.
//
// Version notes:
// - v0 is deprecated; requests v0 to v3 are the same.
// - v1 adds ThrottleTimeMs to the response; from v2 the broker answers before throttling;
//   v3 may answer TOPIC_DELETION_DISABLED.
// - v4 is the first flexible version.
// - v5 adds ErrorMessage to the response and may answer THROTTLING_QUOTA_EXCEEDED (KIP-599).
// - v6 replaces TopicNames with Topics (a name or a topic ID each) and adds TopicId to the
//   results, whose Name may then be null.

/// Deletes topics.
public struct DeleteTopicsRequest: KafkaRequest {
    public typealias Response = DeleteTopicsResponse
    public static let apiKey = ApiKey.deleteTopics
    public static let validVersions: ClosedRange<Int16> = 0...6
    public static let flexibleVersions: Versions = "4+"

    /// The topics to delete, each named or identified by ID. // v6+
    public var topics: [DeleteTopicState] = []
    /// The names of the topics to delete. // v0-5
    public var topicNames: [String] = []
    /// How long to wait for the deletions to complete, in ms.
    public var timeoutMs: Int32 = 0
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request deleting `topics` (v6+) or `topicNames` (v0-5).
    public init(topics: [DeleteTopicState] = [], topicNames: [String] = [], timeoutMs: Int32 = 0) {
        self.topics = topics
        self.topicNames = topicNames
        self.timeoutMs = timeoutMs
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Topics", &topics, versions: "6+")
        try v.field("TopicNames", &topicNames, versions: "0-5", ignorable: true)
        try v.field("TimeoutMs", &timeoutMs, versions: "0+")
    }

    /// One topic to delete: a name, or a topic ID with a nil name.
    public struct DeleteTopicState: KafkaStruct {
        /// The topic name, or nil when deleting by ID. // v6+
        public var name: String? = nil
        /// The topic's unique ID, or zero when deleting by name. // v6+
        public var topicID: KafkaUUID = .zero
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The topic named `name` or identified by `topicID`.
        public init(name: String? = nil, topicID: KafkaUUID = .zero) {
            self.name = name
            self.topicID = topicID
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "6+", nullableVersions: "6+", default: nil)
            try v.field("TopicId", &topicID, versions: "6+")
        }
    }
}

/// The controller's answer to DeleteTopics: one result per topic.
public struct DeleteTopicsResponse: KafkaResponse {
    public static let apiKey = ApiKey.deleteTopics
    public static let validVersions: ClosedRange<Int16> = 0...6
    public static let flexibleVersions: Versions = "4+"

    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// The result for each topic.
    public var responses: [DeletableTopicResult] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `responses`.
    public init(throttleTimeMs: Int32 = 0, responses: [DeletableTopicResult] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.responses = responses
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("Responses", &responses, versions: "0+")
    }

    /// The outcome for one topic.
    public struct DeletableTopicResult: KafkaStruct {
        /// The topic name; nil (v6+) when the topic was given by ID and is unknown.
        public var name: String? = ""
        /// The topic's unique ID. // v6+
        public var topicID: KafkaUUID = .zero
        /// The deletion error, or NONE.
        public var errorCode: ErrorCode = .none
        /// The error message, or nil when there was no error. // v5+
        public var errorMessage: String? = nil
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A result with every field given.
        public init(name: String? = "", topicID: KafkaUUID = .zero, errorCode: ErrorCode = .none, errorMessage: String? = nil) {
            self.name = name
            self.topicID = topicID
            self.errorCode = errorCode
            self.errorMessage = errorMessage
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+", nullableVersions: "6+")
            try v.field("TopicId", &topicID, versions: "6+", ignorable: true)
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("ErrorMessage", &errorMessage, versions: "5+", nullableVersions: "5+", ignorable: true, default: nil)
        }
    }
}
