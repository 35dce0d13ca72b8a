import KafkaWire

/// The producer ID, epoch and per-partition sequence bookkeeping of an idempotent producer: the
/// part of the Java client's TransactionManager that a non-transactional producer uses.
///
/// States: `uninitialized` (no producer ID; InitProducerId is due) → `initializing` (sent) →
/// `ready` → `fatal` (fenced, unauthorized: nothing more can be produced). An epoch bump
/// (KIP-360) is done locally: the broker accepts a higher epoch of the same producer ID starting
/// again at sequence 0. When the epoch would overflow, the producer ID is dropped and a new one
/// requested.
///
/// Rules, as the Java client applies them:
/// - A sequence is assigned when a batch is drained, never at append, so a batch that expires
///   unsent leaves no gap. Sequences of a partition are consecutive per record.
/// - A batch that already has a sequence (a retry) is sent only when it is the partition's first
///   batch in flight: during retries a partition has one request in flight, so order holds.
/// - No new batch of a partition is drained while batches with an older producer ID or epoch are
///   in flight there, nor while an expired batch left its sequence unresolved.
/// - DUPLICATE_SEQUENCE_NUMBER is success (the broker has the batch but no longer its offset).
/// - OUT_OF_ORDER_SEQUENCE_NUMBER: retried; when the batch is the next expected one (so there is
///   a real gap) the epoch is bumped and the partition's in-flight sequences rewritten from 0.
/// - UNKNOWN_PRODUCER_ID (the broker lost our state, e.g. the log was truncated by retention):
///   retried while the log start offset is unknown; otherwise an epoch bump and retry.
/// - PRODUCER_FENCED, CLUSTER_AUTHORIZATION_FAILED, TRANSACTIONAL_ID_AUTHORIZATION_FAILED and
///   UNSUPPORTED_VERSION are fatal. INVALID_PRODUCER_EPOCH (KIP-588: no longer fencing) fails the
///   batch, and the lost sequence is repaired with an epoch bump like any other failed batch.
/// - A batch failed for good while it still had retries left leaves a gap: epoch bump.
public struct IdempotentProducerState: Sendable {
    private enum State: Sendable {
        case uninitialized
        case initializing
        case ready
        case fatal(KafkaProducerError)
    }

    private struct InFlightBatch: Sendable {
        var batchID: ProducerBatchID
        var sequence: BatchSequence
        var recordCount: Int
        /// The sequence was rewritten by an epoch bump after the batch was first sent.
        var sequenceReset: Bool
    }

    private struct PartitionEntry: Sendable {
        var producerIDAndEpoch: ProducerIDAndEpoch
        var nextSequence: Int32 = 0
        var lastAckedSequence: Int32 = -1
        var lastAckedOffset: Int64 = -1
        /// Batches with a sequence not yet acknowledged or failed, in sequence order; includes
        /// those waiting to be retried.
        var inFlight: [InFlightBatch] = []

        init(producerIDAndEpoch: ProducerIDAndEpoch) { self.producerIDAndEpoch = producerIDAndEpoch }
    }

    private var state: State = .uninitialized
    /// The producer ID and epoch new batches get.
    public private(set) var producerIDAndEpoch: ProducerIDAndEpoch = .none
    private var partitions: [TopicPartition: PartitionEntry] = [:]
    /// Partitions where a batch expired after being sent: the sequence after it, until resolved.
    private var unresolved: [TopicPartition: Int32] = [:]
    private var epochBumpRequired = false
    private var partitionsToRewrite: Set<TopicPartition> = []
    /// The epoch overflowed: the rewrite waits for the new producer ID.
    private var rewriteOnNewProducerID = false

    /// A producer that has no ID yet.
    public init() {}

    /// Whether batches can get sequences now.
    public var isReady: Bool {
        if case .ready = state { return producerIDAndEpoch.isValid }
        return false
    }

    /// The fatal error, once the producer is fenced or otherwise unable to go on.
    public var fatalError: KafkaProducerError? {
        if case let .fatal(error) = state { return error }
        return nil
    }

    // MARK: InitProducerId

    /// The InitProducerId request to send when the producer needs an ID and none is being asked
    /// for; nil otherwise. Moves to `initializing`.
    public mutating func producerIDRequest() -> InitProducerIdRequest? {
        guard case .uninitialized = state else { return nil }
        state = .initializing
        // An idempotent producer has no transactional ID and no transaction timeout to speak of.
        return InitProducerIdRequest(transactionalID: nil, transactionTimeoutMs: Int32.max)
    }

