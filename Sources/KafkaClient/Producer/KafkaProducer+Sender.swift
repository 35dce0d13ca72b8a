import KafkaTransport
import KafkaWire
import Logging
import Synchronization

// The sender: the loop inside `run()` and the child tasks it starts (produce requests,
// InitProducerId, metadata refreshes). Each task ends by feeding its outcome back to the
// accumulator under the lock, then publishing what that released and waking the loop.

extension KafkaProducer {
    /// The sender loop: until the accumulator is closed (or the task cancelled), expire, ask for a
    /// producer ID, drain what is ready into requests, start them, and sleep until woken or the
    /// next deadline (linger, retry backoff, delivery timeout, a full-buffer waiter's timeout).
    func senderLoop(_ group: inout DiscardingTaskGroup) async {
        let maxInFlight = configuration.client.maxInFlightRequestsPerConnection
        while true {
            if Task.isCancelled {
                closeNow()
                return
            }
            let metadata = cluster.cachedMetadata
            let step = state.withLock { state -> ProducerState.SenderStep in
                if let metadata { state.updateRoutes(from: metadata) }
                return state.senderStep(now: .now, maxInFlight: maxInFlight)
            }
            deliver(step.outcome)
            if let request = step.producerIDRequest {
                group.addTask { await self.initProducerID(request) }
            }
            if step.startRefresh {
                group.addTask { await self.refreshMetadataLoop() }
            }
            for plan in step.plans {
                group.addTask { await self.send(plan) }
            }
            if step.done { return }
            await wakeup.wait(until: step.sleepUntil)
        }
    }

    // MARK: Produce requests

    private enum SendResult {
        case response(ProduceResponse)
        case written
        case failed(KafkaProducerError)
    }

    /// Builds, sends and settles one drained plan. The broker's next plan is drained only once this
    /// one holds its place on the connection (`submitted`), so batches reach it in order.
    func send(_ plan: ProduceRequestPlan) async {
        let broker = plan.broker
        var submitted = false
        func markSubmitted() {
            guard !submitted else { return }
            submitted = true
            state.withLock { _ = $0.submitting.remove(broker) }
            wakeup.signal()
        }
        let result = await sendRequest(plan, submitted: markSubmitted)
        markSubmitted()
        let now = ContinuousClock.now
        let outcome = state.withLock { state -> ProducerState.Outcome in
            state.inFlightRequests[broker, default: 1] -= 1
            let actions: ProducerActions
            switch result {
            case let .response(response): actions = state.accumulator.produceResponseReceived(response, for: plan, now: now)
            case .written: actions = state.accumulator.requestSent(plan, now: now)
            case let .failed(error):
                actions = state.accumulator.requestFailed(plan, error: error, now: now)
                if error.isRetriable { state.pendingRefresh.formUnion(plan.topics) }
            }
            state.pendingRefresh.formUnion(actions.refreshMetadata)
            return state.settle(actions)
        }
        deliver(outcome)
        wakeup.signal()
    }

    private func sendRequest(_ plan: ProduceRequestPlan, submitted: () -> Void) async -> SendResult {
        let request: ProduceRequest
        do {
            request = try builder.makeRequest(for: plan)
        } catch {
            return .failed(error)
        }
        reportSent(plan, request)
        guard let address = cluster.cachedMetadata?.brokers[plan.broker]?.address else {
            return .failed(.broker(KafkaError(.leaderNotAvailable, brokerMessage: "broker \(plan.broker) is not in the metadata")))
        }
        let key = PoolKey.node(plan.broker)
        let timeout = configuration.client.requestTimeout
        let channel: any BrokerChannel
        do {
            channel = try await cluster.pool.channel(for: key, address: address, deadline: .now + timeout)
        } catch {
            return .failed(Self.producerError(error))
        }
        let version: Int16
        do {
            guard let versions = channel.apiVersions else { throw TransportError.shutDown }
            version = try versions.version(for: ProduceRequest.self)
        } catch {
            return .failed(Self.producerError(error))
        }
        let minimum = builder.minimumVersion(for: plan)
        guard version >= minimum else {
            return .failed(.broker(KafkaError(.unsupportedVersion, brokerMessage:
                "broker \(plan.broker) takes Produce up to v\(version); these batches need v\(minimum)+")))
        }
        let started = ContinuousClock.now
        do {
            if configuration.acks == .none {
                try await channel.sendWithoutResponse(request, version: version, submitted: submitted)
                return .written
            }
            let response = try await channel.send(request, version: version, timeout: timeout, submitted: submitted)
            cluster.observer.requestCompleted(api: .produce, broker: plan.broker, duration: .now - started)
            return .response(response)
        } catch {
            let failure = KafkaClientError(error)
            cluster.observer.requestFailed(api: .produce, error: failure)
            if case let .transport(transport) = failure, transport.isRetriable {
                cluster.pool.connectionFailed(key: key, channel: channel)
            }
            return .failed(Self.producerError(failure))
        }
    }

    /// Counts and announces the batches of a request about to go out.
    private func reportSent(_ plan: ProduceRequestPlan, _ request: ProduceRequest) {
        var sizes: [TopicPartition: Int] = [:]
        var total = 0
        for topic in request.topicData {
            for partition in topic.partitionData {
                let size = partition.records?.count ?? 0
                total += size
                sizes[TopicPartition(topic.name, partition.index)] = size
            }
        }
        metrics.sent(batches: plan.batches.count, bytes: total)
        guard events != nil || listener != nil else { return }
        publish(plan.batches.map { batch in
            .batchSent(SentBatch(broker: plan.broker, topicPartition: batch.topicPartition, recordCount: batch.recordCount,
                                 bytes: sizes[batch.topicPartition] ?? 0, attempt: batch.attempts))
        })
    }

