import KafkaTransport

/// One named setting of a configuration type: how to parse it from a property map, how to show its
/// current value, and what it means.
///
/// Names follow Kafka's and librdkafka's property names (`request.timeout.ms`), so the same
/// `-X name=value` a kcat or Karafka user knows works here. Each configuration type (the client's
/// now, the producer's and consumer's later) lists its properties once; parsing, `-X list` and
/// `-X dump` all read that list.
public struct ConfigurationProperty<Configuration>: Sendable {
    /// The property name (`bootstrap.servers`).
    public let name: String
    /// Other names accepted for it (`metadata.broker.list`).
    public let aliases: [String]
    /// What the setting does, its unit and range.
    public let documentation: String
    /// True for secrets (passwords, keys): their values are redacted when listed.
    public let isSensitive: Bool
    let parse: @Sendable (inout Configuration, String) throws(ConfigurationValueError) -> Void
    let render: @Sendable (Configuration) -> String

    /// A property with its parser and renderer.
    public init(_ name: String, aliases: [String] = [], isSensitive: Bool = false, documentation: String,
                parse: @escaping @Sendable (inout Configuration, String) throws(ConfigurationValueError) -> Void,
                render: @escaping @Sendable (Configuration) -> String) {
        self.name = name
        self.aliases = aliases
        self.documentation = documentation
        self.isSensitive = isSensitive
        self.parse = parse
        self.render = render
    }

    /// Whether `key` names this property.
    public func matches(_ key: String) -> Bool { key == name || aliases.contains(key) }

    /// Parses `text` into `configuration`; throws `.invalidConfiguration` naming this property.
    public func apply(_ text: String, to configuration: inout Configuration) throws(KafkaClientError) {
        do {
            try parse(&configuration, text)
        } catch {
            throw .invalidConfiguration(setting: name, reason: error.reason)
        }
    }

    /// The current value as a property-map string (what `apply` accepts back).
    public func value(in configuration: Configuration) -> String { render(configuration) }
}

/// Why a property's text did not parse: a sentence without the property name, which the caller adds.
public struct ConfigurationValueError: Error, Sendable, Equatable {
    /// What is wrong with the value.
    public let reason: String
    /// An error saying `reason`.
    public init(_ reason: String) { self.reason = reason }
}

/// One setting as `-X list` / `-X dump` show it.
public struct ConfigurationSetting: Sendable, Equatable {
    /// The property name.
    public let name: String
    /// Other accepted names.
    public let aliases: [String]
    /// The current value, or `[redacted]` for a secret when redaction was asked for.
    public let value: String
    /// The default value (secrets redacted the same way).
    public let defaultValue: String
    /// What the setting does.
    public let documentation: String
    /// True for secrets.
    public let isSensitive: Bool
    /// True when the value differs from the default.
    public var isModified: Bool { value != defaultValue }
}

/// A configuration type whose settings are listed as `ConfigurationProperty` values.
public protocol PropertyConfigurable: Sendable {
    /// Every property, in the order `-X list` shows them.
    static var properties: [ConfigurationProperty<Self>] { get }
    /// The configuration every property starts from before a property map is applied.
    static var propertyDefaults: Self { get }
    /// Checks the settings together (ranges that depend on each other, required settings).
    func validate() throws(KafkaClientError)
}

/// What redacted secrets show instead of their value.
public let redactedValue = "[redacted]"

extension PropertyConfigurable {
    /// A configuration from a property map (`["bootstrap.servers": "host:9092", ...]`), as `-X` passes it.
    ///
    /// Unknown names and invalid values throw `KafkaClientError.invalidConfiguration` naming the setting;
    /// the settings are then validated together.
    public init(properties map: [String: String]) throws(KafkaClientError) {
        var configuration = Self.propertyDefaults
        // Sorted, so that of two invalid settings the same one is reported every time.
        for key in map.keys.sorted() {
            guard let property = Self.properties.first(where: { $0.matches(key) }) else {
                throw .invalidConfiguration(setting: key, reason: "no such setting (see the settings list for valid names)")
            }
            try property.apply(map[key] ?? "", to: &configuration)
        }
        try configuration.validate()
        self = configuration
    }

