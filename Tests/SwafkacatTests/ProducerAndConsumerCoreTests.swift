import KafkaClient
import KafkaWire
import SwafkacatCore
import Testing

/// The pure parts of `-P` and `-C` (input splitting, stop rules, envelopes, error texts). Expected
/// messages come from kcat 1.7.1 runs (`... | kcat -P ...; kcat -C -J ...`), noted per case.
@Suite("-P input and -C progress")
struct ProducerAndConsumerCoreTests {
    func split(_ input: String, chunks: Int = 1, delimiter: String = "\n", key: String? = nil, fixedKey: String? = nil,
               null: Bool = false) -> [InputMessage] {
        var splitter = ProducerInputSplitter(delimiter: Array(delimiter.utf8), keyDelimiter: key.map { Array($0.utf8) },
                                             fixedKey: fixedKey.map { Array($0.utf8) }, nullForEmpty: null)
        let bytes = Array(input.utf8)
        var messages: [InputMessage] = []
        // Feed in pieces of `chunks` bytes so delimiters straddle the pieces.
        var index = 0
        while index < bytes.count {
            let end = min(bytes.count, index + chunks)
            messages += splitter.feed(bytes[index..<end])
            index = end
        }
        return messages + splitter.finish()
    }

    func pairs(_ messages: [InputMessage]) -> [String] {
        messages.map { "\($0.key.map { String(decoding: $0, as: UTF8.self) } ?? "null")|\($0.value.map { String(decoding: $0, as: UTF8.self) } ?? "null")" }
    }

    @Test(arguments: [1, 2, 3, 100])
    func linesAsKcatReadsThem(chunkSize: Int) {
        // printf 'a\nbb\n\nk:v\nlast' | kcat -P -K: -> a, bb, k:v (key k), last; the empty line is skipped.
        let messages = split("a\nbb\n\nk:v\nlast", chunks: chunkSize, key: ":")
        #expect(pairs(messages) == ["null|a", "null|bb", "k|v", "null|last"])
        #expect(messages.map(\.raw) == ["a", "bb", "k:v", "last"].map { Array($0.utf8) })
    }

    @Test(arguments: [1, 2, 7])
    func keysWithZAndFixedKey(chunkSize: Int) {
        // printf 'k1;;v1\n;;v2\nk3;;\nnokey\n;;\n' | kcat -P -K ';;' -Z -k fixed
        // -> k1/v1, fixed/v2, k3/null, fixed/nokey, fixed/null.
        let messages = split("k1;;v1\n;;v2\nk3;;\nnokey\n;;\n", chunks: chunkSize, key: ";;", fixedKey: "fixed", null: true)
        #expect(pairs(messages) == ["k1|v1", "fixed|v2", "k3|null", "fixed|nokey", "fixed|null"])
    }

    @Test func multiByteDelimitersAcrossChunks() {
        #expect(pairs(split("x\r\ny\r\n\r\nz", chunks: 1, delimiter: "\r\n")) == ["null|x", "null|y", "null|z"])
        #expect(pairs(split("a--b---c", chunks: 2, delimiter: "--")) == ["null|a", "null|b", "null|-c"])
        // Without -Z an empty value after a key stays empty.
        #expect(pairs(split("k:\n", key: ":")) == ["k|"])
    }

