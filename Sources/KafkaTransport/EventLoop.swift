import CTransport
import Glibc
import Synchronization

/// Something the event loop drives: a connection's socket events and deadlines.
protocol EventLoopHandler: AnyObject, Sendable {
    /// Called on the loop thread when the handler's descriptor is readable, writable or failed.
    func handleEvents(readable: Bool, writable: Bool, failed: Bool, now: ContinuousClock.Instant)
    /// Called on the loop thread every iteration; returns the next instant it needs a tick.
    func tick(now: ContinuousClock.Instant) -> ContinuousClock.Instant?
}

/// One thread that waits on epoll for every socket registered with it.
///
/// A client needs one loop for all its brokers: sockets are non-blocking, the loop thread does
/// all reads, and writes happen on whichever thread submits a request (under the connection's
/// lock), falling back to the loop only when the socket buffer is full. Work that must run on
/// the loop thread is queued with `execute` and the loop is woken through an eventfd.
public final class TransportEventLoop: Sendable {
    private struct State: Sendable {
        var handlers: [Int32: any EventLoopHandler] = [:]
        /// Handlers that want ticks even with no descriptor registered (connecting, timers).
        var tickers: [ObjectIdentifier: any EventLoopHandler] = [:]
        var tasks: [@Sendable () -> Void] = []
        var running = true
        /// True while the loop waits in epoll_wait, until `sleepUntil` (nil: until an event).
        var sleeping = false
        var sleepUntil: ContinuousClock.Instant? = nil
        /// A deadline added while the loop was awake, merged into its next wait.
        var pendingDeadline: ContinuousClock.Instant? = nil
    }

    private let epollFD: Int32
    private let wakeFD: Int32
    private let state = Mutex(State())
    private let finished = Mutex<[CheckedContinuation<Void, Never>]?>([])
    /// The loop thread's buffer for reads: one per loop, reused for every socket.
    let readChunk = ReadChunk(size: TransportEventLoop.readChunkSize)
    var readBuffer: UnsafeMutableRawBufferPointer { readChunk.buffer }
    /// The loop thread's buffer for decrypted TLS records (at most 16 KiB each).
    let plaintextChunk = ReadChunk(size: 64 * 1024)
    var plaintextBuffer: UnsafeMutableRawBufferPointer { plaintextChunk.buffer }
    /// Bytes read from a socket per `recv`.
    static let readChunkSize = 256 * 1024

