/// The key that names a Kafka API in every request header.
///
/// An open set, so a key this client does not implement (from ApiVersions) still decodes.
public struct ApiKey: RawRepresentable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The key as it is on the wire.
    public var rawValue: Int16

    /// Wraps a wire key.
    @inlinable public init(rawValue: Int16) { self.rawValue = rawValue }

    public static let produce = ApiKey(rawValue: 0)
    public static let fetch = ApiKey(rawValue: 1)
    public static let listOffsets = ApiKey(rawValue: 2)
    public static let metadata = ApiKey(rawValue: 3)
    public static let offsetCommit = ApiKey(rawValue: 8)
    public static let offsetFetch = ApiKey(rawValue: 9)
    public static let findCoordinator = ApiKey(rawValue: 10)
    public static let joinGroup = ApiKey(rawValue: 11)
    public static let heartbeat = ApiKey(rawValue: 12)
    public static let leaveGroup = ApiKey(rawValue: 13)
    public static let syncGroup = ApiKey(rawValue: 14)
    public static let describeGroups = ApiKey(rawValue: 15)
    public static let listGroups = ApiKey(rawValue: 16)
    public static let saslHandshake = ApiKey(rawValue: 17)
    public static let apiVersions = ApiKey(rawValue: 18)
    public static let createTopics = ApiKey(rawValue: 19)
    public static let deleteTopics = ApiKey(rawValue: 20)
    public static let deleteRecords = ApiKey(rawValue: 21)
    public static let initProducerId = ApiKey(rawValue: 22)
    public static let offsetForLeaderEpoch = ApiKey(rawValue: 23)
    public static let addPartitionsToTxn = ApiKey(rawValue: 24)
    public static let addOffsetsToTxn = ApiKey(rawValue: 25)
    public static let endTxn = ApiKey(rawValue: 26)
    public static let txnOffsetCommit = ApiKey(rawValue: 28)
    public static let describeConfigs = ApiKey(rawValue: 32)
    public static let saslAuthenticate = ApiKey(rawValue: 36)
    public static let createPartitions = ApiKey(rawValue: 37)
    public static let deleteGroups = ApiKey(rawValue: 42)
    public static let describeCluster = ApiKey(rawValue: 60)

    /// The spec's name without Request/Response (`"Produce"`), or `"Api<n>"` for a key not implemented here.
    public var name: String { MessageRegistry.entry(for: self)?.name ?? "Api\(rawValue)" }

    /// `Produce(0)`.
    public var description: String { "\(name)(\(rawValue))" }

    public static func < (lhs: ApiKey, rhs: ApiKey) -> Bool { lhs.rawValue < rhs.rawValue }
}
