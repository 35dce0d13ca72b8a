/// The `-X name=value` settings, under Kafka's and librdkafka's property names.
///
/// kcat hands `-X` to librdkafka; swafkacat checks each name and value against a catalog of the
/// settings its client understands and keeps them as a property map for the client to build its
/// configuration from. The catalog's entries say which part uses a setting: the cluster client
/// (connections, metadata, admin), the producer, or the consumer. Names librdkafka knows but swafkacat
/// does not are refused with kcat's message (`No such configuration property: "name"`), so a typo
/// never passes silently.
public struct SettingDefinition: Sendable {
    /// Where librdkafka keeps a property: kcat's `topic.` prefix selects topic-level ones.
    public enum Scope: Sendable, Equatable {
        /// A client-wide property.
        case global
        /// A per-topic property (`acks`, `auto.offset.reset`); `topic.acks` also names it.
        case topic
    }

    /// Which clients use the setting (the `C/P` column of `-X list`).
    public enum Use: String, Sendable, Equatable {
        /// Producer and consumer.
        case both = "*"
        /// Consumer only.
        case consumer = "C"
        /// Producer only.
        case producer = "P"
    }

    /// The property name.
    public var name: String
    /// Other accepted names (librdkafka's and Java's synonyms).
    public var aliases: [String]
    /// Global or topic-level.
    public var scope: Scope
    /// Who uses it.
    public var use: Use
    /// The value when not set, as text.
    public var defaultValue: String
    /// What it does.
    public var documentation: String
    /// A secret: `-X dump` shows `[redacted]`.
    public var isSensitive: Bool
    /// Returns why `value` is invalid, or nil when it is fine.
    public var check: @Sendable (String) -> String?

    /// A setting.
    public init(_ name: String, aliases: [String] = [], scope: Scope = .global, use: Use = .both, default defaultValue: String,
                isSensitive: Bool = false, documentation: String, check: @escaping @Sendable (String) -> String? = { _ in nil }) {
        self.name = name
        self.aliases = aliases
        self.scope = scope
        self.use = use
        self.defaultValue = defaultValue
        self.documentation = documentation
        self.isSensitive = isSensitive
        self.check = check
    }

    /// Whether `key` names this setting.
    public func matches(_ key: String) -> Bool { key == name || aliases.contains(key) }
}

/// Why `-X` (or a config file line) was refused; `description` is kcat's message.
public enum SettingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The name is not in the catalog.
    case unknown(String)
    /// The value does not parse; `reason` says why.
    case invalid(name: String, value: String, reason: String?)

    public var description: String {
        switch self {
        case let .unknown(name): "No such configuration property: \"\(name)\""
        case let .invalid(name, value, reason):
            "Invalid value \"\(value)\" for configuration property \"\(name)\"" + (reason.map { ": \($0)" } ?? "")
        }
    }
}

/// The settings in force: the catalog and the values set so far, in the order they were set.
public struct Settings: Sendable {
    /// Every known setting.
    public let catalog: [SettingDefinition]
    /// Explicit values by canonical name.
    public private(set) var values: [String: String] = [:]
    /// Canonical names in the order they were first set.
    public private(set) var order: [String] = []

    /// Settings with nothing set yet.
    public init(catalog: [SettingDefinition] = SettingsCatalog.all) {
        self.catalog = catalog
    }

    /// Looks `name` up as kcat does: a `topic.`-prefixed name is tried as a topic-level setting
    /// without its prefix first, then as a global setting under its full name
    /// (`topic.metadata.refresh.interval.ms` is global).
    public func definition(for name: String) -> SettingDefinition? {
        if name.hasPrefix("topic."), let topic = catalog.first(where: { $0.scope == .topic && $0.matches(String(name.dropFirst(6))) }) {
            return topic
        }
        return catalog.first { $0.matches(name) }
    }

    /// Sets `name` to `value`, checking both.
    public mutating func set(_ name: String, to value: String) throws(SettingError) {
        guard let definition = definition(for: name) else { throw .unknown(name) }
        if let reason = definition.check(value) { throw .invalid(name: name, value: value, reason: reason) }
        if values[definition.name] == nil { order.append(definition.name) }
        values[definition.name] = value
    }

    /// The value in force for `name` (set, or the default), nil for an unknown name.
    public func value(_ name: String) -> String? {
        guard let definition = definition(for: name) else { return nil }
        return values[definition.name] ?? definition.defaultValue
    }

    /// Whether `name` was set explicitly.
    public func isSet(_ name: String) -> Bool {
        definition(for: name).map { values[$0.name] != nil } ?? false
    }

    /// The explicitly set values as the property map the clients take.
    public var propertyMap: [String: String] { values }

    /// `-X dump`: every setting and its value in force, global ones then topic ones, secrets redacted,
    /// in kcat's layout (`# Global config`, `name = value` lines, a blank line, `# Topic config`, ...).
    public func dump() -> String {
        var text = ""
        for (title, scope) in [("Global", SettingDefinition.Scope.global), ("Topic", .topic)] {
            text += "# \(title) config\n"
            for definition in catalog where definition.scope == scope {
                let value = values[definition.name] ?? definition.defaultValue
                text += "\(definition.name) = \(definition.isSensitive && !value.isEmpty ? "[redacted]" : value)\n"
            }
            text += "\n"
        }
        return text
    }

    /// `-X list`: the catalog as a table like librdkafka's CONFIGURATION.md.
    public func listing() -> String {
        func pad(_ text: String, _ width: Int) -> String {
            text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
        }
        var text = ""
        for (title, scope) in [("Global", SettingDefinition.Scope.global), ("Topic", .topic)] {
            text += "## \(title) configuration properties\n\n"
            text += "\(pad("Property", 40)) | C/P | \(pad("Default", 15)) | Description\n"
            text += "\(String(repeating: "-", count: 40))-|-----|-\(String(repeating: "-", count: 15))-|------------\n"
            for definition in catalog where definition.scope == scope {
                let names = ([definition.name] + definition.aliases).joined(separator: ", ")
                let defaultText = definition.isSensitive ? "" : definition.defaultValue
                text += "\(pad(names, 40)) |  \(definition.use.rawValue)  | \(pad(defaultText, 15)) | \(definition.documentation)\n"
            }
            text += "\n"
        }
        return text
    }
}

extension Settings {
    /// The property map for the cluster client: every client setting given explicitly, plus
    /// swafkacat's default overrides for those not given.
    public var clientPropertyMap: [String: String] {
        var map: [String: String] = [:]
        for (name, value) in values where SettingsCatalog.clientPropertyNames.contains(name) { map[name] = value }
        for (name, value) in SettingsCatalog.overrides where map[name] == nil { map[name] = value }
        return map
    }
}
