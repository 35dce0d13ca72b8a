#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Wall-clock and process CPU time at one instant. CPU is getrusage(RUSAGE_SELF): every thread of
/// the process, as the peer measures it.
struct Snapshot: Sendable {
    var wall: Double
    var user: Double
    var system: Double

    static func now() -> Snapshot {
        var time = timespec()
        clock_gettime(CLOCK_MONOTONIC, &time)
        var usage = rusage()
        #if canImport(Glibc)
        getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) // Glibc imports RUSAGE_SELF as an enum case
        #else
        getrusage(RUSAGE_SELF, &usage)
        #endif
        return Snapshot(
            wall: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9,
            user: Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6,
            system: Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6)
    }
}

/// What one run measured: the fields of the JSON line both programs print.
struct Measurement: Sendable {
    var partitions: Int
    var messages: Int
    var bytes: Int
    var start: Snapshot
    var end: Snapshot
    var errors: Int
}

/// The one JSON line a run prints, field for field what `rdkafka_bench` prints.
enum ResultLine {
    static func measured(_ options: Options, clientVersion: String, _ m: Measurement) -> String {
        let user = m.end.user - m.start.user
        let system = m.end.system - m.start.system
        var fields = common(options, clientVersion: clientVersion, available: true, partitions: m.partitions)
        fields += [
            ("requested", String(options.messages)),
            ("messages", String(m.messages)),
            ("bytes", String(m.bytes)),
            ("complete", m.messages == options.messages ? "true" : "false"),
            ("wall_seconds", decimal(m.end.wall - m.start.wall)),
            ("cpu_user_seconds", decimal(user)),
            ("cpu_system_seconds", decimal(system)),
            ("cpu_seconds", decimal(user + system)),
            ("errors", String(m.errors)),
        ]
        return object(fields)
    }

    /// The record printed while Swafka has no producer or consumer to measure: no numbers at all.
    static func notAvailable(_ options: Options, reason: String) -> String {
        var fields = common(options, clientVersion: "unreleased", available: false, partitions: options.partitions)
        fields += [("requested", String(options.messages)), ("reason", string(reason))]
        return object(fields)
    }

    private static func common(_ options: Options, clientVersion: String, available: Bool,
                               partitions: Int) -> [(String, String)] {
        var fields: [(String, String)] = [
            ("client", string("swafka")),
            ("client_version", string(clientVersion)),
            ("available", available ? "true" : "false"),
            ("mode", string(options.mode.rawValue)),
            ("topic", string(options.topic)),
            ("partitions", String(partitions)),
            ("message_size", String(options.size)),
        ]
        if options.mode == .produce {
            fields += [
                ("acks", string(options.acks)),
                ("linger_ms", string(options.lingerMs)),
                ("compression", string(options.compression)),
                ("partitioner", string(options.partitioner.rawValue)),
            ]
        }
        return fields
    }

    private static func object(_ fields: [(String, String)]) -> String {
        "{" + fields.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
    }

    private static func string(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// Six decimals, as the peer's `%.6f`.
    private static func decimal(_ value: Double) -> String {
        let micros = Int((value * 1e6).rounded())
        let sign = micros < 0 ? "-" : ""
        let magnitude = abs(micros)
        let fraction = String(magnitude % 1_000_000)
        return sign + String(magnitude / 1_000_000) + "." + String(repeating: "0", count: 6 - fraction.count) + fraction
    }
}