    /// What became of an InitProducerId answer.
    public enum InitOutcome: Sendable, Equatable {
        /// The producer has its ID; `rewrittenSequences` are batches whose sequences changed.
        case ready(rewrittenSequences: [ProducerBatchID: BatchSequence])
        /// A retriable error: send InitProducerId again after the retry backoff.
        case retry(ErrorCode)
        /// The producer cannot go on.
        case fatal(KafkaProducerError)
    }

    /// InitProducerId answered.
    public mutating func producerIDResponseReceived(_ response: InitProducerIdResponse) -> InitOutcome {
        guard case .initializing = state else { return .ready(rewrittenSequences: [:]) }
        if response.errorCode.isError {
            if response.errorCode.isRetriable {
                state = .uninitialized
                return .retry(response.errorCode)
            }
            let error = KafkaProducerError.broker(KafkaError(response.errorCode))
            state = .fatal(error)
            return .fatal(error)
        }
        producerIDAndEpoch = ProducerIDAndEpoch(producerID: response.producerID, epoch: response.producerEpoch)
        state = .ready
        var rewrites: [ProducerBatchID: BatchSequence] = [:]
        if rewriteOnNewProducerID {
            rewriteOnNewProducerID = false
            rewrites = rewriteSequences()
        }
        return .ready(rewrittenSequences: rewrites)
    }

    /// InitProducerId got no answer (connection lost, timeout): ask again later.
    public mutating func producerIDRequestFailed() {
        if case .initializing = state { state = .uninitialized }
    }

    // MARK: Draining

    /// Whether the head batch of `topicPartition` (with `sequence` if it is a retry) must wait.
    public func shouldStopDrain(_ topicPartition: TopicPartition, headSequence sequence: BatchSequence?) -> Bool {
        guard isReady else { return true }
        let entry = partitions[topicPartition]
        if sequence == nil {
            if let entry, !entry.inFlight.isEmpty, entry.producerIDAndEpoch != producerIDAndEpoch {
                // Batches of an older epoch are still out: a new batch at sequence 0 of the new
                // epoch could overtake them.
                return true
            }
            // An expired batch may or may not have been written: wait until what follows it tells.
            if unresolved[topicPartition] != nil { return true }
        }
        if let sequence, let first = entry?.inFlight.first, sequence.baseSequence != first.sequence.baseSequence {
            // A retry goes only as the partition's first batch in flight.
            return true
        }
        return false
    }

    /// The sequence for a batch of `recordCount` records being drained for the first time.
    public mutating func assignSequence(_ topicPartition: TopicPartition, batchID: ProducerBatchID,
                                        recordCount: Int) -> BatchSequence {
        var entry = partitions[topicPartition] ?? PartitionEntry(producerIDAndEpoch: producerIDAndEpoch)
        if entry.producerIDAndEpoch != producerIDAndEpoch && entry.inFlight.isEmpty {
            // Everything of the old epoch is done: start the new epoch at sequence 0.
            entry = PartitionEntry(producerIDAndEpoch: producerIDAndEpoch)
        }
        let sequence = BatchSequence(producerIDAndEpoch: producerIDAndEpoch, baseSequence: entry.nextSequence)
        entry.nextSequence = Self.increment(entry.nextSequence, by: recordCount)
        entry.inFlight.append(InFlightBatch(batchID: batchID, sequence: sequence, recordCount: recordCount,
                                            sequenceReset: false))
        partitions[topicPartition] = entry
        return sequence
    }

    // MARK: Outcomes

    /// The broker appended the batch (or found it a duplicate).
    public mutating func batchSucceeded(_ topicPartition: TopicPartition, batchID: ProducerBatchID,
                                        sequence: BatchSequence, recordCount: Int, baseOffset: Int64?) {
        guard var entry = partitions[topicPartition] else {
            // The partition's bookkeeping was reset meanwhile (UNKNOWN_PRODUCER_ID): start it again.
            var fresh = PartitionEntry(producerIDAndEpoch: sequence.producerIDAndEpoch)
            fresh.lastAckedSequence = Self.lastSequence(sequence.baseSequence, recordCount)
            if let baseOffset { fresh.lastAckedOffset = baseOffset + Int64(recordCount) - 1 }
            fresh.nextSequence = Self.increment(fresh.lastAckedSequence, by: 1)
            if sequence.producerIDAndEpoch == producerIDAndEpoch { partitions[topicPartition] = fresh }
            return
        }
        let last = Self.lastSequence(sequence.baseSequence, recordCount)
        if last > entry.lastAckedSequence { entry.lastAckedSequence = last }
        if let baseOffset, baseOffset >= 0 {
            let lastOffset = baseOffset + Int64(recordCount) - 1
            if lastOffset > entry.lastAckedOffset { entry.lastAckedOffset = lastOffset }
        }
        entry.inFlight.removeAll { $0.batchID == batchID }
        partitions[topicPartition] = entry
    }

