/// The `debug` setting: which parts of the client log at debug level, as librdkafka's `debug`
/// property and kcat's `-d` name them.
///
/// This client uses `protocol` (one line per request and response), `broker` (connections),
/// `metadata` (refreshes and cache changes) and `admin` (admin operations). The other librdkafka
/// context names are accepted so a kcat command line works unchanged, and do nothing yet.
public struct DebugContexts: OptionSet, Sendable, Hashable, CustomStringConvertible {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Request and response lines: API, version, correlation id, broker, size, latency, error codes.
    public static let `protocol` = DebugContexts(rawValue: 1 << 0)
    /// Connects, disconnects, reconnect backoff.
    public static let broker = DebugContexts(rawValue: 1 << 1)
    /// Metadata refreshes and what changed.
    public static let metadata = DebugContexts(rawValue: 1 << 2)
    /// Admin operations.
    public static let admin = DebugContexts(rawValue: 1 << 3)
    /// Consumer group membership: coordinator, joins, syncs, heartbeats, rebalances, commits.
    public static let cgrp = DebugContexts(rawValue: 1 << 8)
    /// Fetch planning, sessions and responses.
    public static let fetch = DebugContexts(rawValue: 1 << 9)
    /// The consumer's lifecycle, assignments and positions.
    public static let consumer = DebugContexts(rawValue: 1 << 10)

    /// Every name librdkafka accepts, in its order, with the bit it maps to (0 for contexts without one yet).
    static let table: [(name: String, bits: UInt32)] = [
        ("generic", 0), ("broker", DebugContexts.broker.rawValue), ("topic", 0),
        ("metadata", DebugContexts.metadata.rawValue), ("feature", 0), ("queue", 0), ("msg", 0),
        ("protocol", DebugContexts.protocol.rawValue), ("cgrp", DebugContexts.cgrp.rawValue), ("security", 0),
        ("fetch", DebugContexts.fetch.rawValue), ("interceptor", 0), ("plugin", 0), ("consumer", DebugContexts.consumer.rawValue), ("admin", DebugContexts.admin.rawValue), ("eos", 0),
        ("mock", 0), ("assignor", 0), ("conf", 0), ("telemetry", 0), ("all", UInt32.max),
    ]

    /// The accepted context names.
    public static var names: [String] { table.map(\.name) }

    /// Every context.
    public static let all = DebugContexts(rawValue: UInt32.max)

    /// Parses a comma-separated list of context names (empty for none).
    public init(parsing text: String) throws(ConfigurationValueError) {
        var bits: UInt32 = 0
        for part in text.split(separator: ",") {
            let name = String(part).trimmingSpaces.lowercased()
            if name.isEmpty { continue }
            guard let entry = Self.table.first(where: { $0.name == name }) else {
                throw ConfigurationValueError("unknown debug context \"\(name)\" (known: \(Self.names.joined(separator: ", ")))")
            }
            bits |= entry.bits
        }
        self.init(rawValue: bits)
    }

    /// The contexts this client uses, comma-separated (`all` when every bit is set).
    public var description: String {
        if self == .all { return "all" }
        return [("protocol", DebugContexts.protocol), ("broker", .broker), ("metadata", .metadata), ("admin", .admin),
         ("cgrp", .cgrp), ("fetch", .fetch), ("consumer", .consumer)]
            .filter { contains($0.1) }.map(\.0).joined(separator: ",")
    }
}
