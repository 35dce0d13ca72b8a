import KafkaWire

/// The settings of one consumer's membership in a classic group.
public struct GroupMembershipConfiguration: Sendable {
    /// `group.id`.
    public var groupID: String
    /// `group.instance.id`: a stable identity for static membership (KIP-345), or nil. A static
    /// member that restarts within the session timeout gets its partitions back without a
    /// rebalance, and does not send LeaveGroup when it closes.
    public var groupInstanceID: String?
    /// `session.timeout.ms`: how long the coordinator waits for a heartbeat before it removes us.
    public var sessionTimeout: Duration = .seconds(45)
    /// `heartbeat.interval.ms`: the time between heartbeats.
    public var heartbeatInterval: Duration = .seconds(3)
    /// `max.poll.interval.ms`: the longest the application may go without polling. A member that
    /// does not poll in time gives up its partitions and leaves, so the group can move on. It is
    /// also the rebalance timeout we announce in JoinGroup, as the Java client does.
    public var maxPollInterval: Duration = .seconds(300)
    /// `retry.backoff.ms`: the pause before retrying after a retriable group error.
    public var retryBackoff: Duration = .milliseconds(100)
    /// `partition.assignment.strategy`, in order of preference. The default is the Java
    /// client's since 3.0: range first, so a group can move to cooperative-sticky in two rolls.
    public var assignors: [any ConsumerPartitionAssignor] = [RangeAssignor(), CooperativeStickyAssignor()]
    /// `client.rack`, sent in the subscription (v3) for rack-aware assignors, or nil.
    public var rackID: String?

    /// A configuration for `groupID` with the defaults above.
    public init(groupID: String, groupInstanceID: String? = nil) {
        self.groupID = groupID
        self.groupInstanceID = groupInstanceID
    }

    /// `rebalance.timeout.ms` when set apart from `max.poll.interval.ms`, else nil.
    public var rebalanceTimeoutOverride: Duration?

    /// `rebalance.timeout.ms`: how long the coordinator waits for every member to rejoin
    /// (`max.poll.interval.ms` unless set apart).
    public var rebalanceTimeout: Duration { rebalanceTimeoutOverride ?? maxPollInterval }

    /// How long a JoinGroup may take: the coordinator holds it for up to the rebalance timeout,
    /// plus the Java client's 5-second allowance for the trip.
    public var joinGroupRequestTimeout: Duration { rebalanceTimeout + .seconds(5) }
}

/// The group requests, to say which one failed.
public enum GroupRequestKind: Sendable, Hashable {
    case findCoordinator
    case joinGroup
    /// The leader's metadata lookup of every member's topics, to compute the assignment.
    case assignmentMetadata
    case syncGroup
    case heartbeat
    case leaveGroup
    case offsetCommit
}

/// Why the membership stopped for good: the application must see it.
public struct GroupMembershipError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The broker's error code (or the code closest to a client-side problem).
    public var code: ErrorCode
    /// The request whose response said so.
    public var request: GroupRequestKind
    /// What went wrong, when the code alone does not say.
    public var detail: String?

    /// An error `code` from `request`.
    public init(_ code: ErrorCode, in request: GroupRequestKind, detail: String? = nil) {
        self.code = code
        self.request = request
        self.detail = detail
    }

    public var description: String {
        "\(request): \(code)" + (detail.map { ": \($0)" } ?? "")
    }
}

/// Which membership a commit must carry: OffsetCommit is fenced by generation and member id.
public struct GroupGeneration: Sendable, Hashable {
    /// The generation, or -1 outside a generation.
    public var generationID: Int32
    /// Our member id, or empty.
    public var memberID: String
    /// Our `group.instance.id`, or nil.
    public var groupInstanceID: String?

    /// A generation with the given fields.
    public init(generationID: Int32, memberID: String, groupInstanceID: String?) {
        self.generationID = generationID
        self.memberID = memberID
        self.groupInstanceID = groupInstanceID
    }
}

extension LeaveGroupRequest {
    /// A LeaveGroup for one member at `version`: v0-2 name the member directly, v3+ in `members`
    /// (where a reason can go, v5+).
    public static func leaving(groupID: String, memberID: String, groupInstanceID: String?, reason: String?,
                               version: Int16) -> LeaveGroupRequest {
        if version < 3 { return LeaveGroupRequest(groupID: groupID, memberID: memberID) }
        return LeaveGroupRequest(groupID: groupID, members: [
            MemberIdentity(memberID: memberID, groupInstanceID: groupInstanceID, reason: version >= 5 ? reason : nil),
        ])
    }
}
