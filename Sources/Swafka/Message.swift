import KafkaClient
import KafkaWire

/// One consumed message as the framework sees it: where it came from and what it carries.
///
/// The adapter from the real consumer builds these from a `TopicPartition` and a
/// `FetchedRecord` (see `init(_:record:)`); tests and `SwafkaTesting` build them directly.
public struct InboundMessage: Sendable, Hashable {
    /// The topic it was read from.
    public var topic: String
    /// The partition it was read from.
    public var partition: Int32
    /// Its offset in that partition.
    public var offset: Int64
    /// The key; nil is a null key.
    public var key: ByteSlice?
    /// The raw payload; nil is a null value (a tombstone).
    public var payload: ByteSlice?
    /// The record headers, in order.
    public var headers: [RecordHeader]
    /// Milliseconds since the Unix epoch, or nil when the record carries none.
    public var timestampMs: Int64?
    /// Milliseconds since the Unix epoch at which the framework received it.
    public var receivedAtMs: Int64

    /// A message with the given fields.
    public init(topic: String, partition: Int32 = 0, offset: Int64 = 0, key: ByteSlice? = nil,
                payload: ByteSlice?, headers: [RecordHeader] = [], timestampMs: Int64? = nil,
                receivedAtMs: Int64 = 0) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.key = key
        self.payload = payload
        self.headers = headers
        self.timestampMs = timestampMs
        self.receivedAtMs = receivedAtMs
    }

    /// The framework's view of a record fetched from `topicPartition`.
    public init(_ topicPartition: TopicPartition, record: FetchedRecord, receivedAtMs: Int64 = 0) {
        self.init(topic: topicPartition.topic, partition: topicPartition.partition, offset: record.offset,
                  key: record.key, payload: record.value, headers: record.headers,
                  timestampMs: record.timestamp == RecordBatch.noTimestamp ? nil : record.timestamp,
                  receivedAtMs: receivedAtMs)
    }

    /// The partition it came from.
    public var topicPartition: TopicPartition { TopicPartition(topic, partition) }

    /// The value of the last header named `name`, as UTF-8 (Kafka allows repeats; the last wins).
    public func header(_ name: String) -> String? {
        headers.last(where: { $0.key == name })?.value?.utf8String
    }
}

/// The messages of one partition, in offset order: the unit a `MessageSource` delivers and a
/// batch consumer receives (Karafka 2's `messages`).
public struct MessageBatch: Sendable, Hashable {
    /// The partition every message came from.
    public var topicPartition: TopicPartition
    /// The messages, in offset order.
    public var messages: [InboundMessage]

    /// A batch of `messages` from `topicPartition`.
    public init(_ topicPartition: TopicPartition, messages: [InboundMessage]) {
        self.topicPartition = topicPartition
        self.messages = messages
    }
}
