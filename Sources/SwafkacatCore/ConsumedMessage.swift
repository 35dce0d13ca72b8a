/// A record as swafkacat prints it: what kcat reads from `rd_kafka_message_t`.
public struct ConsumedMessage: Sendable, Equatable {
    /// Where a record's timestamp came from.
    public enum TimestampType: Sendable, Equatable {
        /// The record carries no timestamp (message format v0); kcat omits `tstype` and `ts` in JSON.
        case notAvailable
        /// The producer's time (`"tstype":"create"`).
        case createTime
        /// The broker's append time (`"tstype":"logappend"`).
        case logAppendTime
    }

    /// The topic.
    public var topic: String
    /// The partition.
    public var partition: Int32
    /// The record's offset.
    public var offset: Int64
    /// Milliseconds since the epoch, -1 when not available.
    public var timestamp: Int64
    /// The timestamp's meaning.
    public var timestampType: TimestampType
    /// The broker the record was fetched from (-1 when unknown).
    public var broker: Int32
    /// The key; nil for a null key (distinct from an empty one).
    public var key: [UInt8]?
    /// The value; nil for a null value (a tombstone).
    public var value: [UInt8]?
    /// The headers in record order; a nil value is a null header value.
    public var headers: [Header]

    /// A record header.
    public struct Header: Sendable, Equatable {
        /// The header's name.
        public var name: String
        /// The header's value; nil for null.
        public var value: [UInt8]?

        /// A header.
        public init(name: String, value: [UInt8]?) {
            self.name = name
            self.value = value
        }
    }

    /// A record.
    public init(topic: String, partition: Int32, offset: Int64, timestamp: Int64 = -1,
                timestampType: TimestampType = .notAvailable, broker: Int32 = -1,
                key: [UInt8]?, value: [UInt8]?, headers: [Header] = []) {
        self.topic = topic
        self.partition = partition
        self.offset = offset
        self.timestamp = timestamp
        self.timestampType = timestampType
        self.broker = broker
        self.key = key
        self.value = value
        self.headers = headers
    }
}
