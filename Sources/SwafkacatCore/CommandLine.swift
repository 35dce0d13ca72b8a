/// What the command line needs from the outside world, so that interpreting it stays a pure function.
public struct CommandLineEnvironment: Sendable {
    /// Why a file could not be read (the `strerror` text).
    public struct FileError: Error, Sendable, Equatable {
        /// `No such file or directory`.
        public var message: String
        /// An error.
        public init(_ message: String) { self.message = message }
    }

    /// argv[0] as typed (usage lines print it, as kcat's do).
    public var programName: String
    /// The environment variables.
    public var variables: [String: String]
    /// Whether stdin is a terminal (kcat picks `-C` then, else `-P`).
    public var stdinIsTerminal: Bool
    /// Reads a whole text file.
    public var readFile: @Sendable (String) -> Result<String, FileError>

    /// An environment.
    public init(programName: String = "swafkacat", variables: [String: String] = [:], stdinIsTerminal: Bool = true,
                readFile: @escaping @Sendable (String) -> Result<String, FileError> = { _ in .failure(FileError("No such file or directory")) }) {
        self.programName = programName
        self.variables = variables
        self.stdinIsTerminal = stdinIsTerminal
        self.readFile = readFile
    }
}

/// The end of a run decided by the command line alone: text for stdout and stderr, and the exit status.
public struct Termination: Sendable, Equatable, Error {
    /// What goes to stdout.
    public var stdout: String
    /// What goes to stderr.
    public var stderr: String
    /// The exit status.
    public var status: Int32

    /// A termination.
    public init(stdout: String = "", stderr: String = "", status: Int32) {
        self.stdout = stdout
        self.stderr = stderr
        self.status = status
    }
}

/// The result of reading the command line.
public enum CommandLineOutcome: Sendable {
    /// Run `invocation`; `notices` (`% ...` lines) go to stderr first.
    case run(Invocation, notices: String)
    /// Print and exit without running (help, version, `-X list`, `-X dump`, usage errors, fatal errors).
    case exit(Termination)
}

/// Reads a kcat command line the way kcat does: options take effect in the order given (so
/// `-X list` or `-h` end the run wherever they appear, and `-t` means `topic:partition:ts` only
/// after `-Q`), then config files, then the checks kcat makes after its option loop, in its order.
///
/// Messages and exit codes are kcat's: `% ERROR: ...` and status 1 for fatal errors, `Error: ...`
/// followed by the usage on stderr and status 1 for usage errors. Where swafkacat is stricter than
/// kcat (numbers given to `-o`, `-p`, `-c` and `-m` must be numbers; mixing modes is refused, as
/// newer kcat versions do), the message has kcat's form.
public struct CommandLine {
    /// kcat 1.7.1's option letters (`-U`, a self-test, and `-M`, a mock cluster, are left out).
    public static let optionString = "PCG:LQt:p:b:z:o:eED:K:k:H:Od:qvF:X:c:Tuf:ZlVhs:r:Jm:"

    /// swafkacat's own long options.
    public static let longOptions: [GetoptSpec.LongOption] = [
        .init("help", takesArgument: false), .init("version", takesArgument: false),
        .init("decode", takesArgument: true), .init("decode-requests", takesArgument: false),
        .init("decode-responses", takesArgument: false), .init("api", takesArgument: true),
        .init("api-version", takesArgument: true), .init("records", takesArgument: true),
        .init("pretty", takesArgument: false),
        .init("create-topic", takesArgument: true), .init("delete-topic", takesArgument: true),
        .init("list-groups", takesArgument: false), .init("describe-group", takesArgument: true),
    ]

    /// Reads `arguments` (without argv[0]).
    public static func interpret(_ arguments: [String], environment: CommandLineEnvironment) -> CommandLineOutcome {
        var parser = CommandLine(environment: environment)
        do {
            return .run(try parser.run(arguments), notices: parser.notices)
        } catch {
            return .exit(error)
        }
    }

    let environment: CommandLineEnvironment
    var notices = ""
    var verbosity = 1
    var mode: Mode?
    var settings = Settings()
    var topic: String?
    var queries: [TimestampQuery] = []
    var partition: Int32?
    var brokers: String?
    var brokersSeen = false
    var startOffset: StartOffset?
    var startTimestamp: Int64?
    var stopTimestamp: Int64?
    var exitAtEnd = false
    var exitOnError = true
    var format: String?
    var json = false
    var deserializers = Deserializers()
    var delimiterText = "\n"
    var keyDelimiterText: String?
    var fixedKey: [UInt8]?
    var headers: [ConsumedMessage.Header] = []
    var lineMode = false
    var printOffset = false
    var messageCount: Int64?
    var metadataTimeout: Int64 = 5
    var nullForEmpty = false
    var tee = false
    var unbuffered = false
    var noConfigSearch = false
    var configFilesRead = 0
    var dumpRequested = false
    var decodeOptions = DecodeOptions()
    var topicsToCreate: [TopicToCreate] = []
    var topicsToDelete: [String] = []
    var groupsToDescribe: [String] = []

