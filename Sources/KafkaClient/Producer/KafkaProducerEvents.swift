import KafkaWire
import Synchronization

/// What happens in a producer, for instrumentation (the framework's monitor) and for applications
/// that read delivery reports as a stream (librdkafka's delivery report callback).
public enum KafkaProducerEvent: Sendable {
    /// A message was accepted into the buffer (`produceAsync` returned). Only the instrumentation
    /// listener gets this one: on the events sequence it would double the work per message.
    case messageProduced(ProducedMessage)
    /// A message's outcome: acknowledged (`report.result` is `.success`) or failed. Exactly one per
    /// accepted message.
    case deliveryReport(DeliveryReport)
    /// `produceAsync` found the buffer full (it then waits or fails, by `max.block.ms`).
    case bufferFull(topic: String, messages: Int, bytes: Int)
    /// A batch went out in a produce request.
    case batchSent(SentBatch)
    /// A batch failed and will be sent again.
    case retryScheduled(RetryScheduled)
    /// The producer failed for good (fenced, not authorized...): every message it still holds fails.
    case fatalError(KafkaProducerError)
}

/// A message the producer accepted.
public struct ProducedMessage: Sendable {
    /// Its ID (the delivery report carries the same).
    public let messageID: ProducerMessageID
    /// The topic.
    public let topic: String
    /// The partition it was appended to.
    public let partition: Int32
}

/// A batch in a produce request.
public struct SentBatch: Sendable, Hashable {
    /// The broker the request went to.
    public let broker: Int32
    /// The batch's partition.
    public let topicPartition: TopicPartition
    /// Its records.
    public let recordCount: Int
    /// The encoded (compressed) batch's size in bytes.
    public let bytes: Int
    /// 1 for the first send, more for retries.
    public let attempt: Int
}

extension DeliveryReport {
    /// Whether the message was appended to its partition.
    public var isAcknowledged: Bool { delivered != nil }
}

/// The events of one producer as an `AsyncSequence`: delivery reports and instrumentation events
/// (all but `messageProduced`), in the order they happened. It ends when the producer's `run()` ends.
///
/// Single-consumer in spirit: each event goes to whichever iterator takes it first. Events are
/// kept until read, so a producer made with events must have them read (as librdkafka's delivery
/// reports must be polled); `KafkaProducer(configuration:)` makes none.
public struct KafkaProducerEvents: AsyncSequence, Sendable {
    public typealias Element = KafkaProducerEvent
    let buffer: EventBuffer

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(buffer: buffer) }

    /// Takes events in bulk from the shared buffer (one lock per bulk, not per event); a bulk of
    /// delivery reports stays the array the producer made, each report wrapped as it is read.
    public struct AsyncIterator: AsyncIteratorProtocol {
        let buffer: EventBuffer
        private var chunks: [EventChunk] = []
        private var chunkIndex = 0
        @usableFromInline var reports: [DeliveryReport] = []
        private var others: [KafkaProducerEvent] = []
        @usableFromInline var index = 0

        init(buffer: EventBuffer) { self.buffer = buffer }

        /// The next event. Inlinable so that reading a bulk of reports costs no async call per
        /// report; only refilling from the producer goes through `refill()`.
        @inlinable
        public mutating func next() async -> KafkaProducerEvent? {
            if index < reports.count {
                defer { index += 1 }
                return .deliveryReport(reports[index])
            }
            return await refill()
        }

        @usableFromInline
        mutating func refill() async -> KafkaProducerEvent? {
            while true {
                if index < reports.count {
                    defer { index += 1 }
                    return .deliveryReport(reports[index])
                }
                if index < others.count {
                    defer { index += 1 }
                    return others[index]
                }
                reports = []
                others = []
                index = 0
                if chunkIndex < chunks.count {
                    switch chunks[chunkIndex] {
                    case let .reports(bulk): reports = bulk
                    case let .events(bulk): others = bulk
                    }
                    chunkIndex += 1
                    continue
                }
                chunks.removeAll(keepingCapacity: true)
                chunkIndex = 0
                guard await buffer.take(into: &chunks) else { return nil }
            }
        }
    }
}

/// A bulk of events as the producer published it.
enum EventChunk: Sendable {
    case reports([DeliveryReport])
    case events([KafkaProducerEvent])
}

/// The events not yet read, and the reader waiting for some.
final class EventBuffer: Sendable {
    private struct State {
        var chunks: [EventChunk] = []
        var finished = false
        var waiters: [UInt64: CheckedContinuation<Void, Never>] = [:]
        var nextWaiterID: UInt64 = 0
    }

    private let state = Mutex(State())

