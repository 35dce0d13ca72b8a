/// The sticky assignment algorithm behind `CooperativeStickyAssignor`.
///
/// Goals, in order: every partition of a subscribed topic goes to exactly one subscriber;
/// the result is balanced (no member has two partitions more than another member that could
/// take one of them); and as few partitions as possible change owner. Everything is iterated
/// in sorted order, so the same input always gives the same output.
///
/// Two strategies, as in Kafka's `AbstractStickyAssignor`:
/// - every member subscribes to the same topics (the usual case): quotas. With `P` partitions
///   and `C` members, everyone ends with `P / C` or one more, and exactly `P % C` members get
///   one more. Members keep owned partitions up to their quota; the rest are dealt round-robin.
/// - mixed subscriptions: keep what is owned, give each remaining partition (those with the
///   fewest possible owners first) to its least-loaded subscriber, then move partitions from
///   members with at least two more than another subscriber of their topic until none can move.
struct StickyAssignmentBuilder {
    private let members: [String]
    private let subscribedTopics: [String: Set<String>]
    private let partitionCounts: [String: Int32]
    /// Valid claims: partition -> the member of the highest generation that owns it.
    private var owner: [TopicPartition: String] = [:]
    /// Partitions claimed by two members of the highest generation.
    private var contested: Set<TopicPartition> = []
    private var assignment: [String: [TopicPartition]] = [:]

    init(partitionCounts: [String: Int32], subscriptions: [MemberSubscription],
         generation: (MemberSubscription) -> Int32) {
        let byID = Dictionary(subscriptions.map { ($0.memberID, $0) }, uniquingKeysWith: { first, _ in first })
        members = byID.keys.sorted(by: javaStringLess)
        self.partitionCounts = partitionCounts
        subscribedTopics = byID.mapValues { Set($0.topics.filter { (partitionCounts[$0] ?? 0) > 0 }) }

        // Only the highest generation's claims count: a member of an older generation missed a
        // rebalance, and what it thinks it owns may have moved since.
        let highest = byID.values.map(generation).max() ?? -1
        for id in members {
            guard let member = byID[id], generation(member) == highest else { continue }
            for tp in Set(member.ownedPartitions).sorted() where isValid(tp, for: id) {
                if let other = owner[tp], other != id {
                    owner[tp] = nil
                    contested.insert(tp)
                } else if !contested.contains(tp) {
                    owner[tp] = id
                }
            }
        }
    }

    private func isValid(_ tp: TopicPartition, for member: String) -> Bool {
        guard let count = partitionCounts[tp.topic], tp.partition >= 0, tp.partition < count else { return false }
        return subscribedTopics[member]?.contains(tp.topic) ?? false
    }

    private func allPartitions() -> [TopicPartition] {
        let topics = Set(subscribedTopics.values.flatMap { $0 })
        return topics.sorted(by: javaStringLess).flatMap { topic in
            (0..<(partitionCounts[topic] ?? 0)).map { TopicPartition(topic, $0) }
        }
    }

    private func ownedBy(_ member: String) -> [TopicPartition] {
        owner.filter { $0.value == member }.map(\.key).sorted()
    }

    mutating func assign(cooperative: Bool) -> [String: [TopicPartition]] {
        for member in members { assignment[member] = [] }
        guard !members.isEmpty else { return [:] }
        let subscriptionsEqual = Set(members.compactMap { subscribedTopics[$0] }).count == 1
        if subscriptionsEqual { assignWithQuotas() } else { assignGeneral() }

        if cooperative {
            // A partition that changes owner is revoked first: nobody gets it in this generation.
            for member in members {
                assignment[member]?.removeAll { tp in
                    contested.contains(tp) || (owner[tp].map { $0 != member } ?? false)
                }
            }
        }
        return assignment.mapValues { $0.sorted() }
    }

    // MARK: - Identical subscriptions

