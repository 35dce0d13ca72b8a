#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import KafkaClient
import KafkaWire
import Synchronization
import SwafkacatCore

/// `-C` (the partitions of one topic, assigned by hand) and `-G group topic...` (a balanced group
/// member) on KafkaConsumer, printing as kcat prints.
///
/// Messages and the consumer's events (ends of partitions, rebalances, errors) arrive on two
/// sequences, read by two tasks; `ConsumePrinter` puts them back in order: an end of partition
/// at offset N is acted on once the messages before N that the consumer handed out are printed.
struct ConsumeMode {
    let runner: Runner
    let group: Bool

    func run() async -> Int32 {
        let invocation = runner.invocation
        guard let formatter = invocation.formatter else { return runner.fatal("no output format") }
        let session = ClientSession(invocation: invocation)
        let configuration: KafkaConsumerConfiguration
        do {
            var properties = try session.consumerConfiguration(commits: group)
            if group, !invocation.settings.isSet("auto.offset.reset") {
                // kcat hands -o's offset to every assignment: a new group starts there too.
                switch invocation.startOffset {
                case .beginning?: properties.autoOffsetReset = .earliest
                case .end?: properties.autoOffsetReset = .latest
                default: break
                }
            }
            configuration = properties
        } catch {
            return runner.fatal("Failed to create consumer: \(error)")
        }
        if !group, invocation.startOffset == .stored, configuration.groupID == nil {
            return runner.fatal("-o stored needs a consumer group: add -X group.id=<group>")
        }
        let consumer: KafkaConsumer
        do {
            consumer = try KafkaConsumer(configuration: configuration, logger: session.logger())
        } catch {
            return runner.fatal("Failed to create consumer: \(error)")
        }
        RunStop.shared.install()
        let printer = ConsumePrinter(runner: runner, formatter: formatter, consumer: consumer, group: group)
        let (stops, stop) = AsyncStream<Void>.makeStream()
        printer.onDone = { stop.yield(()) }
        RunStop.shared.onStop { stop.yield(()) }
        let failure = FailureBox()
        await withTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                do {
                    try await consumer.run()
                } catch {
                    failure.error.withLock { $0 = error }
                }
            }
            tasks.addTask {
                for await _ in stops { break }
                await consumer.close()
            }
            tasks.addTask {
                for await event in consumer.events { await printer.handle(event) }
            }
            tasks.addTask {
                while printer.settlePendingEnds() {
                    try? await Task.sleep(for: .milliseconds(20))
                }
            }
            if await start(consumer, printer: printer, session: session) {
                do {
                    for try await message in consumer.messages {
                        if printer.handle(message) { break }
                    }
                } catch {
                    printer.fail("Consumer error: \(ConsumePrinter.text(error))")
                }
            }
            stop.yield(())
            stop.finish()
            printer.stop()
            await tasks.waitForAll()
        }
        if let error = failure.error.withLock({ $0 }) { printer.fail("Consumer error: \(ConsumePrinter.text(error))") }
        printer.finish()
        return printer.status
    }

    /// Assigns (`-C`) or subscribes (`-G`); false after a fatal error.
    func start(_ consumer: KafkaConsumer, printer: ConsumePrinter, session: ClientSession) async -> Bool {
        let invocation = runner.invocation
        if group {
            // Brokers that cannot be reached end the run as librdkafka's error callback ends kcat's.
            do throws(KafkaClientError) {
                _ = try await consumer.cluster.metadata(timeout: session.timeout)
            } catch {
                runner.info(2, "Metadata failed: \(error)")
                if ClientSession.text(error, unreachable: .allBrokersDown) == ErrorText.Local.allBrokersDown.rawValue {
                    let count = consumer.configuration.client.bootstrapServers.count
                    printer.fail("\(ErrorText.Local.allBrokersDown.rawValue): \(count)/\(count) brokers are down: terminating")
                    return false
                }
            }
            do {
                try consumer.subscribe(topics: invocation.operands)
            } catch {
                printer.fail("Failed to subscribe to \(invocation.operands.count) topics: \(error)")
                return false
            }
            runner.info(1, "Waiting for group rebalance")
            return true
        }
        guard let topic = invocation.topic else { return false }
        let metadata: ClusterMetadata
        do throws(KafkaClientError) {
            metadata = try await consumer.cluster.metadata(topics: [topic], timeout: session.timeout)
        } catch {
            runner.info(2, "Metadata failed: \(error)")
            printer.fail("Failed to query metadata for topic \(topic): \(ClientSession.text(error, unreachable: .transport))")
            return false
        }
        guard let described = metadata.topics[topic] else {
            if let code = metadata.topicErrors[topic] {
                printer.fail("Topic \(topic) error: \(ErrorText.broker(code))")
            } else {
                printer.fail("No such topic in cluster: \(topic)")
            }
            return false
        }
        guard !described.partitions.isEmpty else {
            printer.fail("Topic \(topic) has no partitions")
            return false
        }
        var partitions = described.partitions.map(\.partition)
        if let wanted = invocation.partition, wanted >= 0 {
            guard partitions.contains(wanted) else {
                printer.fail("Topic \(topic) (with partitions 0..\(described.partitions.count - 1)): partition \(wanted) does not exist")
                return false
            }
            partitions = [wanted]
        }
        printer.setBrokers(Dictionary(uniqueKeysWithValues: described.partitions.map {
            (TopicPartition(topic, $0.partition), $0.leader ?? -1)
        }))
        printer.begin(partitionCount: partitions.count)
        let position: StartPosition = invocation.startTimestamp.map { .timestamp($0) } ?? Self.position(invocation.startOffset)
        do {
            try consumer.assign(partitions.map { TopicPartition(topic, $0) }, from: position)
        } catch {
            printer.fail("Failed to start consuming topic \(topic): \(error)")
            return false
        }
        return true
    }

    /// `-o` as a start position (kcat's `-C` starts at the beginning without `-o`).
    static func position(_ offset: StartOffset?) -> StartPosition {
        switch offset {
        case nil, .beginning?: .earliest
        case .end?: .latest
        case .stored?: .committed
        case let .absolute(value)?: .offset(value)
        case let .fromEnd(count)?: .fromEnd(count)
        }
    }
}

