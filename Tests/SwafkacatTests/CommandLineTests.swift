import SwafkacatCore
import Testing

/// The command line as kcat 1.7.1 reads it: messages and exit statuses were checked against the real
/// binary (`kcat ...; echo $?`), except where a test names a deliberate difference.
@Suite("command line")
struct CommandLineTests {
    static let files: [String: String] = [
        "/cfg/good.conf": "# comment\n\n  client.id=from-file  \nbootstrap.servers=h1:9092\n",
        "/cfg/bad-name.conf": "  bootstrap.servers = h:1  \n",
        "/cfg/no-equals.conf": "client.id=x\nfoo\n",
        "/home/u/.config/kcat.conf": "client.id=from-kcat-conf\n",
    ]

    func environment(stdinIsTerminal: Bool = true, variables: [String: String] = [:]) -> CommandLineEnvironment {
        CommandLineEnvironment(programName: "swafkacat", variables: variables, stdinIsTerminal: stdinIsTerminal) { path in
            if let text = Self.files[path] { return .success(text) }
            return .failure(.init("No such file or directory"))
        }
    }

    func run(_ arguments: [String], environment: CommandLineEnvironment? = nil) -> Invocation? {
        if case let .run(invocation, _) = CommandLine.interpret(arguments, environment: environment ?? self.environment()) {
            return invocation
        }
        return nil
    }

    func termination(_ arguments: [String], environment: CommandLineEnvironment? = nil) -> Termination? {
        if case let .exit(termination) = CommandLine.interpret(arguments, environment: environment ?? self.environment()) {
            return termination
        }
        return nil
    }

    func fatal(_ message: String) -> Termination { Termination(stderr: "% ERROR: \(message)\n", status: 1) }

    func usageError(_ reason: String) -> Termination {
        Termination(stderr: "Error: \(reason)\n\n" + Usage.help(program: "swafkacat"), status: 1)
    }

    @Test func metadataModeWithCombinedFlags() throws {
        let invocation = try #require(run(["-Lqb", "127.0.0.1:9092", "-t", "orders", "-m", "3", "-J"]))
        #expect(invocation.mode == .metadata)
        #expect(invocation.topic == "orders")
        #expect(invocation.verbosity == 0)
        #expect(invocation.metadataTimeoutSeconds == 3)
        #expect(invocation.settings.value("bootstrap.servers") == "127.0.0.1:9092")
    }

    @Test func dockerStyleProgramNameIsDropped() throws {
        #expect(run(["kcat", "-L", "-b", "h"])?.mode == .metadata)
        #expect(run(["swafkacat", "-L", "-b", "h"])?.mode == .metadata)
    }