    init(environment: CommandLineEnvironment) {
        self.environment = environment
    }

    // MARK: Output helpers

    /// A `% message` line on stderr when the verbosity is at least `level` (kcat's KC_INFO).
    mutating func info(_ level: Int, _ message: String) {
        if verbosity >= level { notices += "% \(message)\n" }
    }

    func fatal(_ message: String) -> Termination {
        Termination(stderr: notices + "% ERROR: \(message)\n", status: 1)
    }

    func usage(_ reason: String) -> Termination {
        Termination(stderr: notices + "Error: \(reason)\n\n" + Usage.help(program: environment.programName), status: 1)
    }

    // MARK: The run

    mutating func run(_ rawArguments: [String]) throws(Termination) -> Invocation {
        var arguments = rawArguments
        // Docker images put the program name first; kcat drops it, and so does swafkacat.
        if let first = arguments.first, ["kcat", "kafkacat", "swafkacat"].contains(first) { arguments.removeFirst() }
        let spec = GetoptSpec(Self.optionString, longOptions: Self.longOptions,
                              permute: environment.variables["POSIXLY_CORRECT"] == nil)
        let scanned = Getopt.scan(arguments, spec: spec)
        for event in scanned.events {
            switch event {
            case let .option(character, argument): try option(character, argument ?? "")
            case let .longOption(name, argument): try longOption(name, argument ?? "")
            case .unknownOption, .missingArgument, .unexpectedArgument, .ambiguousOption:
                throw usage("unknown argument")
            }
        }
        try readConfigurationFromEnvironment()
        if dumpRequested { throw Termination(stdout: settings.dump(), stderr: notices, status: 0) }
        let chosenMode = try decideMode()
        return try finish(mode: chosenMode, operands: scanned.operands)
    }

    mutating func setMode(_ new: Mode) throws(Termination) {
        if let mode, !mode.isSameKind(as: new) {
            throw fatal("Do not mix modes: \(new.flag) seen when \(mode.flag) already set")
        }
        mode = new
    }

    mutating func set(_ name: String, _ value: String) throws(Termination) {
        do {
            try settings.set(name, to: value)
        } catch {
            throw fatal(error.description)
        }
        if name == "bootstrap.servers" || name == "metadata.broker.list" { brokersSeen = true }
    }

    func integer(_ text: String, option: Character, range: ClosedRange<Int64>) throws(Termination) -> Int64 {
        guard let value = Int64(text), range.contains(value) else {
            throw fatal("Invalid value \"\(text)\" for -\(option): expected an integer in \(range.lowerBound)..\(range.upperBound)")
        }
        return value
    }

    mutating func option(_ character: Character, _ argument: String) throws(Termination) {
        switch character {
        case "P": try setMode(.produce)
        case "C": try setMode(.consume)
        case "L": try setMode(.metadata)
        case "Q": try setMode(.query)
        case "G":
            try setMode(.group)
            try set("group.id", argument)
        case "t":
            if mode == .query {
                guard let query = TimestampQuery(parsing: argument) else {
                    throw fatal("-t: expected \"topic:partition:offset_or_timestamp\"")
                }
                queries.append(query)
            } else {
                topic = argument
            }
        case "p": partition = Int32(try integer(argument, option: "p", range: -1...Int64(Int32.max)))
        case "b":
            brokers = argument
            brokersSeen = true
        case "z": try set("compression.codec", argument)
        case "o":
            do {
                switch try OffsetArgument(parsing: argument) {
                case let .start(offset): startOffset = offset
                case let .startTimestamp(ms): startTimestamp = ms
                case let .stopTimestamp(ms): stopTimestamp = ms
                }
            } catch {
                throw fatal(error.description)
            }
        case "e": exitAtEnd = true
        case "E": exitOnError = false
        case "f": format = argument
        case "J": json = true
        case "s":
            do {
                try deserializers.apply(argument)
            } catch {
                throw fatal(error.description)
            }
        case "r": throw fatal("This build of swafkacat lacks Avro/Schema-Registry support")
        case "D": delimiterText = argument
        case "K": keyDelimiterText = argument
        case "k": fixedKey = Array(argument.utf8)
        case "H":
            guard !argument.isEmpty, !argument.hasPrefix("=") else {
                throw fatal("Expected -H \"name=value..\" or -H \"name\"")
            }
            if let equals = argument.firstIndex(of: "=") {
                headers.append(.init(name: String(argument[..<equals]),
                                     value: Array(argument[argument.index(after: equals)...].utf8)))
            } else {
                headers.append(.init(name: argument, value: nil))
            }
        case "l": lineMode = true
        case "O": printOffset = true
        case "c":
            let count = try integer(argument, option: "c", range: 0...Int64.max)
            messageCount = count == 0 ? nil : count  // kcat: 0 means no limit
        case "m": metadataTimeout = try integer(argument, option: "m", range: 1...Int64(Int32.max / 1000))
        case "Z": nullForEmpty = true
        case "d": try set("debug", argument)
        case "q": verbosity = 0
        case "v": verbosity += 1
        case "T": tee = true
        case "u": unbuffered = true
        case "F":
            noConfigSearch = true
            if argument == "-" || argument == "none" { return }
            _ = try readConfigFile(argument, fatalIfMissing: true)
            configFilesRead += 1
        case "X":
            if argument == "list" || argument == "help" {
                throw Termination(stdout: settings.listing(), stderr: notices, status: 0)
            }
            if argument == "dump" {
                dumpRequested = true
                return
            }
            guard let equals = argument.firstIndex(of: "=") else {
                throw Termination(stderr: notices + "% Expected -X property=value, not \(argument), use -X list to display available properties\n",
                                  status: 1)
            }
            try set(String(argument[..<equals]), String(argument[argument.index(after: equals)...]))
        case "V": throw Termination(stdout: Usage.banner, stderr: notices, status: 0)
        case "h": throw Termination(stdout: Usage.help(program: environment.programName), stderr: notices, status: 0)
        default: throw usage("unknown argument")
        }
    }