    /// Whether a batch that failed with `error` may be sent again, by the idempotence rules
    /// (the caller has checked retries left and the delivery timeout). May request an epoch bump.
    public mutating func canRetry(_ topicPartition: TopicPartition, batchID: ProducerBatchID, sequence: BatchSequence?,
                                  error: ErrorCode, logStartOffset: Int64) -> Bool {
        let sequenceReset = inFlightRecord(topicPartition, batchID)?.sequenceReset ?? false
        if error == .unknownProducerId {
            if logStartOffset == -1 {
                // The broker did not know the log start offset (the partition moved while the error
                // was raised): retry until it does.
                return true
            }
            if sequenceReset {
                // The first failure already restarted this partition's sequences.
                return true
            }
            // Retention removed the head of the log (our last acknowledged offset is below its
            // start) or the broker otherwise lost our state: a new epoch restarts the sequences
            // without reusing a (sequence, epoch) pair. (A transactional producer would rewrite
            // the sequences in the same epoch in the first case; this one always bumps.)
            requestEpochBump(topicPartition)
            return true
        }
        if error == .outOfOrderSequenceNumber {
            guard let sequence else { return true }
            let hasUnresolved = unresolved[topicPartition] != nil
            if !hasUnresolved && (sequenceReset || !isNextSequence(topicPartition, sequence.baseSequence)) {
                // Not the batch right after the last acknowledged one: an earlier batch failed,
                // and this one will succeed once that one is through.
                return true
            }
            // A real gap (or the batch right after an unresolved one): bump the epoch and retry.
            if !hasUnresolved || unresolved[topicPartition] == sequence.baseSequence {
                requestEpochBump(topicPartition)
            }
            return true
        }
        return error.isRetriable
    }

    /// The batch failed for good with `error`. `adjustSequenceNumbers`: it failed with retries
    /// left, so the broker definitely did not take its sequence, and later batches need new ones.
    /// Returns the fatal error when this error ends the producer.
    @discardableResult
    public mutating func batchFailed(_ topicPartition: TopicPartition, batchID: ProducerBatchID, error: ErrorCode,
                                     adjustSequenceNumbers: Bool) -> KafkaProducerError? {
        if Self.fatalErrors.contains(error), fatalError == nil {
            state = .fatal(.broker(KafkaError(error)))
        }
        partitions[topicPartition]?.inFlight.removeAll { $0.batchID == batchID }
        if let fatal = fatalError { return fatal }
        if error == .outOfOrderSequenceNumber {
            // A gap in the log: a new epoch restarts this partition's sequences at 0.
            requestEpochBump(topicPartition)
        } else if error == .unknownProducerId {
            // The broker has no state for us here and will take sequence 0.
            partitions[topicPartition] = nil
            unresolved[topicPartition] = nil
        } else if adjustSequenceNumbers {
            requestEpochBump(topicPartition)
        }
        return nil
    }

    /// A batch that had been sent expired (`delivery.timeout.ms`) before an answer settled it:
    /// whether the broker wrote it is unknown until the batches after it are answered.
    public mutating func sentBatchExpired(_ topicPartition: TopicPartition, batchID: ProducerBatchID,
                                          sequence: BatchSequence, recordCount: Int) {
        partitions[topicPartition]?.inFlight.removeAll { $0.batchID == batchID }
        let next = Self.increment(Self.lastSequence(sequence.baseSequence, recordCount), by: 1)
        unresolved[topicPartition] = max(unresolved[topicPartition] ?? next, next)
    }

    /// A batch with a sequence was split in parts (MESSAGE_TOO_LARGE): the parts take over its
    /// sequence range, in order. Returns each part's sequence.
    public mutating func batchSplit(_ topicPartition: TopicPartition, batchID: ProducerBatchID,
                                    into parts: [(batchID: ProducerBatchID, recordCount: Int)]) -> [ProducerBatchID: BatchSequence] {
        guard var entry = partitions[topicPartition],
              let index = entry.inFlight.firstIndex(where: { $0.batchID == batchID }) else { return [:] }
        let original = entry.inFlight[index]
        var next = original.sequence.baseSequence
        var replacements: [InFlightBatch] = []
        var sequences: [ProducerBatchID: BatchSequence] = [:]
        for part in parts {
            let sequence = BatchSequence(producerIDAndEpoch: original.sequence.producerIDAndEpoch, baseSequence: next)
            replacements.append(InFlightBatch(batchID: part.batchID, sequence: sequence, recordCount: part.recordCount,
                                              sequenceReset: original.sequenceReset))
            sequences[part.batchID] = sequence
            next = Self.increment(next, by: part.recordCount)
        }
        entry.inFlight.replaceSubrange(index...index, with: replacements)
        partitions[topicPartition] = entry
        return sequences
    }