    /// Appends instrumentation events and wakes the readers.
    func append(contentsOf events: [KafkaProducerEvent]) {
        guard !events.isEmpty else { return }
        append(.events(events))
    }

    /// Appends delivery reports (the array itself, not a copy of its elements) and wakes the readers.
    func append(reports: [DeliveryReport]) {
        guard !reports.isEmpty else { return }
        append(.reports(reports))
    }

    private func append(_ chunk: EventChunk) {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            guard !state.finished else { return [] }
            state.chunks.append(chunk)
            guard !state.waiters.isEmpty else { return [] }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// No more events: readers get nil once the buffer is empty.
    func finish() {
        let waiters = state.withLock { state -> [CheckedContinuation<Void, Never>] in
            state.finished = true
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume() }
    }

    /// Moves every buffered chunk into `chunks` (empty on entry), waiting for one if there is none;
    /// false when the buffer is finished and empty, or the task is cancelled.
    func take(into chunks: inout [EventChunk]) async -> Bool {
        while true {
            let (taken, done) = state.withLock { state -> (Bool, Bool) in
                if !state.chunks.isEmpty {
                    swap(&chunks, &state.chunks)
                    return (true, false)
                }
                return (false, state.finished)
            }
            if taken { return true }
            if done || Task.isCancelled { return false }
            let id = state.withLock { state -> UInt64 in
                state.nextWaiterID += 1
                return state.nextWaiterID
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.withLock { state -> Bool in
                        if !state.chunks.isEmpty || state.finished || Task.isCancelled { return true }
                        state.waiters[id] = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: {
                state.withLock { $0.waiters.removeValue(forKey: id) }?.resume()
            }
        }
    }
}

/// The outcome of one `produceAsync`: await it, or read it when you want; the same report also
/// goes to the events sequence.
public struct DeliveryHandle: Sendable {
    /// The message's ID.
    public let messageID: ProducerMessageID
    // No topic here: every handle would retain the topic's string, a cache line every core touches
    // per message; the report names it.
    @usableFromInline let promise: DeliveryPromise

    @usableFromInline
    init(messageID: ProducerMessageID, promise: DeliveryPromise) {
        self.messageID = messageID
        self.promise = promise
    }

    /// The delivery report, once the message has one; nil while it is still on its way.
    public var report: DeliveryReport? { promise.currentReport }

    /// Waits for the delivery report. Throws `CancellationError` if the waiting task is cancelled
    /// (the message goes on regardless; its report still comes out of the events sequence).
    public func waitForReport() async throws(CancellationError) -> DeliveryReport {
        try await promise.wait()
    }

    /// Waits for the delivery and returns where the message landed; throws the message's
    /// `KafkaProducerError` when it was not delivered, `CancellationError` if cancelled.
    public func delivered() async throws -> DeliveredMessage {
        try await waitForReport().result.get()
    }
}

/// One message's report, filled once; held in the message's buffered record as its label until then.
@usableFromInline
final class DeliveryPromise: Sendable {
    private struct State {
        var report: DeliveryReport?
        var waiters: [UInt64: CheckedContinuation<DeliveryReport, any Error>] = [:]
        var nextWaiterID: UInt64 = 0
    }

    /// The caller's own label, which the public report carries.
    let userLabel: (any Sendable)?
    private let state = Mutex(State())

    @usableFromInline
    init(userLabel: (any Sendable)?) { self.userLabel = userLabel }

    var currentReport: DeliveryReport? { state.withLock { $0.report } }

    /// Records the report and wakes whoever waits for it; reports after the first are ignored.
    func fulfil(_ report: DeliveryReport) {
        let waiters = state.withLock { state -> [CheckedContinuation<DeliveryReport, any Error>] in
            guard state.report == nil else { return [] }
            state.report = report
            guard !state.waiters.isEmpty else { return [] }
            defer { state.waiters.removeAll() }
            return Array(state.waiters.values)
        }
        for waiter in waiters { waiter.resume(returning: report) }
    }

    func wait() async throws(CancellationError) -> DeliveryReport {
        if let report = currentReport { return report }
        let id = state.withLock { state -> UInt64 in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        do {
            return try await withTaskCancellationHandler {
                try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<DeliveryReport, any Error>) in
                    let outcome = state.withLock { state -> Result<DeliveryReport, CancellationError>? in
                        if let report = state.report { return .success(report) }
                        if Task.isCancelled { return .failure(CancellationError()) }
                        state.waiters[id] = continuation
                        return nil
                    }
                    if let outcome { continuation.resume(with: outcome.mapError { $0 as any Error }) }
                }
            } onCancel: {
                state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(throwing: CancellationError())
            }
        } catch {
            throw CancellationError()
        }
    }
}
