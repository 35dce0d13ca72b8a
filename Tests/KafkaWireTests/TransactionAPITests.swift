import KafkaWire
import Testing

// Golden bytes for the transaction and idempotence APIs, derived by hand from the JSON specs
// and PRIMITIVES.md: one line per field, in spec order. The transaction is "txn-1" with
// producer ID 4000 (0x0fa0) and epoch 2 throughout.

@Suite("Transaction APIs: golden bytes")
struct TransactionAPIGoldenTests {
    @Test func initProducerIdRequestV3NullTransactionalID() throws {
        // An idempotent, non-transactional producer: no transactional ID, no previous producer.
        let request = InitProducerIdRequest(transactionalID: nil, transactionTimeoutMs: Int32.max)
        let bytes = wire(
            "00",                                    // TransactionalId null
            "7fffffff",                              // TransactionTimeoutMs
            "ffffffffffffffff",                      // ProducerId -1 (the default)
            "ffff",                                  // ProducerEpoch -1 (the default)
            "00")                                    // no tags
        try expectGolden(request, bytes, version: 3)
        try expectGolden(request, wire("ffff", "7fffffff"), version: 1)
        // ProducerId and ProducerEpoch are not ignorable: a resumed producer needs v3.
        #expect(encodingError(InitProducerIdRequest(transactionalID: nil, producerID: 4000), version: 2)
            == WireEncodingError(.fieldNotInVersion, field: "ProducerId", version: 2))
    }

    @Test func initProducerIdDefaults() {
        // A nullable string without a spec default starts empty, not nil (as Kafka's generator does).
        #expect(InitProducerIdRequest().transactionalID == "")
        #expect(InitProducerIdRequest().producerID == -1)
        #expect(InitProducerIdResponse().producerID == -1)
    }

    @Test func initProducerIdResponseV4() throws {
        let response = InitProducerIdResponse(producerID: 4000, producerEpoch: 0)
        try expectGolden(response, wire("00000000", "0000", "0000000000000fa0", "0000", "00"), version: 4)
    }

    static let addPartitionsV3 = wire(
        "06 74786e2d31",                             // V3AndBelowTransactionalId "txn-1"
        "0000000000000fa0",                          // V3AndBelowProducerId 4000
        "0002",                                      // V3AndBelowProducerEpoch 2
        "02",                                        // V3AndBelowTopics: 1
        "04 666f6f",                                 //   Name "foo"
        "03 00000000 00000002",                      //   Partitions [0, 2]
        "00",                                        //   no tags
        "00")                                        // no tags

    @Test func addPartitionsToTxnRequestV3() throws {
        let request = AddPartitionsToTxnRequest(
            v3AndBelowTransactionalID: "txn-1", v3AndBelowProducerID: 4000, v3AndBelowProducerEpoch: 2,
            v3AndBelowTopics: [.init(name: "foo", partitions: [0, 2])])
        try expectGolden(request, Self.addPartitionsV3, version: 3)
        let v2 = wire("0005 74786e2d31", "0000000000000fa0", "0002", "00000001", "0003 666f6f",
                      "00000002 00000000 00000002")
        try expectGolden(request, v2, version: 2)
        // v4 has none of the V3AndBelow fields, and they are not ignorable.
        #expect(encodingError(request, version: 4)
            == WireEncodingError(.fieldNotInVersion, field: "V3AndBelowTransactionalId", version: 4))
    }

    @Test func addPartitionsToTxnRequestV4() throws {
        let request = AddPartitionsToTxnRequest(transactions: [
            .init(transactionalID: "txn-1", producerID: 4000, producerEpoch: 2, verifyOnly: true,
                  topics: [.init(name: "foo", partitions: [0, 2])]),
        ])
        let bytes = wire(
            "02",                                    // Transactions: 1
            "06 74786e2d31",                         //   TransactionalId "txn-1"
            "0000000000000fa0",                      //   ProducerId 4000
            "0002",                                  //   ProducerEpoch 2
            "01",                                    //   VerifyOnly true
            "02",                                    //   Topics: 1
            "04 666f6f",                             //     Name "foo"
            "03 00000000 00000002",                  //     Partitions [0, 2]
            "00",                                    //     no tags
            "00",                                    //   no tags
            "00")                                    // no tags
        try expectGolden(request, bytes, version: 4)
        try expectGolden(request, bytes, version: 5)
        #expect(encodingError(request, version: 3)
            == WireEncodingError(.fieldNotInVersion, field: "Transactions", version: 3))
        // The v3 bytes read at v4 are a different message: the layouts share no field.
        #expect(decodingError(AddPartitionsToTxnRequest.self, Self.addPartitionsV3, version: 4) != nil)
    }

    @Test func addPartitionsToTxnResponseV3AndV4() throws {
        let partitions: [AddPartitionsToTxnResponse.AddPartitionsToTxnPartitionResult] = [
            .init(partitionIndex: 0, partitionErrorCode: .none),
            .init(partitionIndex: 2, partitionErrorCode: .concurrentTransactions),
        ]
        let v3 = AddPartitionsToTxnResponse(resultsByTopicV3AndBelow: [.init(name: "foo", resultsByPartition: partitions)])
        try expectGolden(v3, wire(
            "00000000",                              // ThrottleTimeMs 0
            "02",                                    // ResultsByTopicV3AndBelow: 1
            "04 666f6f",                             //   Name "foo"
            "03",                                    //   ResultsByPartition: 2
            "00000000 0000 00",                      //     0: NONE
            "00000002 0033 00",                      //     2: CONCURRENT_TRANSACTIONS (51)
            "00",                                    //   no tags
            "00"), version: 3)                       // no tags
        let v4 = AddPartitionsToTxnResponse(resultsByTransaction: [
            .init(transactionalID: "txn-1", topicResults: [.init(name: "foo", resultsByPartition: partitions)]),
        ])
        try expectGolden(v4, wire(
            "00000000",                              // ThrottleTimeMs 0
            "0000",                                  // ErrorCode NONE
            "02",                                    // ResultsByTransaction: 1
            "06 74786e2d31",                         //   TransactionalId "txn-1"
            "02",                                    //   TopicResults: 1
            "04 666f6f",                             //     Name "foo"
            "03 00000000 0000 00 00000002 0033 00",  //     ResultsByPartition
            "00",                                    //     no tags
            "00",                                    //   no tags
            "00"), version: 4)                       // no tags
    }

    @Test func addOffsetsToTxnRequestV3() throws {
        let request = AddOffsetsToTxnRequest(transactionalID: "txn-1", producerID: 4000, producerEpoch: 2, groupID: "grp")
        try expectGolden(request, wire("06 74786e2d31", "0000000000000fa0", "0002", "04 677270", "00"), version: 3)
    }

    @Test func endTxnRequestV3() throws {
        let request = EndTxnRequest(transactionalID: "txn-1", producerID: 4000, producerEpoch: 2, committed: true)
        let bytes = wire(
            "06 74786e2d31",                         // TransactionalId "txn-1"
            "0000000000000fa0",                      // ProducerId 4000
            "0002",                                  // ProducerEpoch 2
            "01",                                    // Committed true
            "00")                                    // no tags
        try expectGolden(request, bytes, version: 3)
        try expectGolden(request, wire("0005 74786e2d31", "0000000000000fa0", "0002", "01"), version: 2)
    }

    @Test func endTxnResponseV5CarriesTheNextEpoch() throws {
        let response = EndTxnResponse(producerID: 4000, producerEpoch: 3)
        try expectGolden(response, wire("00000000", "0000", "0000000000000fa0", "0003", "00"), version: 5)
        // ProducerId and ProducerEpoch are ignorable: v4 drops them and decodes them as -1.
        #expect(try response.encoded(version: 4) == wire("00000000", "0000", "00"))
        #expect(try EndTxnResponse(decoding: wire("00000000", "0000", "00"), version: 4) == EndTxnResponse())
    }

    static let txnOffsetCommitV3 = wire(
        "06 74786e2d31",                             // TransactionalId "txn-1"           0
        "04 677270",                                 // GroupId "grp"                     6
        "0000000000000fa0",                          // ProducerId 4000                   10
        "0002",                                      // ProducerEpoch 2                   18
        "00000007",                                  // GenerationId 7                    20
        "04 6d2d31",                                 // MemberId "m-1"                    24
        "00",                                        // GroupInstanceId null              28
        "02",                                        // Topics: 1                         29
        "04 666f6f",                                 //   Name "foo"                      30
        "03",                                        //   Partitions: 2                   34
        "00000000",                                  //     PartitionIndex 0              35
        "000000000000002a",                          //     CommittedOffset 42            39
        "00000005",                                  //     CommittedLeaderEpoch 5        47
        "00",                                        //     CommittedMetadata null        51
        "00",                                        //     no tags                       52
        "00000001",                                  //     PartitionIndex 1              53
        "0000000000000064",                          //     CommittedOffset 100           57
        "ffffffff",                                  //     CommittedLeaderEpoch -1       65
        "01",                                        //     CommittedMetadata ""          69
        "00",                                        //     no tags                       70
        "00",                                        //   no tags                         71
        "00")                                        // no tags                           72

    static let txnOffsetCommit = TxnOffsetCommitRequest(
        transactionalID: "txn-1", groupID: "grp", producerID: 4000, producerEpoch: 2, generationID: 7, memberID: "m-1",
        groupInstanceID: nil,
        topics: [.init(name: "foo", partitions: [
            .init(partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 5, committedMetadata: nil),
            .init(partitionIndex: 1, committedOffset: 100, committedLeaderEpoch: -1, committedMetadata: ""),
        ])])

    @Test func txnOffsetCommitRequestV3() throws {
        try expectGolden(Self.txnOffsetCommit, Self.txnOffsetCommitV3, version: 3)
        #expect(Self.txnOffsetCommitV3.count == 73)
    }

    @Test func txnOffsetCommitRequestBeforeV3() throws {
        // GenerationId and MemberId are not ignorable, so v2 refuses them...
        #expect(encodingError(Self.txnOffsetCommit, version: 2)
            == WireEncodingError(.fieldNotInVersion, field: "GenerationId", version: 2))
        // ...and CommittedLeaderEpoch is ignorable, so v1 drops it.
        var v1 = Self.txnOffsetCommit
        v1.generationID = -1
        v1.memberID = ""
        let bytes = try v1.encoded(version: 1)
        var expected = v1
        expected.topics[0].partitions[0].committedLeaderEpoch = -1
        #expect(try TxnOffsetCommitRequest(decoding: bytes, version: 1) == expected)
    }

    @Test func offsetForLeaderEpochRequestReplicaID() throws {
        let request = OffsetForLeaderEpochRequest(topics: [
            .init(topic: "foo", partitions: [.init(partition: 0, currentLeaderEpoch: 5, leaderEpoch: 4)]),
        ])
        let partition = wire("00000001", "0003 666f6f", "00000001", "00000000 00000005 00000004")
        // ReplicaId defaults to -2 (a debug consumer); it is ignorable, so v2 drops a follower's ID.
        try expectGolden(request, wire("fffffffe") + partition, version: 3)
        var follower = request
        follower.replicaID = 1
        #expect(try follower.encoded(version: 2) == partition)
    }
}

