import Foundation
import SwafkacatCore
import Synchronization
import Testing

/// `-P`, `-C` and `-G` against kcat 1.7.1 (librdkafka 2.16) on the test bed's brokers: the same data
/// and flags give the same stdout and exit status. Each tool produces and each tool consumes what the
/// other produced. What depends on librdkafka internals and is left out:
/// - timestamps (`%T`, `"ts"`) are the producer's clock: they are compared only where both tools read
///   the same records; across producers the formats leave them out;
/// - `-J`'s `"broker"` is the partition leader's id for both (equal on Tansu's single broker and on
///   the mock, where the leader is the same whichever tool asks);
/// - stderr: librdkafka logs its own lines; only `% ERROR:` lines and statuses are compared;
/// - `-G`: which member gets which partition, and so the order of lines across partitions, is the
///   group's: lines are compared sorted.
/// Topics are fresh per run (Tansu and the mock create them on first produce, 4 partitions on Tansu);
/// everything is produced to partition 0 unless a test says otherwise, so offsets are comparable.
@Suite("kcat parity: produce and consume", .serialized, .enabled(if: TestBed.hasParityBed))
struct ProduceConsumeParityTests {
    static let runID = String(UInt32.random(in: 0...UInt32.max), radix: 36)

    enum Tool: String, CaseIterable, CustomStringConvertible {
        case kcat, swafkacat
        var description: String { rawValue }
    }

    func run(_ tool: Tool, _ arguments: [String], input: [UInt8]? = nil) throws -> ProcessResult {
        let path = tool == .kcat ? try #require(TestBed.kcat) : BuiltProducts.swafkacat
        return try runProcess(path, arguments, input: input)
    }

    static func bootstrap(_ broker: String) throws -> String {
        try #require(TestBed.liveBrokers.first { $0.name == broker }?.bootstrap)
    }

    static func topic(_ name: String, _ broker: String) -> String { "cat-\(runID)-\(name)-\(broker)" }

    /// Keys, empty and absent keys and values, bytes that need escaping in JSON, a value with a tab.
    static let keyedInput = Array("k1:v1\nk2:\n:v3\nplain\nk5:tab\there \"q\" \\ é\nk6:x:y\n".utf8)

