import KafkaWire

// What happens to a batch once it has been sent: acknowledged, retried (back at the front of its
// partition, in order), split, failed, or expired; and InitProducerId for idempotence.

/// One partition's result in a produce response, as the accumulator needs it.
public struct PartitionProduceResult: Sendable, Equatable {
    /// NONE, or why the batch was not appended.
    public var errorCode: ErrorCode
    /// The offset of the batch's first record; -1 when unknown.
    public var baseOffset: Int64
    /// The broker's append time for LogAppendTime topics, else -1.
    public var logAppendTimeMs: Int64
    /// The partition's log start offset, -1 when unknown (UNKNOWN_PRODUCER_ID handling needs it).
    public var logStartOffset: Int64
    /// Records that made the broker drop the batch: index in the batch and reason (KIP-467).
    public var recordErrors: [Int32: String?]
    /// The broker's message about the error.
    public var errorMessage: String?

    /// A result.
    public init(errorCode: ErrorCode = .none, baseOffset: Int64 = -1, logAppendTimeMs: Int64 = -1,
                logStartOffset: Int64 = -1, recordErrors: [Int32: String?] = [:], errorMessage: String? = nil) {
        self.errorCode = errorCode
        self.baseOffset = baseOffset
        self.logAppendTimeMs = logAppendTimeMs
        self.logStartOffset = logStartOffset
        self.recordErrors = recordErrors
        self.errorMessage = errorMessage
    }

    /// The result in a decoded partition response.
    public init(_ response: ProduceResponse.PartitionProduceResponse) {
        var recordErrors: [Int32: String?] = [:]
        for error in response.recordErrors { recordErrors[error.batchIndex] = error.batchIndexErrorMessage }
        self.init(errorCode: response.errorCode, baseOffset: response.baseOffset,
                  logAppendTimeMs: response.logAppendTimeMs, logStartOffset: response.logStartOffset,
                  recordErrors: recordErrors, errorMessage: response.errorMessage)
    }
}

extension RecordAccumulator {
    /// Errors meaning the producer's view of the partition's leader is stale (the Java client's
    /// `InvalidMetadataException` family): the batch is retried after a metadata refresh.
    static let metadataErrors: Set<ErrorCode> = [
        .notLeaderOrFollower, .unknownTopicOrPartition, .leaderNotAvailable, .kafkaStorageError,
        .fencedLeaderEpoch, .unknownLeaderEpoch, .networkException, .unknownTopicId, .inconsistentTopicId,
    ]

    /// The broker answered a produce request built from `plan`.
    public mutating func produceResponseReceived(_ response: ProduceResponse, for plan: ProduceRequestPlan,
                                                 now: ContinuousClock.Instant) -> ProducerActions {
        var results: [TopicPartition: PartitionProduceResult] = [:]
        for topic in response.responses {
            for partition in topic.partitionResponses {
                results[TopicPartition(topic.name, partition.index)] = PartitionProduceResult(partition)
            }
        }
        var actions = ProducerActions()
        actions.reports.reserveCapacity(plan.batches.reduce(0) { $0 + $1.recordCount })
        for batch in plan.batches {
            if let result = results[batch.topicPartition] {
                complete(batch.id, with: result, now: now, into: &actions)
            } else {
                // A response must answer every partition asked; without one the batch's fate is
                // unknown, like a lost connection's: retry (idempotence deduplicates).
                let error = KafkaProducerError.broker(KafkaError(.networkException,
                                                                 brokerMessage: "no result for this partition in the response"))
                fail(batch.id, with: error, now: now, into: &actions)
            }
        }
        finishEvent(into: &actions)
        return actions
    }

    /// A partition's result, for an owner that decodes responses itself (and for tests).
    public mutating func partitionResultReceived(_ result: PartitionProduceResult, batch id: ProducerBatchID,
                                                 now: ContinuousClock.Instant) -> ProducerActions {
        var actions = ProducerActions()
        complete(id, with: result, now: now, into: &actions)
        finishEvent(into: &actions)
        return actions
    }

    /// The request built from `plan` got no response: the connection failed or timed out (a
    /// retriable `transport` error), or it could not be encoded or sent at all (not retriable).
    public mutating func requestFailed(_ plan: ProduceRequestPlan, error: KafkaProducerError,
                                       now: ContinuousClock.Instant) -> ProducerActions {
        var actions = ProducerActions()
        for batch in plan.batches { fail(batch.id, with: error, now: now, into: &actions) }
        if case .transport = error { actions.refreshMetadata.formUnion(plan.topics) }
        finishEvent(into: &actions)
        return actions
    }

    /// The request built from `plan` was written with `acks` 0: no answer will come, so its
    /// messages count as delivered, at unknown offsets.
    public mutating func requestSent(_ plan: ProduceRequestPlan, now: ContinuousClock.Instant) -> ProducerActions {
        var actions = ProducerActions()
        for batch in plan.batches {
            guard let batch = removeInFlight(batch.id) else { continue }
            succeed(batch, baseOffset: nil, logAppendTimeMs: -1, into: &actions)
        }
        finishEvent(into: &actions)
        return actions
    }

