import KafkaTransport
import KafkaWire

extension KafkaAdminClient {
    /// Reads the configs of topics, brokers and broker loggers. Topic configs are asked of any
    /// broker, a broker's configs of that broker.
    public func describeConfigs(_ resources: [ConfigResource], includeSynonyms: Bool = false,
                                includeDocumentation: Bool = false, timeout: Duration? = nil)
        async throws(KafkaClientError) -> [ConfigResource: Result<[ConfigEntry], KafkaClientError>] {
        let cluster = self.cluster
        var routes: [ConfigResource: RequestTarget] = [:]
        var invalid: [ConfigResource: Result<[ConfigEntry], KafkaClientError>] = [:]
        for resource in resources {
            switch resource.kind {
            case .topic: routes[resource] = .anyBroker
            case .broker, .brokerLogger:
                if let id = Int32(resource.name) {
                    routes[resource] = .broker(id)
                } else {
                    invalid[resource] = .failure(.unsupported("\(resource): a broker resource is named by its node id"))
                }
            }
        }
        let valid = resources.filter { routes[$0] != nil }
        var results = try await cluster.sendBatched(valid, timeout: timeout, route: { routes[$0] ?? .anyBroker }) {
            broker, resources, deadline throws(KafkaClientError) in
            var usedVersion: Int16 = 0
            let response = try await cluster.sendOnce(to: broker, deadline: deadline) { version in
                usedVersion = version
                return DescribeConfigsRequest(
                    resources: resources.map {
                        DescribeConfigsRequest.DescribeConfigsResource(resourceType: $0.kind.rawValue, resourceName: $0.name,
                                                                       configurationKeys: nil)
                    },
                    includeSynonyms: version >= 1 && includeSynonyms,
                    includeDocumentation: version >= 3 && includeDocumentation)
            }
            var outcomes: [ConfigResource: Result<[ConfigEntry], KafkaClientError>] = [:]
            for result in response.results {
                guard let kind = ConfigResource.Kind(rawValue: result.resourceType) else { continue }
                let resource = ConfigResource(kind: kind, name: result.resourceName)
                guard result.errorCode == .none else {
                    outcomes[resource] = kind == .topic && result.errorCode == .unknownTopicOrPartition
                        ? .failure(.unknownTopic(result.resourceName))
                        : .failure(.broker(KafkaError(result.errorCode, brokerMessage: result.errorMessage), context: "\(resource)"))
                    continue
                }
                outcomes[resource] = .success(result.configs.map { Self.configEntry($0, version: usedVersion) })
            }
            return outcomes
        }
        results.merge(invalid) { first, _ in first }
        return results
    }

    /// The configs of topics (a shortcut for `describeConfigs` with topic resources).
    public func describeTopicConfigs(_ topics: [String], includeSynonyms: Bool = false, timeout: Duration? = nil)
        async throws(KafkaClientError) -> [String: Result<[ConfigEntry], KafkaClientError>] {
        let results = try await describeConfigs(topics.map(ConfigResource.topic), includeSynonyms: includeSynonyms, timeout: timeout)
        var byName: [String: Result<[ConfigEntry], KafkaClientError>] = [:]
        for (resource, result) in results { byName[resource.name] = result }
        return byName
    }

    static func configEntry(_ config: DescribeConfigsResponse.DescribeConfigsResourceResult, version: Int16) -> ConfigEntry {
        // v0 says IsDefault; v1+ says where the value comes from instead.
        let source = version >= 1 ? ConfigSource(rawValue: config.configSource) : (config.isDefault ? .defaultConfig : .unknown)
        return ConfigEntry(
            name: config.name, value: config.value, source: source, isReadOnly: config.readOnly,
            isSensitive: config.isSensitive, isDefault: version >= 1 ? source == .defaultConfig : config.isDefault,
            synonyms: config.synonyms.map { ConfigSynonym(name: $0.name, value: $0.value, source: ConfigSource(rawValue: $0.source)) },
            documentation: version >= 3 ? config.documentation : nil)
    }
}
