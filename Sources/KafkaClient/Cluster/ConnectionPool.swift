import KafkaTransport
import Logging
import Synchronization

/// At most one connection per broker, created on first use, shared by every caller.
///
/// Concurrent callers that want the same broker share one connect attempt: the first connects on
/// its own task, the others wait for its outcome. A broker whose connect failed is not tried again
/// before its reconnect backoff (`reconnect.backoff.ms`, doubling to `reconnect.backoff.max.ms`)
/// has passed. The bookkeeping is `ConnectionPoolMachine` under a `Mutex`; connecting and closing
/// happen after the lock is released.
final class ConnectionPool: Sendable {
    private enum Outcome {
        case use(any BrokerChannel)
        case connect(reconnect: Bool)
        case backoff(until: ContinuousClock.Instant, error: KafkaClientError)
    }

    private typealias Machine = ConnectionPoolMachine<any BrokerChannel, CheckedContinuation<Outcome, any Error>>

    let connector: any BrokerConnector
    let backoff: ExponentialBackoff
    let observer: ClientObserver
    private let machine = Mutex(Machine())
    private let nextWaiterID = Atomic<UInt64>(0)

    init(connector: any BrokerConnector, backoff: ExponentialBackoff, observer: ClientObserver) {
        self.connector = connector
        self.backoff = backoff
        self.observer = observer
    }

    /// A ready connection for `key` at `address`; waits out a reconnect backoff that ends before
    /// `deadline`, and throws the last connect error when it does not.
    func channel(for key: PoolKey, address: BrokerAddress, deadline: ContinuousClock.Instant) async throws(KafkaClientError)
        -> any BrokerChannel {
        while true {
            if Task.isCancelled { throw .cancelled }
            let outcome: Outcome
            do {
                outcome = try await request(key: key, address: address)
            } catch {
                throw KafkaClientError(error)
            }
            switch outcome {
            case let .use(channel):
                return channel
            case let .connect(reconnect):
                if let channel = try await connect(key: key, address: address, reconnect: reconnect) { return channel }
            case let .backoff(until, error):
                guard until < deadline else { throw error }
                do {
                    try await Task.sleep(until: until, clock: .continuous)
                } catch {
                    throw .cancelled
                }
            }
        }
    }

    private func request(key: PoolKey, address: BrokerAddress) async throws -> Outcome {
        let id = nextWaiterID.add(1, ordering: .relaxed).newValue
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Outcome, any Error>) in
                let (decision, stale) = machine.withLock {
                    $0.connectionRequested(key: key, address: address, now: .now, waiterID: id, waiter: continuation,
                                           isClosed: { $0.isClosed })
                }
                stale?.closeNow()
                switch decision {
                case let .use(channel): continuation.resume(returning: .use(channel))
                case let .connect(reconnect): continuation.resume(returning: .connect(reconnect: reconnect))
                case .wait: break  // resumed by the connecting caller
                case let .backoff(until, error): continuation.resume(returning: .backoff(until: until, error: error))
                case .shutDown: continuation.resume(throwing: KafkaClientError.shutDown)
                }
            }
        } onCancel: {
            machine.withLock { $0.waiterCancelled(key: key, waiterID: id) }?.resume(throwing: KafkaClientError.cancelled)
        }
    }

    /// Connects for `key`; nil when the pool no longer wants this connection (the broker moved), so
    /// the caller asks again.
    private func connect(key: PoolKey, address: BrokerAddress, reconnect: Bool) async throws(KafkaClientError)
        -> (any BrokerChannel)? {
        if reconnect { observer.reconnecting(to: key) }
        observer.debug(.broker, "connecting to \(key) at \(address)\(reconnect ? " (reconnect)" : "")")
        let nodeID: Int32? = if case let .node(id) = key { id } else { nil }
        do {
            let channel = try await connector.connect(to: address, nodeID: nodeID)
            let (waiters, discard) = machine.withLock { $0.connectSucceeded(key: key, address: address, channel: channel) }
            if discard {
                channel.closeNow()
                if machine.withLock({ $0.isShutDown }) { throw KafkaClientError.shutDown }
                return nil
            }
            observer.debug(.broker, "connected to \(key) at \(address)")
            for waiter in waiters { waiter.resume(returning: .use(channel)) }
            return channel
        } catch {
            let failure = KafkaClientError(error)
            observer.connectFailed(to: key)
            let waiters = machine.withLock {
                $0.connectFailed(key: key, address: address, error: failure, now: .now,
                                 delay: { backoff.delay(attempt: $0) })
            }
            observer.debug(.broker, "cannot connect to \(key) at \(address): \(failure)")
            for waiter in waiters { waiter.resume(throwing: failure) }
            throw failure
        }
    }

    /// Forgets `channel` for `key` after it failed a request (closing it), so the next caller reconnects.
    func connectionFailed(key: PoolKey, channel: any BrokerChannel) {
        machine.withLock { $0.connectionLost(key: key, isSame: { $0 === channel }) }
        channel.closeNow()
    }

    /// Re-keys bootstrap connections and drops brokers that left the cluster.
    func brokersChanged(_ brokers: [Int32: BrokerAddress]) {
        let closing = machine.withLock { $0.brokersChanged(brokers) }
        for channel in closing { channel.closeNow() }
    }

    /// Node ids (or bootstrap addresses) with a ready, open connection.
    var readyKeys: [PoolKey] {
        machine.withLock { $0.readyChannels.filter { !$0.channel.isClosed }.map(\.key) }
    }

    /// Whether `key` is waiting out a reconnect backoff.
    func isBackingOff(_ key: PoolKey) -> Bool {
        machine.withLock { $0.isBackingOff(key, now: .now) }
    }

    /// Closes every connection and fails every waiter.
    func shutdown() {
        let (channels, waiters) = machine.withLock { $0.shutdown() }
        for channel in channels { channel.closeNow() }
        for waiter in waiters { waiter.resume(throwing: KafkaClientError.shutDown) }
    }
}
