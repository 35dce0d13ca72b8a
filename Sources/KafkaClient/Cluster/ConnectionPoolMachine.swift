import KafkaTransport

/// Which connection: a broker by node id, or a bootstrap server before its node id is known.
enum PoolKey: Hashable, Sendable, CustomStringConvertible {
    case node(Int32)
    case bootstrap(BrokerAddress)

    var description: String {
        switch self {
        case let .node(id): "broker \(id)"
        case let .bootstrap(address): "bootstrap \(address)"
        }
    }
}

/// The connection pool's bookkeeping, as a pure state machine: at most one connection per key,
/// created lazily, shared by concurrent callers, with reconnect backoff after failures.
///
/// `Channel` is the connection type (`any BrokerChannel`); `Waiter` is what the owner resumes when a
/// connect attempt it joined ends. Time and the backoff delay are arguments.
struct ConnectionPoolMachine<Channel, Waiter> {
    enum Entry {
        /// A connect is under way; `attempts` counts the failures before it.
        case connecting(address: BrokerAddress, attempts: Int, waiters: [UInt64: Waiter])
        case ready(address: BrokerAddress, channel: Channel)
        /// The last connect failed; the next may start at `retryAt`.
        case failed(address: BrokerAddress, attempts: Int, retryAt: ContinuousClock.Instant, error: KafkaClientError)
    }

    /// What a caller asking for a connection does.
    enum Decision {
        /// Use this connection.
        case use(Channel)
        /// Connect yourself, then report `connectSucceeded` or `connectFailed`; `reconnect` when the
        /// broker had a connection or a failed attempt before.
        case connect(reconnect: Bool)
        /// Another caller is connecting: wait to be resumed.
        case wait
        /// The broker failed recently: no attempt before `until`.
        case backoff(until: ContinuousClock.Instant, error: KafkaClientError)
        /// The pool is shut down.
        case shutDown
    }

    private(set) var entries: [PoolKey: Entry] = [:]
    private(set) var isShutDown = false

    /// A caller wants a connection for `key` at `address`. `isClosed` tells whether a ready channel
    /// has closed since. Returns the decision, and a channel to close (one whose broker moved).
    mutating func connectionRequested(key: PoolKey, address: BrokerAddress, now: ContinuousClock.Instant,
                                      waiterID: UInt64, waiter: Waiter,
                                      isClosed: (Channel) -> Bool) -> (Decision, close: Channel?) {
        if isShutDown { return (.shutDown, nil) }
        switch entries[key] {
        case nil:
            entries[key] = .connecting(address: address, attempts: 0, waiters: [:])
            return (.connect(reconnect: false), nil)
        case let .ready(current, channel):
            if current != address {
                // The broker's advertised address changed: drop the old connection.
                entries[key] = .connecting(address: address, attempts: 0, waiters: [:])
                return (.connect(reconnect: false), channel)
            }
            if isClosed(channel) {
                entries[key] = .connecting(address: address, attempts: 0, waiters: [:])
                return (.connect(reconnect: true), nil)
            }
            return (.use(channel), nil)
        case .connecting(let current, let attempts, var waiters):
            if current != address {
                // A connect to the old address is under way; it will be discarded when it reports.
                entries[key] = .connecting(address: address, attempts: 0, waiters: waiters)
                return (.connect(reconnect: false), nil)
            }
            waiters[waiterID] = waiter
            entries[key] = .connecting(address: address, attempts: attempts, waiters: waiters)
            return (.wait, nil)
        case let .failed(current, attempts, retryAt, error):
            if current != address || now >= retryAt {
                entries[key] = .connecting(address: address, attempts: current == address ? attempts : 0, waiters: [:])
                return (.connect(reconnect: current == address), nil)
            }
            return (.backoff(until: retryAt, error: error), nil)
        }
    }

