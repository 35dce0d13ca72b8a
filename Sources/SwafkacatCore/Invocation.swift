/// What one swafkacat run does: the mode and every option, after the command line, the config files
/// and the environment have been read.
public struct Invocation: Sendable {
    /// The mode (`-P`, `-C`, `-L`, `-Q`, `-G`, or one of swafkacat's own).
    public var mode: Mode
    /// `-t`: the topic to produce to, consume from, or list.
    public var topic: String?
    /// `-Q -t topic:partition:timestamp` entries.
    public var queries: [TimestampQuery] = []
    /// `-p`: the partition; nil lets the partitioner (or every partition) decide, -1 is random.
    public var partition: Int32?
    /// `-X`, `-F`, `-z`, `-d`, `-G`, `-b`: the property map with its catalog.
    public var settings: Settings
    /// `-o`: where to start; nil is kcat's default (the beginning, for `-C`; the group's offset for `-G`).
    public var startOffset: StartOffset?
    /// `-o s@ms`.
    public var startTimestamp: Int64?
    /// `-o e@ms`.
    public var stopTimestamp: Int64?
    /// `-e`: exit when every partition reached its end.
    public var exitAtEnd = false
    /// False with `-E`: errors that are not fatal are reported and the run goes on.
    public var exitOnError = true
    /// `-J`: JSON output (messages, `-L` and `-Q`).
    public var json = false
    /// How consumed messages are printed (`-f`, `-J`, `-D`, `-K`, `-Z`, `-s`).
    public var formatter: MessageFormatter?
    /// `-D`: the message delimiter (splits input when producing).
    public var delimiter: [UInt8] = [0x0A]
    /// `-K`: the key delimiter (splits input into key and value when producing).
    public var keyDelimiter: [UInt8]?
    /// `-k`: the key of every produced message (a `-K` key takes precedence).
    public var fixedKey: [UInt8]?
    /// `-H name=value`: headers of every produced message.
    public var headers: [ConsumedMessage.Header] = []
    /// `-l`: read one file as delimited messages, like stdin.
    public var lineMode = false
    /// `-T`: echo produced input to stdout.
    public var tee = false
    /// `-Z`: empty keys and values are produced as null (and null ones print as `NULL`).
    public var nullForEmpty = false
    /// `-u`: flush stdout after every message.
    public var unbuffered = false
    /// `-O`: print offsets (see `MessageFormat.default`).
    public var printOffset = false
    /// `-c`: stop after this many messages.
    public var messageCount: Int64?
    /// `-m`: seconds to wait for metadata (and other setup requests).
    public var metadataTimeoutSeconds: Int64 = 5
    /// `-q` sets 0, each `-v` adds one; 1 by default.
    public var verbosity = 1
    /// `-d`: the debug contexts.
    public var debug: DebugContext = []
    /// Files to produce (`-P`) or topics to subscribe to (`-G`).
    public var operands: [String] = []
    /// `--decode-*` options.
    public var decodeOptions = DecodeOptions()
    /// `--create-topic` entries.
    public var topicsToCreate: [TopicToCreate] = []
    /// `--delete-topic` names.
    public var topicsToDelete: [String] = []
    /// `--describe-group` names (empty with `--list-groups`: every group).
    public var groupsToDescribe: [String] = []

    /// An invocation with defaults.
    public init(mode: Mode, settings: Settings = Settings()) {
        self.mode = mode
        self.settings = settings
    }

    /// `-G`'s group, from `group.id`.
    public var groupID: String? { settings.isSet("group.id") ? settings.value("group.id") : nil }
}

/// The run modes: kcat's five and swafkacat's own.
public enum Mode: Sendable, Equatable {
    /// `-P`.
    case produce
    /// `-C`.
    case consume
    /// `-L`.
    case metadata
    /// `-Q`.
    case query
    /// `-G group`.
    case group
    /// `--decode FILE`.
    case decode(path: String)
    /// `--create-topic` (one or more).
    case createTopics
    /// `--delete-topic` (one or more).
    case deleteTopics
    /// `--list-groups` or `--describe-group`.
    case listGroups

    /// How the mode is written on the command line, for "Do not mix modes".
    public var flag: String {
        switch self {
        case .produce: "-P"
        case .consume: "-C"
        case .metadata: "-L"
        case .query: "-Q"
        case .group: "-G"
        case .decode: "--decode"
        case .createTopics: "--create-topic"
        case .deleteTopics: "--delete-topic"
        case .listGroups: "--list-groups"
        }
    }

    /// Whether the mode talks to brokers (and so needs `-b`).
    public var needsBrokers: Bool {
        if case .decode = self { return false }
        return true
    }

    func isSameKind(as other: Mode) -> Bool { flag == other.flag }
}

/// `--decode` options.
public struct DecodeOptions: Sendable, Equatable {
    /// Which way the frames in the file travel.
    public enum Direction: String, Sendable, Equatable {
        /// Decide per frame (see `FrameDirection`).
        case auto
        /// Every frame is a request.
        case requests
        /// Every frame is a response (each needs its request earlier in the file, or `--api`).
        case responses
    }

    /// Which way the frames travel.
    public var direction: Direction = .auto
    /// `--api NAME|KEY`: the API of responses that have no request in the file.
    public var api: String?
    /// `--api-version N`: the version of those responses.
    public var apiVersion: Int16?
    /// `--records decoded`: record batches as JSON objects instead of base64.
    public var decodeRecords = false
    /// `--pretty`: indented JSON.
    public var pretty = false

    /// Defaults: auto direction, base64 records, compact JSON.
    public init() {}
}

/// A `--create-topic name:partitions[:replication]` entry.
public struct TopicToCreate: Sendable, Equatable {
    /// The topic's name.
    public var name: String
    /// The number of partitions.
    public var partitions: Int32
    /// The replication factor; nil lets the broker choose (`default.replication.factor`).
    public var replicationFactor: Int16?

    /// An entry.
    public init(name: String, partitions: Int32, replicationFactor: Int16? = nil) {
        self.name = name
        self.partitions = partitions
        self.replicationFactor = replicationFactor
    }

    /// Parses `name:partitions[:replication]`; nil when malformed.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2 || parts.count == 3, !parts[0].isEmpty,
              let partitions = Int32(parts[1]), partitions > 0 else { return nil }
        var replication: Int16?
        if parts.count == 3 {
            guard let value = Int16(parts[2]), value > 0 else { return nil }
            replication = value
        }
        self.init(name: String(parts[0]), partitions: partitions, replicationFactor: replication)
    }
}
