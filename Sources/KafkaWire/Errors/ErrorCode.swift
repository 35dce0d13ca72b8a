/// A Kafka error code, as carried in the `ErrorCode` fields of responses.
///
/// An open set: a code from a newer broker still decodes, and reports itself as
/// `UNKNOWN_CODE_<n>`, not retriable.
public struct ErrorCode: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The code as it is on the wire.
    public var rawValue: Int16

    /// Wraps a wire code.
    @inlinable public init(rawValue: Int16) {
        self.rawValue = rawValue
    }

    /// Kafka's name for the code (`NOT_LEADER_OR_FOLLOWER`).
    public var name: String { Self.table[rawValue]?.name ?? "UNKNOWN_CODE_\(rawValue)" }
    /// Whether Kafka marks the error retriable: the same request may succeed later.
    public var isRetriable: Bool { Self.table[rawValue]?.isRetriable ?? false }
    /// Kafka's description of the error.
    public var message: String { Self.table[rawValue]?.message ?? "An error code this client does not know." }
    /// True for every code but NONE.
    @inlinable public var isError: Bool { rawValue != 0 }
    /// True when Kafka defines this code.
    public var isKnown: Bool { Self.table[rawValue] != nil }

    /// `NOT_LEADER_OR_FOLLOWER (6)`.
    public var description: String { "\(name) (\(rawValue))" }

    /// Every code Kafka defines, in numeric order.
    public static var allKnown: [ErrorCode] { table.keys.sorted().map(ErrorCode.init(rawValue:)) }
}

/// A non-zero error code from a broker, thrown by code that checks responses.
public struct KafkaError: Error, Hashable, Sendable, CustomStringConvertible {
    /// The code.
    public var code: ErrorCode
    /// The broker's own message, when the response carries one.
    public var brokerMessage: String?

    /// An error for `code`, with the broker's message if any.
    public init(_ code: ErrorCode, brokerMessage: String? = nil) {
        self.code = code
        self.brokerMessage = brokerMessage
    }

    /// Whether retrying may succeed.
    public var isRetriable: Bool { code.isRetriable }

    /// `NOT_LEADER_OR_FOLLOWER (6): For requests intended only for the leader, ...`.
    public var description: String {
        "\(code): \(brokerMessage.flatMap { $0.isEmpty ? nil : $0 } ?? code.message)"
    }
}
