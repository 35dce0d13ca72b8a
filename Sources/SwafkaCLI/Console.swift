import KafkaClient
import KafkaWire
import Swafka
import Synchronization

/// One console line, parsed (pure: tested without a broker).
public enum ConsoleInput: Sendable, Hashable {
    /// `help`: the commands.
    case help
    /// `topics`: every topic the app consumes, responds to, queues jobs on or dead-letters to.
    case topics
    /// `routes`: as the `routes` command prints them.
    case routes
    /// `flow`: as the `flow` command prints it.
    case flow
    /// `produce [-k KEY] TOPIC VALUE`: one message, the rest of the line as its value.
    case produce(topic: String, key: String?, value: String)
    /// `peek TOPIC [N]`: the last N messages (default 5) of every partition.
    case peek(topic: String, count: Int)
    /// `quit` or `exit` (or the end of input).
    case quit
    /// A blank line or a `#` comment.
    case nothing

    /// What the console prints for `help`.
    public static let helpText = """
        Console commands:
          produce [-k KEY] TOPIC VALUE   produce VALUE (the rest of the line, verbatim) to TOPIC
          peek TOPIC [N]                 print the last N messages (default 5) of each partition of TOPIC
          topics                         the app's topics: consumed, responded to, jobs, dead letters
          routes | flow                  as the commands of the same names
          help                           this list
          quit | exit                    leave (so does the end of input)
        """

    /// Parses one line; throws `ConsoleError.invalid` saying what is wrong.
    public init(parsing line: String) throws(ConsoleError) {
        let trimmed = line.drop(while: { $0 == " " || $0 == "\t" })
        if trimmed.isEmpty || trimmed.hasPrefix("#") {
            self = .nothing
            return
        }
        var rest = Substring(trimmed)
        let command = Self.word(&rest)
        switch command {
        case "help", "?": self = .help
        case "topics": self = .topics
        case "routes": self = .routes
        case "flow": self = .flow
        case "quit", "exit": self = .quit
        case "produce":
            var key: String?
            var topic = Self.word(&rest)
            if topic == "-k" || topic == "--key" {
                key = Self.word(&rest)
                if key?.isEmpty ?? true { throw .invalid("produce: -k needs a key") }
                topic = Self.word(&rest)
            }
            if topic.isEmpty { throw .invalid("produce: which topic? (produce [-k KEY] TOPIC VALUE)") }
            if let why = Topics.problem(with: topic) { throw .invalid("produce: topic \"\(topic)\" \(why)") }
            let value = String(rest.drop(while: { $0 == " " || $0 == "\t" }))
            if value.isEmpty { throw .invalid("produce: no value (produce [-k KEY] TOPIC VALUE)") }
            self = .produce(topic: topic, key: key, value: value)
        case "peek":
            let topic = Self.word(&rest)
            if topic.isEmpty { throw .invalid("peek: which topic? (peek TOPIC [N])") }
            if let why = Topics.problem(with: topic) { throw .invalid("peek: topic \"\(topic)\" \(why)") }
            let countText = Self.word(&rest)
            var count = 5
            if !countText.isEmpty {
                guard let parsed = Int(countText), (1...10_000).contains(parsed) else {
                    throw .invalid("peek: \"\(countText)\" is not a count from 1 to 10000")
                }
                count = parsed
            }
            if !Self.word(&rest).isEmpty { throw .invalid("peek: too many arguments (peek TOPIC [N])") }
            self = .peek(topic: topic, count: count)
        default:
            throw .invalid("unknown command \"\(command)\" (try help)")
        }
    }

    /// Takes the next space-separated word off `rest`.
    private static func word(_ rest: inout Substring) -> String {
        rest = rest.drop(while: { $0 == " " || $0 == "\t" })
        let end = rest.firstIndex(where: { $0 == " " || $0 == "\t" }) ?? rest.endIndex
        defer { rest = rest[end...] }
        return String(rest[..<end])
    }
}

/// A console line that cannot be run.
public enum ConsoleError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The line does not parse: why.
    case invalid(String)
    /// Lines of `console -e` failed (each was reported as it failed).
    case linesFailed(Int)
    /// `peek` did not reach the end of every partition in time.
    case peekTimedOut(topic: String, Duration)

    public var description: String {
        switch self {
        case let .invalid(why): why
        case let .linesFailed(count): "\(count) console command\(count == 1 ? "" : "s") failed"
        case let .peekTimedOut(topic, limit): "peek \(topic): the end of every partition was not reached within \(limit)"
        }
    }
}

/// The console of an app: a `KafkaProducer` for `produce`, a short-lived `KafkaConsumer` (no
/// group, manual assignment) for each `peek`.
public struct ConsoleSession: Sendable {
    /// The booted app.
    public let app: BootedApp
    /// Extra client properties (the boot file's `client.` settings).
    public let clientProperties: [String: String]
    /// Where results go.
    public let output: CLIOutput
    /// How long a `peek` waits for the end of every partition.
    public var peekLimit: Duration = .seconds(15)

    /// A console for `app`.
    public init(app: BootedApp, clientProperties: [String: String] = [:], output: CLIOutput) {
        self.app = app
        self.clientProperties = clientProperties
        self.output = output
    }

    /// Every topic of the app, sorted: consumed, responded to, jobs topics, the dead-letter topic.
    public var topics: [String] {
        var topics = Set(app.routes.routes.map(\.topic))
        for route in app.routes.routes {
            topics.formUnion(route.responder?.topics.map(\.name) ?? [])
            if let worker = route.worker as? KafkaQueueWorker { topics.insert(worker.jobsTopic) }
        }
        topics.insert("\(Topics.underscore(app.configuration.name))_dead_letters")
        return topics.sorted()
    }

