import Foundation
import KafkaClient
import KafkaTransport
import KafkaWire
import KafkaWireJSON
import SwafkacatCore
import Testing

@Suite("--decode rendering")
struct FrameDecoderTests {
    static func frames(_ names: [String]) throws -> [FrameFile.Frame] {
        FrameFile.split(FrameFile.join(try names.map { try FrameFileTests.bytes("kcat-tansu/" + $0) })).frames
    }

    @Test func linesCarryTheMessageAsSwafkaWireDecodesIt() throws {
        let frames = try Self.frames(["002-Metadata-v12-request.bin", "002-Metadata-v12-response.bin",
                                      "003-Metadata-v12-request.bin", "006-Produce-v10-request.bin"])
        let decoder = FrameDecoder(options: DecodeOptions())
        var classifier = try decoder.classifier()
        var lines: [JSONValue] = []
        for frame in frames {
            let (json, decoded) = decoder.render(classifier.classify(frame))
            #expect(decoded)
            lines.append(json)
        }
        // The message is exactly what `swafka-wire decode --with-header` prints for the same bytes.
        let expected = try WireTool.decode(frames[0].bytes, api: "Metadata", version: 12, kind: .request, withHeader: true)
        #expect(lines[0]["message"] == expected)
        #expect(lines[0]["kind"] == .string("request") && lines[0]["api"] == .string("Metadata") && lines[0]["version"] == .int(12))
        #expect(lines[1]["kind"] == .string("response") && lines[1]["correlationId"] == .int(2))
        let response = try WireTool.decode(frames[1].bytes, api: "3", version: 12, kind: .response, withHeader: true)
        #expect(lines[1]["message"] == response)
        // The request with librdkafka's stray bytes decodes without them, and says so.
        #expect(lines[2]["note"] == .string("3 bytes after the request body"))
        #expect(lines[2]["message"]?["body"] != nil)
        #expect(lines[3]["api"] == .string("Produce"))
        let first = String(decoding: decoder.line(lines[0]), as: UTF8.self)
        #expect(first.hasPrefix(#"{"frame":1,"offset":0,"size":22,"kind":"request","api":"Metadata","apiKey":3,"version":12,"correlationId":2,"message":{"header":{"#))
        #expect(first.hasSuffix("}\n") && !first.dropLast().contains("\n"))
    }

    @Test func decodedRecordsAndPrettyPrinting() throws {
        var options = DecodeOptions()
        options.decodeRecords = true
        options.pretty = true
        let decoder = FrameDecoder(options: options)
        var classifier = try decoder.classifier()
        let frame = try #require(try Self.frames(["006-Produce-v10-request.bin"]).first)
        let (json, decoded) = decoder.render(classifier.classify(frame))
        #expect(decoded)
        let text = String(decoding: decoder.line(json), as: UTF8.self)
        #expect(text.contains("\"Magic\": 2"))
        #expect(text.hasPrefix("{\n  \"frame\": 1,"))
    }

    @Test func failuresAreLinesToo() throws {
        let decoder = FrameDecoder(options: DecodeOptions())
        var classifier = try decoder.classifier()
        let (json, decoded) = decoder.render(classifier.classify(FrameFile.Frame(index: 4, offset: 99, bytes: [0, 0, 0, 7, 1])))
        #expect(!decoded)
        #expect(json["error"] != nil && json["frame"] == .int(4) && json["offset"] == .int(99) && json["correlationId"] == .int(7))
        // A response forced onto the wrong API decodes with an error, on its line.
        var options = DecodeOptions()
        options.direction = .responses
        options.api = "Heartbeat"
        options.apiVersion = 4
        let forced = FrameDecoder(options: options)
        var forcedClassifier = try forced.classifier()
        let response = try #require(try Self.frames(["002-Metadata-v12-response.bin"]).first)
        let (wrong, ok) = forced.render(forcedClassifier.classify(response))
        #expect(!ok)
        #expect(wrong["api"] == .string("Heartbeat") && wrong["error"] != nil)
    }

    @Test func badApiOptions() {
        var options = DecodeOptions()
        options.api = "Nope"
        options.apiVersion = 1
        #expect(throws: FrameDecodingError.self) { try FrameDecoder(options: options).classifier() }
        options.api = "Metadata"
        options.apiVersion = nil
        #expect(throws: FrameDecodingError(message: "--api and --api-version go together")) { try FrameDecoder(options: options).classifier() }
    }
}