@Suite("Transaction APIs: hostile input")
struct TransactionAPIHostileTests {
    @Test func truncationNamesTheField() {
        let bytes = Array(TransactionAPIGoldenTests.txnOffsetCommitV3[..<60])
        #expect(decodingError(TxnOffsetCommitRequest.self, bytes, version: 3)
            == WireDecodingError(.truncated(needed: 8, available: 3), at: 57, field: "Topics[0].Partitions[1].CommittedOffset"))
    }

    @Test func overlongArrays() {
        var bytes = TransactionAPIGoldenTests.txnOffsetCommitV3
        bytes[34] = 0x7f  // Partitions: 126 elements in 38 bytes
        #expect(decodingError(TxnOffsetCommitRequest.self, bytes, version: 3)
            == WireDecodingError(.lengthExceedsRemaining(length: 126, remaining: 38), at: 34, field: "Topics[0].Partitions"))
        #expect(decodingError(AddPartitionsToTxnRequest.self, wire("0000", "0000000000000000", "0000", "7fffffff"), version: 0)
            == WireDecodingError(.lengthExceedsRemaining(length: Int(Int32.max), remaining: 0), at: 12,
                                 field: "V3AndBelowTopics"))
    }

    @Test func negativeLengths() {
        #expect(decodingError(EndTxnRequest.self, wire("fffe"), version: 0)
            == WireDecodingError(.negativeLength(-2), at: 0, field: "TransactionalId"))
        // TransactionalId is nullable in InitProducerId, so -1 is null; -2 is still hostile.
        #expect(decodingError(InitProducerIdRequest.self, wire("ff80", "00000000"), version: 0)
            == WireDecodingError(.negativeLength(-128), at: 0, field: "TransactionalId"))
        var partitions = Self.addPartitionsTopicV0
        partitions.replaceSubrange(5..<9, with: [0xff, 0xff, 0xff, 0xfd])
        #expect(decodingError(AddPartitionsToTxnRequest.self, Self.addPartitionsHeaderV0 + partitions, version: 0)
            == WireDecodingError(.negativeLength(-3), at: 26, field: "V3AndBelowTopics[0].Partitions"))
    }

    /// AddPartitionsToTxnRequest v0 up to its topics (21 bytes): "txn-1", producer 4000, epoch 2, one topic.
    static let addPartitionsHeaderV0 = wire("0005 74786e2d31", "0000000000000fa0", "0002", "00000001")
    /// Topic "foo" with partitions [0]: the count is at bytes 5..<9 of this fragment.
    static let addPartitionsTopicV0 = wire("0003 666f6f", "00000001 00000000")

    @Test func nullWhereNotNullable() {
        // GroupInstanceId is nullable, MemberId is not.
        var bytes = TransactionAPIGoldenTests.txnOffsetCommitV3
        bytes.replaceSubrange(24..<28, with: [0x00])
        #expect(decodingError(TxnOffsetCommitRequest.self, bytes, version: 3)
            == WireDecodingError(.unexpectedNull, at: 24, field: "MemberId"))
    }

    @Test func invalidUTF8() {
        var bytes = TransactionAPIGoldenTests.txnOffsetCommitV3
        bytes[31] = 0xc3  // "foo" -> a lone UTF-8 lead byte followed by "oo"
        #expect(decodingError(TxnOffsetCommitRequest.self, bytes, version: 3)
            == WireDecodingError(.invalidUTF8, at: 30, field: "Topics[0].Name"))
    }
}
