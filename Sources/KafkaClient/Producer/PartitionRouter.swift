import KafkaWire

/// Picks each message's partition: an explicit partition as given, else the partitioner's answer
/// for the partition key (or the record key), else the topic's sticky partition.
///
/// Sticky partitioning (KIP-480): messages without a preference stick to one partition until its
/// open batch is full or has been sent, and only then move to another partition, chosen at random
/// among the available ones. Batches fill up instead of being spread one message per partition,
/// so a keyless stream costs fewer, larger requests.
///
/// Pure: the accumulator's view (`hasOpenBatch`) comes in as a closure, randomness from a
/// generator that tests seed.
public struct PartitionRouter: Sendable {
    /// The partitioner for messages without an explicit partition.
    public var partitioner: any Partitioner
    /// The sticky partition per topic, and whether a message has been placed on it yet.
    private var sticky: [String: (partition: Int32, used: Bool)] = [:]
    private var random: ProducerRandom

    /// A router using `partitioner`; `random` chooses sticky partitions (seed it in tests).
    public init(partitioner: any Partitioner = BuiltInPartitioner.javaDefault, random: ProducerRandom = ProducerRandom()) {
        self.partitioner = partitioner
        self.random = random
    }

    /// The partition for `message` of a topic with `partitionCount` partitions, of which
    /// `availablePartitions` (ascending) have a leader.
    ///
    /// `hasOpenBatch(partition, size)` says whether the partition's newest batch would still take
    /// a record of `size` bytes: when the sticky partition's would not, the sticky partition moves on.
    public mutating func partition(
        for message: ProducerMessage, partitionCount: Int32, availablePartitions: [Int32],
        hasOpenBatch: (Int32, Int) -> Bool
    ) -> Result<Int32, KafkaProducerError> {
        guard partitionCount > 0 else { return .failure(.unknownTopic(message.topic)) }
        let key: ByteSlice?
        switch message.partitioning {
        case let .explicit(partition):
            guard partition >= 0 && partition < partitionCount else {
                return .failure(.unknownPartition(topic: message.topic, partition: partition, partitionCount: partitionCount))
            }
            return .success(partition)
        case let .key(partitionKey):
            key = partitionKey
        case .automatic:
            key = message.key
        }
        if let chosen = partitioner.partition(topic: message.topic, key: key, partitionCount: partitionCount,
                                              availablePartitions: availablePartitions) {
            guard chosen >= 0 && chosen < partitionCount else {
                return .failure(.unknownPartition(topic: message.topic, partition: chosen, partitionCount: partitionCount))
            }
            return .success(chosen)
        }
        return .success(stickyPartition(for: message, partitionCount: partitionCount,
                                        availablePartitions: availablePartitions, hasOpenBatch: hasOpenBatch))
    }

    private mutating func stickyPartition(
        for message: ProducerMessage, partitionCount: Int32, availablePartitions: [Int32],
        hasOpenBatch: (Int32, Int) -> Bool
    ) -> Int32 {
        let topic = message.topic
        if let current = sticky[topic], current.partition < partitionCount {
            // Stay while the batch being filled takes the message (or nothing was placed here yet).
            if !current.used || hasOpenBatch(current.partition, message.recordSizeUpperBound) {
                sticky[topic] = (current.partition, true)
                return current.partition
            }
            let next = randomPartition(partitionCount: partitionCount, available: availablePartitions,
                                       avoiding: current.partition)
            sticky[topic] = (next, true)
            return next
        }
        let next = randomPartition(partitionCount: partitionCount, available: availablePartitions, avoiding: nil)
        sticky[topic] = (next, true)
        return next
    }

    /// A random partition among the available ones (all when none is), other than `avoiding`
    /// when there is a choice.
    private mutating func randomPartition(partitionCount: Int32, available: [Int32], avoiding: Int32?) -> Int32 {
        let candidates = available.filter { $0 >= 0 && $0 < partitionCount }
        if candidates.isEmpty {
            guard partitionCount > 1, let avoiding else { return Int32.random(in: 0..<partitionCount, using: &random) }
            // One of the other partitions: skip over `avoiding`.
            let pick = Int32.random(in: 0..<(partitionCount - 1), using: &random)
            return pick >= avoiding ? pick + 1 : pick
        }
        if let avoiding, candidates.count > 1, candidates.contains(avoiding) {
            let others = candidates.filter { $0 != avoiding }
            return others[Int.random(in: 0..<others.count, using: &random)]
        }
        return candidates[Int.random(in: 0..<candidates.count, using: &random)]
    }

    /// Forgets the sticky partition of `topic` (its metadata changed), so the next keyless message picks anew.
    public mutating func resetSticky(topic: String) {
        sticky[topic] = nil
    }
}

/// The producer's source of randomness: the system generator, or a seeded SplitMix64 for tests
/// and reproducible runs.
public struct ProducerRandom: RandomNumberGenerator, Sendable {
    private var state: UInt64?

    /// The system's generator.
    public init() { state = nil }

    /// A deterministic generator starting from `seed`.
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        guard var z = state else {
            var system = SystemRandomNumberGenerator()
            return system.next()
        }
        // SplitMix64 (Steele, Lea, Flood 2014).
        z &+= 0x9e37_79b9_7f4a_7c15
        state = z
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}
