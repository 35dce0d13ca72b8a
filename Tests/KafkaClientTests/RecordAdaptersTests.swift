@testable import KafkaClient
import KafkaCompression
import KafkaWire
import Testing

/// The producer and consumer cores meet the real record codecs here.
@Suite("Record adapters")
struct RecordAdaptersTests {
    func batch(records: Int, sequence: BatchSequence?) -> ProducerBatch {
        var batch = ProducerBatch(id: ProducerBatchID(rawValue: 1), topicPartition: TopicPartition("t", 0),
                                  createdAt: .now, capacity: records)
        for index in 0..<records {
            batch.records.append(BufferedRecord(
                messageID: ProducerMessageID(rawValue: UInt64(index)),
                key: index % 3 == 0 ? nil : ByteSlice("key-\(index)"),
                value: index % 5 == 0 ? nil : ByteSlice(String(repeating: "v", count: 100)),
                headers: index % 2 == 0 ? [.init("h", ByteSlice("x")), .init("h", nil)] : [],
                timestampMs: 1_700_000_000_000 + Int64(index), label: nil, sizeUpperBound: 200))
        }
        batch.sequence = sequence
        return batch
    }

    @Test(arguments: CompressionCodec.allCases)
    func producerBatchesEncodeAsV2BatchesEveryCodecDecodes(codec: CompressionCodec) throws {
        let sequence = BatchSequence(producerIDAndEpoch: ProducerIDAndEpoch(producerID: 42, epoch: 3), baseSequence: 17)
        let source = batch(records: 50, sequence: sequence)
        let encoder = RecordBatchV2Encoder(provider: KafkaCompressionProvider())
        let bytes = try encoder.encode(source, compression: ProducerCompression(codec))
        let options = RecordDecodingOptions(compressionProvider: KafkaCompressionProvider())
        let decoded = try RecordBatch(decoding: bytes, options: options)
        #expect(decoded.attributes.compression == codec)
        #expect(decoded.producerID == 42 && decoded.producerEpoch == 3 && decoded.baseSequence == 17)
        #expect(decoded.records.count == 50)
        for (record, original) in zip(decoded.records, source.records) {
            #expect(record.key == original.key)
            #expect(record.value == original.value)
            #expect(record.headers.map(\.key) == original.headers.map(\.name))
            #expect(record.headers.map(\.value) == original.headers.map(\.value))
            #expect(decoded.baseTimestamp + record.timestampDelta == original.timestampMs)
        }
    }

    @Test func withoutIdempotenceTheBatchCarriesNoProducer() throws {
        let bytes = try RecordBatchV2Encoder(provider: KafkaCompressionProvider())
            .encode(batch(records: 3, sequence: nil), compression: .none)
        let decoded = try RecordBatch(decoding: bytes)
        #expect(decoded.producerID == RecordBatch.noProducerID)
        #expect(decoded.baseSequence == RecordBatch.noSequence)
    }

    @Test func fetchedEntriesExposeWhatTheFetchHandlerNeeds() throws {
        let data = RecordBatch(baseOffset: 10, attributes: RecordBatch.Attributes(isTransactional: true), producerID: 7,
                               records: [Record(offsetDelta: 0, key: nil, value: ByteSlice("a")),
                                         Record(offsetDelta: 1, key: nil, value: ByteSlice("b"))])
        let marker = RecordBatch(baseOffset: 12, attributes: RecordBatch.Attributes(isTransactional: true, isControl: true),
                                 producerID: 7,
                                 records: [Record(offsetDelta: 0, key: ByteSlice(ControlRecordType.abort.encodedKey),
                                                  value: ByteSlice(EndTxnMarker(coordinatorEpoch: 0).encoded))])
        let blob = try data.encoded() + marker.encoded()
        let entries = try RecordSet(decoding: ByteSlice(blob)).entries
        #expect(entries.count == 2)
        #expect(entries[0].baseOffset == 10 && entries[0].lastOffset == 11)
        #expect(entries[0].producerID == 7 && entries[0].isTransactional && !entries[0].isControl && !entries[0].isAbortMarker)
        #expect(entries[1].isControl && entries[1].isAbortMarker)
    }
}
