extension MessageRegistry {
    /// The APIs registered by this file's group (see MessageRegistry.swift).
    static let coreEntries: [MessageRegistryEntry] = [
        MessageRegistryEntry("Produce", ProduceRequest.self),
        MessageRegistryEntry("Fetch", FetchRequest.self),
        MessageRegistryEntry("ListOffsets", ListOffsetsRequest.self),
        MessageRegistryEntry("Metadata", MetadataRequest.self),
        MessageRegistryEntry("ApiVersions", ApiVersionsRequest.self),
    ]
}
