import KafkaClient
import KafkaTransport
import KafkaWire

/// Error texts as librdkafka's `rd_kafka_err2str` writes them, which is what kcat prints
/// (`Broker: Unknown topic or partition`, `Local: Broker transport failure`).
public enum ErrorText {
    /// The text for a broker error code: librdkafka's wording where it has one, else `Broker: <NAME>`.
    public static func broker(_ code: ErrorCode) -> String {
        if let text = brokerTexts[code.rawValue] { return "Broker: \(text)" }
        return code.rawValue == -1 ? "Broker: Unknown broker error" : "Broker: \(code.name)"
    }

    /// librdkafka's local (client-side) errors that swafkacat reports.
    public enum Local: String, Sendable {
        /// The brokers could not be reached (`_TRANSPORT`).
        case transport = "Local: Broker transport failure"
        /// An operation ran out of time (`_TIMED_OUT`).
        case timedOut = "Local: Timed out"
        /// Every broker connection is down (`_ALL_BROKERS_DOWN`).
        case allBrokersDown = "Local: All broker connections are down"
        /// The topic is not in the cluster (`_UNKNOWN_TOPIC`).
        case unknownTopic = "Local: Unknown topic"
        /// The partition is not in the topic (`_UNKNOWN_PARTITION`).
        case unknownPartition = "Local: Unknown partition"
        /// The broker answered with something that does not decode (`_BAD_MSG`).
        case badMessage = "Local: Bad message format"
        /// Not implemented (`_NOT_IMPLEMENTED`).
        case notImplemented = "Local: Not implemented"
        /// SASL authentication failed (`_AUTHENTICATION`).
        case authentication = "Local: Authentication failure"
        /// The broker lacks an API or version (`_UNSUPPORTED_FEATURE`).
        case unsupportedFeature = "Local: Required feature not supported by broker"
    }

    /// librdkafka's text for a client error. `unreachable` is what librdkafka says when no broker
    /// could be reached at all: `-L` reports a transport failure, `-Q` that all connections are down.
    public static func client(_ error: KafkaClientError, unreachable: Local) -> String {
        switch error {
        case let .broker(kafkaError, _): broker(kafkaError.code)
        case .transport(.unsupportedVersion(_, _, _)): Local.unsupportedFeature.rawValue
        case let .transport(.authenticationFailed(_, _, error)): "\(Local.authentication.rawValue): \(error)"
        case .transport, .noBrokerAvailable: unreachable.rawValue
        case let .timedOut(_, last?):
            switch last {
            case .transport(.unsupportedVersion(_, _, _)): Local.unsupportedFeature.rawValue
            case let .transport(.authenticationFailed(_, _, error)): "\(Local.authentication.rawValue): \(error)"
            case .transport, .noBrokerAvailable, .timedOut: unreachable.rawValue
            default: client(last, unreachable: unreachable)
            }
        case .timedOut(_, nil): Local.timedOut.rawValue
        case .unknownTopic: broker(.unknownTopicOrPartition)
        case .unknownPartition: Local.unknownPartition.rawValue
        case .unknownBroker: "Local: Unknown broker"
        case let .invalidConfiguration(setting, reason): "Invalid value for configuration property \"\(setting)\": \(reason)"
        case .unexpectedResponse: Local.badMessage.rawValue
        case let .unsupported(text): "\(Local.unsupportedFeature.rawValue): \(text)"
        case .shutDown, .cancelled: "Local: Operation in progress"
        }
    }

    /// librdkafka's text for a failed produce or delivery (`Local: Unknown partition`,
    /// `Broker: Message size too large`, `Local: Message timed out`).
    public static func producer(_ error: KafkaProducerError) -> String {
        switch error {
        case .messageTooLarge: broker(.messageTooLarge)
        case .bufferFull: "Local: Queue full"
        case .unknownPartition: Local.unknownPartition.rawValue
        case .unknownTopic: Local.unknownTopic.rawValue
        case let .broker(kafkaError, _): broker(kafkaError.code)
        case .transport(.unsupportedVersion(_, _, _)): Local.unsupportedFeature.rawValue
        case .transport: Local.transport.rawValue
        case .deliveryTimedOut: "Local: Message timed out"
        case .encodingFailed: Local.badMessage.rawValue
        case .fatal: "Local: Fatal error"
        case .closed, .aborted: "Local: Purged in queue"
        }
    }

    static let brokerTexts: [Int16: String] = [
        1: "Offset out of range", 2: "Invalid message", 3: "Unknown topic or partition", 4: "Invalid message size",
        5: "Leader not available", 6: "Not leader for partition", 7: "Request timed out", 8: "Broker not available",
        9: "Replica not available", 10: "Message size too large", 11: "StaleControllerEpochCode",
        12: "Offset metadata string too large", 13: "Broker disconnected before response received",
        14: "Coordinator load in progress", 15: "Coordinator not available", 16: "Not coordinator", 17: "Invalid topic",
        18: "Message batch larger than configured server segment size", 19: "Not enough in-sync replicas",
        20: "Message(s) written to insufficient number of in-sync replicas", 21: "Invalid required acks value",
        22: "Specified group generation id is not valid", 23: "Inconsistent group protocol", 24: "Invalid group.id",
        25: "Unknown member", 26: "Invalid session timeout", 27: "Group rebalance in progress",
        28: "Commit offset data size is not valid", 29: "Topic authorization failed", 30: "Group authorization failed",
        31: "Cluster authorization failed", 32: "Invalid timestamp", 33: "Unsupported SASL mechanism",
        34: "Request not valid in current SASL state", 35: "API version not supported", 36: "Topic already exists",
        37: "Invalid number of partitions", 38: "Invalid replication factor", 39: "Invalid replica assignment",
        40: "Configuration is invalid", 41: "Not controller for cluster", 42: "Invalid request",
        43: "Message format on broker does not support request", 44: "Policy violation",
        45: "Broker received an out of order sequence number", 46: "Broker received a duplicate sequence number",
        47: "Producer attempted an operation with an old epoch",
        48: "Producer attempted a transactional operation in an invalid state",
        53: "Transactional Id authorization failed", 54: "Security features are disabled", 55: "Operation not attempted",
        56: "Disk error when trying to access log file on disk", 58: "SASL Authentication failed", 59: "Unknown Producer Id",
        60: "Partition reassignment is in progress", 68: "The group is not empty", 69: "The group id does not exist",
        70: "The fetch session ID was not found", 71: "The fetch session epoch is invalid", 72: "No matching listener",
        73: "Topic deletion is disabled", 74: "Leader epoch is older than broker epoch",
        75: "Leader epoch is newer than broker epoch", 76: "Unsupported compression type", 77: "Broker epoch has changed",
        78: "Leader high watermark is not caught up", 79: "Group member needs a valid member ID",
        80: "Preferred leader was not available", 81: "Consumer group has reached maximum size",
        82: "Static consumer fenced by other consumer with same group.instance.id",
        87: "Broker failed to validate record", 88: "There are unstable offsets that need to be cleared",
        89: "Throttling quota has been exceeded", 100: "Unknown topic id",
    ]
}
