/// The `roundrobin` assignor.
///
/// Every partition of every subscribed topic, sorted by topic then partition, is dealt in turn
/// to the members (in Java's member order), skipping members not subscribed to its topic.
/// With identical subscriptions the counts differ by at most one.
public struct RoundRobinAssignor: ConsumerPartitionAssignor {
    /// The protocol name, as every client spells it.
    public let name = "roundrobin"
    /// Eager only: the result ignores current ownership, so moves would be direct.
    public let supportedProtocols: Set<RebalanceProtocol> = [.eager]

    /// The assignor.
    public init() {}

    /// Every member's partitions; see the type's description.
    public func assign(partitionCounts: [String: Int32], subscriptions: [MemberSubscription]) -> [String: [TopicPartition]] {
        var result: [String: [TopicPartition]] = [:]
        for member in subscriptions { result[member.memberID] = [] }
        let members = subscriptions.sorted(by: MemberSubscription.javaMemberOrder)
        guard !members.isEmpty else { return result }
        let subscribed = members.map { Set($0.topics) }
        let topics = Set(members.flatMap(\.topics)).sorted(by: javaStringLess)

        var next = 0
        for topic in topics {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            for partition in 0..<count {
                // Some member subscribes to `topic` (it came from a subscription), so this ends.
                while !subscribed[next].contains(topic) { next = (next + 1) % members.count }
                result[members[next].memberID, default: []].append(TopicPartition(topic, partition))
                next = (next + 1) % members.count
            }
        }
        return result
    }
}
