#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// swafka-bench: Swafka's side of the producer and consumer comparison with librdkafka (issues 4 and 5).
// Same command line and the same one JSON line as peer/rdkafka_bench.c; run-peer-comparison.sh runs both.
// See Options for the flags and SwafkaRun for what it measures.

let options: Options
do {
    options = try Options(arguments: Array(CommandLine.arguments.dropFirst()))
} catch {
    writeToStandardError("swafka-bench: \(error)\n")
    exit(2)
}
if options.mode == .payload {
    var payload = Payload(size: options.size)
    payload.setIndex(options.index)
    writeAll(payload.bytes, to: 1)
    exit(0)
}
let outcome = await SwafkaRun.run(options)
print(outcome.line)
exit(outcome.exitCode)

/// Writes to file descriptor 2 (Glibc's `stderr` is a global `var` that Swift 6 will not touch from here).
func writeToStandardError(_ text: String) {
    writeAll(Array(text.utf8), to: 2)
}

/// Writes every byte to `descriptor`, retrying short writes and EINTR; gives up on any other error.
func writeAll(_ bytes: [UInt8], to descriptor: Int32) {
    bytes.withUnsafeBufferPointer { buffer in
        guard let base = buffer.baseAddress else { return }
        var offset = 0
        while offset < buffer.count {
            let written = write(descriptor, base + offset, buffer.count - offset)
            if written < 0 && errno == EINTR { continue }
            if written <= 0 { return }
            offset += written
        }
    }
}