    mutating func longOption(_ name: String, _ argument: String) throws(Termination) {
        switch name {
        case "help": try option("h", "")
        case "version": try option("V", "")
        case "decode": try setMode(.decode(path: argument))
        case "decode-requests": decodeOptions.direction = .requests
        case "decode-responses": decodeOptions.direction = .responses
        case "api": decodeOptions.api = argument
        case "api-version":
            guard let version = Int16(argument), version >= 0 else { throw fatal("Invalid value \"\(argument)\" for --api-version") }
            decodeOptions.apiVersion = version
        case "records":
            switch argument {
            case "decoded": decodeOptions.decodeRecords = true
            case "base64": decodeOptions.decodeRecords = false
            default: throw fatal("Invalid value \"\(argument)\" for --records: expected decoded or base64")
            }
        case "pretty": decodeOptions.pretty = true
        case "create-topic":
            try setMode(.createTopics)
            guard let entry = TopicToCreate(parsing: argument) else {
                throw fatal("--create-topic: expected \"name:partitions[:replication]\", not \"\(argument)\"")
            }
            topicsToCreate.append(entry)
        case "delete-topic":
            try setMode(.deleteTopics)
            guard !argument.isEmpty else { throw fatal("--delete-topic: expected a topic name") }
            topicsToDelete.append(argument)
        case "list-groups": try setMode(.listGroups)
        case "describe-group":
            try setMode(.listGroups)
            groupsToDescribe.append(argument)
        default: throw usage("unknown argument")
        }
    }

    // MARK: Config files

    /// Reads a config file; false when it cannot be opened and that is not fatal.
    mutating func readConfigFile(_ path: String, fatalIfMissing: Bool) throws(Termination) -> Bool {
        let text: String
        switch environment.readFile(path) {
        case let .success(contents): text = contents
        case let .failure(error):
            if fatalIfMissing { throw fatal("Failed to open \(path): \(error.message)") }
            return false
        }
        info(fatalIfMissing ? 1 : 3, "Reading configuration from file \(path)")
        let entries: [ConfigFile.Entry]
        do {
            entries = try ConfigFile.parse(text)
        } catch {
            throw fatal("\(path):\(error)")
        }
        for entry in entries {
            do {
                try settings.set(entry.name, to: entry.value)
            } catch {
                throw fatal("\(path):\(entry.line): \(error)")
            }
            if entry.name == "bootstrap.servers" || entry.name == "metadata.broker.list" { brokersSeen = true }
        }
        return true
    }

    func variable(_ name: String) -> String? {
        guard let value = environment.variables[name], !value.isEmpty else { return nil }
        return value
    }