    /// Starts a loop thread named `name`.
    public init(name: String = "swafka-io") throws(SocketError) {
        epollFD = try systemCall("epoll_create1") { epoll_create1(Int32(EPOLL_CLOEXEC)) }
        do {
            wakeFD = try systemCall("eventfd") { eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC)) }
        } catch {
            Glibc.close(epollFD)
            throw error
        }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.fd = wakeFD
        _ = epoll_ctl(epollFD, EPOLL_CTL_ADD, wakeFD, &event)
        startThread(name: name)
    }

    deinit {
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
    }

    private func startThread(name: String) {
        let box = Unmanaged.passRetained(self)
        var thread = pthread_t()
        let result = pthread_create(&thread, nil, { raw in
            guard let raw else { return nil }
            let loop = Unmanaged<TransportEventLoop>.fromOpaque(raw).takeRetainedValue()
            loop.run()
            return nil
        }, box.toOpaque())
        if result != 0 {
            box.release()
            state.withLock { $0.running = false }
            return
        }
        _ = swafka_set_thread_name(thread, String(name.prefix(15)))  // Linux caps thread names at 15 bytes
        pthread_detach(thread)
    }

    /// Stops the loop after its current iteration; registered handlers are dropped.
    public func shutdown() async {
        let wasRunning = state.withLock { state -> Bool in
            defer { state.running = false }
            return state.running
        }
        guard wasRunning else { return }
        wake()
        await withCheckedContinuation { continuation in
            let done = finished.withLock { waiters -> Bool in
                guard waiters != nil else { return true }
                waiters?.append(continuation)
                return false
            }
            if done { continuation.resume() }
        }
    }

    /// Runs `work` on the loop thread soon.
    func execute(_ work: @escaping @Sendable () -> Void) {
        state.withLock { $0.tasks.append(work) }
        wake()
    }

    /// A handler got a deadline the loop may not know about (a request submitted on a caller's
    /// thread): wakes the loop when it sleeps past it, or has it counted in the next wait.
    func deadlineAdded(_ deadline: ContinuousClock.Instant) {
        let mustWake = state.withLock { state -> Bool in
            guard state.sleeping else {
                state.pendingDeadline = state.pendingDeadline.map { min($0, deadline) } ?? deadline
                return false
            }
            if let until = state.sleepUntil, until <= deadline { return false }
            state.sleepUntil = deadline
            return true
        }
        if mustWake { wake() }
    }

    /// Wakes the loop so it recomputes deadlines and runs queued tasks.
    func wake() {
        var one: UInt64 = 1
        _ = Glibc.write(wakeFD, &one, 8)
    }

    /// Starts watching `fd` for `handler` (readability, plus writability when `writable`).
    func register(fd: Int32, handler: any EventLoopHandler, writable: Bool) throws(SocketError) {
        state.withLock { $0.handlers[fd] = handler }
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        event.data.fd = fd
        do {
            _ = try systemCall("epoll_ctl(ADD)") { epoll_ctl(epollFD, EPOLL_CTL_ADD, fd, &event) }
        } catch {
            state.withLock { _ = $0.handlers.removeValue(forKey: fd) }
            throw error
        }
        wake()
    }

    /// Changes whether `fd` is watched for writability.
    func setWritableInterest(fd: Int32, _ writable: Bool) {
        var event = epoll_event()
        event.events = EPOLLIN.rawValue | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
        event.data.fd = fd
        _ = epoll_ctl(epollFD, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd`. Call before closing it.
    func deregister(fd: Int32) {
        _ = epoll_ctl(epollFD, EPOLL_CTL_DEL, fd, nil)
        state.withLock { _ = $0.handlers.removeValue(forKey: fd) }
    }

    /// Ticks `handler` every iteration until `removeTicker`.
    func addTicker(_ handler: any EventLoopHandler) {
        state.withLock { $0.tickers[ObjectIdentifier(handler)] = handler }
        wake()
    }

    /// Stops ticking `handler`.
    func removeTicker(_ handler: any EventLoopHandler) {
        state.withLock { _ = $0.tickers.removeValue(forKey: ObjectIdentifier(handler)) }
    }

    private func run() {
        let capacity = 64
        let events = UnsafeMutablePointer<epoll_event>.allocate(capacity: capacity)
        defer { events.deallocate() }
        var nextDeadline: ContinuousClock.Instant? = nil
        while true {
            let (running, tasks) = state.withLock { state -> (Bool, [@Sendable () -> Void]) in
                defer { state.tasks.removeAll(keepingCapacity: true) }
                return (state.running, state.tasks)
            }
            for task in tasks { task() }
            guard running else { break }

            // Deadlines added from other threads since the handlers were ticked (a request
            // submitted by a caller) count too; from here on, new ones wake the loop.
            nextDeadline = state.withLock { state -> ContinuousClock.Instant? in
                var deadline = nextDeadline
                if let pending = state.pendingDeadline {
                    deadline = deadline.map { min($0, pending) } ?? pending
                    state.pendingDeadline = nil
                }
                state.sleeping = true
                state.sleepUntil = deadline
                return deadline
            }
            var timeoutMs: Int32 = -1
            if let deadline = nextDeadline {
                let remaining = deadline - ContinuousClock.now
                let (seconds, attoseconds) = remaining.components
                let ms = seconds * 1000 + attoseconds / 1_000_000_000_000_000 + 1
                timeoutMs = Int32(clamping: max(0, ms))
            }
            let count = epoll_wait(epollFD, events, Int32(capacity), timeoutMs)
            state.withLock { $0.sleeping = false }
            let now = ContinuousClock.now
            if count > 0 {
                for index in 0..<Int(count) {
                    let event = events[index]
                    let fd = event.data.fd
                    if fd == wakeFD {
                        var value: UInt64 = 0
                        _ = Glibc.read(wakeFD, &value, 8)
                        continue
                    }
                    guard let handler = state.withLock({ $0.handlers[fd] }) else { continue }
                    let bits = event.events
                    handler.handleEvents(
                        readable: bits & (EPOLLIN.rawValue | EPOLLRDHUP.rawValue | EPOLLHUP.rawValue) != 0,
                        writable: bits & EPOLLOUT.rawValue != 0,
                        failed: bits & (EPOLLERR.rawValue) != 0,
                        now: now)
                }
            }
            // Deadlines: every handler is asked; a client has a handful of brokers, so a scan is cheap.
            let everyone = state.withLock { state -> [any EventLoopHandler] in
                var all = Array(state.handlers.values)
                for ticker in state.tickers.values where !all.contains(where: { $0 === ticker }) { all.append(ticker) }
                return all
            }
            nextDeadline = nil
            for handler in everyone {
                guard let due = handler.tick(now: ContinuousClock.now) else { continue }
                if let current = nextDeadline, current <= due { continue }
                nextDeadline = due
            }
        }
        state.withLock { $0.handlers.removeAll(); $0.tickers.removeAll() }
        let waiters = finished.withLock { waiters -> [CheckedContinuation<Void, Never>] in
            defer { waiters = nil }
            return waiters ?? []
        }
        for waiter in waiters { waiter.resume() }
    }
}

/// The loop thread's read buffer.
///
/// `@unchecked Sendable` because only the loop thread reads into it or looks at it (in
/// `BrokerConnection.readAvailable`, which runs from `handleEvents` on that thread).
final class ReadChunk: @unchecked Sendable {
    let buffer: UnsafeMutableRawBufferPointer
    init(size: Int) { buffer = .allocate(byteCount: size, alignment: 16) }
    deinit { buffer.deallocate() }
}