    /// Both tools consume with `arguments`: stdout and status must be equal; returns kcat's result.
    @discardableResult
    func expectSameConsumption(_ arguments: [String], sorted: Bool = false, _ comment: String = "") throws -> ProcessResult {
        // Both at once (they only read).
        let results = Mutex<[Tool: Result<ProcessResult, any Error>]>([:])
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            let tool: Tool = index == 0 ? .kcat : .swafkacat
            let result = Result { try run(tool, arguments) }
            results.withLock { $0[tool] = result }
        }
        let theirs = try results.withLock { $0[.kcat] }!.get()
        let ours = try results.withLock { $0[.swafkacat] }!.get()
        if sorted {
            #expect(Set(ours.stdoutText.split(separator: "\n")) == Set(theirs.stdoutText.split(separator: "\n")),
                    "\(comment) \(arguments)\nswafkacat:\n\(ours.stdoutText)\nkcat:\n\(theirs.stdoutText)\nstderr: \(ours.stderr)")
        } else {
            #expect(ours.stdoutText == theirs.stdoutText,
                    "\(comment) \(arguments)\nswafkacat:\n\(ours.stdoutText)\nkcat:\n\(theirs.stdoutText)\nstderr: \(ours.stderr)")
        }
        #expect(ours.status == theirs.status, "\(comment) \(arguments): \(ours.stderr)")
        return theirs
    }

    /// Every producer × consumer pairing, with and without compression: what either tool produced
    /// reads the same with either tool, token by token (`-f` with every token, `-J`, `-K`, `-Z`).
    @Test(arguments: TestBed.liveBrokers.map(\.name))
    func producersAndConsumersAgree(broker: String) throws {
        let bootstrap = try Self.bootstrap(broker)
        let formats: [[String]] = [
            ["-f", "%t|%p|%o|%k|%K|%s|%S|%h|\\x41\\t%%\\n"],
            ["-J"],
            ["-K", "=>"],
            ["-Z", "-f", "[%k][%s]%R\\n"],
            ["-D", "\\x1e", "-K", "\\t"],
            ["-s", ">bB", "-f", "%k %s\\n"],
        ]
        var produced: [Tool: String] = [:]
        // Every codec on Tansu; two on the mock (the same client code either way, kept short).
        for codec in broker == "tansu" ? ["none", "gzip", "snappy", "lz4", "zstd"] : ["none", "lz4"] {
            for producer in Tool.allCases {
                let topic = Self.topic("codec-\(codec)-\(producer)", broker)
                let result = try run(producer, ["-b", bootstrap, "-P", "-t", topic, "-p", "0", "-z", codec, "-K", ":", "-Z",
                                                "-H", "h1=v1", "-H", "h2", "-H", "h1=again"], input: Self.keyedInput)
                #expect(result.status == 0, "\(producer) -z \(codec): \(result.stderr)")
                #expect(result.stdout.isEmpty)
                let base = ["-b", bootstrap, "-C", "-t", topic, "-p", "0", "-e", "-q"]
                // Both tools read the same records: every token, timestamps included.
                try expectSameConsumption(base + ["-f", "%o %T %k %s %h\\n"], "\(producer) -z \(codec)")
                if codec == "none" {
                    for format in formats { try expectSameConsumption(base + format, "\(producer) -z \(codec)") }
                }
                // Across producers, everything but the producer's clock.
                let listing = try run(.swafkacat, base + formats[0]).stdoutText
                if let other = produced[producer == .kcat ? .swafkacat : .kcat] {
                    #expect(listing.replacingOccurrences(of: topic, with: "T") == other, "\(codec): kcat and swafkacat produced differently")
                }
                produced[producer] = listing.replacingOccurrences(of: topic, with: "T")
            }
            produced = [:]
        }
    }

    /// `-o` in every form, `-c`, `-e` over all partitions, `e@`/`s@` on timestamps set through `-P -J`.
    @Test(arguments: TestBed.liveBrokers.map(\.name))
    func offsetsAndStops(broker: String) throws {
        let bootstrap = try Self.bootstrap(broker)
        let topic = Self.topic("offsets", broker)
        // Ten records with timestamps 1000, 2000, ... on partition 0, written with swafkacat's -P -J.
        let lines = (1...10).map { #"{"partition":0,"tstype":"create","ts":\#($0 * 1000),"key":"k\#($0)","payload":"v\#($0)"}"# }
        let produced = try run(.swafkacat, ["-b", bootstrap, "-P", "-J", "-t", topic], input: Array((lines.joined(separator: "\n") + "\n").utf8))
        try #require(produced.status == 0, "\(produced.stderr)")
        let base = ["-b", bootstrap, "-C", "-t", topic, "-e", "-f", "%p %o %T %k %s\\n"]
        // (An absolute -o over every partition would leave kcat waiting forever on the empty ones: it
        // resets an out-of-range offset to the end and never reports their end. Those run with -p 0.)
        for extra in [["-o", "beginning"], ["-o", "end"], ["-p", "0", "-o", "3"], ["-o", "-2"], ["-o", "s@4500"], ["-o", "e@3000"],
                      ["-o", "s@2000", "-o", "e@5000"], ["-o", "s@99999"], ["-c", "4"], ["-p", "0", "-o", "8", "-c", "5"],
                      ["-p", "0", "-o", "7"], ["-p", "1"], []]
            where broker == "tansu" || [["-o", "-2"], ["-o", "e@3000"], ["-c", "4"], ["-p", "0", "-o", "3"]].contains(extra) {
            try expectSameConsumption(base + extra)
        }
        // -c without -e stops by itself too.
        try expectSameConsumption(["-b", bootstrap, "-C", "-t", topic, "-p", "0", "-c", "2", "-f", "%s\\n"])
    }

    /// Each tool's stop notices at verbosity 1 (kcat prints them as `% Reached end of topic ...`).
    @Test(.enabled(if: TestBed.liveBrokers.contains { $0.name == "tansu" }))
    func endOfPartitionNotices() throws {
        let bootstrap = try Self.bootstrap("tansu")
        let topic = Self.topic("notices", "tansu")
        _ = try run(.kcat, ["-b", bootstrap, "-P", "-t", topic, "-p", "2"], input: Array("a\nb\n".utf8))
        let arguments = ["-b", bootstrap, "-C", "-t", topic, "-e"]
        let theirs = try run(.kcat, arguments)
        let ours = try run(.swafkacat, arguments)
        #expect(ours.stdoutText == theirs.stdoutText)
        // The partitions reach their ends in the fetcher's order: the last one says ": exiting".
        let notices = { (text: String) in
            Set(text.split(separator: "\n").filter { $0.hasPrefix("% Reached") }.map { $0.replacingOccurrences(of: ": exiting", with: "") })
        }
        #expect(notices(ours.stderr) == notices(theirs.stderr), "swafkacat: \(ours.stderr)\nkcat: \(theirs.stderr)")
        #expect(notices(ours.stderr).contains("% Reached end of topic \(topic) [2] at offset 2"))
        #expect(ours.stderr.components(separatedBy: ": exiting\n").count == 2)
    }

    /// `-P` from files: one message per file, or lines of one file with `-l`; `-T` echoes input.
    @Test(.enabled(if: TestBed.liveBrokers.contains { $0.name == "tansu" }))
    func producingFromFiles() throws {
        let bootstrap = try Self.bootstrap("tansu")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("swafkacat-\(Self.runID)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let first = directory.appendingPathComponent("one.txt")
        let second = directory.appendingPathComponent("two.bin")
        try Data("line 1\nline 2\n".utf8).write(to: first)
        try Data([0, 1, 2, 10, 255]).write(to: second)
        for tool in Tool.allCases {
            let topic = Self.topic("files-\(tool)", "tansu")
            let whole = try run(tool, ["-b", bootstrap, "-P", "-t", topic, "-p", "0", "-k", "key", first.path, second.path])
            #expect(whole.status == 0, "\(tool): \(whole.stderr)")
            let lines = try run(tool, ["-b", bootstrap, "-P", "-t", topic, "-p", "0", "-l", first.path])
            #expect(lines.status == 0, "\(tool): \(lines.stderr)")
            // Both tools read back what each produced.
            try expectSameConsumption(["-b", bootstrap, "-C", "-t", topic, "-p", "0", "-e", "-f", "%o:%k:%S:%s|"], "\(tool)")
        }
        let a = try run(.swafkacat, ["-b", bootstrap, "-C", "-t", Self.topic("files-kcat", "tansu"), "-p", "0", "-e", "-f", "%k:%S:%s|"])
        let b = try run(.swafkacat, ["-b", bootstrap, "-C", "-t", Self.topic("files-swafkacat", "tansu"), "-p", "0", "-e", "-f", "%k:%S:%s|"])
        #expect(a.stdout == b.stdout)
        #expect(a.stdout == Array("key:14:line 1\nline 2\n|key:5:".utf8) + [0, 1, 2, 10, 255] + Array("|:6:line 1|:6:line 2|".utf8))
        // A missing file among others is reported and skipped; when no file could be read the run fails.
        for arguments in [[first.path, "/nonexistent/x"], ["/nonexistent/x"]] {
            let topic = Self.topic("files-missing", "tansu")
            let theirs = try run(.kcat, ["-b", bootstrap, "-P", "-t", topic] + arguments)
            let ours = try run(.swafkacat, ["-b", bootstrap, "-P", "-t", topic] + arguments)
            #expect(ours.status == theirs.status, "\(arguments): \(ours.stderr)")
            #expect(ours.stderr.contains("% Failed to open /nonexistent/x: No such file or directory"))
        }
        // -T: the input goes to stdout as it is produced (swafkacat keeps the delimiters, see SWAFKACAT.md).
        let tee = try run(.swafkacat, ["-b", bootstrap, "-P", "-t", Self.topic("tee", "tansu"), "-T"], input: Array("x\ny\n".utf8))
        #expect(tee.status == 0)
        #expect(tee.stdoutText == "x\ny\n")
    }

    /// A `-C -J` dump replayed with `-P -J` gives back the same keys, values, headers, nulls and
    /// create timestamps (beyond kcat: kcat cannot read envelopes); checked with kcat's own reading.
    @Test(.enabled(if: TestBed.liveBrokers.contains { $0.name == "tansu" }))
    func jsonDumpReplays() throws {
        let bootstrap = try Self.bootstrap("tansu")
        let source = Self.topic("replay-src", "tansu")
        let copy = Self.topic("replay-copy", "tansu")
        _ = try run(.kcat, ["-b", bootstrap, "-P", "-t", source, "-p", "0", "-K", ":", "-Z", "-H", "h=1", "-H", "n"],
                    input: Self.keyedInput)
        let dump = try run(.swafkacat, ["-b", bootstrap, "-C", "-t", source, "-p", "0", "-e", "-J", "-q"])
        try #require(dump.status == 0)
        let replayed = try run(.swafkacat, ["-b", bootstrap, "-P", "-J", "-t", copy], input: Array(dump.stdoutText.replacingOccurrences(
            of: #""topic":"\#(source)""#, with: #""topic":"\#(copy)""#).utf8))
        #expect(replayed.status == 0, "\(replayed.stderr)")
        let format = ["-e", "-q", "-p", "0", "-f", "%o %T %k|%K %s|%S %h\\n"]
        let original = try run(.kcat, ["-b", bootstrap, "-C", "-t", source] + format)
        let again = try run(.kcat, ["-b", bootstrap, "-C", "-t", copy] + format)
        #expect(original.stdoutText == again.stdoutText)
        #expect(!original.stdout.isEmpty)
        // A line that is no envelope stops the run (-E: skipped, and the status is 1).
        let bad = try run(.swafkacat, ["-b", bootstrap, "-P", "-J", "-t", copy], input: Array("{\"payload\":\"ok\"}\nnot json\n".utf8))
        #expect(bad.status == 1)
        #expect(bad.stderr.hasPrefix("% ERROR: Invalid JSON envelope on input line 2: "))
    }

    /// A balanced group with one member reads every partition (lines compared sorted: the order across
    /// partitions is the fetcher's), commits on the way out, and a second run of the group, subscribed
    /// with `^regex`, gets the same partitions and reads nothing.
    /// (On the mock too, without the second run.)
    @Test(arguments: TestBed.liveBrokers.map(\.name))
    func groupWithOneMember(broker: String) throws {
        let bootstrap = try Self.bootstrap(broker)
        let topic = Self.topic("group", broker)
        let produced = try run(.kcat, ["-b", bootstrap, "-P", "-t", topic, "-K", ":"],
                               input: Array((0..<40).map { "key\($0):value\($0)\n" }.joined().utf8))
        try #require(produced.status == 0)
        var outputs: [Tool: ProcessResult] = [:]
        for tool in Tool.allCases {
            let arguments = ["-b", bootstrap, "-G", "cat-\(Self.runID)-\(tool)", topic, "-e", "-X", "auto.offset.reset=earliest",
                             "-X", "session.timeout.ms=6000", "-f", "%t %p %o %k %s\\n"]
            let result = try run(tool, arguments)
            #expect(result.status == 0, "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("rebalanced (memberid "), "\(tool): \(result.stderr)")
            #expect(result.stderr.contains("assigned: \(topic) [0], \(topic) [1], \(topic) [2], \(topic) [3]"), "\(tool): \(result.stderr)")
            outputs[tool] = result
            // Committed on close: the same group starts at the end and prints nothing more.
            guard broker == "tansu" else { continue }
            // Subscribed by a regular expression this time: the same partitions, nothing left to read.
            var byPattern = arguments
            byPattern[byPattern.firstIndex(of: topic)!] = "^\(topic.replacingOccurrences(of: "-", with: "[-]"))$"
            let again = try run(tool, byPattern)
            #expect(again.status == 0)
            #expect(again.stdout.isEmpty, "\(tool) read again: \(again.stdoutText)")
            #expect(again.stderr.contains("assigned: \(topic) [0], \(topic) [1], \(topic) [2], \(topic) [3]"), "\(tool): \(again.stderr)")
        }
        let ours = Set(outputs[.swafkacat]?.stdoutText.split(separator: "\n") ?? [])
        let theirs = Set(outputs[.kcat]?.stdoutText.split(separator: "\n") ?? [])
        #expect(ours.count == 40)
        #expect(ours == theirs)
    }

    /// Error paths: the `% ERROR:` line and the status are kcat's.
    @Test(.enabled(if: TestBed.liveBrokers.contains { $0.name == "tansu" }))
    func errorPaths() throws {
        let bootstrap = try Self.bootstrap("tansu")
        let topic = Self.topic("errors", "tansu")
        _ = try run(.kcat, ["-b", bootstrap, "-P", "-t", topic, "-p", "0"], input: Array("a\n".utf8))
        let cases: [([String], [UInt8]?)] = [
            (["-b", bootstrap, "-C", "-t", "cat-\(Self.runID)-missing", "-e"], nil),
            (["-b", bootstrap, "-C", "-t", topic, "-p", "9", "-e"], nil),
            (["-b", "127.0.0.1:1", "-C", "-t", topic, "-e", "-m", "1"], nil),
            (["-b", "127.0.0.1:1", "-P", "-t", topic, "-m", "1"], Array("x\n".utf8)),
            (["-b", "127.0.0.1:1", "-G", "cat-\(Self.runID)", topic, "-m", "1"], nil),
            (["-b", bootstrap, "-C", "-t", topic, "-f", "%Q"], nil),
            // A partition the topic lacks: every delivery fails, the run goes on, the status is 1.
            (["-b", bootstrap, "-P", "-t", topic, "-p", "9"], Array("a\nb\n".utf8)),
            (["-b", bootstrap, "-C", "-t", topic, "-o", "bogus"], nil),
        ]
        for (arguments, input) in cases {
            let ours = try run(.swafkacat, arguments, input: input)
            if arguments.contains("bogus") {
                // kcat reads `-o bogus` as offset 0 and consumes: swafkacat refuses it (see SWAFKACAT.md).
                #expect(ours.status == 1 && ours.stderr.hasPrefix("% ERROR: Invalid offset \"bogus\""))
                continue
            }
            let theirs = try run(.kcat, arguments, input: input)
            #expect(ours.status == theirs.status, "\(arguments): \(ours.stderr)")
            #expect(ours.stdout == theirs.stdout, "\(arguments)")
            // librdkafka counts the brokers down as its threads get to it (`0/1`, `1/1`, and `1/2` once a
            // learned broker joins the bootstrap one): the counts are left out.
            let line = { (text: String) in
                ParityTests.errorLine(text)?.replacingOccurrences(of: #"(\d+/)?\d+ brokers"#, with: "N brokers", options: .regularExpression)
            }
            #expect(line(ours.stderr) == line(theirs.stderr), "\(arguments)\nswafkacat: \(ours.stderr)\nkcat: \(theirs.stderr)")
            let failedDeliveries = { (text: String) in text.split(separator: "\n").filter { $0.hasPrefix("% Delivery failed") } }
            #expect(failedDeliveries(ours.stderr) == failedDeliveries(theirs.stderr), "\(arguments)")
        }
        // A bad -X value: kcat's style and status; the wording is librdkafka's per property type
        // (`Invalid value for configuration property "x"`), swafkacat's names the value and why.
        for setting in ["fetch.wait.max.ms=bogus", "compression.codec=bogus", "enable.auto.commit=maybe"] {
            let arguments = ["-b", bootstrap, "-C", "-t", topic, "-X", setting]
            let theirs = try run(.kcat, arguments)
            let ours = try run(.swafkacat, arguments)
            #expect(ours.status == 1 && theirs.status == 1)
            #expect(ours.stdout.isEmpty && theirs.stdout.isEmpty)
            #expect(ours.stderr.hasPrefix("% ERROR: Invalid value \"\(setting.split(separator: "=")[1])\" for configuration property"), "\(ours.stderr)")
        }
    }

    /// SIGINT and SIGTERM stop a consumer that would run forever: what it printed is flushed and the
    /// status is 0, as with kcat; a producer stopped while its input is still open delivers what it read.
    @Test(.enabled(if: TestBed.liveBrokers.contains { $0.name == "tansu" }))
    func signalsStopCleanly() throws {
        let bootstrap = try Self.bootstrap("tansu")
        let topic = Self.topic("signals", "tansu")
        _ = try run(.kcat, ["-b", bootstrap, "-P", "-t", topic, "-p", "0"], input: Array("1\n2\n3\n".utf8))
        for tool in Tool.allCases {
            for signal in [SIGINT, SIGTERM] {
                let result = try runUntilOutput(tool, ["-b", bootstrap, "-C", "-t", topic, "-p", "0", "-u"],
                                                expecting: "1\n2\n3\n", signal: signal)
                #expect(result.stdoutText == "1\n2\n3\n", "\(tool) signal \(signal)")
                #expect(result.status == 0, "\(tool) signal \(signal): \(result.stderr)")
            }
        }
        // A producer stopped mid-input: what it read is delivered, the status is 0. (kcat 1.7.1 loses
        // here: its reader waits for a full buffer, so the line is still unread at the signal, and
        // producing it afterwards fails with `% ERROR: Program terminated while producing message of
        // 4 bytes`, status 1.)
        let copy = Self.topic("signals-produced", "tansu")
        let result = try runProducerAndStop(.swafkacat, ["-b", bootstrap, "-P", "-t", copy, "-p", "0"], lines: "first\nsecond\n")
        #expect(result.status == 0, "\(result.stderr)")
        let read = try run(.kcat, ["-b", bootstrap, "-C", "-t", copy, "-p", "0", "-e", "-q"])
        #expect(read.stdoutText == "first\nsecond\n")
    }

    /// Runs a consumer until its stdout is `expecting`, then sends `signal`.
    func runUntilOutput(_ tool: Tool, _ arguments: [String], expecting: String, signal: Int32) throws -> ProcessResult {
        let child = try SpawnedProcess(tool == .kcat ? try #require(TestBed.kcat) : BuiltProducts.swafkacat, arguments,
                                       withInput: false)
        var collected = Data()
        while collected.count < expecting.utf8.count {
            let chunk = child.output.availableData
            if chunk.isEmpty { break }
            collected += chunk
        }
        child.signal(signal)
        collected += child.output.readDataToEndOfFile()
        let errors = child.errors.readDataToEndOfFile()
        let status = child.wait()
        return ProcessResult(stdout: [UInt8](collected), stderr: String(decoding: errors, as: UTF8.self), status: status)
    }

    /// Runs a producer whose stdin stays open after `lines`, then sends SIGINT once the lines are in
    /// (and ends the input half a second later).
    func runProducerAndStop(_ tool: Tool, _ arguments: [String], lines: String) throws -> ProcessResult {
        let child = try SpawnedProcess(tool == .kcat ? try #require(TestBed.kcat) : BuiltProducts.swafkacat, arguments,
                                       withInput: true)
        child.input?.write(Data(lines.utf8))
        // The line must have been read and handed to the producer before the signal.
        Thread.sleep(forTimeInterval: 1.5)
        child.signal(SIGINT)
        // kcat notices the signal only when its read returns (glibc restarts the read): end the input
        // a moment later. swafkacat has stopped reading by then.
        Thread.sleep(forTimeInterval: 0.5)
        try? child.input?.close()
        _ = child.output.readDataToEndOfFile()
        let errors = child.errors.readDataToEndOfFile()
        let status = child.wait()
        return ProcessResult(stdout: [], stderr: String(decoding: errors, as: UTF8.self), status: status)
    }
}