    @Test func consumerOptions() throws {
        let invocation = try #require(run(["-C", "-b", "h", "-t", "t", "-p", "2", "-o", "-10", "-o", "e@1700000000000", "-e", "-E",
                                           "-c", "5", "-Z", "-u", "-K", "\\t"]))
        #expect(invocation.mode == .consume)
        #expect(invocation.partition == 2)
        #expect(invocation.startOffset == .fromEnd(10))
        #expect(invocation.stopTimestamp == 1_700_000_000_000)
        #expect(invocation.exitAtEnd && !invocation.exitOnError && invocation.unbuffered && invocation.nullForEmpty)
        #expect(invocation.messageCount == 5)
        #expect(invocation.keyDelimiter == [0x09])
        let formatter = try #require(invocation.formatter)
        #expect(formatter.style == .format(try .default(delimiter: [0x0A], keyDelimiter: [0x09], printOffset: false)))
        #expect(formatter.nullString == Array("NULL".utf8))
    }

    @Test func producerOptions() throws {
        let invocation = try #require(run(["-P", "-b", "h", "-t", "t", "-p", "-1", "-k", "key", "-H", "a=1", "-H", "b", "-H", "c=",
                                           "-z", "lz4", "-l", "-T", "file"]))
        #expect(invocation.mode == .produce)
        #expect(invocation.partition == -1)
        #expect(invocation.fixedKey == Array("key".utf8))
        #expect(invocation.headers == [.init(name: "a", value: Array("1".utf8)), .init(name: "b", value: nil), .init(name: "c", value: [])])
        #expect(invocation.settings.value("compression.codec") == "lz4")
        #expect(invocation.lineMode && invocation.tee)
        #expect(invocation.operands == ["file"])
    }

    @Test func groupModeTakesTopicsAsOperands() throws {
        let invocation = try #require(run(["-b", "h", "-G", "my-group", "t1", "^t.*"]))
        #expect(invocation.mode == .group)
        #expect(invocation.groupID == "my-group")
        #expect(invocation.operands == ["t1", "^t.*"])
    }

    @Test func queryModeParsesTopicPartitionTimestampAfterQ() throws {
        let invocation = try #require(run(["-b", "h", "-Q", "-t", "t:0:1700000000000", "-t", "t:1:-1"]))
        #expect(invocation.queries == [TimestampQuery(topic: "t", partition: 0, timestamp: 1_700_000_000_000),
                                       TimestampQuery(topic: "t", partition: 1, timestamp: -1)])
        // Before -Q, -t is a plain topic, so kcat then misses the query list.
        #expect(termination(["-b", "x", "-t", "foo:1:2", "-Q"]) == usageError("-t <topic>:<partition>:<offset_or_timestamp> missing"))
        for bad in ["foo", "foo:1", "foo:a:1"] {
            #expect(termination(["-b", "x", "-Q", "-t", bad]) == fatal("-t: expected \"topic:partition:offset_or_timestamp\""))
        }
        #expect(termination(["-b", "x", "-Q"]) == usageError("-t <topic>:<partition>:<offset_or_timestamp> missing"))
    }

    @Test func usageErrors() {
        #expect(termination(["-L"]) == usageError("-b <broker,..> missing"))
        #expect(termination(["-b", "x", "-L", "-t"]) == usageError("unknown argument"))
        #expect(termination(["-b"]) == usageError("unknown argument"))
        #expect(termination(["-b", "x", "-Z", "-q", "-y"]) == usageError("unknown argument"))
        #expect(termination(["-b", "x", "-C"]) == usageError("-t <topic> missing"))
        #expect(termination(["-b", "x", "-L", "extra", "-t", "foo"])
            == usageError("file/topic list only allowed in producer(-P)/kafkaconsumer(-G) mode"))
        #expect(termination(["-b", "x", "-L", "--", "-t"])
            == usageError("file/topic list only allowed in producer(-P)/kafkaconsumer(-G) mode"))
        #expect(termination(["--frobnicate"]) == usageError("unknown argument"))
    }

    @Test func autoSelectedModeIsAnnounced() {
        // kcat: "% Auto-selecting Producer mode (use -P or -C to override)", then the missing topic.
        let outcome = termination(["-b", "x"], environment: environment(stdinIsTerminal: false))
        #expect(outcome?.stderr.hasPrefix("% Auto-selecting Producer mode (use -P or -C to override)\nError: -t <topic> missing\n") == true)
        if case let .run(invocation, notices) = CommandLine.interpret(["-b", "x", "-t", "t"], environment: environment()) {
            #expect(invocation.mode == .consume)
            #expect(notices == "% Auto-selecting Consumer mode (use -P or -C to override)\n")
        } else {
            Issue.record("expected a run")
        }
        if case let .run(_, notices) = CommandLine.interpret(["-q", "-b", "x", "-t", "t"], environment: environment()) {
            #expect(notices.isEmpty)
        }
    }

    @Test func mixingModesIsAnError() {
        // kcat 1.7.1 lets the last mode win; newer kcat refuses with this message, and so does swafkacat.
        #expect(termination(["-b", "x", "-L", "-C"]) == fatal("Do not mix modes: -C seen when -L already set"))
        #expect(termination(["-b", "x", "-G", "g", "-P"]) == fatal("Do not mix modes: -P seen when -G already set"))
        #expect(termination(["-b", "x", "-L", "--decode", "f"]) == fatal("Do not mix modes: --decode seen when -L already set"))
        #expect(run(["-b", "x", "-L", "-L"])?.mode == .metadata)
    }

    @Test func helpAndVersionEndTheRunWhereTheyAppear() {
        #expect(termination(["-h", "-V"]) == Termination(stdout: Usage.help(program: "swafkacat"), status: 0))
        #expect(termination(["-V", "-h"]) == Termination(stdout: Usage.banner, status: 0))
        #expect(termination(["--help"]) == Termination(stdout: Usage.help(program: "swafkacat"), status: 0))
        #expect(termination(["-h", "-y"])?.status == 0)
        #expect(termination(["-X", "list", "-b"])?.status == 0)
        #expect(termination(["-X", "list"])?.stdout.hasPrefix("## Global configuration properties") == true)
    }

    @Test func settingsErrors() {
        #expect(termination(["-X", "foo=bar", "-L"]) == fatal("No such configuration property: \"foo\""))
        #expect(termination(["-X", "foo", "-L"])
            == Termination(stderr: "% Expected -X property=value, not foo, use -X list to display available properties\n", status: 1))
        // Client settings are checked by the client's own property table (KafkaClient.ClientConfiguration).
        #expect(termination(["-b", "x", "-L", "-d", "foo"])?.stderr
            .hasPrefix("% ERROR: Invalid value \"foo\" for configuration property \"debug\": unknown debug context \"foo\"") == true)
        #expect(termination(["-b", "x", "-L", "-z", "bogus"])?.stderr.hasPrefix("% ERROR: Invalid value \"bogus\" for configuration property \"compression.codec\"") == true)
        #expect(termination(["-X", "request.timeout.ms=0", "-b", "x", "-L"])
            == fatal("Invalid value \"0\" for configuration property \"request.timeout.ms\": 0 is out of range (expected 1-900000 ms)"))
        #expect(termination(["-b", ",,", "-L"]) == usageError("Invalid value \",,\" for configuration property \"bootstrap.servers\": empty entry in \",,\""))
        // swafkacat's own settings (not the client's) are checked by its catalog.
        #expect(termination(["-b", "x", "-L", "-X", "acks=2"])
            == fatal("Invalid value \"2\" for configuration property \"acks\": expected one of 0, 1, -1, all"))
    }

    @Test func topicPrefixedSettings() throws {
        let invocation = try #require(run(["-b", "h", "-L", "-X", "topic.acks=1", "-X", "topic.metadata.refresh.interval.ms=1000",
                                           "-X", "compression.type=zstd"]))
        #expect(invocation.settings.value("acks") == "1")
        #expect(invocation.settings.value("metadata.max.age.ms") == "1000")
        #expect(invocation.settings.value("compression.codec") == "zstd")
    }

    @Test func dumpShowsSettingsWithSecretsRedacted() throws {
        let dump = try #require(termination(["-X", "client.id=zz", "-X", "sasl.password=hunter2", "-X", "dump", "-X", "acks=0"]))
        #expect(dump.status == 0)
        #expect(dump.stdout.hasPrefix("# Global config\nbootstrap.servers = \nclient.id = zz\n"))
        #expect(dump.stdout.contains("sasl.password = [redacted]\n"))
        #expect(!dump.stdout.contains("hunter2"))
        #expect(dump.stdout.contains("\n\n# Topic config\nacks = 0\n"))
    }

    @Test func valueChecksThatKcatDoesNotMake() {
        // kcat reads these with strtoll/atoi and silently uses 0; swafkacat refuses them in kcat's style.
        #expect(termination(["-b", "x", "-C", "-t", "t", "-o", "bogus"])
            == fatal("Invalid offset \"bogus\": expected beginning, end, stored, <value>, -<value>, s@<ms> or e@<ms>"))
        #expect(termination(["-b", "x", "-C", "-t", "t", "-p", "one"])
            == fatal("Invalid value \"one\" for -p: expected an integer in -1..2147483647"))
        #expect(termination(["-b", "x", "-C", "-t", "t", "-c", "x"])?.status == 1)
        #expect(termination(["-b", "x", "-L", "-m", "0"])?.status == 1)
    }

    @Test func kcatFatalErrors() {
        #expect(termination(["-b", "x", "-C", "-t", "t", "-s", "bogus"]) == fatal("Invalid token 'o' in key pack-format, see -s usage."))
        #expect(termination(["-b", "x", "-C", "-t", "t", "-s", "key=<ii$x"]) == fatal("Invalid token 'x' in key pack-format, see -s usage."))
        #expect(termination(["-b", "x", "-L", "-s", "i"]) == fatal("-s serdes only available in the consumer"))
        #expect(termination(["-b", "x", "-P", "-t", "t", "-D", ""]) == fatal("Message delimiter -D must not be empty when producing"))
        #expect(termination(["-b", "x", "-P", "-t", "t", "-D", "\\x00"]) == fatal("Message delimiter -D must not be empty when producing"))
        #expect(termination(["-b", "x", "-C", "-t", "t", "-f", "%y"]) == fatal("Unsupported formatter: %y"))
        #expect(termination(["-b", "x", "-C", "-t", "t", "-f", "abc%"]) == fatal("Empty formatter"))
        #expect(termination(["-b", "x", "-C", "-t", "t", "-D", "%"]) == fatal("Empty formatter"))
        #expect(termination(["-b", "x", "-C", "-t", "t", "-D", "\\xZZ"]) == fatal("Delimiter \\xZZ expects hex number"))
        #expect(termination(["-b", "x", "-H", "=x", "-P", "-t", "t"]) == fatal("Expected -H \"name=value..\" or -H \"name\""))
        #expect(termination(["-b", "x", "-G", "g", "-o", "s@1", "t"]) == fatal("-o ..@ timestamps can't be used with -G mode"))
        #expect(termination(["-b", "x", "-r", "http://sr"]) == fatal("This build of swafkacat lacks Avro/Schema-Registry support"))
        #expect(termination(["-b", "x", "-P", "-t", "t", "-l", "a", "b"]) == fatal("Only one file allowed for line mode (-l)"))
    }

    @Test func jsonTrailerComesFromTheFormatOrDelimiter() throws {
        #expect(run(["-b", "x", "-C", "-t", "t", "-J"])?.formatter?.style == .json(trailer: [0x0A]))
        #expect(run(["-b", "x", "-C", "-t", "t", "-J", "-D", "|"])?.formatter?.style == .json(trailer: Array("|".utf8)))
        #expect(run(["-b", "x", "-C", "-t", "t", "-J", "-f", "x%s"])?.formatter?.style == .json(trailer: Array("x".utf8)))
    }

    @Test func configFiles() throws {
        let fromFile = try #require(run(["-F", "/cfg/good.conf", "-L"]))
        #expect(fromFile.settings.value("client.id") == "from-file")
        #expect(fromFile.settings.value("bootstrap.servers") == "h1:9092", "a config file's bootstrap.servers stands in for -b")
        #expect(termination(["-F", "/nonexist", "-L"]) == fatal("Failed to open /nonexist: No such file or directory"))
        #expect(termination(["-F", "/cfg/bad-name.conf", "-X", "dump"])?.stderr
            == "% Reading configuration from file /cfg/bad-name.conf\n% ERROR: /cfg/bad-name.conf:1: No such configuration property: \"bootstrap.servers \"\n")
        #expect(termination(["-F", "/cfg/no-equals.conf", "-L"])?.stderr.hasSuffix("% ERROR: /cfg/no-equals.conf:2: expected property=value\n") == true)

        let fromEnvironment = try #require(run(["-L"], environment: environment(variables: ["KCAT_CONFIG": "/cfg/good.conf"])))
        #expect(fromEnvironment.settings.value("client.id") == "from-file")
        let ours = environment(variables: ["SWAFKACAT_CONFIG": "/cfg/good.conf", "KCAT_CONFIG": "/nonexist"])
        #expect(run(["-L"], environment: ours)?.settings.value("client.id") == "from-file")
        let defaultFile = try #require(run(["-b", "h", "-L"], environment: environment(variables: ["HOME": "/home/u"])))
        #expect(defaultFile.settings.value("client.id") == "from-kcat-conf")
        let noSearch = try #require(run(["-F", "none", "-b", "h", "-L"], environment: environment(variables: ["HOME": "/home/u"])))
        #expect(noSearch.settings.value("client.id") == "swafkacat")
    }

    @Test func swafkacatModes() throws {
        let decode = try #require(run(["--decode", "frames.bin", "--decode-responses", "--api", "Metadata", "--api-version", "12",
                                       "--records", "decoded", "--pretty"]))
        #expect(decode.mode == .decode(path: "frames.bin"))
        #expect(decode.decodeOptions.direction == .responses)
        #expect(decode.decodeOptions.api == "Metadata" && decode.decodeOptions.apiVersion == 12)
        #expect(decode.decodeOptions.decodeRecords && decode.decodeOptions.pretty)
        let create = try #require(run(["-b", "h", "--create-topic", "a:3", "--create-topic", "b:1:2"]))
        #expect(create.topicsToCreate == [TopicToCreate(name: "a", partitions: 3), TopicToCreate(name: "b", partitions: 1, replicationFactor: 2)])
        #expect(termination(["-b", "h", "--create-topic", "a"]) == fatal("--create-topic: expected \"name:partitions[:replication]\", not \"a\""))
        #expect(run(["-b", "h", "--delete-topic", "a", "--delete-topic", "b"])?.topicsToDelete == ["a", "b"])
        #expect(run(["-b", "h", "--describe-group", "g"])?.groupsToDescribe == ["g"])
        #expect(run(["-b", "h", "--list-groups"])?.mode == .listGroups)
    }

    @Test func debugContexts() throws {
        let invocation = try #require(run(["-b", "h", "-L", "-d", "protocol,broker,cgrp"]))
        #expect(invocation.debug == [.protocol, .broker, .cgrp])
        #expect(run(["-b", "h", "-L", "-d", "all"])?.debug == .all)
        #expect(run(["-b", "h", "-L", "-d", "queue"])?.debug == [])
    }
}

