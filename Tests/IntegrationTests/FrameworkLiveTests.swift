import Testing

/// The framework (issue 7) on the real clients, against Tansu. The scenarios use their own
/// topics and groups, so they run concurrently.
@Suite("Swafka framework against Tansu", .enabled(if: TestBed.hasTansu))
struct FrameworkTansuTests {
    @Test func routesCallbacksWorkersAndResponders() async throws {
        try await FrameworkScenarios.routesCallbacksWorkersResponders(try TestBed.tansuBootstrap())
    }

    @Test func workerRetriesThenDeadLetters() async throws {
        try await FrameworkScenarios.retriesAndDeadLetters(try TestBed.tansuBootstrap())
    }

    @Test func aCrashedWorkersJobRunsAfterRestart() async throws {
        try await FrameworkScenarios.workerCrashMidJob(try TestBed.tansuBootstrap())
    }

    @Test func gracefulShutdownCommitsAndARestartResumes() async throws {
        try await FrameworkScenarios.shutdownCommits(try TestBed.tansuBootstrap())
    }
}

/// The same scenarios against librdkafka's mock cluster. It has no CreateTopics: every scenario
/// creates all its topics first (inputs, responder outputs, jobs, dead letters), which
/// `ConsumerTests.createTopic` does through the mock's control protocol.
@Suite("Swafka framework against the mock cluster", .enabled(if: TestBed.hasMock))
struct FrameworkMockTests {
    /// Skipped: this scenario's groups consume two topics each, so a new member looks up its start
    /// positions with one ListOffsets request naming two topics, and the mock's ListOffsets v4+
    /// answer then carries its 4 stray bytes (see Fixtures/README.md) in the middle of the body,
    /// where the consumer's fallback to v3 (which recognises them only at the end) does not catch
    /// them: the positions are never found. It passes when the two lookups happen to go out apart.
    /// Tansu runs it; the mock runs the three single-topic scenarios below.
    @Test(.disabled("the mock's ListOffsets v4+ stray bytes break two-topic position lookups (see the comment)"))
    func routesCallbacksWorkersAndResponders() async throws {
        try await FrameworkScenarios.routesCallbacksWorkersResponders(try TestBed.mockBootstrap())
    }

    @Test func workerRetriesThenDeadLetters() async throws {
        try await FrameworkScenarios.retriesAndDeadLetters(try TestBed.mockBootstrap())
    }

    @Test func aCrashedWorkersJobRunsAfterRestart() async throws {
        try await FrameworkScenarios.workerCrashMidJob(try TestBed.mockBootstrap())
    }

    @Test func gracefulShutdownCommitsAndARestartResumes() async throws {
        try await FrameworkScenarios.shutdownCommits(try TestBed.mockBootstrap())
    }
}