    /// Fails the queued batches older than `delivery.timeout.ms`. Batches in flight wait for
    /// their request's outcome (`request.timeout.ms` bounds it), and expire then if retrying
    /// would be too late.
    public mutating func expireBatches(now: ContinuousClock.Instant) -> ProducerActions {
        var actions = ProducerActions()
        for batch in removeExpired(now: now) {
            if let sequence = batch.sequence {
                // It was sent before and is waiting for a retry: whether the broker wrote it is unknown.
                idempotence?.sentBatchExpired(batch.topicPartition, batchID: batch.id, sequence: sequence,
                                              recordCount: batch.recordCount)
            }
            failRecords(of: batch, with: .deliveryTimedOut(after: configuration.deliveryTimeout, lastError: batch.lastError),
                        recordErrors: [:], into: &actions)
        }
        finishEvent(into: &actions)
        return actions
    }

    // MARK: InitProducerId

    /// The InitProducerId request to send now, if the idempotent producer needs an ID and is not
    /// already asking for one. Send it to any broker; answer with `producerIDResponseReceived`.
    public mutating func producerIDRequest() -> InitProducerIdRequest? {
        guard !stateIsFailed, !isClosed else { return nil }
        return idempotence?.producerIDRequest()
    }

    /// InitProducerId answered. A retriable error means: ask again after the retry backoff.
    public mutating func producerIDResponseReceived(_ response: InitProducerIdResponse) -> (outcome: IdempotentProducerState.InitOutcome, actions: ProducerActions) {
        var actions = ProducerActions()
        guard let outcome = idempotence?.producerIDResponseReceived(response) else {
            return (.ready(rewrittenSequences: [:]), actions)
        }
        switch outcome {
        case let .ready(rewrites): applySequenceRewrites(rewrites)
        case .retry: break
        case let .fatal(error): enterFatal(error, into: &actions)
        }
        finishEvent(into: &actions)
        return (outcome, actions)
    }

    /// InitProducerId got no answer: it will be asked for again.
    public mutating func producerIDRequestFailed() {
        idempotence?.producerIDRequestFailed()
    }

    // MARK: Outcomes of one batch

    /// Settles a batch from its partition's result, as the Java client's `Sender.completeBatch`.
    private mutating func complete(_ id: ProducerBatchID, with result: PartitionProduceResult,
                                   now: ContinuousClock.Instant, into actions: inout ProducerActions) {
        guard var batch = removeInFlight(id) else { return }  // aborted, or already settled
        let code = result.errorCode
        let topicPartition = batch.topicPartition
        if Self.metadataErrors.contains(code) { actions.refreshMetadata.insert(topicPartition.topic) }
        guard code.isError else {
            succeed(batch, baseOffset: result.baseOffset >= 0 ? result.baseOffset : nil,
                    logAppendTimeMs: result.logAppendTimeMs, into: &actions)
            return
        }
        let error = KafkaProducerError.broker(KafkaError(code, brokerMessage: result.errorMessage))
        if code == .messageTooLarge && batch.recordCount > 1 && !stateIsFailed {
            // The broker takes smaller batches than we made: split in two and send both parts.
            split(batch, into: &actions)
            return
        }
        switch retryDecision(for: batch, error: error, code: code, logStartOffset: result.logStartOffset, now: now) {
        case .retry:
            requeueForRetry(&batch, error: error, now: now, into: &actions)
        case .giveUp(let finalError):
            if code == .duplicateSequenceNumber {
                // The broker already has this batch (an earlier attempt was written, its answer
                // lost) but no longer knows where: success, at an unknown offset.
                succeed(batch, baseOffset: nil, logAppendTimeMs: -1, into: &actions)
                return
            }
            if batch.sequence != nil {
                idempotence?.batchFailed(topicPartition, batchID: batch.id, error: code,
                                         adjustSequenceNumbers: batch.attempts <= configuration.retries)
            }
            failRecords(of: batch, with: finalError, recordErrors: result.recordErrors, into: &actions)
        }
    }

    /// Settles a batch whose request failed as a whole with `error`.
    private mutating func fail(_ id: ProducerBatchID, with error: KafkaProducerError, now: ContinuousClock.Instant,
                               into actions: inout ProducerActions) {
        guard var batch = removeInFlight(id) else { return }
        switch retryDecision(for: batch, error: error, code: nil, logStartOffset: -1, now: now) {
        case .retry:
            requeueForRetry(&batch, error: error, now: now, into: &actions)
        case .giveUp(let finalError):
            if batch.sequence != nil {
                idempotence?.batchFailed(batch.topicPartition, batchID: batch.id, error: error.errorCode ?? .networkException,
                                         adjustSequenceNumbers: batch.attempts <= configuration.retries)
            }
            failRecords(of: batch, with: finalError, recordErrors: [:], into: &actions)
        }
    }

    private enum RetryDecision {
        case retry
        case giveUp(KafkaProducerError)
    }