    /// `$SWAFKACAT_CONFIG`, `$KCAT_CONFIG` (or the deprecated `$KAFKACAT_CONFIG`) when no `-F` was given;
    /// then, unless a file was named, the default files.
    mutating func readConfigurationFromEnvironment() throws(Termination) {
        if configFilesRead == 0 {
            if let path = variable("SWAFKACAT_CONFIG") ?? variable("KCAT_CONFIG") {
                noConfigSearch = true
                _ = try readConfigFile(path, fatalIfMissing: true)
            } else if let path = variable("KAFKACAT_CONFIG") {
                info(1, "KAFKA_CONFIG is deprecated!")
                info(1, "Rename KAFKA_CONFIG to KCAT_CONFIG")
                noConfigSearch = true
                _ = try readConfigFile(path, fatalIfMissing: true)
            }
        }
        guard !noConfigSearch, let home = variable("HOME") else { return }
        if try readConfigFile("\(home)/.config/swafkacat.conf", fatalIfMissing: false) { return }
        if try readConfigFile("\(home)/.config/kcat.conf", fatalIfMissing: false) { return }
        if try readConfigFile("\(home)/.config/kafkacat.conf", fatalIfMissing: false) {
            info(1, "Configuration filename kafkacat.conf is deprecated!")
            info(1, "Rename \(home)/.config/kafkacat.conf to \(home)/.config/kcat.conf")
        }
    }

    // MARK: After the options

    mutating func decideMode() throws(Termination) -> Mode {
        if !brokersSeen && (mode?.needsBrokers ?? true) { throw usage("-b <broker,..> missing") }
        if let mode { return mode }
        let chosen: Mode = environment.stdinIsTerminal ? .consume : .produce
        info(1, "Auto-selecting \(chosen == .consume ? "Consumer" : "Producer") mode (use -P or -C to override)")
        return chosen
    }

    mutating func finish(mode: Mode, operands: [String]) throws(Termination) -> Invocation {
        switch mode {
        case .produce, .consume:
            if topic == nil { throw usage("-t <topic> missing") }
        case .query:
            if queries.isEmpty { throw usage("-t <topic>:<partition>:<offset_or_timestamp> missing") }
        case .group, .metadata, .decode, .createTopics, .deleteTopics, .listGroups:
            break
        }
        if let brokers {
            do {
                try settings.set("bootstrap.servers", to: brokers)
            } catch {
                throw usage(error.description)
            }
        }
        if !deserializers.isEmpty && mode != .consume && mode != .group {
            throw fatal("-s serdes only available in the consumer")
        }
        let delimiter: [UInt8]
        var keyDelimiter: [UInt8]?
        do {
            if let keyDelimiterText { keyDelimiter = try Delimiter.parse(keyDelimiterText) }
            delimiter = try Delimiter.parse(delimiterText)
        } catch {
            throw fatal(error.description)
        }
        var invocation = Invocation(mode: mode, settings: settings)
        if mode == .consume || mode == .group {
            do {
                let style: MessageFormatter.Style
                if json {
                    // kcat writes the first literal of the format (-f, else -D) after each JSON envelope.
                    style = .json(trailer: try MessageFormat.jsonTrailer(delimiter: format.map { Array($0.utf8) } ?? delimiter))
                } else if let format {
                    style = .format(try MessageFormat(parsing: format))
                } else {
                    style = .format(try MessageFormat.default(delimiter: delimiter, keyDelimiter: keyDelimiter, printOffset: printOffset))
                }
                invocation.formatter = MessageFormatter(style: style, nullString: nullForEmpty ? Array("NULL".utf8) : nil,
                                                        deserializers: deserializers)
            } catch {
                throw fatal(error.description)
            }
        } else if mode == .produce && delimiter.isEmpty {
            throw fatal("Message delimiter -D must not be empty when producing")
        }
        if !operands.isEmpty {
            if mode != .produce && mode != .group {
                throw usage("file/topic list only allowed in producer(-P)/kafkaconsumer(-G) mode")
            } else if lineMode && operands.count > 1 {
                throw fatal("Only one file allowed for line mode (-l)")
            }
        }
        if mode == .group && (startTimestamp != nil || stopTimestamp != nil) {
            throw fatal("-o ..@ timestamps can't be used with -G mode")
        }
        invocation.topic = topic
        invocation.json = json
        invocation.queries = queries
        invocation.partition = partition
        invocation.startOffset = startOffset
        invocation.startTimestamp = startTimestamp
        invocation.stopTimestamp = stopTimestamp
        invocation.exitAtEnd = exitAtEnd
        invocation.exitOnError = exitOnError
        invocation.delimiter = delimiter
        invocation.keyDelimiter = keyDelimiter
        invocation.fixedKey = fixedKey
        invocation.headers = headers
        invocation.lineMode = lineMode
        invocation.tee = tee
        invocation.nullForEmpty = nullForEmpty
        invocation.unbuffered = unbuffered
        invocation.printOffset = printOffset
        invocation.messageCount = messageCount
        invocation.metadataTimeoutSeconds = metadataTimeout
        invocation.verbosity = verbosity
        invocation.debug = DebugContext(parsing: settings.value("debug") ?? "")
        invocation.operands = operands
        invocation.decodeOptions = decodeOptions
        invocation.topicsToCreate = topicsToCreate
        invocation.topicsToDelete = topicsToDelete
        invocation.groupsToDescribe = groupsToDescribe
        return invocation
    }
}
