import KafkaTransport
import KafkaWire

/// The settings of a `KafkaConsumer`: the cluster connection (`client`) and how to fetch, join a
/// group and commit.
///
/// Names are Kafka's and librdkafka's (`group.id`, `fetch.max.wait.ms`, `queued.max.messages.kbytes`),
/// so a kcat or Karafka user's `-X name=value` works: build one from a property map with
/// `try KafkaConsumerConfiguration(properties: [...])`, or set the typed properties. Every client
/// setting (`bootstrap.servers`, `client.id`, `debug`...) is accepted too. An invalid value
/// throws `.invalidConfiguration` naming the setting, when parsed and again when the consumer is
/// created (`validate()`).
public struct KafkaConsumerConfiguration: Sendable, Equatable {
    /// The cluster connection settings.
    public var client: ClientConfiguration

    /// `group.id`: the consumer group. Required to subscribe and to commit; a consumer with only
    /// manually assigned partitions that never commits may leave it nil.
    public var groupID: String?
    /// `group.instance.id`: static membership (KIP-345), or nil.
    public var groupInstanceID: String?
    /// `session.timeout.ms`: the coordinator removes a member it has not heard from for this long.
    public var sessionTimeout: Duration = .seconds(45)
    /// `heartbeat.interval.ms`: the time between heartbeats.
    public var heartbeatInterval: Duration = .seconds(3)
    /// `max.poll.interval.ms`: the longest the application may go without asking for messages
    /// before the member leaves the group so others can take its partitions.
    public var maxPollInterval: Duration = .seconds(300)
    /// `rebalance.timeout.ms`: how long the coordinator waits for every member to rejoin; nil
    /// means `max.poll.interval.ms`, as in the Java client.
    public var rebalanceTimeout: Duration?
    /// `partition.assignment.strategy`: assignor names in order of preference (`range`,
    /// `roundrobin`, `cooperative-sticky`). The default is the Java client's.
    public var assignmentStrategies: [String] = ["range", "cooperative-sticky"]
    /// `auto.offset.reset`: where to start without a committed offset, or after the position fell
    /// out of range.
    public var autoOffsetReset: OffsetResetPolicy = .latest
    /// `enable.auto.commit`: commit what was marked as processed, in the background every
    /// `autoCommitInterval` and/or after `autoCommitThreshold` marks, and on revocation and close.
    public var enableAutoCommit = true
    /// `auto.commit.interval.ms` (Karafka's `offset_commit_interval`, in seconds there): nil turns
    /// the time trigger off.
    public var autoCommitInterval: Duration? = .seconds(5)
    /// `offset.commit.threshold` (Karafka's `offset_commit_threshold`): commit after this many
    /// marks; nil turns the count trigger off.
    public var autoCommitThreshold: Int?
    /// `enable.auto.offset.store`: mark every message handed to the application as processed once
    /// the application asks for the next one (and everything handed out when it closes). Off, the
    /// application marks with `markAsProcessed` (Karafka's `mark_as_consumed`).
    public var enableAutoOffsetStore = true
    /// `fetch.min.bytes`.
    public var fetchMinBytes: Int = 1
    /// `fetch.max.wait.ms` (librdkafka: `fetch.wait.max.ms`).
    public var fetchMaxWait: Duration = .milliseconds(500)
    /// `max.partition.fetch.bytes` (librdkafka: `fetch.message.max.bytes`).
    public var maxPartitionFetchBytes: Int = 1_048_576
    /// `fetch.max.bytes`.
    public var fetchMaxBytes: Int = 52_428_800
    /// `queued.max.messages.kbytes`: the most fetched bytes held before the application reads
    /// them, in KiB. No fetch is sent while the buffers hold this much, and none for a partition
    /// that alone holds this much: a slow reader bounds memory (plus one fetch response, which
    /// a broker may send larger than asked).
    public var queuedMaxMessagesKBytes: Int = 65_536
    /// `isolation.level`.
    public var isolationLevel: IsolationLevel = .readUncommitted
    /// `enable.partition.eof`: an `.endOfPartition` event each time the application reaches the
    /// end of a partition.
    public var enablePartitionEOF = false
    /// `check.crcs`: verify every batch's CRC-32C. Off by default, as in librdkafka (TCP and the
    /// broker already checked them); the Java client turns it on.
    public var checkCRCs = false
    /// `fetch.error.backoff.ms`: how long a partition whose fetch failed waits before the next.
    public var fetchErrorBackoff: Duration = .milliseconds(500)
    /// `client.rack`: sent in fetches (follower fetching) and subscriptions (rack-aware assignors).
    public var clientRack: String = ""

