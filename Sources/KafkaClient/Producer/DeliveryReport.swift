import KafkaTransport
import KafkaWire

/// The outcome of one message: every message the producer accepts ends in exactly one report.
public struct DeliveryReport: Sendable {
    /// The message's ID, as `append` returned it.
    public let messageID: ProducerMessageID
    /// The topic it was produced to.
    public let topic: String
    /// The partition it was (or would have been) appended to; nil when it failed before one was chosen.
    public let partition: Int32?
    /// The caller's label from the message.
    public internal(set) var label: (any Sendable)?
    /// Where the message landed, or why it did not.
    public let result: Result<DeliveredMessage, KafkaProducerError>

    /// A report for `messageID`.
    public init(messageID: ProducerMessageID, topic: String, partition: Int32?, label: (any Sendable)?,
                result: Result<DeliveredMessage, KafkaProducerError>) {
        self.messageID = messageID
        self.topic = topic
        self.partition = partition
        self.label = label
        self.result = result
    }

    /// The error, when the message was not delivered.
    public var error: KafkaProducerError? {
        if case let .failure(error) = result { return error }
        return nil
    }

    /// The delivery, when the message was appended.
    public var delivered: DeliveredMessage? {
        if case let .success(delivered) = result { return delivered }
        return nil
    }
}

/// Where a message was appended.
public struct DeliveredMessage: Sendable, Hashable, CustomStringConvertible {
    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int32
    /// The message's offset; nil when the broker did not say: with `acks` 0, or when a retry found
    /// the batch already written (DUPLICATE_SEQUENCE_NUMBER: the broker no longer knows its offset).
    public var offset: Int64?
    /// The record's timestamp in milliseconds since the Unix epoch: the broker's append time when
    /// the topic uses LogAppendTime, else the producer's create time.
    public var timestampMs: Int64
    /// Which of the two `timestampMs` is.
    public var timestampType: TimestampType

    /// A delivery at `offset` of `topic[partition]`.
    public init(topic: String, partition: Int32, offset: Int64?, timestampMs: Int64, timestampType: TimestampType) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestampMs = timestampMs
        self.timestampType = timestampType
    }

    /// Which clock a record timestamp comes from.
    public enum TimestampType: Sendable, Hashable {
        /// Set by the producer.
        case createTime
        /// Set by the broker when it appended the batch.
        case logAppendTime
    }

    /// `topic[partition]@offset`, as kcat prints it.
    public var description: String { "\(topic)[\(partition)]@\(offset.map(String.init) ?? "?")" }
}

/// Why a message was not produced.
public indirect enum KafkaProducerError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The message is larger than a limit allows; `setting` names the limit
    /// (`message.max.bytes`, `max.request.size`, `buffer.memory`).
    case messageTooLarge(size: Int, setting: String, limit: Int)
    /// The buffer holds `queue.buffering.max.messages` messages or `buffer.memory` bytes already,
    /// and the producer was configured to fail rather than wait (or waited past its timeout).
    case bufferFull(messages: Int, bytes: Int)
    /// An explicit partition the topic does not have.
    case unknownPartition(topic: String, partition: Int32, partitionCount: Int32)
    /// The topic does not exist (or metadata for it could not be had).
    case unknownTopic(String)
    /// The broker rejected the batch; `recordError` is the broker's reason for this very record
    /// when it named one (KIP-467), the batch having been dropped for it or for another record.
    case broker(KafkaError, recordError: String? = nil)
    /// The request carrying the batch failed on the connection.
    case transport(TransportError)
    /// `delivery.timeout.ms` passed before the message was acknowledged; `lastError` is why the
    /// last attempt failed, if one did.
    case deliveryTimedOut(after: Duration, lastError: KafkaProducerError?)
    /// The batch could not be encoded.
    case encodingFailed(String)
    /// The producer hit an error it cannot recover from (fenced, not authorized for idempotent
    /// writes, ...): it fails everything it still holds and accepts nothing more.
    case fatal(KafkaProducerError)
    /// The producer was closed: it accepts nothing more.
    case closed
    /// The producer was closed without waiting (`closeNow`), and the message was still buffered.
    case aborted

    /// Whether producing the same message again later may succeed.
    public var isRetriable: Bool {
        switch self {
        case .bufferFull, .deliveryTimedOut: true
        case let .broker(error, _): error.isRetriable
        case let .transport(error): error.isRetriable
        case .messageTooLarge, .unknownPartition, .unknownTopic, .encodingFailed, .fatal, .closed, .aborted: false
        }
    }

    /// The Kafka error code behind the failure, if a broker gave one.
    public var errorCode: ErrorCode? {
        switch self {
        case let .broker(error, _): error.code
        case let .deliveryTimedOut(_, last?): last.errorCode
        case let .fatal(inner): inner.errorCode
        default: nil
        }
    }

    public var description: String {
        switch self {
        case let .messageTooLarge(size, setting, limit):
            "the message takes up to \(size) bytes, more than \(setting) (\(limit))"
        case let .bufferFull(messages, bytes):
            "the producer's buffer is full (\(messages) messages, \(bytes) bytes buffered)"
        case let .unknownPartition(topic, partition, count):
            "topic \"\(topic)\" has no partition \(partition) (it has \(count))"
        case let .unknownTopic(topic): "unknown topic \"\(topic)\""
        case let .broker(error, recordError?): "\(error); this record: \(recordError)"
        case let .broker(error, nil): "\(error)"
        case let .transport(error): "\(error)"
        case let .deliveryTimedOut(after, last?): "not delivered within \(after) (delivery.timeout.ms); last error: \(last)"
        case let .deliveryTimedOut(after, nil): "not delivered within \(after) (delivery.timeout.ms)"
        case let .encodingFailed(reason): "cannot encode the batch: \(reason)"
        case let .fatal(cause): "the producer failed fatally: \(cause)"
        case .closed: "the producer is closed"
        case .aborted: "the producer was closed before the message was sent"
        }
    }
}
