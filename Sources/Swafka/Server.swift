/// Runs one listener per consumer group, concurrently (Karafka's `server`: a fetcher per group).
///
/// The real consumer plugs in through `makeSource`, called once per group with the topics it
/// consumes; `run()` returns when every source has closed (on shutdown, the adapters close their
/// sources after in-flight work, and each listener commits before returning).
public struct SwafkaServer: Sendable {
    /// The booted app.
    public let app: BootedApp
    /// Where responders deliver.
    public let sink: any MessageSink
    /// Makes the source of a group: `(group, topics)`.
    public let makeSource: @Sendable (String, [String]) async throws -> any MessageSource

    /// A server for `app`.
    public init(app: BootedApp, sink: any MessageSink,
                makeSource: @escaping @Sendable (String, [String]) async throws -> any MessageSource) {
        self.app = app
        self.sink = sink
        self.makeSource = makeSource
    }

    /// Runs every group's listener until all sources close; the first error cancels the others.
    public func run() async throws {
        try await withThrowingTaskGroup(of: Void.self) { listeners in
            for (group, topics) in app.routes.groups {
                listeners.addTask { [app, sink, makeSource] in
                    let source = try await makeSource(group, topics)
                    try await app.listener(group: group, source: source, sink: sink).run()
                }
            }
            try await listeners.waitForAll()
        }
    }
}