    /// A configuration for the cluster at `bootstrapServers`, everything else at its default.
    public init(bootstrapServers: [BrokerAddress], groupID: String? = nil) {
        client = ClientConfiguration(bootstrapServers: bootstrapServers)
        self.groupID = groupID
    }

    /// A configuration with `client` for the cluster settings.
    public init(client: ClientConfiguration, groupID: String? = nil) {
        self.client = client
        self.groupID = groupID
    }

    // MARK: What the core pieces need

    /// The assignors `assignmentStrategies` names.
    public var assignors: [any ConsumerPartitionAssignor] {
        assignmentStrategies.compactMap(Self.assignor(named:))
    }

    static func assignor(named name: String) -> (any ConsumerPartitionAssignor)? {
        switch name {
        case "range": RangeAssignor()
        case "roundrobin": RoundRobinAssignor()
        case "cooperative-sticky": CooperativeStickyAssignor()
        default: nil
        }
    }

    /// The membership settings (nil without a group id).
    var membership: GroupMembershipConfiguration? {
        guard let groupID else { return nil }
        var membership = GroupMembershipConfiguration(groupID: groupID, groupInstanceID: groupInstanceID)
        membership.sessionTimeout = sessionTimeout
        membership.heartbeatInterval = heartbeatInterval
        membership.maxPollInterval = maxPollInterval
        membership.rebalanceTimeoutOverride = rebalanceTimeout
        membership.retryBackoff = client.retryBackoff
        membership.assignors = assignors
        membership.rackID = clientRack.isEmpty ? nil : clientRack
        return membership
    }

    /// The fetch settings.
    /// Whether to open fetch sessions (KIP-227) with brokers that offer them; tests turn this off
    /// to compare with full fetches (no property: brokers without sessions are detected anyway).
    var useFetchSessions = true

    var fetch: FetchConfiguration {
        var fetch = FetchConfiguration()
        fetch.useFetchSessions = useFetchSessions
        fetch.minBytes = Int32(clamping: fetchMinBytes)
        fetch.maxWait = fetchMaxWait
        fetch.maxPartitionBytes = Int32(clamping: maxPartitionFetchBytes)
        fetch.maxBytes = Int32(clamping: fetchMaxBytes)
        fetch.isolationLevel = isolationLevel
        let bound = queuedMaxMessagesKBytes * 1024
        fetch.maxBufferedBytes = bound
        fetch.maxBufferedBytesPerPartition = bound
        fetch.rackID = clientRack
        return fetch
    }

    /// The buffer bound in bytes.
    public var maxBufferedBytes: Int { queuedMaxMessagesKBytes * 1024 }

    public static func == (lhs: KafkaConsumerConfiguration, rhs: KafkaConsumerConfiguration) -> Bool {
        Self.properties.allSatisfy { $0.value(in: lhs) == $0.value(in: rhs) }
    }
}

extension KafkaConsumerConfiguration: PropertyConfigurable {
    /// Every setting at its default, with no bootstrap servers (which `validate()` then requires).
    public static var propertyDefaults: KafkaConsumerConfiguration {
        KafkaConsumerConfiguration(client: ClientConfiguration.propertyDefaults)
    }

    /// Checks every setting, the client's included, and how they relate.
    public func validate() throws(KafkaClientError) {
        try client.validate()
        func fail(_ setting: String, _ reason: String) -> KafkaClientError { .invalidConfiguration(setting: setting, reason: reason) }
        func check(_ name: String, _ value: Duration?, _ range: ClosedRange<Int64>) throws(KafkaClientError) {
            guard let value else { return }
            let ms = value.wholeMilliseconds
            if value < .zero || !range.contains(max(ms, value > .zero ? 1 : 0)) {
                throw fail(name, "\(value) is out of range (expected \(range.lowerBound)-\(range.upperBound) ms)")
            }
        }
        if let groupID, groupID.isEmpty { throw fail("group.id", "must not be empty (leave it unset for no group)") }
        if let groupInstanceID, groupInstanceID.isEmpty { throw fail("group.instance.id", "must not be empty") }
        if groupInstanceID != nil && groupID == nil { throw fail("group.instance.id", "needs group.id") }
        try check("session.timeout.ms", sessionTimeout, 1...3_600_000)
        try check("heartbeat.interval.ms", heartbeatInterval, 1...3_600_000)
        try check("max.poll.interval.ms", maxPollInterval, 1...86_400_000)
        try check("rebalance.timeout.ms", rebalanceTimeout, 1...86_400_000)
        try check("auto.commit.interval.ms", autoCommitInterval, 1...86_400_000)
        try check("fetch.max.wait.ms", fetchMaxWait, 0...300_000)
        try check("fetch.error.backoff.ms", fetchErrorBackoff, 0...300_000)
        if heartbeatInterval >= sessionTimeout {
            throw fail("heartbeat.interval.ms", "\(heartbeatInterval) must be below session.timeout.ms (\(sessionTimeout))")
        }
        if assignmentStrategies.isEmpty { throw fail("partition.assignment.strategy", "at least one assignor is required") }
        for name in assignmentStrategies where Self.assignor(named: name) == nil {
            throw fail("partition.assignment.strategy", "unknown assignor \"\(name)\" (known: range, roundrobin, cooperative-sticky)")
        }
        if let threshold = autoCommitThreshold, threshold < 1 {
            throw fail("offset.commit.threshold", "\(threshold) is out of range (expected 1-2147483647, or 0 for off)")
        }
        if !(1...100_000_000).contains(fetchMinBytes) { throw fail("fetch.min.bytes", "\(fetchMinBytes) is out of range (expected 1-100000000)") }
        if !(1...1_000_000_000).contains(maxPartitionFetchBytes) {
            throw fail("max.partition.fetch.bytes", "\(maxPartitionFetchBytes) is out of range (expected 1-1000000000)")
        }
        if !(0...2_147_483_135).contains(fetchMaxBytes) { throw fail("fetch.max.bytes", "\(fetchMaxBytes) is out of range (expected 0-2147483135)") }
        if !(1...2_097_151).contains(queuedMaxMessagesKBytes) {
            throw fail("queued.max.messages.kbytes", "\(queuedMaxMessagesKBytes) is out of range (expected 1-2097151)")
        }
    }

