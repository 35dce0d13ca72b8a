/// The `-d` debug contexts (librdkafka's `debug` property) and what each turns on in swafkacat.
///
/// Every librdkafka name is accepted so that a kcat command line works unchanged. The ones with
/// swafkacat traces: `protocol` (one line per request and response: API, version, correlation id,
/// broker, size), `broker` (connects, disconnects, failures), `metadata` (what each Metadata answer
/// said), `admin` (admin operations), the consumer's `fetch` (fetch requests and positions) and
/// `cgrp` (group membership); `msg` (produced batches and delivery reports) has no producer traces
/// yet. `all` turns on all of them; the other names are accepted and print nothing.
public struct DebugContext: OptionSet, Sendable, Hashable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    /// Request and response lines.
    public static let `protocol` = DebugContext(rawValue: 1 << 0)
    /// Connection events.
    public static let broker = DebugContext(rawValue: 1 << 1)
    /// Metadata answers.
    public static let metadata = DebugContext(rawValue: 1 << 2)
    /// Admin operations.
    public static let admin = DebugContext(rawValue: 1 << 3)
    /// Producer batches and delivery reports.
    public static let msg = DebugContext(rawValue: 1 << 4)
    /// Fetches and positions.
    public static let fetch = DebugContext(rawValue: 1 << 5)
    /// Group membership.
    public static let cgrp = DebugContext(rawValue: 1 << 6)
    /// Every context.
    public static let all = DebugContext(rawValue: UInt32.max)

    /// librdkafka's names, in its order, with what they map to here.
    static let table: [(name: String, context: DebugContext)] = [
        ("generic", []), ("broker", .broker), ("topic", []), ("metadata", .metadata), ("feature", []),
        ("queue", []), ("msg", .msg), ("protocol", .protocol), ("cgrp", .cgrp), ("security", []), ("fetch", .fetch),
        ("interceptor", []), ("plugin", []), ("consumer", [.cgrp, .fetch]), ("admin", .admin), ("eos", []),
        ("mock", []), ("assignor", []), ("conf", []), ("telemetry", []), ("all", .all),
    ]

    /// Every accepted name.
    public static var names: [String] { table.map(\.name) }

    /// The first name in a comma-separated list that is not a context, or nil when all are.
    public static func firstUnknown(in list: String) -> String? {
        list.split(separator: ",").map { $0.trimmingCharacters(in: " ") }
            .first { !$0.isEmpty && !names.contains($0) }
    }

    /// The contexts a comma-separated list turns on (unknown names are ignored: check them first).
    public init(parsing list: String) {
        var contexts: DebugContext = []
        for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: " ") }) {
            if let entry = Self.table.first(where: { $0.name == name }) { contexts.formUnion(entry.context) }
        }
        self = contexts
    }
}
