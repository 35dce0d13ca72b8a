import Foundation
import KafkaWire
import SwafkacatCore
import Testing

/// `--decode`'s frame splitting and request/response detection, on the frames in Fixtures/ (captured
/// from kcat, confluent-kafka, kafka-python and aiokafka against Tansu and the mock cluster).
@Suite("--decode frame files")
struct FrameFileTests {
    struct IndexEntry: Decodable {
        var file: String
        var apiKey: Int16
        var apiVersion: Int16
        var kind: String
        var correlationID: Int32
        var pair: String?
    }

    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static func index() throws -> [IndexEntry] {
        try JSONDecoder().decode([IndexEntry].self, from: Data(contentsOf: fixtures.appendingPathComponent("index.json")))
    }

    /// The bytes of a fixture file (`kcat-tansu/001-ApiVersions-v3-request.bin`).
    static func bytes(_ file: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: fixtures.appendingPathComponent(file)))
    }

    @Test func splitsAndJoins() {
        let frames: [[UInt8]] = [[1, 2, 3], [], [9]]
        let file = FrameFile.join(frames)
        #expect(file == [0, 0, 0, 3, 1, 2, 3, 0, 0, 0, 0, 0, 0, 0, 1, 9])
        let (split, error) = FrameFile.split(file)
        #expect(error == nil)
        #expect(split.map(\.bytes) == frames)
        #expect(split.map(\.offset) == [0, 7, 11])
        #expect(split.map(\.index) == [1, 2, 3])
    }

    @Test func splitErrorsKeepTheGoodFrames() {
        #expect(FrameFile.split([0, 0, 0, 1, 7, 0, 0]).error == .truncatedSize(offset: 5, available: 2))
        #expect(FrameFile.split([0, 0, 0, 1, 7, 0, 0]).frames.count == 1)
        #expect(FrameFile.split([0xFF, 0xFF, 0xFF, 0xFF]).error == .negativeSize(offset: 0, size: -1))
        #expect(FrameFile.split([0, 0, 0, 5, 1, 2]).error == .truncatedFrame(offset: 0, size: 5, available: 2))
        #expect(FrameFile.SplitError.truncatedFrame(offset: 0, size: 5, available: 2).description
            == "frame at byte 0 needs 5 bytes, the file has 2 more")
    }

    /// Every captured pair, written request then response as a capture of one connection has them:
    /// auto-detection must find each request's API and version, and pair each response with it.
    @Test(arguments: ["kcat-tansu", "kcat-mock", "confluent-kafka-tansu", "kafka-python-mock", "aiokafka-tansu"])
    func detectsDirectionOnCapturedFrames(folder: String) throws {
        let entries = try Self.index().filter { $0.file.hasPrefix(folder + "/") }
        #expect(!entries.isEmpty)
        var frames: [[UInt8]] = []
        var expected: [IndexEntry] = []
        for entry in entries.sorted(by: { $0.file < $1.file }) where entry.kind == "request" {
            frames.append(try Self.bytes(entry.file))
            expected.append(entry)
            if let pair = entry.pair, let response = entries.first(where: { $0.file == pair }) {
                frames.append(try Self.bytes(pair))
                expected.append(response)
            }
        }
        let (split, error) = FrameFile.split(FrameFile.join(frames))
        #expect(error == nil)
        var classifier = FrameClassifier()
        var known = 0
        for (frame, entry) in zip(split, expected) {
            let result = classifier.classify(frame)
            let isKnownAPI = MessageRegistry.entry(for: ApiKey(rawValue: entry.apiKey)) != nil
            if isKnownAPI {
                known += 1
                #expect(result.kind?.rawValue == entry.kind, "\(entry.file)")
                #expect(result.apiKey?.rawValue == entry.apiKey, "\(entry.file)")
                #expect(result.apiVersion == entry.apiVersion, "\(entry.file)")
                #expect(result.correlationID == entry.correlationID, "\(entry.file)")
            } else {
                // An API this codec does not implement (GetTelemetrySubscriptions): reported, not guessed.
                #expect(result.kind == nil && result.problem != nil, "\(entry.file)")
            }
        }
        #expect(known > 0)
    }

    @Test func requestWithStrayBytesIsARequestWithANote() throws {
        // librdkafka 2.16's all-topics Metadata v12 request carries 3 bytes a strict decoder refuses (see Fixtures/index.json).
        var classifier = FrameClassifier()
        let frame = FrameFile.Frame(index: 1, offset: 0, bytes: try Self.bytes("kcat-tansu/003-Metadata-v12-request.bin"))
        let classified = classifier.classify(frame)
        #expect(classified.kind == .request && classified.apiKey == .metadata && classified.apiVersion == 12)
        #expect(classified.note == "3 bytes after the request body")
        let response = FrameFile.Frame(index: 2, offset: 0, bytes: try Self.bytes("kcat-tansu/003-Metadata-v12-response.bin"))
        #expect(classifier.classify(response).kind == .response)
    }

    @Test func forcedDirections() throws {
        let entries = try Self.index().filter { $0.file.hasPrefix("kcat-tansu/") && $0.file.contains("-Metadata-") }
        let request = try #require(entries.first { $0.kind == "request" })
        let response = try #require(entries.first { $0.file == request.pair })
        let responseFrame = FrameFile.Frame(index: 1, offset: 0, bytes: try Self.bytes(response.file))
        let requestFrame = FrameFile.Frame(index: 1, offset: 0, bytes: try Self.bytes(request.file))

        var requests = FrameClassifier(direction: .requests)
        #expect(requests.classify(requestFrame).kind == .request)
        #expect(requests.classify(responseFrame).problem != nil)

        var responses = FrameClassifier(direction: .responses)
        #expect(responses.classify(responseFrame).problem == "a response without its request in the file (give --api and --api-version)")
        var withAPI = FrameClassifier(direction: .responses, fallbackAPI: .metadata, fallbackVersion: request.apiVersion)
        let classified = withAPI.classify(responseFrame)
        #expect(classified.kind == .response && classified.apiKey == .metadata && classified.correlationID == response.correlationID)

        var auto = FrameClassifier()
        #expect(auto.classify(responseFrame).problem?.hasPrefix("neither a request nor the response") == true)
        #expect(auto.classify(FrameFile.Frame(index: 2, offset: 0, bytes: [1, 2])).problem != nil)
    }
}