    var properties: [String: String] {
        var properties = ["bootstrap.servers": app.configuration.kafkaHosts.joined(separator: ","),
                          "client.id": "\(app.configuration.name)-console"]
        for (key, value) in clientProperties { properties[key] = value }
        return properties
    }

    /// Reads lines with `prompt` until `quit` or the end of input; a failing line is reported and
    /// the prompt goes on.
    public func interact(prompt: String, readLine: @Sendable () -> String?) async throws {
        output.out("\(ConsoleInput.helpText)\n")
        try await withProducer { producer in
            while true {
                output.out(prompt)
                guard let line = readLine() else {
                    output.out("\n")
                    return
                }
                if try await !execute(line, producer: producer) { return }
            }
        }
    }

    /// Runs `lines` in order (`console -e ...`); a failing line is reported, the rest still run,
    /// and `ConsoleError.linesFailed` is thrown at the end so the exit status shows it.
    public func run(lines: [String]) async throws {
        var failures = 0
        try await withProducer { producer in
            for line in lines {
                do {
                    if try await !execute(line, producer: producer, reportingErrors: false) { return }
                } catch {
                    output.err("error: \(error)\n")
                    failures += 1
                }
            }
        }
        if failures > 0 { throw ConsoleError.linesFailed(failures) }
    }

    private func withProducer(_ body: (KafkaProducer) async throws -> Void) async throws {
        let configuration = try KafkaProducerConfiguration(properties: properties)
        try await withKafkaProducer(configuration: configuration) { producer in try await body(producer) }
    }

    /// Runs one line; false for `quit`.
    private func execute(_ line: String, producer: KafkaProducer, reportingErrors: Bool = true) async throws -> Bool {
        do {
            let input = try ConsoleInput(parsing: line)
            switch input {
            case .nothing: break
            case .quit: return false
            case .help: output.out("\(ConsoleInput.helpText)\n")
            case .topics: output.out(topics.joined(separator: "\n") + "\n")
            case .routes: output.out(AppInfo.routes(app))
            case .flow: output.out(AppInfo.flow(app))
            case let .produce(topic, key, value):
                let delivered = try await producer.produceSync(ProducerMessage(
                    topic: topic, value: ByteSlice(value), key: key.map { ByteSlice($0) }))
                output.out("produced to \(delivered)\n")
            case let .peek(topic, count):
                let messages = try await peek(topic: topic, count: count)
                for message in messages { output.out(Self.describe(message) + "\n") }
                output.out("(\(messages.count) message\(messages.count == 1 ? "" : "s"))\n")
            }
        } catch {
            guard reportingErrors else { throw error }
            output.err("error: \(error)\n")
        }
        return true
    }

    /// The last `count` messages of each partition of `topic`, by partition then offset.
    public func peek(topic: String, count: Int) async throws -> [KafkaConsumerMessage] {
        var properties = properties
        properties["enable.partition.eof"] = "true"
        let configuration = try KafkaConsumerConfiguration(properties: properties)
        let limit = peekLimit
        let messages = try await withKafkaConsumer(configuration: configuration) { consumer in
            let partitionCount = try await consumer.partitionCount(of: topic)
            let partitions = (0..<partitionCount).map { TopicPartition(topic, Int32($0)) }
            try consumer.assign(partitions, from: .fromEnd(Int64(count)))
            let collected = Collected()
            let reachedEnd = try await withThrowingTaskGroup(of: Bool.self) { group in
                group.addTask {
                    for try await message in consumer.messages { collected.messages.withLock { $0.append(message) } }
                    return false
                }
                group.addTask {
                    // Each end is reported once the messages before it were handed out (and so collected).
                    var pending = Set(partitions)
                    for await event in consumer.events {
                        if case let .endOfPartition(tp, _) = event {
                            pending.remove(tp)
                            if pending.isEmpty { return true }
                        }
                    }
                    return false
                }
                group.addTask {
                    try await Task.sleep(for: limit)
                    return false
                }
                let first = try await group.next() ?? false
                // Closing ends both sequences; the sleep is cancelled.
                await consumer.close()
                group.cancelAll()
                while (try? await group.next()) != nil {}
                return first
            }
            guard reachedEnd else { throw ConsoleError.peekTimedOut(topic: topic, limit) }
            return collected.messages.withLock { $0 }
        }
        return messages.sorted { ($0.partition, $0.offset) < ($1.partition, $1.offset) }
    }

    /// `topic[partition]@offset key=K: value`, the value as UTF-8 when it is, else as hex.
    public static func describe(_ message: KafkaConsumerMessage) -> String {
        var text = "\(message.topic)[\(message.partition)]@\(message.offset)"
        if let key = message.key { text += " key=\(printable(key))" }
        text += ": " + (message.value.map(printable) ?? "(null)")
        return text
    }

    static func printable(_ bytes: ByteSlice) -> String {
        if let text = bytes.utf8String, !text.unicodeScalars.contains(where: { $0.value < 0x20 && $0 != "\t" }) {
            return text
        }
        return "0x" + bytes.array.map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }
}

/// What a peek's reading task collects, shared with the task that returns it.
private final class Collected: Sendable {
    let messages = Mutex<[KafkaConsumerMessage]>([])
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
