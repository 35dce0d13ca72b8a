/// One API: its key, the spec's name without Request/Response, and its two message types.
public struct MessageRegistryEntry: Sendable {
    /// The API's key.
    public let apiKey: ApiKey
    /// The spec's name without the Request/Response suffix (`"Produce"`).
    public let name: String
    /// The request type.
    public let request: any KafkaRequest.Type
    /// The response type.
    public let response: any KafkaResponse.Type

    /// An entry for the API whose request type is `request`.
    public init<Request: KafkaRequest>(_ name: String, _ request: Request.Type) {
        self.apiKey = Request.apiKey
        self.name = name
        self.request = request
        self.response = Request.Response.self
    }
}

/// Every API and versioned data type this codec implements, for lookup by key or name.
public enum MessageRegistry {
    /// Every implemented API, ordered by key.
    public static let entries: [MessageRegistryEntry] =
        (coreEntries + groupEntries + adminEntries + transactionEntries).sorted { $0.apiKey < $1.apiKey }

    private static let byKey: [ApiKey: MessageRegistryEntry] =
        Dictionary(entries.map { ($0.apiKey, $0) }, uniquingKeysWith: { first, _ in first })

    /// The entry for `apiKey`, if implemented.
    public static func entry(for apiKey: ApiKey) -> MessageRegistryEntry? { byKey[apiKey] }

    /// The entry whose name (case-insensitive, with or without a Request/Response suffix) or numeric key is `nameOrKey`.
    public static func entry(named nameOrKey: String) -> MessageRegistryEntry? {
        if let key = Int16(nameOrKey) { return entry(for: ApiKey(rawValue: key)) }
        var name = nameOrKey.lowercased()
        for suffix in ["request", "response"] where name.hasSuffix(suffix) { name.removeLast(suffix.count) }
        return entries.first { $0.name.lowercased() == name }
    }

    /// Versioned payloads that are not API messages (consumer protocol, control records), by spec name.
    public static let dataTypes: [(name: String, type: any WireMessage.Type)] = dataTypeEntries
}