/// Why `run()` ended, if it failed.
final class FailureBox: Sendable {
    let error = Mutex<(any Error)?>(nil)
}

/// Prints messages and the `%` lines of ends of partitions and rebalances in kcat's order, and
/// decides when the run is over (`-e`, `-c`, `e@`, a fatal error).
final class ConsumePrinter: Sendable {
    private struct State {
        var progress = ConsumeProgress(partitionCount: Int.max, exitAtEnd: false, messageLimit: nil, stopTimestamp: nil)
        /// The last offset printed (or skipped) per partition.
        var lastReceived: [TopicPartition: Int64] = [:]
        /// Ends of partitions waiting for messages still on their way.
        var pendingEnds: [TopicPartition: (offset: Int64, since: ContinuousClock.Instant)] = [:]
        /// Partitions stopped (`-e`, `e@`), from this offset on.
        var stoppedAt: [TopicPartition: Int64] = [:]
        /// `-G`: the assignment, and the partitions of it at their end.
        var assignment: [TopicPartition] = []
        var atEnd: Set<TopicPartition> = []
        var brokers: [TopicPartition: Int32] = [:]
        var done = false
        var status: Int32 = 0
        var buffer: [UInt8] = []
    }

    let runner: Runner
    let formatter: MessageFormatter
    let consumer: KafkaConsumer
    let group: Bool
    let progressLine: ProgressLine
    private let state = Mutex(State())
    private let doneHandler = Mutex<(@Sendable () -> Void)?>(nil)

    init(runner: Runner, formatter: MessageFormatter, consumer: KafkaConsumer, group: Bool) {
        self.runner = runner
        self.formatter = formatter
        self.consumer = consumer
        self.group = group
        self.progressLine = ProgressLine(verb: "consumed", verbosity: runner.invocation.verbosity)
        let invocation = runner.invocation
        state.withLock {
            $0.progress = ConsumeProgress(partitionCount: Int.max, exitAtEnd: false, messageLimit: invocation.messageCount,
                                          stopTimestamp: nil)
        }
    }

    /// Called once when the run is over.
    var onDone: (@Sendable () -> Void)? {
        get { doneHandler.withLock { $0 } }
        set { doneHandler.withLock { $0 = newValue } }
    }

    var status: Int32 { state.withLock { $0.status } }

    /// `-C`: the stop rules for `count` partitions.
    func begin(partitionCount: Int) {
        let invocation = runner.invocation
        state.withLock {
            $0.progress = ConsumeProgress(partitionCount: partitionCount, exitAtEnd: invocation.exitAtEnd,
                                          messageLimit: invocation.messageCount, stopTimestamp: invocation.stopTimestamp)
        }
    }

    func setBrokers(_ brokers: [TopicPartition: Int32]) {
        state.withLock { $0.brokers = brokers }
    }

    /// A fatal error: `% ERROR: text`, status 1, the run ends.
    func fail(_ text: String) {
        state.withLock { state in
            _ = runner.fatal(text)
            state.status = 1
            markDone(&state)
        }
    }

