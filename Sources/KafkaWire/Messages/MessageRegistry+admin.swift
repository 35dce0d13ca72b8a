extension MessageRegistry {
    /// The APIs registered by this file's group (see MessageRegistry.swift).
    static let adminEntries: [MessageRegistryEntry] = [
    ]
}