    /// The connect for `key` to `address` succeeded. Returns the waiters to hand `channel` to, and
    /// `discard` when the pool no longer wants this channel (the key moved or the pool shut down).
    mutating func connectSucceeded(key: PoolKey, address: BrokerAddress, channel: Channel) -> (waiters: [Waiter], discard: Bool) {
        guard !isShutDown, case let .connecting(current, _, waiters) = entries[key], current == address else {
            return ([], true)
        }
        entries[key] = .ready(address: address, channel: channel)
        return (Array(waiters.values), false)
    }

    /// The connect for `key` failed with `error`. `delay(attempt)` gives the backoff before the next
    /// attempt. Returns the waiters to fail with `error`.
    mutating func connectFailed(key: PoolKey, address: BrokerAddress, error: KafkaClientError, now: ContinuousClock.Instant,
                                delay: (Int) -> Duration) -> [Waiter] {
        guard case let .connecting(current, attempts, waiters) = entries[key], current == address else { return [] }
        entries[key] = .failed(address: address, attempts: attempts + 1, retryAt: now + delay(attempts), error: error)
        return Array(waiters.values)
    }

    /// A waiting caller gave up (its task was cancelled). Returns its waiter if it was still waiting.
    mutating func waiterCancelled(key: PoolKey, waiterID: UInt64) -> Waiter? {
        guard case .connecting(let address, let attempts, var waiters) = entries[key],
              let waiter = waiters.removeValue(forKey: waiterID) else { return nil }
        entries[key] = .connecting(address: address, attempts: attempts, waiters: waiters)
        return waiter
    }

    /// A connection in use broke: forget it so the next caller reconnects (without backoff: the
    /// reconnect itself is what backs off if the broker is really gone).
    mutating func connectionLost(key: PoolKey, isSame: (Channel) -> Bool) {
        if case let .ready(_, channel) = entries[key], isSame(channel) { entries[key] = nil }
    }

    /// After a metadata refresh: moves ready bootstrap connections under the node id of the broker at
    /// the same address (so one broker keeps one connection), and drops connections to node ids no
    /// longer in the cluster. Returns the channels to close.
    mutating func brokersChanged(_ brokers: [Int32: BrokerAddress]) -> [Channel] {
        var closing: [Channel] = []
        for (key, entry) in entries {
            switch key {
            case let .bootstrap(address):
                guard case let .ready(_, channel) = entry,
                      let node = brokers.first(where: { $0.value == address })?.key, entries[.node(node)] == nil else { continue }
                entries[.node(node)] = .ready(address: address, channel: channel)
                entries[key] = nil
            case let .node(id):
                guard brokers[id] == nil else { continue }
                switch entry {
                case let .ready(_, channel):
                    closing.append(channel)
                    entries[key] = nil
                case .failed:
                    entries[key] = nil
                case .connecting:
                    break  // its connector reports; the result is used or discarded then
                }
            }
        }
        return closing
    }

    /// The ready connections.
    var readyChannels: [(key: PoolKey, channel: Channel)] {
        entries.compactMap { key, entry in
            if case let .ready(_, channel) = entry { return (key, channel) }
            return nil
        }
    }

    /// Whether `key` is in reconnect backoff at `now`.
    func isBackingOff(_ key: PoolKey, now: ContinuousClock.Instant) -> Bool {
        if case let .failed(_, _, retryAt, _) = entries[key] { return now < retryAt }
        return false
    }

    /// Shuts the pool: returns every channel to close and every waiter to fail.
    mutating func shutdown() -> (channels: [Channel], waiters: [Waiter]) {
        isShutDown = true
        var channels: [Channel] = []
        var waiters: [Waiter] = []
        for entry in entries.values {
            switch entry {
            case let .ready(_, channel): channels.append(channel)
            case let .connecting(_, _, pending): waiters.append(contentsOf: pending.values)
            case .failed: break
            }
        }
        entries.removeAll()
        return (channels, waiters)
    }
}
