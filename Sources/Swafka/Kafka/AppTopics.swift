import KafkaClient
import KafkaWire

/// What became of one topic in `BootedApp.createTopics`.
public enum TopicCreation: Sendable, Hashable {
    /// The broker created it.
    case created
    /// It was there already.
    case alreadyExists
    /// The broker refused it: why.
    case failed(String)
}

extension BootedApp {
    /// Every topic the app reads or writes, sorted: the routes' topics, their responders' topics,
    /// the jobs topics (`jobsTopics`, nil: `self.jobsTopics`), and the dead-letter topic.
    public func topics(jobsTopics: [String]? = nil, deadLetterTopic: String? = nil) -> [String] {
        var names = Set(routes.routes.map(\.topic))
        for route in routes.routes { names.formUnion(route.responder?.topics.map(\.name) ?? []) }
        names.formUnion(jobsTopics ?? self.jobsTopics)
        if !(jobsTopics ?? self.jobsTopics).isEmpty { names.insert(deadLetterTopic ?? defaultDeadLetterTopic) }
        return names.sorted()
    }

    /// Creates the app's `topics(...)` that do not exist yet (CreateTopics through the
    /// controller; nil partitions or replication factor take the broker's defaults, which needs
    /// CreateTopics v4+). For clusters without `auto.create.topics.enable`; Tansu creates topics on
    /// first use. Throws only when the cluster cannot be reached or refuses the request as a whole.
    public func createTopics(partitions: Int32? = nil, replicationFactor: Int16? = nil, jobsTopics: [String]? = nil,
                             deadLetterTopic: String? = nil) async throws -> [String: TopicCreation] {
        let client = try configuration.consumerConfiguration(group: "\(Topics.underscore(configuration.name))_admin").client
        let names = topics(jobsTopics: jobsTopics, deadLetterTopic: deadLetterTopic)
        return try await KafkaAdminClient.withAdminClient(client, logger: configuration.logger) { admin in
            let results = try await admin.createTopics(names.map {
                NewTopic(name: $0, partitions: partitions, replicationFactor: replicationFactor)
            })
            var outcomes: [String: TopicCreation] = [:]
            for name in names {
                switch results[name] {
                case .success: outcomes[name] = .created
                case let .failure(error):
                    if case let .broker(kafkaError, _) = error, kafkaError.code == .topicAlreadyExists {
                        outcomes[name] = .alreadyExists
                    } else {
                        outcomes[name] = .failed(String(describing: error))
                    }
                case nil: outcomes[name] = .failed("no answer for this topic")
                }
            }
            return outcomes
        }
    }
}
