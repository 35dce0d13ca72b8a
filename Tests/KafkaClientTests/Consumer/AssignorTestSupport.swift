@testable import KafkaClient

/// `tp("t1", 0)`: shorthand for assignor scenarios.
func tp(_ topic: String, _ partition: Int32) -> TopicPartition { TopicPartition(topic, partition) }

/// A subscription for `id` to `topics`, owning `owned` since `generation`.
func member(_ id: String, _ topics: [String], owned: [TopicPartition] = [], generation: Int32? = nil,
            instance: String? = nil) -> MemberSubscription {
    MemberSubscription(memberID: id, groupInstanceID: instance, topics: topics, ownedPartitions: owned,
                       generationID: generation)
}

/// Checks what every valid assignment must satisfy: each partition at most once, only to a
/// subscriber, and only partitions that exist.
func invalidities(_ assignment: [String: [TopicPartition]], _ members: [MemberSubscription],
                  _ counts: [String: Int32]) -> [String] {
    var problems: [String] = []
    var seen: [TopicPartition: String] = [:]
    let subscriptions = Dictionary(uniqueKeysWithValues: members.map { ($0.memberID, Set($0.topics)) })
    for (id, partitions) in assignment {
        for p in partitions {
            if let other = seen[p] { problems.append("\(p) assigned to \(other) and \(id)") }
            seen[p] = id
            if !(subscriptions[id]?.contains(p.topic) ?? false) { problems.append("\(p) given to non-subscriber \(id)") }
            if p.partition >= (counts[p.topic] ?? 0) { problems.append("\(p) does not exist") }
        }
    }
    return problems
}

/// librdkafka's `verifyValidityAndBalance` balance rule: when two members' counts differ by
/// more than one, the larger may hold nothing the smaller subscribes to.
func imbalances(_ assignment: [String: [TopicPartition]], _ members: [MemberSubscription]) -> [String] {
    var problems: [String] = []
    for a in members {
        for b in members where a.memberID != b.memberID {
            let ac = assignment[a.memberID]?.count ?? 0, bc = assignment[b.memberID]?.count ?? 0
            guard ac > bc + 1 else { continue }
            if let movable = assignment[a.memberID]?.first(where: { b.topics.contains($0.topic) }) {
                problems.append("\(a.memberID) has \(ac), \(b.memberID) has \(bc) and could take \(movable)")
            }
        }
    }
    return problems
}

/// Every partition of every subscribed topic is assigned.
func unassigned(_ assignment: [String: [TopicPartition]], _ members: [MemberSubscription],
                _ counts: [String: Int32]) -> [TopicPartition] {
    let assigned = Set(assignment.values.flatMap { $0 })
    let topics = Set(members.flatMap(\.topics))
    return topics.sorted().flatMap { topic in
        (0..<(counts[topic] ?? 0)).map { tp(topic, $0) }
    }.filter { !assigned.contains($0) }
}

/// A cooperative group simulated as its members see it: each member owns what its last
/// assignment gave it, and rebalances until nobody revokes anything.
struct CooperativeGroupSimulation {
    var counts: [String: Int32]
    var topics: [String: [String]] = [:]
    var owned: [String: [TopicPartition]] = [:]
    var generation: Int32 = 0
    let assignor = CooperativeStickyAssignor()

    init(counts: [String: Int32]) { self.counts = counts }

    var subscriptions: [MemberSubscription] {
        topics.keys.sorted().map { id in
            member(id, topics[id] ?? [], owned: owned[id] ?? [], generation: generation == 0 ? nil : generation)
        }
    }

    /// One rebalance; returns the partitions revoked (which forces a follow-up) and the
    /// assignment, after checking that no partition moves directly between two members.
    mutating func rebalance() -> (revoked: [String: [TopicPartition]], assignment: [String: [TopicPartition]], problems: [String]) {
        let subs = subscriptions
        let assignment = assignor.assign(partitionCounts: counts, subscriptions: subs)
        var problems = invalidities(assignment, subs, counts)
        var ownerBefore: [TopicPartition: String] = [:]
        for (id, parts) in owned where topics[id] != nil { for p in parts { ownerBefore[p] = id } }
        var revoked: [String: [TopicPartition]] = [:]
        for (id, parts) in assignment {
            for p in parts where ownerBefore[p].map({ $0 != id }) ?? false {
                problems.append("\(p) moves from \(ownerBefore[p] ?? "?") to \(id) in one generation")
            }
            let gone = (owned[id] ?? []).filter { !parts.contains($0) }
            if !gone.isEmpty { revoked[id] = gone }
        }
        generation += 1
        owned = assignment
        return (revoked, assignment, problems)
    }

    /// Rebalances until a round revokes nothing (at most `limit` rounds).
    mutating func settle(limit: Int = 4) -> (rounds: Int, problems: [String]) {
        var problems: [String] = []
        for round in 1...limit {
            let result = rebalance()
            problems += result.problems
            if result.revoked.isEmpty { return (round, problems) }
        }
        return (limit, problems + ["did not settle in \(limit) rounds"])
    }
}
