import KafkaClient

/// Routes each consumed batch to its controller or consumer: callbacks, then perform inline or
/// enqueue for a worker (Karafka's `Connection::Listener` → `Routing::Router` → `schedule`).
///
/// Messages of one batch are handled one after another, so a partition's order is kept.
public struct Processor: Sendable {
    /// The validated routes.
    public let routes: RoutingTable
    /// Where responders deliver.
    public let sink: any MessageSink
    /// How responders deliver.
    public let deliveryMode: DeliveryMode
    /// Where instrumentation goes.
    public let monitor: any Monitor

    /// A processor over `routes`.
    public init(routes: RoutingTable, sink: any MessageSink, deliveryMode: DeliveryMode, monitor: any Monitor) {
        self.routes = routes
        self.sink = sink
        self.deliveryMode = deliveryMode
        self.monitor = monitor
    }

    /// Handles `batch` and returns the offset to mark as consumed next (one past the last message
    /// handled), or nil when nothing may be marked. A message whose enqueue failed stops the batch:
    /// it and what follows are not marked, so they are delivered again.
    public func process(_ batch: MessageBatch) async -> Int64? {
        guard let last = batch.messages.last else { return nil }
        let tp = batch.topicPartition
        monitor.notice("Processor", NoticeOptions(.consume, topic: tp.topic, partition: tp.partition,
                                                  offset: last.offset, count: batch.messages.count))
        guard let route = routes[tp.topic] else {
            // Nothing would ever handle it: reported and skipped, not redelivered forever.
            monitor.noticeError("Processor", ProcessingError.noRoute(topic: tp.topic))
            return last.offset + 1
        }
        let context = ProcessingContext(route: route, sink: sink, deliveryMode: deliveryMode, monitor: monitor)
        switch route.handler {
        case let .controller(name, make):
            var next: Int64?
            for message in batch.messages {
                guard await handle(message, route: route, name: name, make: make, context: context) else { break }
                next = message.offset + 1
            }
            return next
        case let .batchConsumer(name, make):
            let consumer = make()
            consumer.context = context
            do {
                try await consumer.consume(batch.messages.map { Params($0, parser: route.parser) })
                monitor.notice(name, NoticeOptions(.perform, topic: tp.topic, partition: tp.partition,
                                                   offset: last.offset, count: batch.messages.count))
                return last.offset + 1
            } catch {
                monitor.noticeError(name, error)
                return consumer.markedOffset
            }
        }
    }

    /// One message through a new controller. False when the batch must stop here (enqueue failed).
    private func handle(_ message: InboundMessage, route: ResolvedRoute, name: String,
                        make: @Sendable () -> Controller, context: ProcessingContext) async -> Bool {
        let controller = make()
        controller.params = Params(message, parser: route.parser)
        controller.worker = route.worker
        controller.context = context
        let options = { (event: MonitorEvent, extra: [String: String]) in
            NoticeOptions(event, topic: message.topic, partition: message.partition, offset: message.offset, extra: extra)
        }
        do {
            guard try await controller.runBeforeEnqueue() else {
                monitor.notice(name, options(.aborted, [:]))
                return true
            }
        } catch {
            monitor.noticeError(name, error)
            return true
        }
        if route.inline {
            do {
                try await controller.perform()
                monitor.notice(name, options(.perform, [:]))
            } catch {
                // Inline failures are reported and the partition moves on, as in Karafka's inline mode;
                // use a worker for retries.
                monitor.noticeError(name, error)
            }
            return true
        }
        do {
            guard let worker = controller.worker else { throw ProcessingError.noWorker(topic: route.topic) }
            let envelope = JobEnvelope(route: route.topic, message: message, overrides: controller.params.overrides,
                                       headers: ["worker": worker.name])
            try await worker.enqueue(EncodedJob(envelope, interchanger: route.interchanger), sink: sink)
            monitor.notice(name, options(.performEnqueued, ["worker": worker.name]))
            return true
        } catch {
            monitor.noticeError(name, error)
            return false
        }
    }
}

/// A message the processor could not place.
public enum ProcessingError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A batch arrived for a topic no route consumes.
    case noRoute(topic: String)
    /// A job names a route that does not exist.
    case unknownJobRoute(String)
    /// A callback cleared the worker of a route that is not inline.
    case noWorker(topic: String)
    /// A `KafkaQueueWorker` without a sink of its own was used outside a running server.
    case noSink(worker: String)

    public var description: String {
        switch self {
        case let .noRoute(topic): "no route consumes topic \"\(topic)\""
        case let .unknownJobRoute(route): "job for unknown route \"\(route)\""
        case let .noWorker(topic): "no worker for topic \"\(topic)\""
        case let .noSink(worker): "worker \"\(worker)\" has no sink outside a running server"
        }
    }
}