@Suite("-L and -Q printing")
struct ListingTests {
    static let listing = MetadataListing(
        originatingBrokerID: 3, originatingBrokerName: "127.0.0.1:33229/3", queriedTopic: nil, controllerID: 2,
        brokers: [.init(id: 1, host: "127.0.0.1", port: 34963), .init(id: 2, host: "127.0.0.1", port: 33573)],
        topics: [
            .init(name: "nosuch", partitions: [
                .init(id: 0, leader: 2, replicas: [1, 2], isrs: [1, 2]),
                .init(id: 1, leader: -1, replicas: [1], isrs: [], error: .leaderNotAvailable),
            ]),
            .init(name: "gone", error: .unknownTopicOrPartition, partitions: []),
            .init(name: "busy", error: .leaderNotAvailable, partitions: []),
        ])

    @Test func textAsKcatPrintsIt() {
        #expect(Self.listing.text == """
            Metadata for all topics (from broker 3: 127.0.0.1:33229/3):
             2 brokers:
              broker 1 at 127.0.0.1:34963
              broker 2 at 127.0.0.1:33573 (controller)
             3 topics:
              topic "nosuch" with 2 partitions:
                partition 0, leader 2, replicas: 1,2, isrs: 1,2
                partition 1, leader -1, replicas: 1, isrs: , Broker: Leader not available
              topic "gone" with 0 partitions: Broker: Unknown topic or partition
              topic "busy" with 0 partitions: Broker: Leader not available (try again)

            """)
    }

    @Test func jsonAsKcatPrintsIt() {
        var listing = Self.listing
        listing.queriedTopic = "nosuch"
        listing.topics = Array(listing.topics.prefix(2))
        #expect(String(decoding: listing.json, as: UTF8.self) == #"{"originating_broker":{"id":3,"name":"127.0.0.1:33229/3"},"query":{"topic":"nosuch"},"controllerid":2,"brokers":[{"id":1,"name":"127.0.0.1:34963"},{"id":2,"name":"127.0.0.1:33573"}],"topics":[{"topic":"nosuch","partitions":[{"partition":0,"leader":2,"replicas":[{"id":1},{"id":2}],"isrs":[{"id":1},{"id":2}]},{"partition":1,"error":"Broker: Leader not available","leader":-1,"replicas":[{"id":1}],"isrs":[]}]},{"topic":"gone","error":"Broker: Unknown topic or partition","partitions":[]}]}"#)
    }

    @Test func fromAMetadataResponse() {
        var response = MetadataResponse()
        var broker = MetadataResponse.MetadataResponseBroker()
        broker.nodeID = 111
        broker.host = "h"
        broker.port = 9092
        response.brokers = [broker]
        response.controllerID = 111
        var topic = MetadataResponse.MetadataResponseTopic()
        topic.name = "t"
        var partition = MetadataResponse.MetadataResponsePartition()
        partition.partitionIndex = 0
        partition.leaderID = 111
        partition.replicaNodes = [111]
        partition.isrNodes = [111]
        topic.partitions = [partition]
        var unnamed = MetadataResponse.MetadataResponseTopic()
        unnamed.name = nil
        response.topics = [topic, unnamed]
        let listing = MetadataListing(response, originatingBrokerID: 111, originatingBrokerName: "h:9092/111", queriedTopic: "t")
        #expect(listing.text == """
            Metadata for t (from broker 111: h:9092/111):
             1 brokers:
              broker 111 at h:9092 (controller)
             1 topics:
              topic "t" with 1 partitions:
                partition 0, leader 111, replicas: 111, isrs: 111

            """)
    }

    @Test func queryResults() {
        let result = OffsetQueryResult(entries: [
            .init(topic: "b", partition: 0, offset: 7),
            .init(topic: "a", partition: 1, offset: -1, error: "Broker: Unknown topic or partition"),
            .init(topic: "a", partition: 0, offset: 42),
        ])
        #expect(result.text == "a [0] offset 42\na [1] offset -1: Broker: Unknown topic or partition\nb [0] offset 7\n")
        #expect(String(decoding: result.json, as: UTF8.self) == #"{"a":{"topic":"a","0":{"partition":0,"offset":42},"1":{"partition":1,"offset":-1,"error":"Broker: Unknown topic or partition"}},"b":{"topic":"b","0":{"partition":0,"offset":7}}}"#)
        #expect(String(decoding: OffsetQueryResult(entries: []).json, as: UTF8.self) == "{}")
    }

    @Test func errorTexts() {
        #expect(ErrorText.broker(.unknownTopicOrPartition) == "Broker: Unknown topic or partition")
        #expect(ErrorText.broker(ErrorCode(rawValue: 36)) == "Broker: Topic already exists")
        #expect(ErrorText.broker(ErrorCode(rawValue: 999)) == "Broker: UNKNOWN_CODE_999")
    }
}
