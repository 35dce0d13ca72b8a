// ApiVersions (key 18): a client asks a broker which versions of each API it supports.
// Follows ApiVersionsRequest.json and ApiVersionsResponse.json.
//
// Version notes:
// - v0-v2 requests are the same; v1 adds ThrottleTimeMs to the response; v2 throttles after answering.
// - v3 is the first flexible version. The request adds ClientSoftwareName and ClientSoftwareVersion
//   (KIP-511); the response adds the tagged SupportedFeatures (tag 0), FinalizedFeaturesEpoch (1),
//   FinalizedFeatures (2) and ZkMigrationReady (3).
// - v4 changes no field: it lets SupportedFeatures carry a MinVersion of 0 (KAFKA-17011).
// - The response *header* stays v0 at every version (see ResponseHeader), so a client that sent a
//   version the broker does not know can still read the UNSUPPORTED_VERSION answer.

/// Asks a broker for the range of versions it supports of every API; the first request on a connection.
public struct ApiVersionsRequest: KafkaRequest {
    public typealias Response = ApiVersionsResponse
    public static let apiKey = ApiKey.apiVersions
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "3+"

    /// The name of the client software. // v3+
    public var clientSoftwareName: String = ""
    /// The version of the client software. // v3+
    public var clientSoftwareVersion: String = ""
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A request naming the client software (sent from v3 on, dropped by older versions).
    public init(clientSoftwareName: String = "", clientSoftwareVersion: String = "") {
        self.clientSoftwareName = clientSoftwareName
        self.clientSoftwareVersion = clientSoftwareVersion
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ClientSoftwareName", &clientSoftwareName, versions: "3+", ignorable: true)
        try v.field("ClientSoftwareVersion", &clientSoftwareVersion, versions: "3+", ignorable: true)
    }
}

/// The versions a broker supports of every API, and the cluster's feature flags.
public struct ApiVersionsResponse: KafkaResponse {
    public static let apiKey = ApiKey.apiVersions
    public static let validVersions: ClosedRange<Int16> = 0...4
    public static let flexibleVersions: Versions = "3+"

    /// The top-level error code; UNSUPPORTED_VERSION when the request's version was too new.
    public var errorCode: ErrorCode = .none
    /// The APIs the broker supports, each with its version range.
    public var apiKeys: [ApiVersion] = []
    /// How long the response was throttled for a quota violation, in ms. // v1+
    public var throttleTimeMs: Int32 = 0
    /// Features the broker supports. // v3+, tag 0
    public var supportedFeatures: [SupportedFeatureKey] = []
    /// The epoch of the finalized features, or -1 when unknown. // v3+, tag 1
    public var finalizedFeaturesEpoch: Int64 = -1
    /// Cluster-wide finalized features; valid only when `finalizedFeaturesEpoch >= 0`. // v3+, tag 2
    public var finalizedFeatures: [FinalizedFeatureKey] = []
    /// Set by a KRaft controller whose ZooKeeper migration configuration is complete. // v3+, tag 3
    public var zkMigrationReady: Bool = false
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A response listing `apiKeys`.
    public init(
        errorCode: ErrorCode = .none, apiKeys: [ApiVersion] = [], throttleTimeMs: Int32 = 0,
        supportedFeatures: [SupportedFeatureKey] = [], finalizedFeaturesEpoch: Int64 = -1,
        finalizedFeatures: [FinalizedFeatureKey] = [], zkMigrationReady: Bool = false
    ) {
        self.errorCode = errorCode
        self.apiKeys = apiKeys
        self.throttleTimeMs = throttleTimeMs
        self.supportedFeatures = supportedFeatures
        self.finalizedFeaturesEpoch = finalizedFeaturesEpoch
        self.finalizedFeatures = finalizedFeatures
        self.zkMigrationReady = zkMigrationReady
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("ErrorCode", &errorCode, versions: "0+")
        try v.field("ApiKeys", &apiKeys, versions: "0+")
        try v.field("ThrottleTimeMs", &throttleTimeMs, versions: "1+", ignorable: true)
        try v.field("SupportedFeatures", &supportedFeatures, versions: "3+", tag: 0, taggedVersions: "3+", ignorable: true)
        try v.field("FinalizedFeaturesEpoch", &finalizedFeaturesEpoch, versions: "3+", tag: 1, taggedVersions: "3+",
                    ignorable: true, default: -1)
        try v.field("FinalizedFeatures", &finalizedFeatures, versions: "3+", tag: 2, taggedVersions: "3+", ignorable: true)
        try v.field("ZkMigrationReady", &zkMigrationReady, versions: "3+", tag: 3, taggedVersions: "3+", ignorable: true,
                    default: false)
    }

    /// The version range the broker supports of one API.
    public struct ApiVersion: KafkaStruct {
        /// The API's key.
        public var apiKey: Int16 = 0
        /// The lowest supported version, inclusive.
        public var minVersion: Int16 = 0
        /// The highest supported version, inclusive.
        public var maxVersion: Int16 = 0
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The range `minVersion...maxVersion` of the API `apiKey`.
        public init(apiKey: Int16 = 0, minVersion: Int16 = 0, maxVersion: Int16 = 0) {
            self.apiKey = apiKey
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("ApiKey", &apiKey, versions: "0+")
            try v.field("MinVersion", &minVersion, versions: "0+")
            try v.field("MaxVersion", &maxVersion, versions: "0+")
        }
    }

    /// A feature the broker supports, with its version range.
    public struct SupportedFeatureKey: KafkaStruct {
        /// The feature's name.
        public var name: String = ""
        /// The lowest supported version of the feature.
        public var minVersion: Int16 = 0
        /// The highest supported version of the feature.
        public var maxVersion: Int16 = 0
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The feature `name`, supported from `minVersion` through `maxVersion`.
        public init(name: String = "", minVersion: Int16 = 0, maxVersion: Int16 = 0) {
            self.name = name
            self.minVersion = minVersion
            self.maxVersion = maxVersion
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "3+")
            try v.field("MinVersion", &minVersion, versions: "3+")
            try v.field("MaxVersion", &maxVersion, versions: "3+")
        }
    }

    /// A feature finalized cluster-wide, with its version levels.
    public struct FinalizedFeatureKey: KafkaStruct {
        /// The feature's name.
        public var name: String = ""
        /// The cluster-wide finalized highest version level.
        public var maxVersionLevel: Int16 = 0
        /// The cluster-wide finalized lowest version level.
        public var minVersionLevel: Int16 = 0
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The feature `name`, finalized at `minVersionLevel` through `maxVersionLevel`.
        public init(name: String = "", maxVersionLevel: Int16 = 0, minVersionLevel: Int16 = 0) {
            self.name = name
            self.maxVersionLevel = maxVersionLevel
            self.minVersionLevel = minVersionLevel
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Name", &name, versions: "3+")
            try v.field("MaxVersionLevel", &maxVersionLevel, versions: "3+")
            try v.field("MinVersionLevel", &minVersionLevel, versions: "3+")
        }
    }
}
