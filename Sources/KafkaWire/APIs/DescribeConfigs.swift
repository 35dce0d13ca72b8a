// DescribeConfigs (key 32): reads the configs of topics, brokers and broker loggers.
// Follows DescribeConfigsRequest.json and DescribeConfigsResponse.json.
//
// Version notes:
// - v0 is deprecated; its results carry IsDefault, which later versions replace with ConfigSource.
// - v1 adds IncludeSynonyms to the request, and ConfigSource and Synonyms to the results.
// - v2 has the same fields; from v2 the broker answers before throttling.
// - v3 adds IncludeDocumentation, and ConfigType and Documentation to the results.
// - v4 is the first flexible version.

/// Asks for the configs of some resources: all of them, or the listed keys only.
public struct DescribeConfigsRequest: KafkaRequest {
    public typealias Response = DescribeConfigsResponse
    public static let apiKey = ApiKey.describeConfigs
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "4+"

    /// The resources whose configs to describe.
    public var resources: [DescribeConfigsResource] = []
    /// If true, return each config's synonyms. // v1+
    public var includeSynonyms: Bool = false
    /// If true, return each config's documentation. // v3+
    public var includeDocumentation: Bool = false
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request describing `resources`.
    public init(resources: [DescribeConfigsResource] = [], includeSynonyms: Bool = false,
                includeDocumentation: Bool = false) {
        self.resources = resources
        self.includeSynonyms = includeSynonyms
        self.includeDocumentation = includeDocumentation
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Resources", &resources, versions: "0+")
        try v.field("IncludeSynonyms", &includeSynonyms, versions: "1+")
        try v.field("IncludeDocumentation", &includeDocumentation, versions: "3+")
    }

    /// One resource to describe.
    public struct DescribeConfigsResource: KafkaStruct {
        /// The resource type (2 topic, 4 broker, 8 broker logger, ...).
        public var resourceType: Int8 = 0
        /// The resource name (a topic name, or a broker ID in decimal).
        public var resourceName: String = ""
        /// The config keys to return, or nil for all of them.
        public var configurationKeys: [String]? = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// Resource `resourceName` of `resourceType`, limited to `configurationKeys` unless nil.
        public init(resourceType: Int8 = 0, resourceName: String = "", configurationKeys: [String]? = []) {
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configurationKeys = configurationKeys
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("ResourceType", &resourceType, versions: "0+")
            try v.field("ResourceName", &resourceName, versions: "0+")
            try v.field("ConfigurationKeys", &configurationKeys, versions: "0+", nullableVersions: "0+")
        }
    }
}

/// The broker's answer to DescribeConfigs: the configs of each resource.
public struct DescribeConfigsResponse: KafkaResponse {
    public static let apiKey = ApiKey.describeConfigs
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "4+"

    /// How long the response was throttled for a quota violation, in ms.
    public var throttleTimeMs: Int32 = 0
    /// The result for each resource.
    public var results: [DescribeConfigsResult] = []
    /// Tagged fields not known at the decoded version, re-emitted on encode.
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response carrying `results`.
    public init(throttleTimeMs: Int32 = 0, results: [DescribeConfigsResult] = []) {
        self.throttleTimeMs = throttleTimeMs
        self.results = results
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "0+")
        try v.field("Results", &results, versions: "0+")
    }

    /// The outcome for one resource.
    public struct DescribeConfigsResult: KafkaStruct {
        /// The error code, or NONE.
        public var errorCode: ErrorCode = .none
        /// The error message, or nil when there was no error.
        public var errorMessage: String? = ""
        /// The resource type.
        public var resourceType: Int8 = 0
        /// The resource name.
        public var resourceName: String = ""
        /// Each config of the resource.
        public var configs: [DescribeConfigsResourceResult] = []
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A result with every field given.
        public init(errorCode: ErrorCode = .none, errorMessage: String? = "", resourceType: Int8 = 0,
                    resourceName: String = "", configs: [DescribeConfigsResourceResult] = []) {
            self.errorCode = errorCode
            self.errorMessage = errorMessage
            self.resourceType = resourceType
            self.resourceName = resourceName
            self.configs = configs
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("ErrorCode", &errorCode, versions: "0+")
            try v.field("ErrorMessage", &errorMessage, versions: "0+", nullableVersions: "0+")
            try v.field("ResourceType", &resourceType, versions: "0+")
            try v.field("ResourceName", &resourceName, versions: "0+")
            try v.field("Configs", &configs, versions: "0+")
        }
    }

    /// One config of a resource.
    public struct DescribeConfigsResourceResult: KafkaStruct {
        /// The config name.
        public var name: String = ""
        /// The config value (nil for sensitive configs).
        public var value: String? = ""
        /// True if the config is read-only.
        public var readOnly: Bool = false
        /// True if the config is not set. // v0
        public var isDefault: Bool = false
        /// Where the value comes from (a ConfigSource number). The -1 default is only a
        /// placeholder: for v0 the right value depends on the resource. // v1+
        public var configSource: Int8 = -1
        /// True if the config is sensitive.
        public var isSensitive: Bool = false
        /// The config's synonyms, in order of precedence. // v1+
        public var synonyms: [DescribeConfigsSynonym] = []
        /// The config's data type (a ConfigType number: BOOLEAN, STRING, INT, ...), or 0 if unknown. // v3+
        public var configType: Int8 = 0
        /// The config's documentation. // v3+
        public var documentation: String? = ""
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A config with every field given.
        public init(name: String = "", value: String? = "", readOnly: Bool = false, isDefault: Bool = false,
                    configSource: Int8 = -1, isSensitive: Bool = false, synonyms: [DescribeConfigsSynonym] = [],
                    configType: Int8 = 0, documentation: String? = "") {
            self.name = name
            self.value = value
            self.readOnly = readOnly
            self.isDefault = isDefault
            self.configSource = configSource
            self.isSensitive = isSensitive
            self.synonyms = synonyms
            self.configType = configType
            self.documentation = documentation
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "0+")
            try v.field("Value", &value, versions: "0+", nullableVersions: "0+")
            try v.field("ReadOnly", &readOnly, versions: "0+")
            try v.field("IsDefault", &isDefault, versions: "0")
            try v.field("ConfigSource", &configSource, versions: "1+", ignorable: true, default: -1)
            try v.field("IsSensitive", &isSensitive, versions: "0+")
            try v.field("Synonyms", &synonyms, versions: "1+", ignorable: true)
            try v.field("ConfigType", &configType, versions: "3+", ignorable: true)
            try v.field("Documentation", &documentation, versions: "3+", nullableVersions: "0+", ignorable: true)
        }
    }

    /// One synonym of a config: the same setting at another level (topic, broker, default).
    public struct DescribeConfigsSynonym: KafkaStruct {
        /// The synonym's name. // v1+
        public var name: String = ""
        /// The synonym's value. // v1+
        public var value: String? = ""
        /// Where the synonym comes from (a ConfigSource number). // v1+
        public var source: Int8 = 0
        /// Tagged fields not known at the decoded version, re-emitted on encode.
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// A synonym with every field given.
        public init(name: String = "", value: String? = "", source: Int8 = 0) {
            self.name = name
            self.value = value
            self.source = source
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "1+")
            try v.field("Value", &value, versions: "1+", nullableVersions: "0+")
            try v.field("Source", &source, versions: "1+")
        }
    }
}
