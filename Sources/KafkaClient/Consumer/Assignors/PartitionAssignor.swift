import KafkaWire

/// How a group moves partitions between members during a rebalance (KIP-429).
public enum RebalanceProtocol: Int, Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Every member gives up every partition before it rejoins, and the leader assigns from scratch.
    case eager = 0
    /// Members keep their partitions through a rebalance; only partitions that change owner are
    /// revoked, and they are handed to their new owner in a follow-up rebalance.
    case cooperative = 1

    public static func < (lhs: RebalanceProtocol, rhs: RebalanceProtocol) -> Bool { lhs.rawValue < rhs.rawValue }

    public var description: String {
        switch self {
        case .eager: "EAGER"
        case .cooperative: "COOPERATIVE"
        }
    }

    /// The protocol a consumer with `assignors` uses: the most capable one every assignor
    /// supports, as the Java client chooses it. `[cooperative-sticky]` is cooperative;
    /// `[cooperative-sticky, range]` is eager, so that it can share a group with range-only members.
    public static func common(to assignors: [any ConsumerPartitionAssignor]) -> RebalanceProtocol {
        guard !assignors.isEmpty else { return .eager }
        var common = Set([RebalanceProtocol.eager, .cooperative])
        for assignor in assignors { common.formIntersection(assignor.supportedProtocols) }
        return common.max() ?? .eager
    }
}

/// One member's subscription as the leader sees it: a decoded `ConsumerProtocolSubscription`.
public struct MemberSubscription: Sendable, Hashable {
    /// The member id the coordinator gave the member.
    public var memberID: String
    /// The member's `group.instance.id` (static membership), or nil.
    public var groupInstanceID: String?
    /// The topics the member subscribes to.
    public var topics: [String]
    /// The partitions the member owns now (subscription v1+, cooperative members).
    public var ownedPartitions: [TopicPartition]
    /// The generation in which the member got `ownedPartitions` (subscription v2+), or nil.
    public var generationID: Int32?
    /// The assignor's opaque user data.
    public var userData: [UInt8]?
    /// The member's rack (subscription v3+), or nil.
    public var rackID: String?

    /// A subscription with the given fields.
    public init(memberID: String, groupInstanceID: String? = nil, topics: [String],
                ownedPartitions: [TopicPartition] = [], generationID: Int32? = nil, userData: [UInt8]? = nil,
                rackID: String? = nil) {
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.topics = topics
        self.ownedPartitions = ownedPartitions
        self.generationID = generationID
        self.userData = userData
        self.rackID = rackID
    }

    /// Decodes a member's JoinGroup metadata: an INT16 version, then a `ConsumerProtocolSubscription`.
    ///
    /// A generation of -1 (the wire's "none", and what versions before 2 imply) becomes nil.
    public init(memberID: String, groupInstanceID: String?, metadata: ByteSlice) throws(WireDecodingError) {
        let (_, subscription) = try ConsumerProtocolSubscription.decodeWithVersion(metadata)
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
        self.topics = subscription.topics
        self.ownedPartitions = subscription.ownedPartitions.flatMap { owned in
            owned.partitions.map { TopicPartition(owned.topic, $0) }
        }
        self.generationID = subscription.generationID >= 0 ? subscription.generationID : nil
        self.userData = subscription.userData?.array
        self.rackID = subscription.rackID
    }

    /// Java's `MemberInfo` order, used by range and roundrobin: static members first, by
    /// `group.instance.id`, then dynamic members by member id. Sorting static members by their
    /// stable id keeps their partitions across restarts, which is the point of static membership.
    static func javaMemberOrder(_ lhs: MemberSubscription, _ rhs: MemberSubscription) -> Bool {
        switch (lhs.groupInstanceID, rhs.groupInstanceID) {
        case let (l?, r?):
            if l != r { return javaStringLess(l, r) }
            return javaStringLess(lhs.memberID, rhs.memberID)
        case (.some, nil): return true
        case (nil, .some): return false
        case (nil, nil): return javaStringLess(lhs.memberID, rhs.memberID)
        }
    }
}

