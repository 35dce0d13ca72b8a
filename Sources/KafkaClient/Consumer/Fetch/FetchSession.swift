import KafkaWire

/// The client side of one broker's incremental fetch session (KIP-227), as a pure state machine.
///
/// A session lets a consumer stop repeating its whole partition list in every fetch: the first
/// request is full (session id 0, epoch 0) and the broker answers with a session id; each later
/// request is incremental (that id, the next epoch) and lists only partitions that were added or
/// whose fetch position, epoch or limit changed, plus the partitions to forget. The broker's
/// answer to an incremental request carries only partitions with news.
///
/// ```
/// full(id 0, epoch 0) ──response id N──▶ incremental(N, 1) ──▶ incremental(N, 2) ──▶ … (epoch wraps to 1)
///        ▲                                        │
///        └── FETCH_SESSION_ID_NOT_FOUND ──────────┤  full(0, 0): a new session
///            INVALID_FETCH_SESSION_EPOCH, other ──┘  full(N, 0): close N, open a new one
/// ```
/// Without session support (Fetch before v7, or turned off) every request is full with epoch
/// -1, which asks the broker not to create a session.
///
/// A partition missing from the targets of the next request is forgotten by the session, so a
/// partition whose buffer is full stops receiving data, as the buffer bound requires.
public struct FetchSessionStateMachine: Sendable {
    /// The epoch of a full request that opens a session.
    public static let initialEpoch: Int32 = 0
    /// The epoch of a full request outside any session.
    public static let sessionlessEpoch: Int32 = -1

    private enum NextRequest: Sendable, Hashable {
        /// Full: `sessionID` 0 opens a new session; a nonzero one closes that session first.
        case full(closing: Int32)
        case incremental(sessionID: Int32, epoch: Int32)
        case sessionless
    }

    private enum State: Sendable {
        case ready(NextRequest)
        case awaitingResponse(sent: NextRequest)
    }

    private var state: State
    /// What the broker's session holds, as we last sent it.
    private var sessionPartitions: [TopicPartition: FetchTarget] = [:]

    /// The broker's id, for the owner's bookkeeping.
    public let brokerID: Int32

    /// A session for `brokerID`; `sessionsSupported` false (Fetch < v7 or turned off) means full
    /// fetches only.
    public init(brokerID: Int32, sessionsSupported: Bool) {
        self.brokerID = brokerID
        state = .ready(sessionsSupported ? .full(closing: 0) : .sessionless)
    }

    /// A session already at `epoch` of `sessionID` (tests use it to reach the epoch wrap).
    init(brokerID: Int32, resumingSession sessionID: Int32, epoch: Int32) {
        self.brokerID = brokerID
        state = .ready(.incremental(sessionID: sessionID, epoch: epoch))
    }

    /// True while a request is in flight.
    public var isAwaitingResponse: Bool {
        if case .awaitingResponse = state { return true }
        return false
    }

    /// The session id in use, or 0.
    public var sessionID: Int32 {
        switch state {
        case let .ready(.incremental(id, _)), let .awaitingResponse(.incremental(id, _)): id
        case .ready(.full), .ready(.sessionless), .awaitingResponse(.full), .awaitingResponse(.sessionless): 0
        }
    }

    /// The broker's Fetch version turned out to be below 7: full fetches from now on.
    public mutating func sessionsUnsupported() {
        sessionPartitions = [:]
        switch state {
        case .ready: state = .ready(.sessionless)
        case .awaitingResponse: state = .awaitingResponse(sent: .sessionless)
        }
    }

    /// The next request, fetching `targets`; nil while a request is in flight, or when there is
    /// nothing to fetch (then an existing session is dropped, to be reopened by the next full fetch).
    public mutating func makeRequest(_ targets: [FetchTarget], configuration: FetchConfiguration) -> FetchRequest? {
        guard case let .ready(next) = state else { return nil }
        var request = FetchRequest(
            maxWaitMs: Self.milliseconds(configuration.maxWait), minBytes: configuration.minBytes,
            maxBytes: configuration.maxBytes, isolationLevel: configuration.isolationLevel.rawValue,
            rackID: configuration.rackID)
        let wanted = Dictionary(targets.map { ($0.partition, $0) }, uniquingKeysWith: { _, last in last })
        if wanted.isEmpty {
            if case let .incremental(id, _) = next { state = .ready(.full(closing: id)) }
            sessionPartitions = [:]
            return nil
        }
        switch next {
        case let .full(closing):
            request.sessionID = closing
            request.sessionEpoch = Self.initialEpoch
            request.topics = Self.topics(Array(wanted.values))
            sessionPartitions = wanted
        case .sessionless:
            request.sessionID = 0
            request.sessionEpoch = Self.sessionlessEpoch
            request.topics = Self.topics(Array(wanted.values))
        case let .incremental(id, epoch):
            request.sessionID = id
            request.sessionEpoch = epoch
            let changed = wanted.values.filter { sessionPartitions[$0.partition] != $0 }
            let forgotten = sessionPartitions.values.filter { wanted[$0.partition] == nil }
            request.topics = Self.topics(changed)
            request.forgottenTopicsData = Self.byTopic(forgotten).map { topic, targets in
                FetchRequest.ForgottenTopic(topic: topic, topicID: targets.first?.topicID ?? .zero,
                                            partitions: targets.map(\.partition.partition))
            }
            sessionPartitions = wanted
        }
        state = .awaitingResponse(sent: next)
        return request
    }

