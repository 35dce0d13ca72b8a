extension MessageRegistry {
    /// The APIs registered by this file's group (see MessageRegistry.swift).
    static let groupEntries: [MessageRegistryEntry] = [
        MessageRegistryEntry("OffsetCommit", OffsetCommitRequest.self),
        MessageRegistryEntry("OffsetFetch", OffsetFetchRequest.self),
        MessageRegistryEntry("FindCoordinator", FindCoordinatorRequest.self),
        MessageRegistryEntry("JoinGroup", JoinGroupRequest.self),
        MessageRegistryEntry("Heartbeat", HeartbeatRequest.self),
        MessageRegistryEntry("LeaveGroup", LeaveGroupRequest.self),
        MessageRegistryEntry("SyncGroup", SyncGroupRequest.self),
        MessageRegistryEntry("DescribeGroups", DescribeGroupsRequest.self),
        MessageRegistryEntry("ListGroups", ListGroupsRequest.self),
    ]
}
