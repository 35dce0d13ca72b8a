import KafkaClient
import KafkaWire
import SwafkacatCore

/// swafkacat's admin extras on the admin client: `--create-topic`, `--delete-topic`, `--list-groups`
/// and `--describe-group`. Each item gets its line; a failed item is a `% ERROR:` line and makes the
/// exit status 1 (the others still run), as kcat treats failed deliveries.
struct AdminModes {
    let runner: Runner

    func withAdmin(_ body: (KafkaAdminClient, ClientSession) async -> Int32) async -> Int32 {
        let session = ClientSession(invocation: runner.invocation)
        let admin: KafkaAdminClient
        do {
            admin = try KafkaAdminClient(configuration: try session.configuration(), logger: session.logger())
        } catch {
            return runner.fatal("\(error)")
        }
        let status = await body(admin, session)
        await admin.shutdown()
        return status
    }

    func text(_ error: KafkaClientError) -> String { ClientSession.text(error, unreachable: .allBrokersDown) }

    func createTopics() async -> Int32 {
        let topics = runner.invocation.topicsToCreate
        return await withAdmin { admin, session in
            let results: [String: Result<CreatedTopic, KafkaClientError>]
            do throws(KafkaClientError) {
                results = try await admin.createTopics(
                    topics.map { NewTopic(name: $0.name, partitions: $0.partitions, replicationFactor: $0.replicationFactor) },
                    timeout: session.timeout)
            } catch {
                return runner.fatal("Failed to create topics: \(text(error))")
            }
            var status: Int32 = 0
            for topic in topics {
                var outcome = AdminReports.TopicOutcome(topic: topic.name)
                switch results[topic.name] {
                case let .success(created)?:
                    outcome.partitions = created.partitions ?? topic.partitions
                    outcome.replicationFactor = created.replicationFactor ?? topic.replicationFactor
                case let .failure(error)?:
                    outcome.error = text(error)
                case nil:
                    outcome.error = ErrorText.Local.badMessage.rawValue
                }
                status |= report(outcome, created: true)
            }
            return status
        }
    }

    func deleteTopics() async -> Int32 {
        let names = runner.invocation.topicsToDelete
        return await withAdmin { admin, session in
            let results: [String: Result<Void, KafkaClientError>]
            do throws(KafkaClientError) {
                results = try await admin.deleteTopics(names, timeout: session.timeout)
            } catch {
                return runner.fatal("Failed to delete topics: \(text(error))")
            }
            var status: Int32 = 0
            for name in names {
                var outcome = AdminReports.TopicOutcome(topic: name)
                switch results[name] {
                case .success?: break
                case let .failure(error)?: outcome.error = text(error)
                case nil: outcome.error = ErrorText.Local.badMessage.rawValue
                }
                status |= report(outcome, created: false)
            }
            return status
        }
    }

    func report(_ outcome: AdminReports.TopicOutcome, created: Bool) -> Int32 {
        if let line = AdminReports.topicLine(outcome, created: created, json: runner.invocation.json) { Output.write(line) }
        guard let error = outcome.error else { return 0 }
        Output.flush()
        Output.error("% ERROR: Failed to \(created ? "create" : "delete") topic \"\(outcome.topic)\": \(error)\n")
        return 1
    }

    func listGroups() async -> Int32 {
        let invocation = runner.invocation
        return await withAdmin { admin, session in
            var ids = invocation.groupsToDescribe
            do throws(KafkaClientError) {
                if ids.isEmpty { ids = try await admin.listGroups(timeout: session.timeout).map(\.groupID) }
                let descriptions = ids.isEmpty ? [:] : try await admin.describeGroups(ids, timeout: session.timeout)
                var status: Int32 = 0
                for id in ids {
                    let group: AdminReports.Group
                    switch descriptions[id] {
                    case let .success(description)?:
                        group = await describe(description, admin: admin, session: session)
                    case let .failure(error)?:
                        group = failed(id, text(error))
                        status = 1
                    case nil:
                        group = failed(id, ErrorText.Local.badMessage.rawValue)
                        status = 1
                    }
                    Output.write(invocation.json ? group.json : group.text)
                }
                if !invocation.json && ids.isEmpty { Output.write("0 groups\n") }
                return Output.flush() ? status : runner.fatal("Output write error")
            } catch {
                runner.info(2, "\(error)")
                return runner.fatal("Failed to list groups: \(text(error))")
            }
        }
    }

    func failed(_ id: String, _ error: String) -> AdminReports.Group {
        AdminReports.Group(groupID: id, state: "", protocolType: "", protocolName: "", coordinator: -1, members: [], offsets: [],
                           error: error)
    }

    func describe(_ description: GroupDescription, admin: KafkaAdminClient, session: ClientSession) async -> AdminReports.Group {
        var offsets: [AdminReports.Group.Offset] = []
        var problem: String?
        do throws(KafkaClientError) {
            let lags = try await admin.groupLag(group: description.groupID, timeout: session.timeout)
            offsets = lags.keys.sorted().compactMap { partition in
                guard let lag = lags[partition] else { return nil }
                return AdminReports.Group.Offset(partition: partition, committed: lag.committed, end: lag.endOffset, lag: lag.lag,
                                                 error: lag.endOffsetError.map(text))
            }
        } catch {
            problem = "committed offsets: \(text(error))"
        }
        return AdminReports.Group(
            groupID: description.groupID, state: description.state, protocolType: description.protocolType,
            protocolName: description.protocolName, coordinator: description.coordinator,
            members: description.members.map {
                .init(memberID: $0.memberID, instanceID: $0.groupInstanceID, clientID: $0.clientID, host: $0.clientHost,
                      assignment: $0.assignment)
            },
            offsets: offsets, error: problem)
    }
}
