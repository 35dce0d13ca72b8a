import KafkaWire

/// The `cooperative-sticky` assignor (KIP-429 on top of KIP-54's sticky assignment).
///
/// Sticky: members keep the partitions they own as long as the assignment stays balanced, and
/// only the surplus moves. Cooperative: a partition that changes owner is left out of the new
/// assignment altogether, so its old owner revokes it (committing first) while nobody has it;
/// the old owner then rejoins and the follow-up rebalance gives it to the new owner. No
/// partition is ever owned by two members at once.
///
/// Ownership comes from each member's subscription: `ownedPartitions` (v1+), and the generation
/// they were owned in, from the subscription's `generationID` (v2+) or else from the user data.
/// Only claims of the highest generation present count; a partition claimed twice in that
/// generation counts as owned by neither, and is revoked by both before anyone gets it.
///
/// User data: like the Java `CooperativeStickyAssignor`, we send one INT32, the generation. We
/// also read librdkafka's format, the eager `sticky` assignor's `StickyAssignorUserData` v1
/// (`[topic [partition]] generation`), taking only its generation.
public struct CooperativeStickyAssignor: ConsumerPartitionAssignor {
    /// The protocol name shared with the Java client and librdkafka.
    public let name = "cooperative-sticky"
    /// Cooperative, and eager for groups that are moving from an eager assignor to this one.
    public let supportedProtocols: Set<RebalanceProtocol> = [.eager, .cooperative]

    /// The assignor.
    public init() {}

    /// The Java `CooperativeStickyAssignor` user data: the generation as one INT32.
    public func subscriptionUserData(ownedPartitions: [TopicPartition], generationID: Int32) -> [UInt8]? {
        var writer = ByteWriter()
        writer.writeInt32(generationID)
        return writer.bytes
    }

    /// Every member's partitions: sticky, balanced, and without direct moves.
    public func assign(partitionCounts: [String: Int32], subscriptions: [MemberSubscription]) -> [String: [TopicPartition]] {
        var builder = StickyAssignmentBuilder(partitionCounts: partitionCounts, subscriptions: subscriptions,
                                              generation: Self.generation(of:))
        return builder.assign(cooperative: true)
    }

    /// The generation a member's owned partitions belong to, or -1 when it does not say: the
    /// subscription's own field first (v2+), then the user data in either client's format.
    public static func generation(of member: MemberSubscription) -> Int32 {
        if let generation = member.generationID { return generation }
        guard let userData = member.userData else { return -1 }
        var reader = ByteReader(ByteSlice(userData))
        if userData.count == 4 { return (try? reader.readInt32()) ?? -1 }
        return (try? StickyAssignorUserData(from: &reader).generation) ?? -1
    }
}

/// The eager `sticky` assignor's user data, version 1: the previous assignment and its
/// generation. librdkafka sends it for `cooperative-sticky` too.
public struct StickyAssignorUserData: Sendable, Hashable {
    /// The partitions the member owned.
    public var previousAssignment: [TopicPartition]
    /// Their generation, or -1 (absent in version 0 of the format).
    public var generation: Int32

    /// User data with the given fields.
    public init(previousAssignment: [TopicPartition], generation: Int32) {
        self.previousAssignment = previousAssignment
        self.generation = generation
    }

    /// Reads `[topic: STRING, partitions: [INT32]] generation: INT32`; a missing generation
    /// (version 0) reads as -1.
    public init(from reader: inout ByteReader) throws(WireDecodingError) {
        var partitions: [TopicPartition] = []
        let topicCount = try reader.readArrayCount(nullable: false, minimumElementSize: 6) ?? 0
        for _ in 0..<topicCount {
            let topic = try reader.readString()
            let count = try reader.readArrayCount(nullable: false, minimumElementSize: 4) ?? 0
            for _ in 0..<count { partitions.append(TopicPartition(topic, try reader.readInt32())) }
        }
        self.previousAssignment = partitions
        self.generation = reader.remaining >= 4 ? try reader.readInt32() : -1
    }

    /// The encoded form, version 1. Throws only for a topic name too long for a STRING.
    public func encoded() throws(WireEncodingError) -> [UInt8] {
        var writer = ByteWriter()
        let grouped = previousAssignment.groupedByTopic()
        writer.writeInt32(Int32(grouped.count))
        for (topic, partitions) in grouped {
            try writer.writeString(topic)
            writer.writeInt32(Int32(partitions.count))
            for partition in partitions { writer.writeInt32(partition) }
        }
        writer.writeInt32(generation)
        return writer.bytes
    }
}
