import KafkaClient
import KafkaWire
import Swafka
import Testing

final class SummingConsumer: BatchConsumer {
    static let journal = Journal()
    override func consume(_ messages: [Params]) async throws {
        for params in messages {
            if params["fail"]?.isTruthy == true { throw Boom() }
            Self.journal.write("\(params.partition)@\(params.offset)=\(params["n"]?.intValue ?? 0)")
            markAsConsumed(params)
        }
        try await respondWith(.int(Int64(messages.count)))
    }
}

final class CountResponder: Responder {
    override class var topics: [ResponderTopic] { [.topic("counts")] }
    override func respond(_ data: [ParamValue]) throws { respondTo("counts", data[0]) }
}

@Suite struct BatchConsumerTests {
    @Test func consumerGetsThePartitionBatchAndMarksAll() async throws {
        let monitor = RecordingMonitor()
        let app = try bootApp(monitor: monitor) {
            Route("numbers", consumer: SummingConsumer.self).responder(CountResponder.self)
        }
        let sink = RecordingSink()
        let next = await app.processor(sink: sink).process(.init(.init("numbers", 3), messages: [
            message("numbers", #"{"n": 1}"#, partition: 3, offset: 5),
            message("numbers", #"{"n": 2}"#, partition: 3, offset: 6),
        ]))
        #expect(next == 7)
        #expect(sink.payloads(for: "counts") == [Array("2".utf8)])
        #expect(monitor.events == [.consume, .responded, .perform])

        // A failure mid-batch keeps only what was marked.
        let partial = await app.processor(sink: sink).process(.init(.init("numbers", 3), messages: [
            message("numbers", #"{"n": 3}"#, partition: 3, offset: 7),
            message("numbers", #"{"fail": true}"#, partition: 3, offset: 8),
        ]))
        #expect(partial == 8)
        #expect(SummingConsumer.journal.all == ["3@5=1", "3@6=2", "3@7=3"])
        #expect(monitor.errors.map(\.caller) == ["SummingConsumer"])
    }
}

@Suite struct ParserTests {
    @Test func jsonParsesEveryKind() throws {
        let value = try JSONParser().parse(ByteSlice(#"{"i": 1, "d": 2.5, "b": true, "s": "x", "n": null, "a": [1, "y"]}"#))
        #expect(value == ["i": 1, "d": 2.5, "b": true, "s": "x", "n": nil, "a": [1, "y"]])
        #expect(try JSONParser().parse(ByteSlice("42")) == 42)
    }

    @Test func jsonGenerateIsStableAndRefusesBinary() throws {
        #expect(try JSONParser().generate(["b": 1, "a": [true, nil]]) == Array(#"{"a":[true,null],"b":1}"#.utf8))
        #expect(throws: (any Error).self) { try JSONParser().generate(.bytes([0xFF])) }
        #expect(throws: ParserError.self) { try JSONParser().parse(ByteSlice("{")) }
    }

    @Test func rawParserKeepsBytes() throws {
        let bytes: [UInt8] = [0, 0xFF, 0x10]
        #expect(try RawParser().parse(ByteSlice(bytes)) == .bytes(bytes))
        #expect(try RawParser().generate(.bytes(bytes)) == bytes)
        #expect(try RawParser().generate("ab") == Array("ab".utf8))
    }

    @Test func nullPayloadParsesAsNull() {
        let params = Params(InboundMessage(topic: "t", payload: nil))
        #expect(params.payload == .null && params.parseError == nil)
    }

    @Test func inboundMessageFromAFetchedRecord() {
        let record = FetchedRecord(offset: 17, timestamp: 1_000, timestampType: .createTime, key: ByteSlice("k"),
                                   value: ByteSlice("{}"), headers: [RecordHeader(key: "h", value: nil)],
                                   batch: RecordBatchMetadata(magic: 2))
        let inbound = InboundMessage(TopicPartition("t", 4), record: record, receivedAtMs: 2_000)
        #expect(inbound.topic == "t" && inbound.partition == 4 && inbound.offset == 17)
        #expect(inbound.timestampMs == 1_000 && inbound.key == ByteSlice("k") && inbound.headers.count == 1)
        var untimed = record
        untimed.timestamp = RecordBatch.noTimestamp
        #expect(InboundMessage(TopicPartition("t", 4), record: untimed).timestampMs == nil)
    }
}