    private mutating func assignWithQuotas() {
        let partitions = allPartitions()
        let total = partitions.count
        let minQuota = total / members.count
        let maxQuota = (total + members.count - 1) / members.count
        let membersAtMax = total % members.count
        var atMaxSoFar = 0

        // Keep owned partitions, up to the quota.
        var kept: Set<TopicPartition> = []
        for member in members {
            let owned = ownedBy(member)
            let keep: Int
            if owned.count >= maxQuota && atMaxSoFar < membersAtMax {
                keep = maxQuota
                atMaxSoFar += 1
            } else {
                keep = min(owned.count, minQuota)
            }
            assignment[member] = Array(owned.prefix(keep))
            kept.formUnion(owned.prefix(keep))
        }

        // Deal the rest round-robin to members under the minimum, then one each to members at
        // the minimum until exactly `membersAtMax` members have the maximum.
        var under = members.filter { (assignment[$0]?.count ?? 0) < minQuota }
        var atMinimum = members.filter { (assignment[$0]?.count ?? 0) == minQuota && minQuota < maxQuota }
        var turn = 0
        for tp in partitions where !kept.contains(tp) {
            if !under.isEmpty {
                turn %= under.count
                let member = under[turn]
                assignment[member, default: []].append(tp)
                if (assignment[member]?.count ?? 0) == minQuota {
                    under.remove(at: turn)
                    if minQuota < maxQuota { atMinimum.append(member) }
                } else {
                    turn += 1
                }
            } else if atMaxSoFar < membersAtMax, !atMinimum.isEmpty {
                let member = atMinimum.removeFirst()
                assignment[member, default: []].append(tp)
                atMaxSoFar += 1
            }
        }
    }

    // MARK: - Mixed subscriptions

    private mutating func assignGeneral() {
        let partitions = allPartitions()
        var subscribers: [String: [String]] = [:]
        for member in members {
            for topic in subscribedTopics[member] ?? [] { subscribers[topic, default: []].append(member) }
        }
        var count: [String: Int] = [:]
        var kept: Set<TopicPartition> = []
        for member in members {
            let owned = ownedBy(member)
            assignment[member] = owned
            count[member] = owned.count
            kept.formUnion(owned)
        }

        // Partitions with the fewest possible owners first: they have the least choice.
        let unassigned = partitions.filter { !kept.contains($0) }.sorted { lhs, rhs in
            let l = subscribers[lhs.topic]?.count ?? 0, r = subscribers[rhs.topic]?.count ?? 0
            return l != r ? l < r : lhs < rhs
        }
        for tp in unassigned {
            guard let target = leastLoaded(subscribers[tp.topic] ?? [], count) else { continue }
            assignment[target, default: []].append(tp)
            count[target, default: 0] += 1
        }

        // Move partitions from a member to a subscriber with at least two fewer. Each move lowers
        // the sum of squared counts by at least 2, so this ends. Partitions the member did not
        // own before this rebalance move first, to keep ownership sticky.
        var moved = true
        while moved {
            moved = false
            let byLoad = members.sorted { lhs, rhs in
                let l = count[lhs] ?? 0, r = count[rhs] ?? 0
                return l != r ? l > r : javaStringLess(lhs, rhs)
            }
            search: for source in byLoad {
                let sourceCount = count[source] ?? 0
                let candidates = (assignment[source] ?? []).sorted { lhs, rhs in
                    let l = owner[lhs] == source, r = owner[rhs] == source
                    return l != r ? !l : lhs < rhs
                }
                for tp in candidates {
                    let targets = (subscribers[tp.topic] ?? []).filter { (count[$0] ?? 0) + 1 < sourceCount }
                    guard let target = leastLoaded(targets, count) else { continue }
                    assignment[source]?.removeAll { $0 == tp }
                    assignment[target, default: []].append(tp)
                    count[source, default: 0] -= 1
                    count[target, default: 0] += 1
                    moved = true
                    break search
                }
            }
        }
    }

    private func leastLoaded(_ candidates: [String], _ count: [String: Int]) -> String? {
        candidates.min { lhs, rhs in
            let l = count[lhs] ?? 0, r = count[rhs] ?? 0
            return l != r ? l < r : javaStringLess(lhs, rhs)
        }
    }
}