    /// What the owner should do with a response.
    public enum Outcome: Sendable, Hashable {
        /// Use the response's partitions. Under an incremental session, partitions it leaves out
        /// simply have nothing new.
        case accepted
        /// The session failed (the error says how): ignore the partitions, fetch again (the
        /// next request is full).
        case sessionError(ErrorCode)
        /// No request was in flight: ignore it.
        case unexpected
    }

    /// The response to the request in flight arrived.
    public mutating func responseReceived(_ response: FetchResponse) -> Outcome {
        guard case let .awaitingResponse(sent) = state else { return .unexpected }
        if response.errorCode != .none {
            sessionPartitions = [:]
            switch sent {
            case .sessionless:
                state = .ready(.sessionless)
            case .full, .incremental:
                // The broker forgot the session: open a new one. Otherwise close ours first.
                let closing = response.errorCode == .fetchSessionIdNotFound ? 0 : sentSessionID(sent)
                state = .ready(.full(closing: closing))
            }
            return .sessionError(response.errorCode)
        }
        switch sent {
        case .sessionless:
            state = .ready(.sessionless)
        case .full:
            // Session id 0: the broker made no session (cache full, or sessions off); try again next time.
            state = .ready(response.sessionID == 0 ? .full(closing: 0) : .incremental(sessionID: response.sessionID, epoch: 1))
            if response.sessionID == 0 { sessionPartitions = [:] }
        case let .incremental(id, epoch):
            if response.sessionID == 0 {
                // The broker closed the session; this response's data is still good.
                sessionPartitions = [:]
                state = .ready(.full(closing: 0))
            } else {
                // Epochs run 1...Int32.max, then wrap to 1 (0 and -1 are reserved).
                state = .ready(.incremental(sessionID: id, epoch: epoch == Int32.max ? 1 : epoch + 1))
            }
        }
        return .accepted
    }

    /// The request failed without a response (connection lost, timeout): the broker may or may
    /// not have seen it, so the epoch can no longer be trusted. Start over with a full fetch.
    public mutating func requestFailed() {
        guard case let .awaitingResponse(sent) = state else { return }
        sessionPartitions = [:]
        switch sent {
        case .sessionless: state = .ready(.sessionless)
        case .full, .incremental: state = .ready(.full(closing: sentSessionID(sent)))
        }
    }

    private func sentSessionID(_ sent: NextRequest) -> Int32 {
        switch sent {
        case let .full(closing): closing
        case let .incremental(id, _): id
        case .sessionless: 0
        }
    }

    private static func byTopic(_ targets: [FetchTarget]) -> [(topic: String, targets: [FetchTarget])] {
        var grouped: [String: [FetchTarget]] = [:]
        for target in targets { grouped[target.partition.topic, default: []].append(target) }
        return grouped.keys.sorted(by: javaStringLess).map { topic in
            (topic, (grouped[topic] ?? []).sorted { $0.partition < $1.partition })
        }
    }

    /// Targets as Fetch topics, with both name (v0-12) and id (v13+): the encoder writes the one
    /// the version carries.
    private static func topics(_ targets: [FetchTarget]) -> [FetchRequest.FetchTopic] {
        byTopic(targets).map { topic, targets in
            FetchRequest.FetchTopic(topic: topic, topicID: targets.first?.topicID ?? .zero, partitions: targets.map { target in
                FetchRequest.FetchPartition(partition: target.partition.partition, currentLeaderEpoch: target.currentLeaderEpoch,
                                            fetchOffset: target.fetchOffset, partitionMaxBytes: target.maxBytes)
            })
        }
    }

    static func milliseconds(_ duration: Duration) -> Int32 {
        let (seconds, attoseconds) = duration.components
        return Int32(clamping: seconds * 1000 + attoseconds / 1_000_000_000_000_000)
    }
}