    /// Flushes stdout and ends the progress line.
    func finish() {
        progressLine.finish()
        Output.flush()
    }

    private func markDone(_ state: inout State) {
        guard !state.done else { return }
        state.done = true
        Output.flush()
        doneHandler.withLock { $0 }?()
    }

    /// A message; true when the run is over.
    func handle(_ message: KafkaConsumerMessage) -> Bool {
        var pause: [TopicPartition] = []
        let done = state.withLock { state -> Bool in
            guard !state.done else { return true }
            let tp = message.topicPartition
            if let stop = state.stoppedAt[tp], message.offset >= stop { return false }
            state.lastReceived[tp] = message.offset
            if group { state.atEnd.remove(tp) }
            let action = state.progress.messageArrived(topic: message.topic, partition: message.partition, offset: message.offset,
                                                       timestamp: message.timestamp)
            if let notice = action.notice { notify(notice) }
            if action.stopPartition {
                state.stoppedAt[tp] = message.offset
                pause.append(tp)
            }
            if action.print { print(message, &state) }
            if action.done { markDone(&state) }
            if let end = state.pendingEnds[tp], isReached(end.offset, of: tp, state) {
                state.pendingEnds[tp] = nil
                endReached(tp, end.offset, &state, pause: &pause)
            }
            return state.done
        }
        if !pause.isEmpty { consumer.pause(pause) }
        return done
    }

    private func print(_ message: KafkaConsumerMessage, _ state: inout State) {
        let broker: Int32
        if let known = state.brokers[message.topicPartition] {
            broker = known
        } else {
            broker = consumer.cluster.cachedMetadata?.topics[message.topic]?.partition(message.partition)?.leader ?? -1
            state.brokers[message.topicPartition] = broker
        }
        let consumed = ConsumedMessage(
            topic: message.topic, partition: message.partition, offset: message.offset, timestamp: message.timestamp,
            timestampType: message.timestampType.map { $0 == .logAppendTime ? .logAppendTime : .createTime } ?? .notAvailable,
            broker: broker, key: message.key.map { Array($0) }, value: message.value.map { Array($0) },
            headers: message.headers.map { ConsumedMessage.Header(name: $0.key, value: $0.value.map { Array($0) }) })
        state.buffer.removeAll(keepingCapacity: true)
        var failure: MessageFormatError?
        do {
            try formatter.render(consumed, into: &state.buffer)
        } catch {
            failure = error
        }
        if !Output.write(state.buffer) {
            // stdout is gone (a closed pipe): stop as on SIGPIPE.
            markDone(&state)
            RunStop.shared.trigger(SIGPIPE)
            return
        }
        progressLine.add(bytes: (message.key?.count ?? 0) + (message.value?.count ?? 0))
        if let failure {
            Output.flush()
            let exits = runner.invocation.exitOnError
            Output.error("% ERROR: \(failure)\(exits ? ": terminating" : "")\n")
            if exits {
                state.status = 1
                markDone(&state)
            }
        }
    }

    private func notify(_ notice: String) {
        guard runner.invocation.verbosity >= 1 else { return }
        Output.flush()
        Output.error("% \(notice)\n")
    }

    /// Whether every message before `end` that the consumer handed out has been seen.
    private func isReached(_ end: Int64, of tp: TopicPartition, _ state: State) -> Bool {
        let last = state.lastReceived[tp]
        if let last, last >= end - 1 { return true }
        guard let position = consumer.position(tp) else { return true }
        return position <= (last ?? -1) + 1
    }

    /// Acts on ends of partitions that waited 100 ms for messages that did not come: the end was
    /// at the position the partition started from. Returns false once the run is over.
    func settlePendingEnds() -> Bool {
        var pause: [TopicPartition] = []
        let running = state.withLock { state -> Bool in
            let now = ContinuousClock.now
            for (tp, end) in state.pendingEnds.sorted(by: { $0.key < $1.key }) where now - end.since >= .milliseconds(100) {
                state.pendingEnds[tp] = nil
                endReached(tp, end.offset, &state, pause: &pause)
            }
            return !state.done
        }
        if !pause.isEmpty { consumer.pause(pause) }
        return running
    }

    /// The run is over (the consumer closed).
    func stop() {
        state.withLock { markDone(&$0) }
    }

