/// The `range` assignor, Kafka's historical default.
///
/// Topic by topic: the members subscribed to the topic, in Java's member order (static members
/// by instance id, then member id), each get a contiguous range of its partitions; with `n`
/// partitions and `m` members, every member gets `n / m` and the first `n % m` members one more.
/// Members subscribing to the same topics therefore get the same partition numbers of each topic,
/// which is what co-partitioned joins rely on.
public struct RangeAssignor: ConsumerPartitionAssignor {
    /// The protocol name, as every client spells it.
    public let name = "range"
    /// Eager only: the result ignores current ownership, so moves would be direct.
    public let supportedProtocols: Set<RebalanceProtocol> = [.eager]

    /// The assignor.
    public init() {}

    /// Every member's partitions; see the type's description.
    public func assign(partitionCounts: [String: Int32], subscriptions: [MemberSubscription]) -> [String: [TopicPartition]] {
        var result: [String: [TopicPartition]] = [:]
        var membersByTopic: [String: [MemberSubscription]] = [:]
        for member in subscriptions {
            result[member.memberID] = []
            for topic in Set(member.topics) { membersByTopic[topic, default: []].append(member) }
        }
        for (topic, unsorted) in membersByTopic {
            guard let count = partitionCounts[topic], count > 0 else { continue }
            let members = unsorted.sorted(by: MemberSubscription.javaMemberOrder)
            let perMember = Int(count) / members.count
            let extra = Int(count) % members.count
            for (index, member) in members.enumerated() {
                let start = perMember * index + min(index, extra)
                let length = perMember + (index < extra ? 1 : 0)
                result[member.memberID, default: []].append(
                    contentsOf: (start..<start + length).map { TopicPartition(topic, Int32($0)) })
            }
        }
        return result.mapValues { $0.sorted() }
    }
}
