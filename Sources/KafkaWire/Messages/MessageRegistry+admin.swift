extension MessageRegistry {
    /// The APIs registered by this file's group (see MessageRegistry.swift).
    static let adminEntries: [MessageRegistryEntry] = [
        MessageRegistryEntry("SaslHandshake", SaslHandshakeRequest.self),
        MessageRegistryEntry("CreateTopics", CreateTopicsRequest.self),
        MessageRegistryEntry("DeleteTopics", DeleteTopicsRequest.self),
        MessageRegistryEntry("DeleteRecords", DeleteRecordsRequest.self),
        MessageRegistryEntry("DescribeConfigs", DescribeConfigsRequest.self),
        MessageRegistryEntry("SaslAuthenticate", SaslAuthenticateRequest.self),
        MessageRegistryEntry("CreatePartitions", CreatePartitionsRequest.self),
        MessageRegistryEntry("DeleteGroups", DeleteGroupsRequest.self),
        MessageRegistryEntry("DescribeCluster", DescribeClusterRequest.self),
    ]
}
