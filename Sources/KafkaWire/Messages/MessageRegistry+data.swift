extension MessageRegistry {
    /// Versioned payloads that are not API messages.
    static let dataTypeEntries: [(name: String, type: any WireMessage.Type)] = [
        ("ConsumerProtocolSubscription", ConsumerProtocolSubscription.self),
        ("ConsumerProtocolAssignment", ConsumerProtocolAssignment.self),
    ]
}