/// A consumer partition assignor: the "protocol" a consumer offers in JoinGroup, and the
/// algorithm the group leader runs when the coordinator selects it.
public protocol ConsumerPartitionAssignor: Sendable {
    /// The protocol name in JoinGroup (`range`, `roundrobin`, `cooperative-sticky`). Members of
    /// other clients recognise the assignor by this name alone, so it must match theirs.
    var name: String { get }
    /// The rebalance protocols the assignor's output is safe under.
    var supportedProtocols: Set<RebalanceProtocol> { get }
    /// The user data this member puts in its subscription, given what it owns and since which
    /// generation (-1 when it has never completed a rebalance).
    func subscriptionUserData(ownedPartitions: [TopicPartition], generationID: Int32) -> [UInt8]?
    /// Computes every member's partitions.
    ///
    /// - Parameters:
    ///   - partitionCounts: the partition count of every subscribed topic the leader found in
    ///     metadata. Topics missing from it are skipped.
    ///   - subscriptions: every member of the group.
    /// - Returns: an entry for every member (possibly empty), partitions sorted.
    func assign(partitionCounts: [String: Int32], subscriptions: [MemberSubscription]) -> [String: [TopicPartition]]
}

extension ConsumerPartitionAssignor {
    /// Range and roundrobin carry no user data.
    public func subscriptionUserData(ownedPartitions: [TopicPartition], generationID: Int32) -> [UInt8]? { nil }
}

/// Encoding subscriptions and assignments exactly as the Java client's `ConsumerProtocol` does.
public enum ConsumerProtocolCodec {
    /// The `ProtocolType` of every consumer group.
    public static let protocolType = "consumer"
    /// The subscription version we write: v3, the newest, as Java 3.5+ writes it. Older peers
    /// read newer versions with their own newest layout and ignore what follows.
    public static let subscriptionVersion: Int16 = 3
    /// The assignment version we write: the newest, as the Java client writes it (v1-3 share v0's layout).
    public static let assignmentVersion: Int16 = 3

    /// The JoinGroup metadata for one protocol: the versioned subscription.
    public static func subscriptionMetadata(topics: [String], userData: [UInt8]?, ownedPartitions: [TopicPartition],
                                            generationID: Int32, rackID: String?) throws(WireEncodingError) -> [UInt8] {
        let owned = ownedPartitions.groupedByTopic().map {
            ConsumerProtocolSubscription.TopicPartition(topic: $0.topic, partitions: $0.partitions)
        }
        let subscription = ConsumerProtocolSubscription(
            topics: topics.sorted(by: javaStringLess), userData: userData.map { ByteSlice($0) }, ownedPartitions: owned,
            generationID: generationID, rackID: rackID)
        return try subscription.encodedWithVersion(subscriptionVersion)
    }

    /// The SyncGroup assignment bytes for one member.
    public static func assignmentBytes(_ partitions: [TopicPartition], userData: [UInt8]? = nil) throws(WireEncodingError) -> [UInt8] {
        let assigned = partitions.groupedByTopic().map {
            ConsumerProtocolAssignment.TopicPartition(topic: $0.topic, partitions: $0.partitions)
        }
        let assignment = ConsumerProtocolAssignment(assignedPartitions: assigned, userData: userData.map { ByteSlice($0) })
        return try assignment.encodedWithVersion(assignmentVersion)
    }

    /// Decodes the assignment a member received in SyncGroup; sorted.
    ///
    /// An empty byte string is an empty assignment: the coordinator sends one to members the
    /// leader left out, and to every member when the leader itself failed.
    public static func decodeAssignment(_ bytes: ByteSlice) throws(WireDecodingError) -> (partitions: [TopicPartition], userData: [UInt8]?) {
        if bytes.isEmpty { return ([], nil) }
        let (_, assignment) = try ConsumerProtocolAssignment.decodeWithVersion(bytes)
        let partitions = assignment.assignedPartitions.flatMap { topic in
            topic.partitions.map { TopicPartition(topic.topic, $0) }
        }
        return (partitions.sorted(), assignment.userData?.array)
    }
}

/// Picks the protocol a group runs, as the coordinator does: among the protocols every member
/// supports, each member votes for the first one in its own preference order, and the most
/// votes win. The coordinator breaks ties in no documented order; we pick the name that sorts
/// first, so the choice is at least deterministic.
public enum GroupProtocolSelection {
    /// The selected protocol, or nil when no protocol is common to all members.
    public static func select(memberPreferences: [[String]]) -> String? {
        guard var candidates = memberPreferences.first.map(Set.init) else { return nil }
        for preferences in memberPreferences.dropFirst() { candidates.formIntersection(preferences) }
        guard !candidates.isEmpty else { return nil }
        var votes: [String: Int] = [:]
        for preferences in memberPreferences {
            if let vote = preferences.first(where: candidates.contains) { votes[vote, default: 0] += 1 }
        }
        return votes.sorted { lhs, rhs in
            lhs.value != rhs.value ? lhs.value > rhs.value : javaStringLess(lhs.key, rhs.key)
        }.first?.key
    }
}