    /// Sets one property by name; throws naming the setting when the name or value is invalid.
    /// Does not run `validate()`: call it once every setting is in.
    public mutating func set(_ name: String, to value: String) throws(KafkaClientError) {
        guard let property = Self.properties.first(where: { $0.matches(name) }) else {
            throw .invalidConfiguration(setting: name, reason: "no such setting (see the settings list for valid names)")
        }
        try property.apply(value, to: &self)
    }

    /// The current value of a property by name or alias, nil for an unknown name.
    public func value(of name: String, redactingSecrets: Bool = true) -> String? {
        guard let property = Self.properties.first(where: { $0.matches(name) }) else { return nil }
        return redactingSecrets && property.isSensitive ? redactedValue : property.value(in: self)
    }

    /// Every setting with its documentation, default and current value (for `-X list` and `-X dump`).
    /// Secrets show `[redacted]` unless `redactingSecrets` is false.
    public func settings(redactingSecrets: Bool = true) -> [ConfigurationSetting] {
        let defaults = Self.propertyDefaults
        return Self.properties.map { property in
            let hide = redactingSecrets && property.isSensitive
            return ConfigurationSetting(
                name: property.name, aliases: property.aliases,
                value: hide ? redactedValue : property.value(in: self),
                defaultValue: hide ? redactedValue : property.value(in: defaults),
                documentation: property.documentation, isSensitive: property.isSensitive)
        }
    }
}

// MARK: Property builders

extension ConfigurationProperty {
    /// A millisecond setting stored as a `Duration`, within `range` milliseconds.
    public static func milliseconds(
        _ name: String, aliases: [String] = [], _ keyPath: any WritableKeyPath<Configuration, Duration> & Sendable,
        range: ClosedRange<Int64>, documentation: String
    ) -> Self {
        Self(name, aliases: aliases, documentation: documentation + " Range \(range.lowerBound)-\(range.upperBound) ms.",
             parse: { configuration, text throws(ConfigurationValueError) in
                 let ms = try parseInteger(text, range: range, unit: "ms")
                 configuration[keyPath: keyPath] = .milliseconds(ms)
             },
             render: { String($0[keyPath: keyPath].wholeMilliseconds) })
    }

    /// A millisecond setting where `disabledValue` (0 or -1, as the property documents) means "never" (nil).
    public static func optionalMilliseconds(
        _ name: String, aliases: [String] = [], _ keyPath: any WritableKeyPath<Configuration, Duration?> & Sendable,
        range: ClosedRange<Int64>, disabledValues: Set<Int64>, documentation: String
    ) -> Self {
        let disabled = disabledValues.sorted().map(String.init).joined(separator: " or ")
        return Self(name, aliases: aliases,
                    documentation: documentation + " Range \(range.lowerBound)-\(range.upperBound) ms; \(disabled) disables.",
                    parse: { configuration, text throws(ConfigurationValueError) in
                        if let value = Int64(text.trimmingSpaces), disabledValues.contains(value) {
                            configuration[keyPath: keyPath] = nil
                            return
                        }
                        let ms = try parseInteger(text, range: range, unit: "ms", alsoAllowed: disabled)
                        configuration[keyPath: keyPath] = .milliseconds(ms)
                    },
                    render: { $0[keyPath: keyPath].map { String($0.wholeMilliseconds) } ?? (disabledValues.min().map(String.init) ?? "") })
    }

    /// An integer setting within `range`.
    public static func integer(
        _ name: String, aliases: [String] = [], _ keyPath: any WritableKeyPath<Configuration, Int> & Sendable,
        range: ClosedRange<Int>, documentation: String
    ) -> Self {
        Self(name, aliases: aliases, documentation: documentation + " Range \(range.lowerBound)-\(range.upperBound).",
             parse: { configuration, text throws(ConfigurationValueError) in
                 let value = try parseInteger(text, range: Int64(range.lowerBound)...Int64(range.upperBound), unit: nil)
                 configuration[keyPath: keyPath] = Int(value)
             },
             render: { String($0[keyPath: keyPath]) })
    }

