import KafkaClient
import KafkaWire
import Swafka
import Testing

@Suite struct InterchangerTests {
    var envelope: JobEnvelope {
        let everyByte = ByteSlice((0...255).map { UInt8($0) })
        let inbound = InboundMessage(topic: "images", partition: 7, offset: 1 << 40, key: ByteSlice([]),
                                     payload: everyByte,
                                     headers: [RecordHeader(key: "content-type", value: ByteSlice("image/jpeg")),
                                               RecordHeader(key: "null", value: nil)],
                                     timestampMs: 1_700_000_000_000, receivedAtMs: 1_700_000_000_123)
        return JobEnvelope(route: "images", message: inbound,
                           overrides: ["important": true, "tags": ["a", 1, 2.5, nil, .bytes([0, 0xFF])],
                                       "nested": ["deep": ["x": "y"]]],
                           attempt: 3, headers: ["worker": "fast", "last-error": "boom"], notBeforeMs: 42)
    }

    @Test(arguments: [BinaryInterchanger() as any Interchanger, Base64Interchanger()])
    func roundTripIsLossless(interchanger: any Interchanger) throws {
        let bytes = try interchanger.encode(envelope)
        #expect(try interchanger.decode(bytes) == envelope)
    }

    @Test func nullAndEmptyStayDistinct() throws {
        let inbound = InboundMessage(topic: "t", key: nil, payload: ByteSlice([]))
        let decoded = try BinaryInterchanger().decode(try BinaryInterchanger().encode(JobEnvelope(route: "t", message: inbound)))
        #expect(decoded.message.key == nil && decoded.message.payload == ByteSlice([]))
    }

    @Test func base64OutputIsText() throws {
        let bytes = try Base64Interchanger().encode(envelope)
        #expect(bytes.allSatisfy { $0 < 0x80 && $0 != 0 })
    }

    @Test func everyStrictPrefixThrows() throws {
        let bytes = try BinaryInterchanger().encode(envelope)
        for length in 0..<bytes.count {
            #expect(throws: InterchangeError.self) { try BinaryInterchanger().decode(Array(bytes.prefix(length))) }
        }
        #expect(throws: InterchangeError.self) { try BinaryInterchanger().decode(bytes + [0]) }
    }

    @Test func hostileCountIsRefused() throws {
        var bytes = Array("SWJ".utf8) + [1]
        bytes += [2, 0x74, 2, 0x74]            // route "t", topic "t" (compact lengths are N + 1)
        bytes += [0, 0, 0, 0] + [UInt8](repeating: 0, count: 8)   // partition, offset
        bytes += [0, 0]                        // null key, null payload
        bytes += [0xFF, 0xFF, 0xFF, 0xFF, 0x0F] // header count 2^32-1
        #expect(throws: InterchangeError.self) { try BinaryInterchanger().decode(bytes) }
        #expect(throws: InterchangeError.badMagic) { try BinaryInterchanger().decode([1, 2, 3, 4]) }
    }

    @Test func jobMessageCarriesRouteAttemptAndKey() throws {
        let job = try EncodedJob(envelope, interchanger: BinaryInterchanger())
        let produced = job.producerMessage(jobsTopic: "app_jobs")
        #expect(produced.topic == "app_jobs" && produced.key?.utf8String == "images-7")
        let consumed = InboundMessage(topic: "app_jobs", key: produced.key, payload: produced.value,
                                      headers: produced.headers.map { RecordHeader(key: $0.name, value: $0.value) })
        #expect(try EncodedJob(jobMessage: consumed) == job)
    }
}
