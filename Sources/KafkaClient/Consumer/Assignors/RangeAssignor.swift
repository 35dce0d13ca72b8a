/// The `range` assignor, Kafka's historical default.
///
/// Topic by topic: the members subscribed to the topic, in Java's member order (static members
/// by instance id, then member id), each get a contiguous range of its partitions; with `n`
/// partitions and `m` members, every member gets `n / m` and the first `n % m` members one more.
/// Members subscribing to the same topics therefore get the same partition numbers of each topic,
/// which is what co-partitioned joins rely on.
public struct RangeAssignor: ConsumerPartitionAssignor {
    public let name = "range"
    public let supportedProtocols: Set<RebalanceProtocol> = [.eager]

    public init() {}

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

/// The `roundrobin` assignor.
///
/// Every partition of every subscribed topic, sorted by topic then partition, is dealt in turn
/// to the members (in Java's member order), skipping members not subscribed to its topic.
/// With identical subscriptions the counts differ by at most one.
public struct RoundRobinAssignor: ConsumerPartitionAssignor {
    public let name = "roundrobin"
    public let supportedProtocols: Set<RebalanceProtocol> = [.eager]

    public init() {}

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