    /// Settles unresolved partitions whose batches are all answered: resolved when the next
    /// sequence follows the last acknowledged one (a later batch succeeded, so the expired one
    /// was written), else a gap to repair with an epoch bump.
    public mutating func resolveSequences() {
        for (topicPartition, _) in unresolved {
            let entry = partitions[topicPartition]
            guard entry?.inFlight.isEmpty ?? true else { continue }
            let next = entry?.nextSequence ?? 0
            if !isNextSequence(topicPartition, next) {
                requestEpochBump(topicPartition)
            }
            unresolved[topicPartition] = nil
        }
    }

    /// Performs a requested epoch bump: a new epoch (or, past the last epoch, no producer ID
    /// until InitProducerId gives a new one), and the in-flight sequences of the partitions that
    /// asked for it rewritten from 0. Returns the batches whose sequences changed.
    public mutating func bumpEpochIfNeeded() -> [ProducerBatchID: BatchSequence] {
        guard epochBumpRequired, isReady else { return [:] }
        epochBumpRequired = false
        if producerIDAndEpoch.epoch == Int16.max {
            producerIDAndEpoch = .none
            state = .uninitialized
            rewriteOnNewProducerID = true
            return [:]
        }
        producerIDAndEpoch.epoch += 1
        return rewriteSequences()
    }

    /// Whether an epoch bump is waiting to be performed.
    public var isEpochBumpPending: Bool { epochBumpRequired || rewriteOnNewProducerID }

    /// The next sequence `topicPartition` will assign (for tests and diagnostics).
    public func nextSequence(_ topicPartition: TopicPartition) -> Int32 { partitions[topicPartition]?.nextSequence ?? 0 }

    /// The last acknowledged sequence of `topicPartition`, -1 when none.
    public func lastAckedSequence(_ topicPartition: TopicPartition) -> Int32 {
        partitions[topicPartition]?.lastAckedSequence ?? -1
    }

    /// Whether `topicPartition` waits for an expired batch's fate.
    public func hasUnresolvedSequence(_ topicPartition: TopicPartition) -> Bool { unresolved[topicPartition] != nil }

    /// The batches of `topicPartition` holding sequences, in sequence order.
    public func inFlightBatches(_ topicPartition: TopicPartition) -> [ProducerBatchID] {
        partitions[topicPartition]?.inFlight.map(\.batchID) ?? []
    }

    // MARK: Private

    /// Errors after which the producer cannot go on (the Java client's fatal transitions).
    static let fatalErrors: Set<ErrorCode> = [
        .producerFenced, .clusterAuthorizationFailed, .transactionalIdAuthorizationFailed, .unsupportedVersion,
    ]

    private mutating func requestEpochBump(_ topicPartition: TopicPartition) {
        epochBumpRequired = true
        partitionsToRewrite.insert(topicPartition)
    }

    private mutating func rewriteSequences() -> [ProducerBatchID: BatchSequence] {
        var rewrites: [ProducerBatchID: BatchSequence] = [:]
        for topicPartition in partitionsToRewrite {
            var entry = PartitionEntry(producerIDAndEpoch: producerIDAndEpoch)
            var next: Int32 = 0
            for var batch in partitions[topicPartition]?.inFlight ?? [] {
                batch.sequence = BatchSequence(producerIDAndEpoch: producerIDAndEpoch, baseSequence: next)
                batch.sequenceReset = true
                rewrites[batch.batchID] = batch.sequence
                entry.inFlight.append(batch)
                next = Self.increment(next, by: batch.recordCount)
            }
            entry.nextSequence = next
            partitions[topicPartition] = entry
            unresolved[topicPartition] = nil
        }
        partitionsToRewrite.removeAll()
        return rewrites
    }

    private func inFlightRecord(_ topicPartition: TopicPartition, _ batchID: ProducerBatchID) -> InFlightBatch? {
        partitions[topicPartition]?.inFlight.first { $0.batchID == batchID }
    }

    private func isNextSequence(_ topicPartition: TopicPartition, _ sequence: Int32) -> Bool {
        Int64(sequence) - Int64(partitions[topicPartition]?.lastAckedSequence ?? -1) == 1
    }

    /// `sequence + increment`, wrapping past Int32.max to 0 as record batch sequences do.
    static func increment(_ sequence: Int32, by increment: Int) -> Int32 {
        let sum = Int64(sequence) + Int64(increment)
        return Int32(truncatingIfNeeded: sum % (Int64(Int32.max) + 1))
    }

    /// The sequence of the last record of a batch at `base` with `count` records.
    static func lastSequence(_ base: Int32, _ count: Int) -> Int32 { increment(base, by: max(count - 1, 0)) }
}