    /// A byte-size setting where 0 (or -1) keeps the system default (nil).
    public static func optionalBytes(
        _ name: String, aliases: [String] = [], _ keyPath: any WritableKeyPath<Configuration, Int?> & Sendable,
        range: ClosedRange<Int>, documentation: String
    ) -> Self {
        Self(name, aliases: aliases,
             documentation: documentation + " Range \(range.lowerBound)-\(range.upperBound) bytes; 0 or -1 keeps the system default.",
             parse: { configuration, text throws(ConfigurationValueError) in
                 if let value = Int(text.trimmingSpaces), value == 0 || value == -1 {
                     configuration[keyPath: keyPath] = nil
                     return
                 }
                 let value = try parseInteger(text, range: Int64(range.lowerBound)...Int64(range.upperBound), unit: "bytes",
                                              alsoAllowed: "0 or -1")
                 configuration[keyPath: keyPath] = Int(value)
             },
             render: { $0[keyPath: keyPath].map(String.init) ?? "0" })
    }

    /// A boolean setting: `true`/`false` (also `1`/`0`, `yes`/`no`, `on`/`off`, as librdkafka accepts).
    public static func boolean(
        _ name: String, aliases: [String] = [], _ keyPath: any WritableKeyPath<Configuration, Bool> & Sendable,
        documentation: String
    ) -> Self {
        Self(name, aliases: aliases, documentation: documentation,
             parse: { configuration, text throws(ConfigurationValueError) in
                 switch text.trimmingSpaces.lowercased() {
                 case "true", "1", "yes", "on": configuration[keyPath: keyPath] = true
                 case "false", "0", "no", "off": configuration[keyPath: keyPath] = false
                 default: throw ConfigurationValueError("\"\(text)\" is not a boolean (expected true or false)")
                 }
             },
             render: { $0[keyPath: keyPath] ? "true" : "false" })
    }

    /// A string setting, checked by `check` (which returns a reason when the value is invalid).
    public static func string(
        _ name: String, aliases: [String] = [], isSensitive: Bool = false,
        _ keyPath: any WritableKeyPath<Configuration, String> & Sendable,
        documentation: String, check: @escaping @Sendable (String) -> String? = { _ in nil }
    ) -> Self {
        Self(name, aliases: aliases, isSensitive: isSensitive, documentation: documentation,
             parse: { configuration, text throws(ConfigurationValueError) in
                 if let reason = check(text) { throw ConfigurationValueError(reason) }
                 configuration[keyPath: keyPath] = text
             },
             render: { $0[keyPath: keyPath] })
    }
}

/// Parses a decimal integer in `range`; the reason names the range and the unit.
func parseInteger(_ text: String, range: ClosedRange<Int64>, unit: String?, alsoAllowed: String? = nil)
    throws(ConfigurationValueError) -> Int64 {
    let trimmed = text.trimmingSpaces
    let suffix = unit.map { " \($0)" } ?? ""
    let extra = alsoAllowed.map { ", or \($0)" } ?? ""
    guard let value = Int64(trimmed) else {
        throw ConfigurationValueError("\"\(text)\" is not an integer (expected \(range.lowerBound)-\(range.upperBound)\(suffix)\(extra))")
    }
    guard range.contains(value) else {
        throw ConfigurationValueError("\(value) is out of range (expected \(range.lowerBound)-\(range.upperBound)\(suffix)\(extra))")
    }
    return value
}

extension Duration {
    /// The duration in whole milliseconds, rounded down (saturating).
    var wholeMilliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (ms, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        if overflow { return seconds < 0 ? .min : .max }
        return ms + attoseconds / 1_000_000_000_000_000
    }
}

extension String {
    var trimmingSpaces: String {
        var text = Substring(self)
        while text.first?.isWhitespace == true { text.removeFirst() }
        while text.last?.isWhitespace == true { text.removeLast() }
        return String(text)
    }
}
