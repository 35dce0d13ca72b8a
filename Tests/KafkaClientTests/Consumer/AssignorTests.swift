@testable import KafkaClient
import KafkaWire
import Testing

/// Scenarios from the Java client's RangeAssignorTest / RoundRobinAssignorTest and
/// librdkafka's assignor unit tests, with the results those projects expect.
@Suite("Range and roundrobin assignors")
struct EagerAssignorTests {
    let range = RangeAssignor()
    let roundRobin = RoundRobinAssignor()

    @Test func oneConsumerGetsEverySubscribedPartitionOnly() {
        let subs = [member("c1", ["t1"])]
        for assignor in [range, roundRobin] as [any ConsumerPartitionAssignor] {
            #expect(assignor.assign(partitionCounts: ["t1": 3, "t2": 3], subscriptions: subs) == ["c1": [tp("t1", 0), tp("t1", 1), tp("t1", 2)]])
        }
    }

    @Test func missingTopicsAndEmptyGroupsAssignNothing() {
        for assignor in [range, roundRobin] as [any ConsumerPartitionAssignor] {
            #expect(assignor.assign(partitionCounts: [:], subscriptions: [member("c1", ["t1"])]) == ["c1": []])
            #expect(assignor.assign(partitionCounts: ["t1": 3], subscriptions: []) == [:])
        }
    }

    @Test func twoConsumersOnePartition() {
        let subs = [member("c1", ["t1"]), member("c2", ["t1"])]
        for assignor in [range, roundRobin] as [any ConsumerPartitionAssignor] {
            #expect(assignor.assign(partitionCounts: ["t1": 1], subscriptions: subs) == ["c1": [tp("t1", 0)], "c2": []])
        }
    }

    @Test func rangeGivesTheFirstMembersTheExtraPartitions() {
        let subs = [member("c2", ["t1", "t2"]), member("c1", ["t1", "t2"])]
        #expect(range.assign(partitionCounts: ["t1": 3, "t2": 3], subscriptions: subs) == [
            "c1": [tp("t1", 0), tp("t1", 1), tp("t2", 0), tp("t2", 1)],
            "c2": [tp("t1", 2), tp("t2", 2)],
        ])
        let seven = range.assign(partitionCounts: ["t": 7], subscriptions: [member("a", ["t"]), member("b", ["t"]), member("c", ["t"])])
        #expect(seven["a"] == [tp("t", 0), tp("t", 1), tp("t", 2)])
        #expect(seven["b"] == [tp("t", 3), tp("t", 4)])
        #expect(seven["c"] == [tp("t", 5), tp("t", 6)])
    }

    @Test func mixedSubscriptions() {
        let subs = [member("c1", ["t1"]), member("c2", ["t1", "t2"]), member("c3", ["t1"])]
        let expected: [String: [TopicPartition]] = [
            "c1": [tp("t1", 0)], "c2": [tp("t1", 1), tp("t2", 0), tp("t2", 1)], "c3": [tp("t1", 2)],
        ]
        #expect(range.assign(partitionCounts: ["t1": 3, "t2": 2], subscriptions: subs) == expected)
        #expect(roundRobin.assign(partitionCounts: ["t1": 3, "t2": 2], subscriptions: subs) == expected)
    }

    @Test func roundRobinDealsSortedPartitionsToSortedMembers() {
        let subs = [member("c2", ["t2", "t1"]), member("c1", ["t1", "t2"])]
        #expect(roundRobin.assign(partitionCounts: ["t1": 3, "t2": 3], subscriptions: subs) == [
            "c1": [tp("t1", 0), tp("t1", 2), tp("t2", 1)],
            "c2": [tp("t1", 1), tp("t2", 0), tp("t2", 2)],
        ])
    }

    @Test func staticMembersSortByInstanceIDBeforeDynamicOnes() {
        // Member ids change on every restart; instance ids do not, so static members keep their ranges.
        let subs = [member("zzz", ["t"], instance: "a"), member("aaa", ["t"], instance: "b"), member("mmm", ["t"])]
        #expect(range.assign(partitionCounts: ["t": 3], subscriptions: subs) == [
            "zzz": [tp("t", 0)], "aaa": [tp("t", 1)], "mmm": [tp("t", 2)],
        ])
        #expect(roundRobin.assign(partitionCounts: ["t": 3], subscriptions: subs) == [
            "zzz": [tp("t", 0)], "aaa": [tp("t", 1)], "mmm": [tp("t", 2)],
        ])
    }

    @Test func eagerAssignorsAreEagerOnly() {
        #expect(range.name == "range" && roundRobin.name == "roundrobin")
        #expect(RebalanceProtocol.common(to: [range]) == .eager)
        #expect(RebalanceProtocol.common(to: [CooperativeStickyAssignor()]) == .cooperative)
        #expect(RebalanceProtocol.common(to: [CooperativeStickyAssignor(), range]) == .eager)
    }
}

