// The consumer protocol: what consumers put in JoinGroup protocol metadata (a subscription) and what the
// leader hands out in SyncGroup (an assignment). Not APIs but versioned data payloads, never flexible.
// Follows ConsumerProtocolSubscription.json and ConsumerProtocolAssignment.json.
//
// On the wire each payload is preceded by its INT16 version: `encodedWithVersion` and `decodeWithVersion`
// handle that prefix. Newer versions may only append fields, so a payload of a version newer than we know
// is read with the newest layout we know and whatever follows is ignored, as the Java client does.
//
// Version notes:
// - Subscription v1 adds OwnedPartitions (cooperative rebalancing, KIP-429).
// - Subscription v2 adds GenerationId, so the leader can discard stale owned partitions.
// - Subscription v3 adds RackId (rack-aware assignment, KIP-881).
// - Assignment v1-3 have the v0 layout; they are bumped in step with the subscription.
// - No version is flexible.

/// A consumer-protocol payload, carried as bytes inside group messages behind its INT16 version.
public protocol ConsumerProtocolPayload: WireMessage {}

extension ConsumerProtocolPayload {
    /// The payload encoded at `version`, preceded by `version` as an INT16: the bytes that go into
    /// `JoinGroupRequest.JoinGroupRequestProtocol.metadata` or `SyncGroupRequest.SyncGroupRequestAssignment.assignment`.
    public func encodedWithVersion(_ version: Int16) throws(WireEncodingError) -> [UInt8] {
        var writer = ByteWriter()
        writer.writeInt16(version)
        try encode(into: &writer, version: version)
        return writer.bytes
    }

    /// Reads the INT16 version prefix and the payload after it.
    ///
    /// A known version must use every byte. A version newer than `validVersions` is decoded with the
    /// newest layout we know and any bytes after it are ignored (newer versions only append fields);
    /// the version returned is the one on the wire. Offsets in errors count from the version prefix.
    public static func decodeWithVersion(_ bytes: ByteSlice) throws(WireDecodingError) -> (version: Int16, value: Self) {
        var reader = ByteReader(bytes)
        let version: Int16
        do {
            version = try reader.readInt16()
        } catch {
            var located = error
            located.field = "Version"
            throw located
        }
        guard version >= validVersions.lowerBound else {
            throw WireDecodingError(.unsupportedVersion(version), at: 0, field: "Version")
        }
        if version > validVersions.upperBound {
            return (version, try Self(from: &reader, version: validVersions.upperBound))
        }
        let value = try Self(from: &reader, version: version)
        try reader.expectEnd()
        return (version, value)
    }
}

/// A consumer's subscription: the topics it wants and, from v1, the partitions it already owns.
public struct ConsumerProtocolSubscription: ConsumerProtocolPayload {
    public static let validVersions: ClosedRange<Int16> = 0...3
    public static let flexibleVersions: Versions = "none"

    /// The subscribed topics.
    public var topics: [String] = []
    /// The assignor's user data, or nil.
    public var userData: ByteSlice? = nil
    /// The partitions the member owns now. // v1+
    public var ownedPartitions: [TopicPartition] = []
    /// The generation in which the member got `ownedPartitions`, or -1. // v2+
    public var generationID: Int32 = -1
    /// The member's rack, or nil. // v3+
    public var rackID: String? = nil
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// A subscription to `topics`.
    public init(topics: [String] = [], userData: ByteSlice? = nil, ownedPartitions: [TopicPartition] = [],
                generationID: Int32 = -1, rackID: String? = nil) {
        self.topics = topics
        self.userData = userData
        self.ownedPartitions = ownedPartitions
        self.generationID = generationID
        self.rackID = rackID
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("Topics", &topics, versions: "0+")
        try v.field("UserData", &userData, versions: "0+", nullableVersions: "0+", default: nil)
        try v.field("OwnedPartitions", &ownedPartitions, versions: "1+", ignorable: true)
        try v.field("GenerationId", &generationID, versions: "2+", ignorable: true, default: -1)
        try v.field("RackId", &rackID, versions: "3+", nullableVersions: "3+", ignorable: true, default: nil)
    }

    /// Partitions of one topic owned by the member (v1+).
    public struct TopicPartition: KafkaStruct {
        /// The topic name. // v1+
        public var topic: String = ""
        /// The partition indexes. // v1+
        public var partitions: [Int32] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The partitions `partitions` of `topic`.
        public init(topic: String = "", partitions: [Int32] = []) {
            self.topic = topic
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Topic", &topic, versions: "1+")
            try v.field("Partitions", &partitions, versions: "1+")
        }
    }
}

/// The partitions the leader assigned to one consumer.
public struct ConsumerProtocolAssignment: ConsumerProtocolPayload {
    public static let validVersions: ClosedRange<Int16> = 0...3
    public static let flexibleVersions: Versions = "none"

    /// The assigned partitions, by topic.
    public var assignedPartitions: [TopicPartition] = []
    /// The assignor's user data, or nil.
    public var userData: ByteSlice? = nil
    public var unknownTaggedFields: [TaggedField] = []

    public init() {}

    /// An assignment of `assignedPartitions`.
    public init(assignedPartitions: [TopicPartition] = [], userData: ByteSlice? = nil) {
        self.assignedPartitions = assignedPartitions
        self.userData = userData
    }

    public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
        try v.field("AssignedPartitions", &assignedPartitions, versions: "0+")
        try v.field("UserData", &userData, versions: "0+", nullableVersions: "0+", default: nil)
    }

    /// Partitions of one topic assigned to the member.
    public struct TopicPartition: KafkaStruct {
        /// The topic name.
        public var topic: String = ""
        /// The partition indexes.
        public var partitions: [Int32] = []
        public var unknownTaggedFields: [TaggedField] = []

        public init() {}

        /// The partitions `partitions` of `topic`.
        public init(topic: String = "", partitions: [Int32] = []) {
            self.topic = topic
            self.partitions = partitions
        }

        public mutating func visitFields<V: FieldVisitor>(_ v: inout V) throws {
            try v.field("Topic", &topic, versions: "0+")
            try v.field("Partitions", &partitions, versions: "0+")
        }
    }
}
