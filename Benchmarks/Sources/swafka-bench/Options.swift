/// The command line shared with `peer/rdkafka_bench.c`: the same modes, flags and defaults, so the
/// runner invokes both programs with identical arguments.
///
///     swafka-bench produce --brokers B --topic T --messages N --size S [--acks 1] [--linger-ms 5]
///                  [--compression none|gzip|snappy|lz4|zstd] [--partitions P] [--partitioner roundrobin|client]
///                  [--timeout SECONDS] [-X key=value ...]
///     swafka-bench consume --brokers B --topic T --messages N [--partitions P] [--timeout SECONDS] [-X key=value ...]
///     swafka-bench payload --size S --index I   (message I's payload on stdout, for the runner's parity check)
///     swafka-bench framework --brokers B --topic T --messages N [--repetitions R] [-X key=value ...]
///                  (the Swafka server against the raw consumer on the same topic: issue 7's overhead)
///
/// `create-topic` is the peer's job only (the runner creates every topic with librdkafka's admin API).
struct Options: Sendable {
    enum Mode: String, Sendable {
        case produce
        case consume
        /// Print one payload and exit: the runner compares it with the peer's.
        case payload
        /// The framework's overhead: the raw consumer and the Swafka server on the same topic, alternating.
        case framework
    }

    enum Partitioner: String, Sendable {
        /// Message i goes to partition i % P, explicitly: both clients fill partitions alike.
        case roundrobin
        /// The client's own partitioner (both: sticky for null keys).
        case client
    }

    var mode: Mode
    var brokers = ""
    var topic = ""
    var messages = 0
    /// payload: which message's payload to print.
    var index = 0
    var size = 100
    var acks = "1"
    var lingerMs = "5"
    var compression = "none"
    /// The expected partition count; 0 means whatever the topic has.
    var partitions = 0
    var partitioner = Partitioner.roundrobin
    /// produce: the bound on the final flush; consume: the longest wait without a new message.
    var timeoutSeconds = 60
    /// framework: how many raw/framework pairs to run.
    var repetitions = 3
    /// Extra client properties, librdkafka's names (`-X key=value`), in order.
    var extra: [(key: String, value: String)] = []

    struct UsageError: Error, CustomStringConvertible {
        var description: String
    }

    static let usage = """
        usage: swafka-bench produce|consume|payload|framework --brokers B --topic T --messages N [--size S] [--acks A]
               [--linger-ms MS] [--compression C] [--partitions P] [--partitioner roundrobin|client]
               [--timeout SECONDS] [--index I] [-X key=value ...]
        """

    init(arguments: [String]) throws(UsageError) {
        guard let first = arguments.first, let mode = Mode(rawValue: first) else {
            throw UsageError(description: Self.usage)
        }
        self.mode = mode
        var cursor = 1
        while cursor < arguments.count {
            let flag = arguments[cursor]
            guard cursor + 1 < arguments.count else { throw UsageError(description: "\(flag) needs a value") }
            let value = arguments[cursor + 1]
            cursor += 2
            switch flag {
            case "--brokers": brokers = value
            case "--topic": topic = value
            case "--messages": messages = try Self.count(flag, value)
            case "--index": index = try Self.count(flag, value)
            case "--size": size = try Self.count(flag, value)
            case "--acks": acks = value
            case "--linger-ms": lingerMs = value
            case "--compression": compression = value
            case "--partitions": partitions = try Self.count(flag, value)
            case "--partitioner":
                guard let parsed = Partitioner(rawValue: value) else {
                    throw UsageError(description: "--partitioner: roundrobin or client, not \(value)")
                }
                partitioner = parsed
            case "--timeout": timeoutSeconds = try Self.count(flag, value)
            case "--repetitions": repetitions = try Self.count(flag, value)
            case "-X":
                guard let equals = value.firstIndex(of: "=") else {
                    throw UsageError(description: "-X wants key=value, not \(value)")
                }
                extra.append((String(value[..<equals]), String(value[value.index(after: equals)...])))
            default:
                throw UsageError(description: "unknown argument \(flag)")
            }
        }
        guard size >= Payload.minimumSize else {
            throw UsageError(description: "--size must be at least \(Payload.minimumSize) (the payload's fixed part)")
        }
        if mode == .payload { return }
        guard !brokers.isEmpty, !topic.isEmpty else { throw UsageError(description: Self.usage) }
        guard messages > 0 else { throw UsageError(description: "\(mode.rawValue) needs --messages") }
    }

    private static func count(_ flag: String, _ text: String) throws(UsageError) -> Int {
        guard let value = Int(text), value >= 0 else { throw UsageError(description: "\(flag): not a count: \(text)") }
        return value
    }
}
