import KafkaClient
import KafkaWire

/// A perform waiting for a worker: the message, the params callbacks changed, and the attempt.
///
/// Everything a worker needs to rebuild the controller's params exactly: the raw payload (never
/// the parsed value, so binary payloads and parse failures survive), key, headers, timestamps and
/// the overrides set by `beforeEnqueue` callbacks.
public struct JobEnvelope: Sendable, Hashable {
    /// The route whose controller performs the job.
    public var route: String
    /// The consumed message.
    public var message: InboundMessage
    /// Params keys set by callbacks before enqueuing.
    public var overrides: [String: ParamValue]
    /// 1 for the first run, then one more per retry.
    public var attempt: Int
    /// Job headers: the worker's name, the last error, anything a worker adds.
    public var headers: [String: String]
    /// Not to be run before this time (ms since the epoch): the retry backoff.
    public var notBeforeMs: Int64?

    /// An envelope for `message` on `route`.
    public init(route: String, message: InboundMessage, overrides: [String: ParamValue] = [:], attempt: Int = 1,
                headers: [String: String] = [:], notBeforeMs: Int64? = nil) {
        self.route = route
        self.message = message
        self.overrides = overrides
        self.attempt = attempt
        self.headers = headers
        self.notBeforeMs = notBeforeMs
    }
}

/// A job as a worker queues it: the interchanger's bytes plus the facts a queue routes on.
public struct EncodedJob: Sendable, Hashable {
    /// Header names of a job message on the jobs topic.
    public enum Header {
        /// The route (so the worker knows which interchanger decodes the value).
        public static let route = "swafka-route"
        /// The attempt number.
        public static let attempt = "swafka-attempt"
        /// Milliseconds since the epoch before which the job must not run.
        public static let notBefore = "swafka-not-before"
    }

    /// The route whose controller performs it.
    public var route: String
    /// Its attempt number.
    public var attempt: Int
    /// Its retry backoff deadline.
    public var notBeforeMs: Int64?
    /// The source partition, as a key so one partition's jobs stay in order on the jobs topic.
    public var partitionKey: String
    /// The interchanger's encoding of the envelope.
    public var bytes: [UInt8]

    /// Encodes `envelope` with `interchanger`.
    public init(_ envelope: JobEnvelope, interchanger: any Interchanger) throws {
        route = envelope.route
        attempt = envelope.attempt
        notBeforeMs = envelope.notBeforeMs
        partitionKey = envelope.message.topicPartition.description
        bytes = try interchanger.encode(envelope)
    }

    /// The job carried by a message of the jobs topic.
    public init(jobMessage message: InboundMessage) throws {
        guard let route = message.header(Header.route) else { throw InterchangeError.missingHeader(Header.route) }
        self.route = route
        attempt = message.header(Header.attempt).flatMap { Int($0) } ?? 1
        notBeforeMs = message.header(Header.notBefore).flatMap { Int64($0) }
        partitionKey = message.key?.utf8String ?? ""
        bytes = message.payload?.array ?? []
    }

    /// The message that puts this job on `jobsTopic`.
    public func producerMessage(jobsTopic: String) -> ProducerMessage {
        var headers = [ProducerMessage.Header(Header.route, ByteSlice(route)),
                       ProducerMessage.Header(Header.attempt, ByteSlice(String(attempt)))]
        if let notBeforeMs { headers.append(.init(Header.notBefore, ByteSlice(String(notBeforeMs)))) }
        return ProducerMessage(topic: jobsTopic, value: ByteSlice(bytes), key: ByteSlice(partitionKey), headers: headers)
    }
}

/// Runs enqueued performs (Karafka's worker). Implementations decide where jobs wait.
public protocol Worker: Sendable {
    /// The worker's name, shown by `routes` and in job headers.
    var name: String { get }
    /// Queues `job` durably; returns once it is safe to consider the message handled.
    func enqueue(_ job: EncodedJob) async throws
    /// Queues `job`, with the running server's sink at hand (the default ignores it).
    func enqueue(_ job: EncodedJob, sink: any MessageSink) async throws
}

extension Worker {
    public func enqueue(_ job: EncodedJob, sink: any MessageSink) async throws { try await enqueue(job) }
}