    /// Every consumer setting, then every client setting, in `-X list` order.
    public static let properties: [ConfigurationProperty<KafkaConsumerConfiguration>] =
        consumerProperties + ClientConfiguration.properties.map { $0.lifted(\.client) }

    static let consumerProperties: [ConfigurationProperty<KafkaConsumerConfiguration>] = [
        .optionalString("group.id", \.groupID,
                        documentation: "The consumer group: needed to subscribe and to commit offsets."),
        .optionalString("group.instance.id", \.groupInstanceID,
                        documentation: "Static membership (KIP-345): a member that restarts within session.timeout.ms gets its partitions back without a rebalance."),
        .milliseconds("session.timeout.ms", \.sessionTimeout, range: 1...3_600_000,
                      documentation: "The coordinator removes a member it has not heard from for this long."),
        .milliseconds("heartbeat.interval.ms", \.heartbeatInterval, range: 1...3_600_000,
                      documentation: "Time between heartbeats to the group coordinator; below session.timeout.ms."),
        .milliseconds("max.poll.interval.ms", \.maxPollInterval, range: 1...86_400_000,
                      documentation: "The longest the application may go without asking for messages; past it the member leaves the group (its partitions are lost) and rejoins on the next read."),
        .optionalMilliseconds("rebalance.timeout.ms", \.rebalanceTimeout, range: 1...86_400_000, disabledValues: [0, -1],
                              documentation: "How long the coordinator waits for members to rejoin during a rebalance; unset means max.poll.interval.ms."),
        ConfigurationProperty(
            "partition.assignment.strategy",
            documentation: "Comma-separated assignors in order of preference: range, roundrobin, cooperative-sticky. Members of one group must share one.",
            parse: { configuration, text throws(ConfigurationValueError) in
                let names = text.split(separator: ",").map { String($0).trimmingSpaces.lowercased() }.filter { !$0.isEmpty }
                guard !names.isEmpty else { throw ConfigurationValueError("at least one assignor is required") }
                for name in names where KafkaConsumerConfiguration.assignor(named: name) == nil {
                    throw ConfigurationValueError("unknown assignor \"\(name)\" (known: range, roundrobin, cooperative-sticky)")
                }
                configuration.assignmentStrategies = names
            },
            render: { $0.assignmentStrategies.joined(separator: ",") }),
        ConfigurationProperty(
            "auto.offset.reset",
            documentation: "Where to start without a committed offset or when the position is out of range: earliest (smallest, beginning), latest (largest, end), or none (error: report to the application).",
            parse: { configuration, text throws(ConfigurationValueError) in
                switch text.trimmingSpaces.lowercased() {
                case "earliest", "smallest", "beginning": configuration.autoOffsetReset = .earliest
                case "latest", "largest", "end": configuration.autoOffsetReset = .latest
                case "none", "error": configuration.autoOffsetReset = .none
                default: throw ConfigurationValueError("\"\(text)\" is not earliest, latest or none")
                }
            },
            render: { configuration in
                switch configuration.autoOffsetReset {
                case .earliest: "earliest"
                case .latest: "latest"
                case .none: "none"
                }
            }),
        .boolean("enable.auto.commit", \.enableAutoCommit,
                 documentation: "Commit what was marked as processed automatically (auto.commit.interval.ms, offset.commit.threshold), and when partitions are revoked and the consumer closes."),
        .optionalMilliseconds("auto.commit.interval.ms", \.autoCommitInterval, range: 1...86_400_000, disabledValues: [0],
                              documentation: "How often to commit automatically."),
        ConfigurationProperty(
            "offset_commit_interval",
            documentation: "Karafka's name for auto.commit.interval.ms, in seconds (0 disables the time trigger).",
            parse: { configuration, text throws(ConfigurationValueError) in
                let seconds = try parseInteger(text, range: 0...86_400, unit: "seconds")
                configuration.autoCommitInterval = seconds == 0 ? nil : .seconds(seconds)
            },
            render: { $0.autoCommitInterval.map { String($0.wholeMilliseconds / 1000) } ?? "0" }),
        ConfigurationProperty(
            "offset.commit.threshold", aliases: ["offset_commit_threshold"],
            documentation: "Commit automatically once this many messages were marked as processed since the last commit (Karafka's offset_commit_threshold). Range 0-2147483647; 0 disables.",
            parse: { configuration, text throws(ConfigurationValueError) in
                let count = try parseInteger(text, range: 0...Int64(Int32.max), unit: nil)
                configuration.autoCommitThreshold = count == 0 ? nil : Int(count)
            },
            render: { $0.autoCommitThreshold.map(String.init) ?? "0" }),
        .boolean("enable.auto.offset.store", \.enableAutoOffsetStore,
                 documentation: "Mark each message handed to the application as processed once the application asks for the next one (and all handed out when it closes). Off: mark with markAsProcessed."),
        .integer("fetch.min.bytes", \.fetchMinBytes, range: 1...100_000_000,
                 documentation: "The broker answers a fetch once it has this many bytes (or fetch.max.wait.ms passed)."),
        .milliseconds("fetch.max.wait.ms", aliases: ["fetch.wait.max.ms"], \.fetchMaxWait, range: 0...300_000,
                      documentation: "The longest the broker holds a fetch waiting for fetch.min.bytes."),
        .integer("max.partition.fetch.bytes", aliases: ["fetch.message.max.bytes"], \.maxPartitionFetchBytes, range: 1...1_000_000_000,
                 documentation: "The most bytes a fetch asks for per partition (a larger first batch still comes whole)."),
        .integer("fetch.max.bytes", \.fetchMaxBytes, range: 0...2_147_483_135,
                 documentation: "The most bytes a fetch asks for in all."),
        .integer("queued.max.messages.kbytes", \.queuedMaxMessagesKBytes, range: 1...2_097_151,
                 documentation: "The most fetched data (KiB) held for the application before it reads it: no fetch is sent while the buffers hold this much."),
        ConfigurationProperty(
            "isolation.level",
            documentation: "read_uncommitted (every record) or read_committed (only committed transactions; aborted ones and transaction markers are skipped).",
            parse: { configuration, text throws(ConfigurationValueError) in
                switch text.trimmingSpaces.lowercased() {
                case "read_uncommitted": configuration.isolationLevel = .readUncommitted
                case "read_committed": configuration.isolationLevel = .readCommitted
                default: throw ConfigurationValueError("\"\(text)\" is not read_uncommitted or read_committed")
                }
            },
            render: { $0.isolationLevel == .readCommitted ? "read_committed" : "read_uncommitted" }),
        .boolean("enable.partition.eof", \.enablePartitionEOF,
                 documentation: "Emit an end-of-partition event each time the application reaches the end of a partition."),
        .boolean("check.crcs", \.checkCRCs,
                 documentation: "Verify the CRC-32C of every fetched batch (off by default, as in librdkafka)."),
        .milliseconds("fetch.error.backoff.ms", \.fetchErrorBackoff, range: 0...300_000,
                      documentation: "How long a partition waits before it is fetched again after an error."),
        .string("client.rack", \.clientRack,
                documentation: "The consumer's rack: sent in fetches (fetch from the closest replica, KIP-392) and in the group subscription."),
    ]
}

extension ConfigurationProperty {
    /// A string setting where an empty value means unset (nil).
    fileprivate static func optionalString(
        _ name: String, aliases: [String] = [], _ keyPath: any WritableKeyPath<Configuration, String?> & Sendable,
        documentation: String
    ) -> Self {
        Self(name, aliases: aliases, documentation: documentation + " Empty: unset.",
             parse: { configuration, text throws(ConfigurationValueError) in
                 configuration[keyPath: keyPath] = text.isEmpty ? nil : text
             },
             render: { $0[keyPath: keyPath] ?? "" })
    }
}
