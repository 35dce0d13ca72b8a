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

/// The server's shutdown and restart against librdkafka's mock cluster (topics made through its
/// control protocol: it has no CreateTopics). The other scenarios need topics created for the
/// responders' and workers' outputs on the fly, which the mock cannot do.
@Suite("Swafka framework against the mock cluster", .enabled(if: TestBed.hasMock))
struct FrameworkMockTests {
    @Test func gracefulShutdownCommitsAndARestartResumes() async throws {
        try await FrameworkScenarios.shutdownCommits(try TestBed.mockBootstrap())
    }
}