@Suite("offsets, topics to create, config files")
struct SmallParserTests {
    @Test(arguments: [
        ("beginning", .start(.beginning)), ("end", .start(.end)), ("stored", .start(.stored)), ("42", .start(.absolute(42))),
        ("-5", .start(.fromEnd(5))), ("0", .start(.absolute(0))), ("s@1700000000000", .startTimestamp(1_700_000_000_000)),
        ("e@5", .stopTimestamp(5)),
    ] as [(String, OffsetArgument)])
    func offsets(text: String, expected: OffsetArgument) throws {
        #expect(try OffsetArgument(parsing: text) == expected)
    }

    @Test(arguments: ["bogus", "", "5abc", "s@", "s@x", "e@-1", "Beginning", "1.5"])
    func badOffsets(text: String) {
        #expect(throws: OffsetArgument.ParseError(text: text)) { try OffsetArgument(parsing: text) }
    }

    @Test func topicsToCreate() {
        #expect(TopicToCreate(parsing: "t:3") == TopicToCreate(name: "t", partitions: 3))
        #expect(TopicToCreate(parsing: "t:3:1") == TopicToCreate(name: "t", partitions: 3, replicationFactor: 1))
        for bad in ["t", "t:0", ":3", "t:3:0", "t:x", "t:1:2:3"] { #expect(TopicToCreate(parsing: bad) == nil) }
    }

    @Test func configFileLines() throws {
        let text = "# comment\r\n\t \r\n  a=1  \nb = 2\nx\\:y\\=z=3\nssl.endpoint.identification.algorithm=https\n"
            + "sasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"p w\";\n"
        let parsed = try ConfigFile.parse(text)
        #expect(parsed == [
            .init(name: "a", value: "1", line: 3), .init(name: "b ", value: " 2", line: 4), .init(name: "x:y", value: "z=3", line: 5),
            .init(name: "ssl.endpoint.identification.algorithm", value: "https", line: 6),
            .init(name: "sasl.username", value: "u", line: 7), .init(name: "sasl.password", value: "p w", line: 7),
        ])
        #expect(throws: ConfigFile.ParseError(line: 2)) { try ConfigFile.parse("a=1\n=2\n") }
        #expect(throws: ConfigFile.ParseError(line: 1)) { try ConfigFile.parse("novalue\n") }
    }

    @Test func brokerLists() {
        #expect(BrokerList.parseList("a:1, b ,[::1]:9093")?.map { "\($0.host)|\($0.port)" } == ["a|1", "b|9092", "::1|9093"])
        #expect(BrokerList.parseList("") == nil)
        #expect(BrokerList.parseList("a:0") == nil)
        #expect(BrokerList.parseList("a:b:c") == nil)
    }
}
