import Foundation
import SwafkacatCore
import Testing

/// `-h` and `--help` against the checked-in snapshot (Snapshots/help.txt). A change to the help text
/// must update the snapshot in the same commit: regenerate it with
/// `swafkacat -h | sed '1s|^Usage: [^ ]*|Usage: swafkacat|' > Tests/SwafkacatTests/Snapshots/help.txt`.
@Suite("help snapshot")
struct HelpSnapshotTests {
    static var snapshot: String {
        get throws {
            let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Snapshots/help.txt")
            return try String(contentsOf: url, encoding: .utf8)
        }
    }

    @Test func helpTextMatchesTheSnapshot() throws {
        #expect(Usage.help(program: "swafkacat") == (try Self.snapshot))
    }

    @Test(arguments: [["-h"], ["--help"], ["-h", "-V"], ["kcat", "-h"]])
    func binaryPrintsTheSnapshot(arguments: [String]) throws {
        let result = try runProcess(BuiltProducts.swafkacat, arguments)
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        // The usage line names argv[0] as typed, as kcat's does; the snapshot has it as "swafkacat".
        let text = result.stdoutText.replacingOccurrences(of: "Usage: \(BuiltProducts.swafkacat) ", with: "Usage: swafkacat ")
        #expect(text == (try Self.snapshot))
    }

    @Test func versionAndUsageErrors() throws {
        let version = try runProcess(BuiltProducts.swafkacat, ["-V"])
        #expect(version.status == 0)
        #expect(version.stdoutText == Usage.banner)
        #expect(version.stdoutText.contains("Version \(Usage.version) "))
        let missing = try runProcess(BuiltProducts.swafkacat, ["-L"])
        #expect(missing.status == 1)
        #expect(missing.stdout.isEmpty)
        #expect(missing.stderr.hasPrefix("Error: -b <broker,..> missing\n\nUsage: "))
    }

    /// -C, -P and -G reach for the brokers: an unreachable one ends the run with kcat's error and status
    /// (ProduceConsumeParityTests compares the lines with kcat's).
    @Test func modesWithUnreachableBrokersExit1() throws {
        for (arguments, message) in [(["-C", "-b", "127.0.0.1:1", "-t", "t", "-m", "1"], "% ERROR: Failed to query metadata for topic t: "),
                                     (["-P", "-b", "127.0.0.1:1", "-t", "t", "-m", "1"], "% ERROR: Local: All broker connections are down"),
                                     (["-G", "g", "-b", "127.0.0.1:1", "t", "-m", "1"], "% ERROR: Local: All broker connections are down")] {
            let result = try runProcess(BuiltProducts.swafkacat, arguments, timeout: .seconds(20))
            #expect(result.status == 1)
            #expect(result.stdout.isEmpty)
            #expect(result.stderr.contains(message), "\(arguments): \(result.stderr)")
        }
    }
}
