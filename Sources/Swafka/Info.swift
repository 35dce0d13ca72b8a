/// The text of `swafka routes`, `swafka flow` and `swafka info`: pure functions of a booted app,
/// so the CLI only prints them and tests compare strings.
public enum AppInfo {
    /// Every route, alphabetically by topic, with its resolved settings.
    public static func routes(_ app: BootedApp) -> String {
        app.routes.routes.map { route in
            var lines = ["\(route.topic):"]
            lines.append("  handler: \(route.handler.name)")
            lines.append("  group: \(route.group)")
            lines.append("  inline: \(route.inline)")
            lines.append("  worker: \(route.worker?.name ?? "-")")
            lines.append("  parser: \(typeName(route.parser))")
            lines.append("  interchanger: \(typeName(route.interchanger))")
            lines.append("  responder: \(route.responder?.name ?? "-")")
            return lines.joined(separator: "\n")
        }.joined(separator: "\n") + "\n"
    }

    /// Each incoming topic and the topics its responder may send to, marking required or
    /// optional and once or multiple.
    public static func flow(_ app: BootedApp) -> String {
        app.routes.routes.map { route in
            guard let responder = route.responder, !responder.topics.isEmpty else { return "\(route.topic) => (nothing)" }
            let outgoing = responder.topics.sorted { $0.name < $1.name }.map { topic in
                "  - \(topic.name) (\(topic.required ? "required" : "optional"), \(topic.multipleUsage ? "multiple" : "once"))"
            }
            return (["\(route.topic) =>"] + outgoing).joined(separator: "\n")
        }.joined(separator: "\n") + "\n"
    }

    /// The configuration, one `setting: value` line each (SSL paths shown, never file contents).
    public static func info(_ app: BootedApp) -> String {
        let c = app.configuration
        let lines = [
            "name: \(c.name)",
            "environment: \(app.environment.name)",
            "boot_file: \(app.environment.bootFile ?? "-")",
            "kafka.hosts: \(c.kafkaHosts.joined(separator: ","))",
            "session_timeout: \(c.sessionTimeout)",
            "heartbeat_interval: \(c.heartbeatInterval)",
            "offset_commit_interval: \(c.offsetCommitInterval)",
            "offset_commit_threshold: \(c.offsetCommitThreshold)",
            "ssl.ca_cert: \(c.sslCACert ?? "-")",
            "ssl.client_cert: \(c.sslClientCert ?? "-")",
            "ssl.client_cert_key: \(c.sslClientKey ?? "-")",
            "connection_pool.size: \(c.producerPoolSize)",
            "connection_pool.timeout: \(c.producerTimeout)",
            "inline: \(c.inline)",
            "delivery: \(c.deliveryMode == .sync ? "sync" : "async")",
            "monitor: \(typeName(c.monitor))",
            "groups: \(app.routes.groups.count)",
            "routes: \(app.routes.routes.count)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    private static func typeName(_ value: Any) -> String { String(describing: type(of: value)) }
}