    /// An event from the consumer.
    func handle(_ event: KafkaConsumerEvent) async {
        switch event {
        case let .endOfPartition(tp, offset):
            var pause: [TopicPartition] = []
            state.withLock { state in
                guard !state.done else { return }
                if isReached(offset, of: tp, state) {
                    endReached(tp, offset, &state, pause: &pause)
                } else {
                    // Messages handed out before the end may still be on their way to the printing
                    // task; an end at the start position (nothing to print) is only told apart by
                    // waiting a little (`settlePendingEnds`).
                    state.pendingEnds[tp] = (offset, ContinuousClock.now)
                }
            }
            if !pause.isEmpty { consumer.pause(pause) }
        case let .partitionsAssigned(partitions):
            rebalanced("assigned", partitions)
            state.withLock { state in
                for tp in partitions where !state.assignment.contains(tp) { state.assignment.append(tp) }
            }
            if let offset = runner.invocation.startOffset, offset != .stored, !partitions.isEmpty {
                consumer.seek(partitions, to: ConsumeMode.position(offset))
            }
        case let .partitionsRevoked(revocation):
            rebalanced("revoked", revocation.partitions)
            forget(revocation.partitions)
            revocation.complete()
        case let .partitionsLost(partitions):
            rebalanced("revoked", partitions)
            forget(partitions)
        case let .error(error):
            consumerError(error)
        case .offsetsCommitted:
            break
        }
    }

    private func forget(_ partitions: [TopicPartition]) {
        state.withLock { state in
            state.assignment.removeAll { partitions.contains($0) }
            for tp in partitions { state.atEnd.remove(tp) }
        }
    }

    /// kcat's rebalance line: `% Group g rebalanced (memberid m): assigned: t [0], t [1]`.
    private func rebalanced(_ what: String, _ partitions: [TopicPartition]) {
        guard runner.invocation.verbosity >= 1 else { return }
        let member = consumer.groupGeneration?.memberID ?? ""
        let list = partitions.sorted().map { "\($0.topic) [\($0.partition)]" }.joined(separator: ", ")
        Output.flush()
        Output.error("% Group \(runner.invocation.groupID ?? "") rebalanced (memberid \(member)): \(what): \(list)\n")
    }

    private func endReached(_ tp: TopicPartition, _ offset: Int64, _ state: inout State, pause: inout [TopicPartition]) {
        guard !state.done else { return }
        if group {
            // kcat's partition_at_eof for -G: with -e, the run ends once every assigned partition is at its end.
            if runner.invocation.exitAtEnd, state.assignment.contains(tp), state.atEnd.insert(tp).inserted,
               state.atEnd.count == state.assignment.count {
                notify("Reached end of topic \(tp.topic) [\(tp.partition)] at offset \(offset): exiting")
                markDone(&state)
                return
            }
            notify("Reached end of topic \(tp.topic) [\(tp.partition)] at offset \(offset)")
            return
        }
        let action = state.progress.endReached(topic: tp.topic, partition: tp.partition, offset: offset)
        notify(action.notice)
        if action.stopPartition, state.stoppedAt[tp] == nil {
            state.stoppedAt[tp] = offset
            pause.append(tp)
        }
        if action.done { markDone(&state) }
    }

    private func consumerError(_ error: KafkaConsumerError) {
        let text: String
        var fatal = true
        switch error {
        case let .fetchFailed(tp, cause):
            text = "Topic \(tp.topic) [\(tp.partition)] error: \(ClientSession.text(cause, unreachable: .transport))"
        case let .corruptRecords(tp, offset, cause):
            text = "Topic \(tp.topic) [\(tp.partition)] error: \(ErrorText.Local.badMessage.rawValue) at offset \(offset): \(cause)"
        case let .noValidOffset(partitions):
            let tp = partitions.sorted().first
            text = "Topic \(tp?.topic ?? "") [\(tp?.partition ?? -1)] error: \(ErrorText.broker(.offsetOutOfRange))"
        case let .positionLookupFailed(partitions, cause):
            // Retried by the consumer: worth a line, not the end of the run.
            fatal = false
            text = "Failed to look up the start of \(partitions.sorted().map { "\($0.topic) [\($0.partition)]" }.joined(separator: ", ")): "
                + ClientSession.text(cause, unreachable: .transport)
        case let .commitFailed(_, cause):
            fatal = false
            text = "Failed to commit offsets: \(ClientSession.text(cause, unreachable: .transport))"
        default:
            text = "Consumer error: \(error)"
        }
        if fatal && runner.invocation.exitOnError {
            fail(text)
        } else {
            Output.flush()
            Output.error("% ERROR: \(text)\n")
        }
    }

    /// An error's text for `% ERROR:` lines.
    static func text(_ error: any Error) -> String {
        if let error = error as? KafkaClientError { return ClientSession.text(error, unreachable: .transport) }
        return "\(error)"
    }
}