@Suite("admin reports, client error texts, client settings")
struct AdminAndSettingsTests {
    @Test func topicLines() {
        #expect(AdminReports.topicLine(.init(topic: "t", partitions: 3, replicationFactor: 1), created: true, json: false)
            == "Created topic \"t\" (3 partitions, replication factor 1)\n")
        #expect(AdminReports.topicLine(.init(topic: "t"), created: false, json: false) == "Deleted topic \"t\"\n")
        #expect(AdminReports.topicLine(.init(topic: "t", error: "Broker: Topic already exists"), created: true, json: false) == nil)
        #expect(AdminReports.topicLine(.init(topic: "t", error: "Broker: Topic already exists"), created: true, json: true)
            == #"{"topic":"t","created":false,"error":"Broker: Topic already exists"}"# + "\n")
        #expect(AdminReports.topicLine(.init(topic: "t", partitions: 2), created: true, json: true)
            == #"{"topic":"t","created":true,"partitions":2}"# + "\n")
    }

    @Test func groupReports() {
        let group = AdminReports.Group(
            groupID: "g", state: "Stable", protocolType: "consumer", protocolName: "range", coordinator: 111,
            members: [.init(memberID: "m-1", clientID: "rdkafka", host: "/127.0.0.1",
                            assignment: [TopicPartition("t", 1), TopicPartition("t", 0)])],
            offsets: [.init(partition: TopicPartition("t", 0), committed: 5, end: 7, lag: 2),
                      .init(partition: TopicPartition("t", 1), committed: 3, end: nil, lag: nil, error: "Local: Unknown partition")])
        #expect(group.text == """
            group "g" (consumer, Stable, protocol range, coordinator 111) with 1 members:
              member m-1, client rdkafka, host /127.0.0.1: t [0], t [1]
             2 committed offsets:
              t [0] offset 5, end 7, lag 2
              t [1] offset 3: Local: Unknown partition

            """)
        #expect(group.json == #"{"group":"g","state":"Stable","protocol_type":"consumer","protocol":"range","coordinator":111,"members":[{"member_id":"m-1","client_id":"rdkafka","host":"/127.0.0.1","assignment":[{"topic":"t","partition":0},{"topic":"t","partition":1}]}],"offsets":[{"topic":"t","partition":0,"offset":5,"end":7,"lag":2},{"topic":"t","partition":1,"offset":3,"error":"Local: Unknown partition"}]}"# + "\n")
        let failed = AdminReports.Group(groupID: "x", state: "", protocolType: "", protocolName: "", coordinator: -1, members: [],
                                        offsets: [], error: "Broker: Group authorization failed")
        #expect(failed.text == "group \"x\": Broker: Group authorization failed\n")
        #expect(failed.json == #"{"group":"x","error":"Broker: Group authorization failed"}"# + "\n")
    }

    @Test func clientErrorsInLibrdkafkasWords() {
        let refused = KafkaClientError.transport(.connectionClosed(BrokerAddress(host: "h", port: 1), reason: "reset"))
        #expect(ErrorText.client(refused, unreachable: .transport) == "Local: Broker transport failure")
        #expect(ErrorText.client(.timedOut(after: .seconds(1), lastError: refused), unreachable: .allBrokersDown)
            == "Local: All broker connections are down")
        #expect(ErrorText.client(.timedOut(after: .seconds(1), lastError: nil), unreachable: .transport) == "Local: Timed out")
        #expect(ErrorText.client(.broker(KafkaError(.topicAlreadyExists), context: "t"), unreachable: .transport)
            == "Broker: Topic already exists")
        #expect(ErrorText.client(.unknownTopic("t"), unreachable: .transport) == "Broker: Unknown topic or partition")
        #expect(ErrorText.client(.unknownPartition(topic: "t", partition: 9), unreachable: .transport) == "Local: Unknown partition")
        #expect(ErrorText.client(.transport(.unsupportedVersion(api: .listGroups, ours: 0...5, theirs: nil)), unreachable: .transport)
            == "Local: Required feature not supported by broker")
    }

    @Test func everyClientSettingIsInTheCatalog() throws {
        let settings = Settings()
        for property in ClientConfiguration.properties {
            let definition = try #require(settings.definition(for: property.name))
            #expect(definition.name == property.name)
            for alias in property.aliases { #expect(settings.definition(for: alias)?.name == property.name) }
        }
        #expect(settings.value("client.id") == "swafkacat")
    }

    @Test func clientPropertyMapBuildsAClientConfiguration() throws {
        var settings = Settings()
        try settings.set("bootstrap.servers", to: "h1:9092,h2")
        try settings.set("request.timeout.ms", to: "1234")
        try settings.set("debug", to: "protocol,broker")
        try settings.set("acks", to: "1")  // a producer setting: not the cluster client's
        let map = settings.clientPropertyMap
        #expect(map["acks"] == nil)
        #expect(map["client.id"] == "swafkacat")
        let configuration = try ClientConfiguration(properties: map)
        #expect(configuration.bootstrapServers.map(\.description) == ["h1:9092", "h2:9092"])
        #expect(configuration.requestTimeout == .milliseconds(1234))
        #expect(configuration.debug == [.protocol, .broker])
        #expect(configuration.clientID == "swafkacat")
    }
}