/// The Kafka-backed worker: jobs go to a jobs topic through the producer, and `swafka worker`
/// processes (`BootedApp.runWorker`) consume that topic as group `<app>_workers` with a `JobRunner`.
///
/// A job message is marked consumed only after its outcome (completion, the retry re-enqueued on
/// this topic with its not-before time, or the dead letter) was acknowledged by the broker, so a
/// worker that crashes mid-job leaves it to be redelivered. Several `KafkaQueueWorker`s with
/// different topics give the callbacks' dynamic choice (`worker = important ? fast : slow`).
public struct KafkaQueueWorker: Worker {
    public let name: String
    /// The jobs topic.
    public let jobsTopic: String
    /// Where jobs are produced; nil uses the running server's producer.
    public let sink: (any MessageSink)?

    /// A worker queueing on `jobsTopic` (e.g. `"<app>_jobs"`), through `sink` or, when nil, the
    /// producer of the server it runs in.
    public init(name: String, jobsTopic: String, sink: (any MessageSink)? = nil) {
        self.name = name
        self.jobsTopic = jobsTopic
        self.sink = sink
    }

    public func enqueue(_ job: EncodedJob) async throws {
        guard let sink else { throw ProcessingError.noSink(worker: name) }
        try await enqueue(job, sink: sink)
    }

    public func enqueue(_ job: EncodedJob, sink fallback: any MessageSink) async throws {
        // Sync: the message is only handled once the job is on the broker.
        try await (sink ?? fallback).send([job.producerMessage(jobsTopic: jobsTopic)], mode: .sync)
    }
}

/// When a failed job runs again.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; after the last failure the job is dead-lettered.
    public var maxAttempts: Int
    /// The wait before the second attempt.
    public var initialDelay: Duration
    /// Each further wait is this many times the previous one.
    public var multiplier: Int
    /// No wait is longer than this.
    public var maxDelay: Duration

    /// Five attempts, waiting 1 s, 2 s, 4 s, 8 s, capped at 5 minutes.
    public init(maxAttempts: Int = 5, initialDelay: Duration = .seconds(1), multiplier: Int = 2,
                maxDelay: Duration = .seconds(300)) {
        self.maxAttempts = max(1, maxAttempts)
        self.initialDelay = initialDelay
        self.multiplier = max(1, multiplier)
        self.maxDelay = maxDelay
    }

    /// What to do after attempt `attempt` (1-based) failed.
    public func decision(afterFailedAttempt attempt: Int) -> RetryDecision {
        attempt < maxAttempts ? .retry(after: delay(afterFailedAttempt: attempt)) : .deadLetter
    }

    /// The wait after attempt `attempt` failed: `initialDelay × multiplier^(attempt-1)`, capped.
    public func delay(afterFailedAttempt attempt: Int) -> Duration {
        var delay = initialDelay
        for _ in 1..<max(1, attempt) {
            delay *= multiplier
            if delay >= maxDelay { return maxDelay }
        }
        return min(delay, maxDelay)
    }
}

/// The outcome of a failed attempt.
public enum RetryDecision: Sendable, Hashable {
    /// Run again after this wait.
    case retry(after: Duration)
    /// Give up: send the job to the dead-letter topic.
    case deadLetter
}

/// The dead-letter message for a job that failed for good.
public enum DeadLetter {
    /// Header names added to a dead letter (the original headers are kept before them).
    public enum Header {
        /// The topic the message was consumed from.
        public static let sourceTopic = "swafka-source-topic"
        /// Its partition.
        public static let sourcePartition = "swafka-source-partition"
        /// Its offset.
        public static let sourceOffset = "swafka-source-offset"
        /// The last error, as text.
        public static let error = "swafka-error"
        /// How many attempts were made.
        public static let attempts = "swafka-attempts"
        /// The route that failed.
        public static let route = "swafka-route"
    }

    /// The original payload, key and headers, plus headers naming where it came from and why it failed.
    public static func message(for envelope: JobEnvelope, error: String, topic: String) -> ProducerMessage {
        let source = envelope.message
        var headers = source.headers.map { ProducerMessage.Header($0.key, $0.value) }
        headers += [
            .init(Header.sourceTopic, ByteSlice(source.topic)),
            .init(Header.sourcePartition, ByteSlice(String(source.partition))),
            .init(Header.sourceOffset, ByteSlice(String(source.offset))),
            .init(Header.error, ByteSlice(error)),
            .init(Header.attempts, ByteSlice(String(envelope.attempt))),
            .init(Header.route, ByteSlice(envelope.route)),
        ]
        return ProducerMessage(topic: topic, value: source.payload, key: source.key, headers: headers,
                               timestampMs: source.timestampMs)
    }
}
