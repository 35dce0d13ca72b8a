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
    @Test func routesCallbacksWorkersAndResponders() async throws {
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