    /// Java's `Sender.canRetry`: not past the delivery timeout, retries left, the producer not
    /// failed, and the error retriable (by the idempotence rules when they apply).
    private mutating func retryDecision(for batch: ProducerBatch, error: KafkaProducerError, code: ErrorCode?,
                                        logStartOffset: Int64, now: ContinuousClock.Instant) -> RetryDecision {
        if let fatal = fatalError { return .giveUp(code == nil ? .fatal(fatal) : error) }
        // Deadline and retry count first, as Java does: the idempotence rules below may schedule
        // an epoch bump, which only a batch that will really be retried should cause.
        if batch.createdAt + configuration.deliveryTimeout <= now {
            return .giveUp(error.isRetriable ? .deliveryTimedOut(after: configuration.deliveryTimeout, lastError: error) : error)
        }
        // `attempts` counts sends; `retries` counts sends after the first.
        guard batch.attempts <= configuration.retries else { return .giveUp(error) }
        let retriable: Bool
        if let code, idempotence != nil, batch.sequence != nil {
            retriable = idempotence?.canRetry(batch.topicPartition, batchID: batch.id, sequence: batch.sequence,
                                              error: code, logStartOffset: logStartOffset) ?? false
        } else {
            retriable = error.isRetriable
        }
        return retriable ? .retry : .giveUp(error)
    }

    private mutating func requeueForRetry(_ batch: inout ProducerBatch, error: KafkaProducerError,
                                          now: ContinuousClock.Instant, into actions: inout ProducerActions) {
        let notBefore = now + configuration.backoff(beforeRetry: batch.attempts)
        batch.lastError = error
        batch.retryNotBefore = notBefore
        batch.isSealed = true
        actions.retries.append(RetryScheduled(batchID: batch.id, topicPartition: batch.topicPartition,
                                              attempts: batch.attempts, error: error, notBefore: notBefore))
        requeue(batch)
    }

    /// Splits a batch the broker found too large into two, which take its place in the queue
    /// (and its sequence range, with idempotence).
    private mutating func split(_ batch: ProducerBatch, into actions: inout ProducerActions) {
        let middle = batch.recordCount / 2
        var parts: [ProducerBatch] = []
        for range in [0..<middle, middle..<batch.recordCount] {
            var part = ProducerBatch(id: newBatchID(), topicPartition: batch.topicPartition,
                                     createdAt: batch.createdAt, capacity: range.count)
            part.records = Array(batch.records[range])
            part.sizeUpperBound = ProducerBatch.headerSize + part.records.reduce(0) { $0 + $1.sizeUpperBound }
            part.isSealed = true
            part.attempts = batch.attempts
            part.lastError = batch.lastError
            parts.append(part)
        }
        if batch.sequence != nil,
           let sequences = idempotence?.batchSplit(batch.topicPartition, batchID: batch.id,
                                                   into: parts.map { ($0.id, $0.recordCount) }) {
            for index in parts.indices { parts[index].sequence = sequences[parts[index].id] }
        }
        for part in parts { requeue(part) }
    }

    /// Reports every record of `batch` as appended from `baseOffset` on.
    mutating func succeed(_ batch: ProducerBatch, baseOffset: Int64?, logAppendTimeMs: Int64,
                          into actions: inout ProducerActions) {
        if let sequence = batch.sequence {
            idempotence?.batchSucceeded(batch.topicPartition, batchID: batch.id, sequence: sequence,
                                        recordCount: batch.recordCount, baseOffset: baseOffset)
        }
        let topic = batch.topicPartition.topic
        let partition = batch.topicPartition.partition
        // Not an exact reserveCapacity per batch: with several batches per response that would
        // reallocate (and copy every report) once per batch instead of growing geometrically.
        if actions.reports.isEmpty { actions.reports.reserveCapacity(batch.records.count) }
        // By index, reading fields in place: copying each record would retain and release its
        // key, value, headers and label.
        let records = batch.records
        var released = 0
        for index in records.indices {
            let offset = baseOffset.map { $0 + Int64(index) }
            let delivered: DeliveredMessage
            if logAppendTimeMs >= 0 {
                delivered = DeliveredMessage(topic: topic, partition: partition, offset: offset,
                                             timestampMs: logAppendTimeMs, timestampType: .logAppendTime)
            } else {
                delivered = DeliveredMessage(topic: topic, partition: partition, offset: offset,
                                             timestampMs: records[index].timestampMs, timestampType: .createTime)
            }
            actions.reports.append(DeliveryReport(messageID: records[index].messageID, topic: topic, partition: partition,
                                                  label: records[index].label, result: .success(delivered)))
            released += records[index].sizeUpperBound
        }
        releaseBytes(released, messages: records.count)
    }

    /// After every event: settle sequences, perform an epoch bump, enter the failed state if the
    /// idempotence rules say so, and complete flushes and the close.
    private mutating func finishEvent(into actions: inout ProducerActions) {
        if idempotence != nil {
            idempotence?.resolveSequences()
            if let rewrites = idempotence?.bumpEpochIfNeeded() { applySequenceRewrites(rewrites) }
            if let fatal = idempotence?.fatalError { enterFatal(fatal, into: &actions) }
        }
        settleFlushesAndClose(into: &actions)
    }
}
