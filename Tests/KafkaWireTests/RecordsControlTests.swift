import KafkaWire
import Testing

/// A COMMIT marker batch derived by hand: baseOffset 10, leader epoch 0, transactional + control,
/// producer 4000 epoch 2, one record with key (version 0, type 1) and value (version 0, epoch 5).
let goldenCommitBatchHex = """
    000000000000000a 00000042 00000000 02 c4a7466f
    0030 00000000 0000018bcfe56800 0000018bcfe56800 0000000000000fa0 0002 ffffffff 00000001
    20 00 00 00 08 0000 0001 0c 0000 00000005 00
    """

@Suite("Records: control batches")
struct RecordsControlTests {
    @Test("golden commit marker batch decodes")
    func goldenCommit() throws {
        let batch = try RecordBatch(decoding: hexBytes(goldenCommitBatchHex))
        #expect(batch.attributes.isControl && batch.attributes.isTransactional)
        #expect(batch.baseOffset == 10 && batch.producerID == 4000 && batch.producerEpoch == 2)
        #expect(try batch.controlRecordType() == .commit)
        let record = try #require(batch.records.first)
        #expect(try ControlRecordType(decodingKey: try #require(record.key)) == .commit)
        #expect(try EndTxnMarker(decoding: try #require(record.value)) == EndTxnMarker(coordinatorEpoch: 5))
        let flat = batch.fetchedRecords
        #expect(flat.count == 1 && flat[0].offset == 10 && flat[0].batch.isControl && flat[0].batch.isTransactional)
        #expect(flat[0].batch.producerID == 4000)
    }

    @Test("a control batch built with the encoder matches the golden bytes")
    func encodeCommit() throws {
        var encoder = try RecordBatchEncoder(baseOffset: 10, partitionLeaderEpoch: 0,
                                             attributes: RecordBatch.Attributes(isTransactional: true, isControl: true),
                                             producerID: 4000, producerEpoch: 2)
        try encoder.append(timestamp: 1_700_000_000_000, key: ByteSlice(ControlRecordType.commit.encodedKey),
                           value: ByteSlice(EndTxnMarker(coordinatorEpoch: 5).encoded))
        #expect(try encoder.finish() == hexBytes(goldenCommitBatchHex))
    }

    @Test("control record keys: known types, unknown types, versions")
    func keys() throws {
        #expect(try ControlRecordType(decodingKey: [0, 0, 0, 0]) == .abort)
        #expect(try ControlRecordType(decodingKey: [0, 0, 0, 1]) == .commit)
        #expect(ControlRecordType.abort.encodedKey == [0, 0, 0, 0])
        #expect(ControlRecordType.commit.encodedKey == [0, 0, 0, 1])
        let unknown = try ControlRecordType(decodingKey: [0, 0, 0x01, 0x00])
        #expect(unknown.rawValue == 256 && unknown.description == "UNKNOWN(256)" && !unknown.isTransactionMarker)
        #expect(ControlRecordType.commit.isTransactionMarker && ControlRecordType.abort.description == "ABORT")
        #expect(ControlRecordType.kraftVoters.rawValue == 6)
        // A newer key version may append fields.
        #expect(try ControlRecordType(decodingKey: [0, 1, 0, 1, 0xAA, 0xBB]) == .commit)
        expectDecodingError("trailingBytes") { _ = try ControlRecordType(decodingKey: [0, 0, 0, 1, 0xAA]) }
        expectDecodingError("unsupportedVersion") { _ = try ControlRecordType(decodingKey: [0xFF, 0xFF, 0, 1]) }
        for length in 0..<4 {
            expectDecodingError("truncated") { _ = try ControlRecordType(decodingKey: ByteSlice(Array([0, 0, 0, 1][..<length]))) }
        }
    }

    @Test("end-transaction markers: golden bytes, versions, prefixes")
    func markers() throws {
        let marker = EndTxnMarker(coordinatorEpoch: 0x0102_0304)
        #expect(marker.encoded == [0, 0, 1, 2, 3, 4])
        #expect(try EndTxnMarker(decoding: [0, 0, 1, 2, 3, 4]) == marker)
        #expect(try EndTxnMarker(decoding: [0, 1, 0, 0, 0, 9, 0xFF]) == EndTxnMarker(version: 1, coordinatorEpoch: 9))
        expectDecodingError("trailingBytes") { _ = try EndTxnMarker(decoding: [0, 0, 0, 0, 0, 9, 0xFF]) }
        expectDecodingError("unsupportedVersion") { _ = try EndTxnMarker(decoding: [0x80, 0, 0, 0, 0, 9]) }
        for length in 0..<6 {
            #expect(throws: WireDecodingError.self) { _ = try EndTxnMarker(decoding: ByteSlice(Array(marker.encoded[..<length]))) }
        }
    }

    @Test("controlRecordType: nil for data batches, an error for a null key")
    func controlRecordTypeAccessor() throws {
        #expect(try goldenBatch.controlRecordType() == nil)
        let nullKey = RecordBatch(attributes: RecordBatch.Attributes(isControl: true),
                                  records: [Record(offsetDelta: 0, key: nil, value: nil)])
        expectDecodingError("unexpectedNull") { _ = try nullKey.controlRecordType() }
        #expect(try RecordBatch(attributes: RecordBatch.Attributes(isControl: true), records: []).controlRecordType() == nil)
    }
}
