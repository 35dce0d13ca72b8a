import KafkaCompression
import KafkaWire
import Testing

/// The record formats through the real codecs (KafkaWire's own tests use a stand-in provider).
@Suite("Records through the real codecs")
struct RecordsCodecTests {
    let provider = KafkaCompressionProvider()
    let t: Int64 = 1_700_000_000_000

    @Test("v2 batches round trip with every codec", arguments: [CompressionCodec.gzip, .snappy, .lz4, .zstd])
    func batch(codec: CompressionCodec) throws {
        var encoder = try RecordBatchEncoder(attributes: RecordBatch.Attributes(compression: codec),
                                             compressionProvider: provider)
        for index in 0..<500 {
            try encoder.append(timestamp: t + Int64(index), key: ByteSlice("key-\(index % 10)"),
                               value: index % 50 == 0 ? nil : ByteSlice(String(repeating: "value \(index) ", count: 8)),
                               headers: [RecordHeader(key: "n", value: ByteSlice("\(index)"))])
        }
        let bytes = try encoder.finish()
        let options = RecordDecodingOptions(compressionProvider: provider)
        let batch = try RecordBatch(decoding: bytes, options: options)
        #expect(batch.attributes.compression == codec)
        #expect(batch.records.count == 500)
        #expect(bytes.count < batch.records.count * 80, "\(codec) compresses repetitive values")
        let records = batch.fetchedRecords
        #expect(records.map(\.offset) == Array(0..<500))
        #expect(records[7].value?.utf8String == String(repeating: "value 7 ", count: 8))
        #expect(records[50].value == nil)
        // Re-encoding the decoded batch with the same codec decodes to the same batch.
        #expect(try RecordBatch(decoding: batch.encoded(compressionProvider: provider), options: options) == batch)
        // The decompressed-size cap applies to real codecs too.
        #expect(throws: WireDecodingError.self) {
            _ = try RecordBatch(decoding: bytes, options: RecordDecodingOptions(compressionProvider: provider,
                                                                                maxDecompressedSize: 1000))
        }
    }

    @Test("legacy wrappers round trip at magic 0 and 1 with gzip, snappy and lz4",
          arguments: [Int8(0), 1], [CompressionCodec.gzip, .snappy, .lz4])
    func legacy(magic: Int8, codec: CompressionCodec) throws {
        let messages = (0..<20).map { index in
            LegacyMessage(offset: 500 + Int64(index), magic: magic, timestamp: magic == 1 ? t + Int64(index) : nil,
                          key: nil, value: ByteSlice("legacy \(index)"))
        }
        let wrapper = try LegacyMessage.compressedWrapper(containing: messages, compression: codec,
                                                          compressionProvider: provider)
        let set = try RecordSet(decoding: wrapper.encoded(), options: RecordDecodingOptions(compressionProvider: provider))
        #expect(set.entries == [.legacy(messages)])
        #expect(set.nextOffset == 520)
    }
}
