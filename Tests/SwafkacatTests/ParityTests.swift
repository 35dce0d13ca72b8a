import Foundation
import SwafkacatCore
import Testing

/// swafkacat against kcat 1.7.1 (the test bed's wrapper, on librdkafka 2.16) with the same flags
/// against the same brokers: stdout and exit status must be equal, except where noted:
/// - librdkafka internals: the "from broker" part of `-L`'s first line (and `-L -J`'s
///   `originating_broker`) names whichever connection librdkafka's first answer came on
///   (`-1 .../bootstrap`, or a broker id, from run to run); swafkacat names the broker that answered.
///   Those are blanked before comparing.
/// - stderr: librdkafka logs its own `%3|...|FAIL|` lines; only kcat's own `% ERROR:` line is compared.
/// - Other test targets may create topics on the same brokers while this runs, so an all-topics listing
///   is compared with kcat's listings taken just before and just after it.
@Suite("kcat parity", .serialized, .enabled(if: TestBed.hasParityBed))
struct ParityTests {
    static let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    func kcat(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(try #require(TestBed.kcat), arguments)
    }

    func swafkacat(_ arguments: [String]) throws -> ProcessResult {
        try runProcess(BuiltProducts.swafkacat, arguments)
    }

    /// The output with the librdkafka-dependent origin blanked.
    static func normalized(_ result: ProcessResult) -> ProcessResult {
        var text = result.stdoutText
        if let range = text.range(of: #"\(from broker -?\d+: [^)]*\)"#, options: .regularExpression) {
            text.replaceSubrange(range, with: "(from broker ?)")
        }
        if let range = text.range(of: #"\{"originating_broker":\{"id":-?\d+,"name":"[^"]*"\}"#, options: .regularExpression) {
            text.replaceSubrange(range, with: #"{"originating_broker":?"#)
        }
        return ProcessResult(stdout: Array(text.utf8), stderr: "", status: result.status)
    }

    /// kcat's `% ERROR:` line (the last line of stderr that has one).
    static func errorLine(_ stderr: String) -> String? {
        stderr.split(separator: "\n").last { $0.hasPrefix("% ERROR:") || $0.hasPrefix("% Expected") || $0.hasPrefix("Error:") }.map(String.init)
    }

    func expectSameListing(_ arguments: [String], comment: Comment? = nil) throws {
        let before = Self.normalized(try kcat(arguments))
        let ours = Self.normalized(try swafkacat(arguments))
        if ours != before {
            let after = Self.normalized(try kcat(arguments))
            #expect(ours == after, "swafkacat \(arguments.joined(separator: " ")):\n\(ours.stdoutText)\nkcat:\n\(after.stdoutText)")
        }
        #expect(ours.status == 0)
    }

    @Test(arguments: TestBed.liveBrokers.map(\.name))
    func metadataListings(broker: String) throws {
        let bootstrap = try #require(TestBed.liveBrokers.first { $0.name == broker }?.bootstrap)
        // kcat lists through a producer, so -L -t creates a missing topic where the broker allows it: let kcat create it.
        let topic = "parity-\(Self.runID)-\(broker)"
        _ = try kcat(["-b", bootstrap, "-L", "-t", topic])
        try expectSameListing(["-b", bootstrap, "-L"])
        try expectSameListing(["-b", bootstrap, "-L", "-J"])
        try expectSameListing(["-b", bootstrap, "-L", "-t", topic])
        try expectSameListing(["-b", bootstrap, "-L", "-J", "-t", topic])
        try expectSameListing(["-b", bootstrap, "-Lq", "-t", topic, "-m", "3"])
        try expectSameListing(["-b", bootstrap, "-v", "-L", "-X", "client.id=parity", "-t", topic])
        let missing = "parity-missing-\(Self.runID)-\(broker)"
        try expectSameListing(["-b", bootstrap, "-L", "-t", missing, "-X", "allow.auto.create.topics=false"])
        try expectSameListing(["-b", bootstrap, "-L", "-J", "-t", missing, "-X", "allow.auto.create.topics=false"])
    }

    @Test(arguments: TestBed.liveBrokers.map(\.name))
    func listingCreatesTopicsLikeKcat(broker: String) throws {
        let bootstrap = try #require(TestBed.liveBrokers.first { $0.name == broker }?.bootstrap)
        // swafkacat creates it this time; kcat then lists the same topic the same way.
        let topic = "parity-created-\(Self.runID)-\(broker)"
        let ours = try swafkacat(["-b", bootstrap, "-L", "-t", topic])
        #expect(ours.status == 0)
        #expect(ours.stdoutText.contains("topic \"\(topic)\" with"))
        try expectSameListing(["-b", bootstrap, "-L", "-t", topic])
    }

    @Test func unreachableBroker() throws {
        for arguments in [["-b", "127.0.0.1:1", "-L", "-m", "1"], ["-b", "127.0.0.1:1", "-L", "-J", "-m", "1"]] {
            let theirs = try kcat(arguments)
            let ours = try swafkacat(arguments)
            #expect(ours.status == theirs.status && ours.status == 1)
            #expect(ours.stdout == theirs.stdout)
            #expect(Self.errorLine(ours.stderr) == Self.errorLine(theirs.stderr))
        }
    }

    /// Errors both tools report before connecting: same stderr line, same status, nothing on stdout.
    @Test(arguments: [
        ["-X", "nope=1", "-b", "127.0.0.1:1", "-L"],
        ["-X", "nope", "-b", "127.0.0.1:1", "-L"],
        ["-b", "127.0.0.1:1", "-C", "-t", "t", "-f", "%y"],
        ["-b", "127.0.0.1:1", "-C", "-t", "t", "-f", "abc%"],
        ["-b", "127.0.0.1:1", "-C", "-t", "t", "-D", "%"],
        ["-b", "127.0.0.1:1", "-C", "-t", "t", "-D", "\\xZZ"],
        ["-b", "127.0.0.1:1", "-C", "-t", "t", "-s", "bogus"],
        ["-b", "127.0.0.1:1", "-C", "-t", "t", "-s", "key="],
        ["-b", "127.0.0.1:1", "-L", "-s", "i"],
        ["-b", "127.0.0.1:1", "-P", "-t", "t", "-D", ""],
        ["-b", "127.0.0.1:1", "-H", "=x", "-P", "-t", "t"],
        ["-b", "127.0.0.1:1", "-G", "g", "-o", "s@1", "t"],
        ["-b", "127.0.0.1:1", "-Q", "-t", "foo:1"],
        ["-b", "127.0.0.1:1", "-Q"],
        ["-b", "127.0.0.1:1", "-C"],
        ["-b", "127.0.0.1:1", "-L", "extra"],
        ["-b", "127.0.0.1:1", "-L", "-y"],
        ["-L"],
        ["-F", "/nonexistent/swafkacat.conf", "-L"],
    ])
    func earlyErrors(arguments: [String]) throws {
        let theirs = try kcat(arguments)
        let ours = try swafkacat(arguments)
        #expect(ours.status == theirs.status)
        #expect(ours.stdout.isEmpty && theirs.stdout.isEmpty)
        #expect(Self.errorLine(ours.stderr) == Self.errorLine(theirs.stderr), "kcat said: \(theirs.stderr.prefix(300))")
    }

    /// Where swafkacat is stricter than kcat 1.7.1: kcat reads `-o bogus` as offset 0 and `-p one` as
    /// partition 0 and goes on; swafkacat stops with kcat's error style and status.
    @Test(arguments: [["-o", "bogus"], ["-o", "s@soon"], ["-p", "one"], ["-c", "many"]])
    func stricterThanKcat(extra: [String]) throws {
        let ours = try swafkacat(["-b", "127.0.0.1:1", "-C", "-t", "t"] + extra)
        #expect(ours.status == 1)
        #expect(ours.stdout.isEmpty)
        #expect(ours.stderr.hasPrefix("% ERROR: Invalid "))
    }
}
