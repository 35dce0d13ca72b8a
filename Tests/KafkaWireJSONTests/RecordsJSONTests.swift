import KafkaCompression
import KafkaWire
import KafkaWireJSON
import Testing

@Suite("--records decoded")
struct RecordsJSONTests {
    let options = WireJSONOptions(records: .decoded, compression: KafkaCompressionProvider())

    /// A Produce v3 request whose one partition holds `records` (decoded form).
    func produce(_ records: JSONValue) -> JSONValue {
        ["TransactionalId": nil, "Acks": -1, "TimeoutMs": 1000,
         "TopicData": [["Name": "t", "PartitionData": [["Index": 0, "Records": records]]]]]
    }

    func batch(compression: String = "none") -> JSONValue {
        ["BaseOffset": 0, "PartitionLeaderEpoch": -1, "Magic": 2,
         "Attributes": ["Compression": .string(compression), "TimestampType": "CreateTime", "Transactional": false,
                        "Control": false, "DeleteHorizon": false],
         "LastOffsetDelta": 1, "BaseTimestamp": 1_700_000_000_000, "MaxTimestamp": 1_700_000_000_005,
         "ProducerId": -1, "ProducerEpoch": -1, "BaseSequence": -1,
         "Records": [
            ["Attributes": 0, "TimestampDelta": 0, "OffsetDelta": 0, "Key": nil, "Value": "aGVsbG8=", "Headers": []],
            ["Attributes": 0, "TimestampDelta": 5, "OffsetDelta": 1, "Key": "aw==", "Value": nil,
             "Headers": [["Key": "trace", "Value": "AQ=="]]],
         ]]
    }

    @Test("decoded records round trip, uncompressed byte for byte, compressed through the codec", arguments: ["none", "gzip", "snappy", "lz4", "zstd"])
    func roundTrip(compression: String) throws {
        let json = produce([batch(compression: compression)])
        let bytes = try WireTool.encode(json, api: "Produce", version: 3, kind: .request, options: options)
        #expect(try WireTool.decode(bytes, api: "Produce", version: 3, kind: .request, options: options) == json)
        // The base64 form carries the same bytes.
        let base64 = try WireTool.decode(bytes, api: "Produce", version: 3, kind: .request)
        #expect(try WireTool.encode(base64, api: "Produce", version: 3, kind: .request) == bytes)
    }

    @Test("a corrupt batch: the error names the absolute byte offset and the records path")
    func crcError() throws {
        var bytes = try WireTool.encode(produce([batch()]), api: "Produce", version: 3, kind: .request, options: options)
        // The records start after 2+2+4 (id, acks, timeout), 4+2+1 (topics, name), 4+4 (partitions, index) and a 4-byte length.
        let recordsStart = 27
        bytes[recordsStart + 25] ^= 0xFF  // inside the CRC-covered part (lastOffsetDelta)
        do {
            _ = try WireTool.decode(bytes, api: "Produce", version: 3, kind: .request, options: options)
            Issue.record("decoded a corrupt batch")
        } catch {
            #expect(error.kind == "crcMismatch")
            #expect(error.offset == recordsStart + 17)
            #expect(error.field == "TopicData[0].PartitionData[0].Records.crc")
        }
        // The base64 form does not look inside, so it still decodes.
        _ = try WireTool.decode(bytes, api: "Produce", version: 3, kind: .request)
    }

    @Test("strict reading of decoded records")
    func strict() {
        func failure(_ records: JSONValue) -> String? {
            do {
                _ = try WireTool.encode(produce(records), api: "Produce", version: 3, kind: .request, options: options)
                return nil
            } catch {
                return error.message
            }
        }
        guard case var .object(extra) = batch() else { return }
        extra["Crc"] = 1
        #expect(failure([.object(extra)]) == "unknownField in TopicData[0].PartitionData[0].Records[0].Crc: no such field")
        guard case var .object(missing) = batch() else { return }
        missing["ProducerId"] = nil
        #expect(failure([.object(missing)]) == "missingField in TopicData[0].PartitionData[0].Records[0].ProducerId: required")
        #expect(failure([["IncompleteTail": "AAAA"], batch()])
                == "invalidField in TopicData[0].PartitionData[0].Records[0]: an incomplete tail can only be the last entry")
        #expect(failure([["Magic": 3]]) == "invalidField in TopicData[0].PartitionData[0].Records[0].Magic: expected 0, 1 or 2")
        #expect(failure("AAAA=") != nil)
        #expect(failure(7) != nil)
    }

    @Test("a legacy wrapper's expanded messages must match its value")
    func legacyWrapper() throws {
        let inner: [LegacyMessage] = [
            LegacyMessage(offset: 10, magic: 1, timestamp: 5, key: nil, value: ByteSlice("a")),
            LegacyMessage(offset: 11, magic: 1, timestamp: 6, key: nil, value: ByteSlice("b")),
        ]
        let wrapper = try LegacyMessage.compressedWrapper(containing: inner, compression: .gzip,
                                                          compressionProvider: KafkaCompressionProvider())
        let records = Base64.encode(try wrapper.encoded())
        let decoded = try WireTool.decode(try WireTool.encode(produce(.string(records)), api: "Produce", version: 3, kind: .request),
                                          api: "Produce", version: 3, kind: .request, options: options)
        guard case let .array(entries)? = decoded["TopicData"]?.arrayElement(0)?["PartitionData"]?.arrayElement(0)?["Records"],
              case var .object(entry)? = entries.first else { Issue.record("no entry"); return }
        #expect(entry["Messages"]?.arrayElement(1)?["Offset"] == 11)
        #expect(try WireTool.encode(decoded, api: "Produce", version: 3, kind: .request, options: options).count > 0)
        entry["Messages"] = [entries.first?["Messages"]?.arrayElement(0) ?? nil]
        #expect(throws: WireToolError.self) {
            try WireTool.encode(produce([.object(entry)]), api: "Produce", version: 3, kind: .request, options: options)
        }
    }

    @Test("an incomplete tail (a fetch cut short) is kept as base64 at the end")
    func tail() throws {
        let full = try WireTool.encode(produce([batch()]), api: "Produce", version: 3, kind: .request, options: options)
        let withTail = try WireTool.decode(full, api: "Produce", version: 3, kind: .request)
        guard case let .string(records)? = withTail["TopicData"]?.arrayElement(0)?["PartitionData"]?.arrayElement(0)?["Records"],
              let raw = Base64.decode(records) else { Issue.record("no records"); return }
        let cut = Base64.encode(raw + raw.prefix(30))
        let json = try WireTool.decode(try WireTool.encode(produce(.string(cut)), api: "Produce", version: 3, kind: .request),
                                       api: "Produce", version: 3, kind: .request, options: options)
        guard case let .array(entries)? = json["TopicData"]?.arrayElement(0)?["PartitionData"]?.arrayElement(0)?["Records"] else {
            Issue.record("no entries"); return
        }
        #expect(entries.count == 2)
        #expect(entries.last == ["IncompleteTail": .string(Base64.encode(raw.prefix(30)))])
        #expect(try WireTool.decode(try WireTool.encode(json, api: "Produce", version: 3, kind: .request, options: options),
                                    api: "Produce", version: 3, kind: .request, options: options) == json)
    }
}

extension JSONValue {
    /// Element `index` of an array.
    func arrayElement(_ index: Int) -> JSONValue? {
        guard case let .array(elements) = self, elements.indices.contains(index) else { return nil }
        return elements[index]
    }
}
