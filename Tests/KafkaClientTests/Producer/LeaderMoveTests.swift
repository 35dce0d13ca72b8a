@testable import KafkaClient
import KafkaWire
import Testing

@Suite("Record accumulator: a leader moving with batches in flight")
struct LeaderMoveTests {
    /// A new batch does not go to the new leader while an older one is still out at the old
    /// leader: the older one may come back NOT_LEADER_OR_FOLLOWER and must be appended first.
    @Test(arguments: [false, true])
    func newBatchesWaitForTheOldLeadersAnswers(idempotent: Bool) throws {
        var accumulator = idempotent
            ? RecordAccumulator.idempotent { $0.linger = .zero; $0.retryBackoff = .milliseconds(10) }
            : RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero; $0.retryBackoff = .milliseconds(10) })
        let onOne: (TopicPartition) -> Int32? = { _ in 1 }
        let onTwo: (TopicPartition) -> Int32? = { _ in 2 }
        _ = accumulator.add(message("a"))
        let first = try accumulator.mustDrain(broker: 1, now: at(0), leaderOf: onOne)
        _ = accumulator.add(message("b"), now: at(1))
        // The leader moved to broker 2 while "a" is in flight at broker 1.
        #expect(accumulator.ready(now: at(1), leaderOf: onTwo).readyBrokers.isEmpty)
        #expect(accumulator.drain(broker: 2, now: at(1), leaderOf: onTwo) == nil)
        // Broker 1 refuses "a"; after the backoff "a" goes to broker 2, then "b".
        let actions = accumulator.produceResponseReceived(response(for: first) { _ in result(.notLeaderOrFollower) }, for: first,
                                                          now: at(2))
        #expect(actions.retries.count == 1 && actions.refreshMetadata == ["t"])
        #expect(accumulator.drain(broker: 2, now: at(5), leaderOf: onTwo) == nil, "still backing off")
        let retried = try accumulator.mustDrain(broker: 2, now: at(12), leaderOf: onTwo)
        #expect(retried.batches.flatMap { $0.records.map(\.messageID) } == [.id(0)])
        let next = try accumulator.mustDrain(broker: 2, now: at(12), leaderOf: onTwo)
        #expect(next.batches.flatMap { $0.records.map(\.messageID) } == [.id(1)])
    }
}