    @Test func envelopesRoundTripKcatsJSON() throws {
        // A line kcat 1.7.1 printed with -J, binary payload included.
        let line = Array(#"{"topic":"fmt1","partition":0,"offset":4,"tstype":"create","ts":1795344105236,"broker":111,"key":"binkey","payload":"\u0000\u0001\u0002"#.utf8)
            + [0xFF, 0xFE, 0x7F, 0xC3, 0xA9, 0x2F] + Array(#"\u001B"}"#.utf8)
        let envelope = try Envelope(parsing: line)
        #expect(envelope.topic == "fmt1" && envelope.partition == 0 && envelope.timestamp == 1_795_344_105_236)
        #expect(envelope.key == Array("binkey".utf8))
        #expect(envelope.value == [0x00, 0x01, 0x02, 0xFF, 0xFE, 0x7F, 0xC3, 0xA9, 0x2F, 0x1B])
        // What -C -J prints, -P -J reads back to the same record.
        let message = ConsumedMessage(topic: "t", partition: 2, offset: 9, timestamp: 5, timestampType: .createTime, broker: 1,
                                      key: nil, value: Array("a\"\\\n\u{7F}é".utf8),
                                      headers: [.init(name: "h", value: nil), .init(name: "i", value: [0x00, 0x80])])
        let back = try Envelope(parsing: MessageFormatter.jsonEnvelope(message))
        #expect(back == Envelope(topic: "t", partition: 2, key: nil, value: message.value, headers: message.headers, timestamp: 5))
    }

    @Test func envelopeVariantsAndErrors() throws {
        let object = try Envelope(parsing: Array(#" {"payload":"v","headers":{"a":"1","b":null},"tstype":"logappend","ts":7,"extra":[1,{"x":2.5}]} "#.utf8))
        #expect(object.value == Array("v".utf8) && object.topic == nil && object.timestamp == nil)
        #expect(object.headers == [.init(name: "a", value: Array("1".utf8)), .init(name: "b", value: nil)])
        #expect(try Envelope(parsing: Array(#"{"payload":"\ud83d\ude00"}"#.utf8)).value == Array("😀".utf8))
        for bad in [#"[1]"#, #"{"payload":1}"#, #"{"headers":["a"]}"#, #"{"partition":99999999999}"#, #"{"payload":"x"#, #"{"a":1}x"#, "{"] {
            #expect(throws: Envelope.ParseError.self, "\(bad)") { try Envelope(parsing: Array(bad.utf8)) }
        }
    }

    @Test func exitAtEndOfEveryPartition() {
        var progress = ConsumeProgress(partitionCount: 2, exitAtEnd: true, messageLimit: nil, stopTimestamp: nil)
        #expect(progress.messageArrived(topic: "t", partition: 0, offset: 0, timestamp: 1).print)
        let first = progress.endReached(topic: "t", partition: 0, offset: 1)
        #expect(first == .init(notice: "Reached end of topic t [0] at offset 1", stopPartition: true, done: false))
        let last = progress.endReached(topic: "t", partition: 1, offset: 0)
        #expect(last == .init(notice: "Reached end of topic t [1] at offset 0: exiting", stopPartition: true, done: true))
        #expect(progress.isDone)
    }

    @Test func withoutEEndsAreOnlyAnnounced() {
        var progress = ConsumeProgress(partitionCount: 1, exitAtEnd: false, messageLimit: nil, stopTimestamp: nil)
        #expect(progress.endReached(topic: "t", partition: 0, offset: 3) == .init(notice: "Reached end of topic t [0] at offset 3",
                                                                                  stopPartition: false, done: false))
        #expect(!progress.isDone)
    }

    @Test func countAndStopTimestamp() {
        var counted = ConsumeProgress(partitionCount: 3, exitAtEnd: false, messageLimit: 2, stopTimestamp: nil)
        #expect(counted.messageArrived(topic: "t", partition: 0, offset: 0, timestamp: 0).done == false)
        #expect(counted.messageArrived(topic: "t", partition: 1, offset: 0, timestamp: 0) == .init(print: true, notice: nil,
                                                                                                    stopPartition: false, done: true))
        var timed = ConsumeProgress(partitionCount: 2, exitAtEnd: false, messageLimit: nil, stopTimestamp: 100)
        #expect(timed.messageArrived(topic: "t", partition: 0, offset: 0, timestamp: 99).print)
        #expect(timed.messageArrived(topic: "t", partition: 0, offset: 1, timestamp: 100)
            == .init(print: false, notice: "Reached stop timestamp for topic t [0] at offset 1", stopPartition: true, done: false))
        #expect(timed.messageArrived(topic: "t", partition: 1, offset: 5, timestamp: 200)
            == .init(print: false, notice: "Reached stop timestamp for topic t [1] at offset 5: exiting", stopPartition: true, done: true))
    }

    /// Produce and delivery failures in librdkafka's words (`rd_kafka_err2str`), as kcat prints them
    /// after `Failed to produce message (N bytes): ` or `Delivery failed for message: `.
    @Test func producerErrorsInLibrdkafkasWords() {
        #expect(ErrorText.producer(.unknownPartition(topic: "t", partition: 9, partitionCount: 4)) == "Local: Unknown partition")
        #expect(ErrorText.producer(.unknownTopic("t")) == "Local: Unknown topic")
        #expect(ErrorText.producer(.messageTooLarge(size: 2_000_000, setting: "message.max.bytes", limit: 1_000_000))
            == "Broker: Message size too large")
        #expect(ErrorText.producer(.broker(KafkaError(.notEnoughReplicas))) == "Broker: Not enough in-sync replicas")
        #expect(ErrorText.producer(.deliveryTimedOut(after: .seconds(1), lastError: nil)) == "Local: Message timed out")
        #expect(ErrorText.producer(.bufferFull(messages: 1, bytes: 1)) == "Local: Queue full")
        #expect(ErrorText.producer(.aborted) == "Local: Purged in queue")
    }
}