@Suite("Cooperative-sticky assignor")
struct CooperativeStickyAssignorTests {
    let assignor = CooperativeStickyAssignor()

    @Test func freshAssignmentsMatchTheReferenceScenarios() {
        #expect(assignor.assign(partitionCounts: ["t1": 3], subscriptions: [member("c1", ["t1"])])
                == ["c1": [tp("t1", 0), tp("t1", 1), tp("t1", 2)]])
        #expect(assignor.assign(partitionCounts: ["t1": 2], subscriptions: [member("c1", ["t1"]), member("c2", ["t1"])])
                == ["c1": [tp("t1", 0)], "c2": [tp("t1", 1)]])
        #expect(assignor.assign(partitionCounts: ["t1": 3, "t2": 3],
                                subscriptions: [member("c1", ["t1", "t2"]), member("c2", ["t1", "t2"])])
                == ["c1": [tp("t1", 0), tp("t1", 2), tp("t2", 1)], "c2": [tp("t1", 1), tp("t2", 0), tp("t2", 2)]])
        // librdkafka ut_testMultipleConsumersMixedTopicSubscriptions.
        #expect(assignor.assign(partitionCounts: ["t1": 3, "t2": 2],
                                subscriptions: [member("c1", ["t1"]), member("c2", ["t1", "t2"]), member("c3", ["t1"])])
                == ["c1": [tp("t1", 0), tp("t1", 2)], "c2": [tp("t2", 0), tp("t2", 1)], "c3": [tp("t1", 1)]])
    }

    @Test func addingAConsumerRevokesFirstThenReassigns() {
        var group = CooperativeGroupSimulation(counts: ["t": 3])
        group.topics = ["c1": ["t"]]
        #expect(group.settle().problems.isEmpty)
        #expect(group.owned["c1"] == [tp("t", 0), tp("t", 1), tp("t", 2)])

        group.topics["c2"] = ["t"]
        let first = group.rebalance()
        #expect(first.problems.isEmpty)
        #expect(first.assignment == ["c1": [tp("t", 0), tp("t", 1)], "c2": []])
        #expect(first.revoked == ["c1": [tp("t", 2)]])
        let second = group.rebalance()
        #expect(second.problems.isEmpty && second.revoked.isEmpty)
        #expect(second.assignment == ["c1": [tp("t", 0), tp("t", 1)], "c2": [tp("t", 2)]])
    }

    @Test func aLeavingConsumersPartitionsGoToTheOthersWithoutMovingTheirs() {
        var group = CooperativeGroupSimulation(counts: ["t": 6])
        group.topics = ["c1": ["t"], "c2": ["t"], "c3": ["t"]]
        _ = group.settle()
        let before = group.owned
        group.topics["c3"] = nil
        let round = group.rebalance()
        #expect(round.problems.isEmpty && round.revoked.isEmpty)
        for id in ["c1", "c2"] { #expect(Set(before[id] ?? []).isSubset(of: round.assignment[id] ?? [])) }
        #expect(round.assignment["c1"]?.count == 3 && round.assignment["c2"]?.count == 3)
    }

    @Test func ownedPartitionsFromAnOlderGenerationDoNotCount() {
        // c2 missed a rebalance: its claim on t-0 (generation 1) loses to c1's (generation 2).
        let subs = [member("c1", ["t"], owned: [tp("t", 0)], generation: 2),
                    member("c2", ["t"], owned: [tp("t", 0), tp("t", 1)], generation: 1)]
        let result = assignor.assign(partitionCounts: ["t": 2], subscriptions: subs)
        #expect(result == ["c1": [tp("t", 0)], "c2": [tp("t", 1)]])
    }

    @Test func aPartitionClaimedTwiceInOneGenerationGoesToNobodyUntilRevoked() {
        let subs = [member("c1", ["t"], owned: [tp("t", 0)], generation: 3),
                    member("c2", ["t"], owned: [tp("t", 0), tp("t", 1)], generation: 3)]
        let result = assignor.assign(partitionCounts: ["t": 2], subscriptions: subs)
        #expect(result == ["c1": [], "c2": [tp("t", 1)]])
    }

    @Test func partitionsOfDeletedOrUnsubscribedTopicsAreDropped() {
        let subs = [member("c1", ["t1"], owned: [tp("t1", 0), tp("gone", 0), tp("t2", 0), tp("t1", 9)], generation: 1)]
        #expect(assignor.assign(partitionCounts: ["t1": 2, "t2": 1], subscriptions: subs) == ["c1": [tp("t1", 0), tp("t1", 1)]])
    }

    @Test func mixedSubscriptionsBalanceAndStick() {
        // t1 is only for c1; c2 and c3 share t2. Then c3 leaves and comes back.
        var group = CooperativeGroupSimulation(counts: ["t1": 2, "t2": 4])
        group.topics = ["c1": ["t1", "t2"], "c2": ["t2"], "c3": ["t2"]]
        #expect(group.settle().problems.isEmpty)
        let subs = group.subscriptions
        #expect(imbalances(group.owned, subs).isEmpty)
        #expect(unassigned(group.owned, subs, group.counts).isEmpty)
        #expect(group.owned.values.map(\.count).sorted() == [2, 2, 2])

        let c2Before = Set(group.owned["c2"] ?? [])
        group.topics["c3"] = nil
        #expect(group.settle().problems.isEmpty)
        #expect(c2Before.isSubset(of: group.owned["c2"] ?? []))
        group.topics["c3"] = ["t2"]
        let settled = group.settle()
        #expect(settled.problems.isEmpty && settled.rounds == 2)
        #expect(imbalances(group.owned, group.subscriptions).isEmpty)
    }

    /// Random groups under churn, seeded and printed: every rebalance is valid, no partition
    /// moves directly between members, and every settled state is complete and balanced.
    @Test(arguments: [UInt64(1), 7, 42, 2024, 9001])
    func churnKeepsEveryInvariant(seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        let topicNames = ["a", "b", "c", "d"]
        var counts: [String: Int32] = [:]
        for name in topicNames { counts[name] = Int32(rng.next(upTo: 7)) + 1 }
        var group = CooperativeGroupSimulation(counts: counts)
        let mixed = seed % 2 == 0
        func randomTopics() -> [String] {
            guard mixed else { return topicNames }
            let chosen = topicNames.filter { _ in rng.next(upTo: 2) == 0 }
            return chosen.isEmpty ? ["a"] : chosen
        }
        for id in 0..<3 { group.topics["m\(id)"] = randomTopics() }
        var nextID = 3
        for step in 0..<12 {
            if group.topics.count > 1 && rng.next(upTo: 3) == 0 {
                let leaving = group.topics.keys.sorted()[Int(rng.next(upTo: UInt64(group.topics.count)))]
                group.topics[leaving] = nil
            } else {
                group.topics["m\(nextID)"] = randomTopics()
                nextID += 1
            }
            let settled = group.settle()
            let subs = group.subscriptions
            #expect(settled.problems.isEmpty, "seed \(seed) step \(step): \(settled.problems)")
            #expect(unassigned(group.owned, subs, counts).isEmpty, "seed \(seed) step \(step)")
            #expect(imbalances(group.owned, subs).isEmpty, "seed \(seed) step \(step): \(imbalances(group.owned, subs))")
            if !mixed {
                let sizes = group.owned.values.map(\.count)
                #expect((sizes.max() ?? 0) - (sizes.min() ?? 0) <= 1, "seed \(seed) step \(step)")
            }
        }
    }

    @Test func stickinessWhenAMemberJoinsAnEqualGroup() {
        var group = CooperativeGroupSimulation(counts: ["t": 12])
        group.topics = ["c1": ["t"], "c2": ["t"], "c3": ["t"]]
        _ = group.settle()
        let before = group.owned
        group.topics["c4"] = ["t"]
        #expect(group.settle().problems.isEmpty)
        // Each old member gave up exactly one partition and kept the rest.
        for id in ["c1", "c2", "c3"] {
            let kept = Set(before[id] ?? []).intersection(group.owned[id] ?? [])
            #expect(kept.count == 3)
        }
        #expect(group.owned["c4"]?.count == 3)
    }
}

/// A small deterministic generator, so a failing seed can be replayed.
struct SplitMix64 {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(upTo bound: UInt64) -> UInt64 { next() % bound }
}