    // MARK: InitProducerId

    /// Asks any broker for a producer ID. When no broker offers InitProducerId, idempotence set to
    /// auto is turned off (and an explicit `enable.idempotence=true` fails the producer).
    func initProducerID(_ request: InitProducerIdRequest) async {
        let timeout = configuration.client.requestTimeout
        let backoff = configuration.client.retryBackoff
        do {
            let versions = try await cluster.apiVersions(timeout: timeout)
            if versions.ranges[.initProducerId] == nil {
                let explicit = configuration.enableIdempotence == true
                let outcome = state.withLock { state -> ProducerState.Outcome in
                    state.producerIDRequestInFlight = false
                    guard explicit else {
                        state.accumulator.idempotence = nil
                        return state.settle(ProducerActions())
                    }
                    let refusal = InitProducerIdResponse(errorCode: .unsupportedVersion)
                    return state.settle(state.accumulator.producerIDResponseReceived(refusal).actions)
                }
                logger.info("the broker offers no InitProducerId: \(explicit ? "enable.idempotence=true cannot be honoured" : "producing without idempotence")")
                deliver(outcome)
                wakeup.signal()
                return
            }
            let response = try await cluster.send(to: .anyBroker, timeout: timeout) { _ in request }
            let outcome = state.withLock { state -> ProducerState.Outcome in
                state.producerIDRequestInFlight = false
                let (result, actions) = state.accumulator.producerIDResponseReceived(response)
                if case .retry = result { state.producerIDNotBefore = .now + backoff }
                return state.settle(actions)
            }
            cluster.observer.debug(.broker, "InitProducerId: \(response.errorCode == .none ? "producer \(response.producerID) epoch \(response.producerEpoch)" : "\(response.errorCode)")")
            deliver(outcome)
        } catch {
            state.withLock { state in
                state.accumulator.producerIDRequestFailed()
                state.producerIDRequestInFlight = false
                state.producerIDNotBefore = .now + backoff
            }
            if error != .cancelled { logger.warning("InitProducerId failed: \(error)") }
        }
        wakeup.signal()
    }

    // MARK: Metadata

    /// Refreshes the topics the accumulator or the responses asked about, then waits
    /// `retry.backoff.ms` before the next round, until no topic is pending.
    func refreshMetadataLoop() async {
        while true {
            let topics = state.withLock { state -> Set<String>? in
                guard !state.pendingRefresh.isEmpty, !Task.isCancelled else {
                    state.refreshInFlight = false
                    return nil
                }
                defer { state.pendingRefresh.removeAll() }
                return state.pendingRefresh
            }
            guard let topics else { return }
            let names = topics.sorted()
            cluster.markMetadataStale(topics: names)
            do {
                let metadata = try await cluster.metadata(topics: names, timeout: configuration.client.requestTimeout)
                state.withLock { $0.updateRoutes(from: metadata) }
            } catch {
                cluster.observer.debug(.metadata, "producer metadata refresh for \(names) failed: \(error)")
            }
            wakeup.signal()
            try? await Task.sleep(for: configuration.client.retryBackoff)
        }
    }

    // MARK: Publishing

    /// After a transition, with the lock released: fulfil handles, publish reports and events,
    /// update metrics, resume flushes, closers and buffer waiters.
    func deliver(_ outcome: consuming ProducerState.Outcome) {
        // Own the reports array (the outcome's copy released), so the labels are set in place.
        var reports: [DeliveryReport] = []
        swap(&reports, &outcome.actions.reports)
        let actions = outcome.actions
        if !reports.isEmpty {
            var delivered = 0
            for index in reports.indices {
                if case .success = reports[index].result { delivered += 1 }
                // The label slot held the message's promise; the report carries the caller's label.
                guard let promise = reports[index].label as? DeliveryPromise else { continue }
                reports[index].label = promise.userLabel
                promise.fulfil(reports[index])
            }
            if let listener { for report in reports { listener(.deliveryReport(report)) } }
            metrics.reported(delivered: delivered, failed: reports.count - delivered)
            events?.append(reports: reports)
        }
        if !actions.retries.isEmpty {
            metrics.retried(actions.retries.count)
            for retry in actions.retries {
                cluster.observer.debug(.broker, "retrying \(retry.topicPartition) (\(retry.batchID), attempt \(retry.attempts + 1)) after: \(retry.error)")
            }
            publish(actions.retries.map { .retryScheduled($0) })
        }
        if let fatal = actions.fatalError {
            logger.error("the producer failed: \(fatal)")
            publish([.fatalError(fatal)])
        }
        metrics.queued(messages: outcome.bufferedMessages, bytes: outcome.bufferedBytes)
        for waiter in outcome.room { waiter.0.resume(returning: waiter.1) }
        for flush in outcome.flushes { flush.resume() }
        for closer in outcome.closers { closer.resume() }
    }

    /// Sends instrumentation events to the listener and the events sequence.
    func publish(_ published: [KafkaProducerEvent]) {
        guard !published.isEmpty else { return }
        if let listener { for event in published { listener(event) } }
        events?.append(contentsOf: published)
    }
}
