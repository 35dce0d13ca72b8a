import KafkaWire
import Testing

// Golden bytes in this file are derived by hand from the JSON specs and PRIMITIVES.md, field by
// field, with the spec field each run of bytes encodes written next to it.

/// The UTF-8 bytes of `text`, for spelling string contents inside golden byte arrays.
private func utf8(_ text: String) -> [UInt8] { Array(text.utf8) }

/// `message` encodes at `version` to exactly `bytes`, and `bytes` decode back to `message`.
private func expectGolden<M: WireMessage>(
    _ message: M, version: Int16, _ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation
) throws {
    #expect(try message.encoded(version: version) == bytes, sourceLocation: sourceLocation)
    #expect(try M(decoding: bytes, version: version) == message, sourceLocation: sourceLocation)
}

@Suite("Core APIs: golden bytes")
struct CoreAPIGoldenTests {
    @Test("ApiVersionsRequest v3: compact strings and an empty tag section")
    func apiVersionsRequestV3() throws {
        let request = ApiVersionsRequest(clientSoftwareName: "swafka", clientSoftwareVersion: "0.1.0")
        try expectGolden(request, version: 3, [
            0x07] + utf8("swafka") + [  // ClientSoftwareName: COMPACT_STRING, length 6 + 1
            0x06] + utf8("0.1.0") + [   // ClientSoftwareVersion: length 5 + 1
            0x00,                       // tagged fields: none
        ])
    }

    @Test("ApiVersionsRequest v0-v2 have no body; the ignorable client fields are dropped")
    func apiVersionsRequestOldVersionsDropIgnorableFields() throws {
        let request = ApiVersionsRequest(clientSoftwareName: "swafka", clientSoftwareVersion: "0.1.0")
        for version: Int16 in 0...2 {
            #expect(try request.encoded(version: version) == [])
            #expect(try ApiVersionsRequest(decoding: [], version: version) == ApiVersionsRequest())
        }
    }

    @Test("ApiVersionsResponse v0: no throttle time, INT32 array count")
    func apiVersionsResponseV0() throws {
        let response = ApiVersionsResponse(apiKeys: [
            .init(apiKey: 0, minVersion: 0, maxVersion: 9),
            .init(apiKey: 18, minVersion: 0, maxVersion: 3),
        ])
        try expectGolden(response, version: 0, [
            0x00, 0x00,              // ErrorCode NONE
            0x00, 0x00, 0x00, 0x02,  // ApiKeys: 2 elements
            0x00, 0x00, 0x00, 0x00, 0x00, 0x09,  // Produce 0...9
            0x00, 0x12, 0x00, 0x00, 0x00, 0x03,  // ApiVersions 0...3
        ])
    }

    @Test("ApiVersionsResponse v3: SupportedFeatures (tag 0) and FinalizedFeaturesEpoch (tag 1) in the tag section")
    func apiVersionsResponseV3() throws {
        let response = ApiVersionsResponse(
            apiKeys: [.init(apiKey: 18, minVersion: 0, maxVersion: 4)], throttleTimeMs: 0,
            supportedFeatures: [.init(name: "kraft.version", minVersion: 0, maxVersion: 1)],
            finalizedFeaturesEpoch: 7)
        try expectGolden(response, version: 3, [
            0x00, 0x00,                          // ErrorCode NONE
            0x02,                                // ApiKeys: COMPACT_ARRAY, 1 element + 1
            0x00, 0x12, 0x00, 0x00, 0x00, 0x04,  //   ApiVersions 0...4
            0x00,                                //   element's tagged fields: none
            0x00, 0x00, 0x00, 0x00,              // ThrottleTimeMs 0
            0x02,                                // tagged fields: 2
            0x00, 0x14,                          //   tag 0 SupportedFeatures, 20 bytes:
            0x02,                                //     1 element + 1
            0x0E] + utf8("kraft.version") + [    //     Name, length 13 + 1
            0x00, 0x00, 0x00, 0x01,              //     MinVersion 0, MaxVersion 1
            0x00,                                //     element's tagged fields: none
            0x01, 0x08,                          //   tag 1 FinalizedFeaturesEpoch, 8 bytes:
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x07,
        ])
    }

    @Test("ApiVersionsResponse v3: an unknown tag is kept and re-emitted in tag order")
    func apiVersionsResponseUnknownTag() throws {
        let bytes: [UInt8] = [
            0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,  // ErrorCode, ApiKeys [], ThrottleTimeMs
            0x02,                                      // tagged fields: 2
            0x03, 0x01, 0x01,                          //   tag 3 ZkMigrationReady = true
            0x09, 0x02, 0xAB, 0xCD,                    //   tag 9: unknown, 2 bytes
        ]
        let decoded = try ApiVersionsResponse(decoding: bytes, version: 3)
        #expect(decoded.zkMigrationReady)
        #expect(decoded.unknownTaggedFields == [TaggedField(tag: 9, data: ByteSlice([0xAB, 0xCD]))])
        #expect(try decoded.encoded(version: 3) == bytes)
    }

    @Test("MetadataRequest: null Topics (all topics) at v1, empty Topics (all topics) at v0")
    func metadataRequestNullVersusEmptyTopics() throws {
        try expectGolden(MetadataRequest(topics: nil), version: 1, [0xFF, 0xFF, 0xFF, 0xFF])
        try expectGolden(MetadataRequest(topics: []), version: 0, [0x00, 0x00, 0x00, 0x00])
        // v1 and later: an empty array asks for no topic, and is still an empty array on the wire.
        try expectGolden(MetadataRequest(topics: []), version: 1, [0x00, 0x00, 0x00, 0x00])
        // v0 has no null array, neither to encode nor to decode.
        #expect(throws: WireEncodingError(.nullNotAllowed, field: "Topics", version: 0)) {
            try MetadataRequest(topics: nil).encoded(version: 0)
        }
        #expect(throws: WireDecodingError(.unexpectedNull, at: 0, field: "Topics")) {
            try MetadataRequest(decoding: [0xFF, 0xFF, 0xFF, 0xFF], version: 0)
        }
    }

    @Test("MetadataRequest v9: null Topics as a compact array, then the v4+ and v8+ booleans")
    func metadataRequestV9() throws {
        let request = MetadataRequest(topics: [.init(name: "t")], allowAutoTopicCreation: false,
                                      includeTopicAuthorizedOperations: true)
        try expectGolden(request, version: 9, [
            0x02,        // Topics: 1 element + 1
            0x02, 0x74,  //   Name "t"
            0x00,        //   element's tagged fields
            0x00,        // AllowAutoTopicCreation false
            0x00,        // IncludeClusterAuthorizedOperations false
            0x01,        // IncludeTopicAuthorizedOperations true
            0x00,        // tagged fields
        ])
        try expectGolden(MetadataRequest(topics: nil), version: 9, [0x00, 0x01, 0x00, 0x00, 0x00])
    }

    @Test("FetchRequest v12: ClusterId in tag 0 after every regular field")
    func fetchRequestV12() throws {
        let request = FetchRequest(
            clusterID: "c1", maxWaitMs: 500, minBytes: 1, maxBytes: 52_428_800, isolationLevel: 1,
            topics: [.init(topic: "t", partitions: [
                .init(partition: 0, currentLeaderEpoch: 5, fetchOffset: 100, lastFetchedEpoch: 4,
                      partitionMaxBytes: 1_048_576),
            ])])
        try expectGolden(request, version: 12, [
            0xFF, 0xFF, 0xFF, 0xFF,  // ReplicaId -1 (a consumer)
            0x00, 0x00, 0x01, 0xF4,  // MaxWaitMs 500
            0x00, 0x00, 0x00, 0x01,  // MinBytes 1
            0x03, 0x20, 0x00, 0x00,  // MaxBytes 50 MiB
            0x01,                    // IsolationLevel READ_COMMITTED
            0x00, 0x00, 0x00, 0x00,  // SessionId 0
            0xFF, 0xFF, 0xFF, 0xFF,  // SessionEpoch -1
            0x02,                    // Topics: 1 element + 1
            0x02, 0x74,              //   Topic "t"
            0x02,                    //   Partitions: 1 element + 1
            0x00, 0x00, 0x00, 0x00,  //     Partition 0
            0x00, 0x00, 0x00, 0x05,  //     CurrentLeaderEpoch 5
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x64,  // FetchOffset 100
            0x00, 0x00, 0x00, 0x04,  //     LastFetchedEpoch 4
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // LogStartOffset -1
            0x00, 0x10, 0x00, 0x00,  //     PartitionMaxBytes 1 MiB
            0x00,                    //     partition's tagged fields
            0x00,                    //   topic's tagged fields
            0x01,                    // ForgottenTopicsData: empty
            0x01,                    // RackId ""
            0x01,                    // tagged fields: 1
            0x00, 0x03,              //   tag 0 ClusterId, 3 bytes:
            0x03, 0x63, 0x31,        //     COMPACT_NULLABLE_STRING "c1"
        ])
    }

    @Test("FetchRequest v15-v17: ReplicaState (tag 1) replaces ReplicaId; ReplicaDirectoryId is partition tag 0")
    func fetchRequestV17() throws {
        let directory = KafkaUUID(high: 0x0102_0304_0506_0708, low: 0x090A_0B0C_0D0E_0F10)
        let request = FetchRequest(
            replicaState: .init(replicaID: 3, replicaEpoch: 9), maxBytes: 1, sessionEpoch: 0,
            topics: [.init(topicID: KafkaUUID(high: 1, low: 2), partitions: [
                .init(partition: 1, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: 0,
                      partitionMaxBytes: 1, replicaDirectoryID: directory),
            ])])
        var expected: [UInt8] = [
            0x00, 0x00, 0x00, 0x00,  // MaxWaitMs (no ReplicaId from v15)
            0x00, 0x00, 0x00, 0x00,  // MinBytes
            0x00, 0x00, 0x00, 0x01,  // MaxBytes 1
            0x00,                    // IsolationLevel
            0x00, 0x00, 0x00, 0x00,  // SessionId
            0x00, 0x00, 0x00, 0x00,  // SessionEpoch 0
            0x02,                    // Topics: 1 element + 1
            0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 2,  // TopicId
            0x02,                    //   Partitions: 1 element + 1
            0x00, 0x00, 0x00, 0x01,  //     Partition 1
            0xFF, 0xFF, 0xFF, 0xFF,  //     CurrentLeaderEpoch -1
            0, 0, 0, 0, 0, 0, 0, 0,  //     FetchOffset 0
            0xFF, 0xFF, 0xFF, 0xFF,  //     LastFetchedEpoch -1
            0, 0, 0, 0, 0, 0, 0, 0,  //     LogStartOffset 0
            0x00, 0x00, 0x00, 0x01,  //     PartitionMaxBytes 1
            0x01, 0x00, 0x10,        //     tagged fields: 1; tag 0 ReplicaDirectoryId, 16 bytes:
        ]
        expected += (1...16).map { UInt8($0) }
        expected += [
            0x00,                    //   topic's tagged fields
            0x01,                    // ForgottenTopicsData: empty
            0x01,                    // RackId ""
            0x01,                    // tagged fields: 1
            0x01, 0x0D,              //   tag 1 ReplicaState, 13 bytes:
            0x00, 0x00, 0x00, 0x03,  //     ReplicaId 3
            0, 0, 0, 0, 0, 0, 0, 9,  //     ReplicaEpoch 9
            0x00,                    //     its tagged fields
        ]
        try expectGolden(request, version: 17, expected)
        // v15 and v16 have no ReplicaDirectoryId: ignorable, so it is dropped.
        #expect(try request.encoded(version: 16).count == expected.count - 18)
    }

    @Test("FetchResponse v12: CurrentLeader in partition tag 1, null AbortedTransactions and Records")
    func fetchResponseV12() throws {
        let response = FetchResponse(responses: [
            .init(topic: "t", partitions: [
                .init(partitionIndex: 0, errorCode: .notLeaderOrFollower, highWatermark: -1,
                      currentLeader: .init(leaderID: 2, leaderEpoch: 7), abortedTransactions: nil, records: nil),
            ]),
        ])
        try expectGolden(response, version: 12, [
            0x00, 0x00, 0x00, 0x00,  // ThrottleTimeMs
            0x00, 0x00,              // ErrorCode NONE
            0x00, 0x00, 0x00, 0x00,  // SessionId 0
            0x02,                    // Responses: 1 element + 1
            0x02, 0x74,              //   Topic "t"
            0x02,                    //   Partitions: 1 element + 1
            0x00, 0x00, 0x00, 0x00,  //     PartitionIndex 0
            0x00, 0x06,              //     ErrorCode NOT_LEADER_OR_FOLLOWER
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // HighWatermark -1
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // LastStableOffset -1
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // LogStartOffset -1
            0x00,                    //     AbortedTransactions: null
            0xFF, 0xFF, 0xFF, 0xFF,  //     PreferredReadReplica -1
            0x00,                    //     Records: null
            0x01,                    //     tagged fields: 1
            0x01, 0x09,              //       tag 1 CurrentLeader, 9 bytes:
            0x00, 0x00, 0x00, 0x02,  //         LeaderId 2
            0x00, 0x00, 0x00, 0x07,  //         LeaderEpoch 7
            0x00,                    //         its tagged fields
            0x00,                    //   topic's tagged fields
            0x00,                    // tagged fields: none
        ])
    }

    @Test("FetchResponse v4: INT32 array count and INT32 bytes length for Records")
    func fetchResponseV4() throws {
        let response = FetchResponse(throttleTimeMs: 5, responses: [
            .init(topic: "t", partitions: [
                .init(partitionIndex: 1, highWatermark: 10, lastStableOffset: 10,
                      abortedTransactions: [.init(producerID: 42, firstOffset: 3)], records: ByteSlice([0xAA])),
            ]),
        ])
        try expectGolden(response, version: 4, [
            0x00, 0x00, 0x00, 0x05,  // ThrottleTimeMs 5
            0x00, 0x00, 0x00, 0x01,  // Responses: 1
            0x00, 0x01, 0x74,        //   Topic "t"
            0x00, 0x00, 0x00, 0x01,  //   Partitions: 1
            0x00, 0x00, 0x00, 0x01,  //     PartitionIndex 1
            0x00, 0x00,              //     ErrorCode NONE
            0, 0, 0, 0, 0, 0, 0, 10,  //    HighWatermark 10
            0, 0, 0, 0, 0, 0, 0, 10,  //    LastStableOffset 10
            0x00, 0x00, 0x00, 0x01,  //     AbortedTransactions: 1
            0, 0, 0, 0, 0, 0, 0, 42,  //      ProducerId 42
            0, 0, 0, 0, 0, 0, 0, 3,   //      FirstOffset 3
            0x00, 0x00, 0x00, 0x01, 0xAA,  // Records: 1 byte
        ])
    }

    @Test("ProduceRequest v3: TransactionalId first, then Acks, TimeoutMs and INT32-length Records")
    func produceRequestV3() throws {
        let request = ProduceRequest(transactionalID: "tx", acks: -1, timeoutMs: 30_000, topicData: [
            .init(name: "t", partitionData: [.init(index: 0, records: ByteSlice([0xAA, 0xBB]))]),
        ])
        try expectGolden(request, version: 3, [
            0x00, 0x02, 0x74, 0x78,  // TransactionalId "tx"
            0xFF, 0xFF,              // Acks -1
            0x00, 0x00, 0x75, 0x30,  // TimeoutMs 30000
            0x00, 0x00, 0x00, 0x01,  // TopicData: 1
            0x00, 0x01, 0x74,        //   Name "t"
            0x00, 0x00, 0x00, 0x01,  //   PartitionData: 1
            0x00, 0x00, 0x00, 0x00,  //     Index 0
            0x00, 0x00, 0x00, 0x02, 0xAA, 0xBB,  // Records: 2 bytes
        ])
        // Not transactional: the null string.
        var plain = request
        plain.transactionalID = nil
        #expect(try plain.encoded(version: 3).prefix(2) == [0xFF, 0xFF])
    }

    @Test("ProduceResponse v10: CurrentLeader (partition tag 0) and NodeEndpoints (top-level tag 0)")
    func produceResponseV10() throws {
        let response = ProduceResponse(
            responses: [.init(name: "t", partitionResponses: [
                .init(index: 0, errorCode: .notLeaderOrFollower, baseOffset: -1,
                      currentLeader: .init(leaderID: 1, leaderEpoch: 2)),
            ])],
            nodeEndpoints: [.init(nodeID: 1, host: "h", port: 9092, rack: nil)])
        try expectGolden(response, version: 10, [
            0x02,                    // Responses: 1 element + 1
            0x02, 0x74,              //   Name "t"
            0x02,                    //   PartitionResponses: 1 element + 1
            0x00, 0x00, 0x00, 0x00,  //     Index 0
            0x00, 0x06,              //     ErrorCode NOT_LEADER_OR_FOLLOWER
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // BaseOffset -1
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // LogAppendTimeMs -1
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // LogStartOffset -1
            0x01,                    //     RecordErrors: empty
            0x00,                    //     ErrorMessage: null
            0x01, 0x00, 0x09,        //     tagged fields: 1; tag 0 CurrentLeader, 9 bytes:
            0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x02, 0x00,
            0x00,                    //   topic's tagged fields
            0x00, 0x00, 0x00, 0x00,  // ThrottleTimeMs
            0x01, 0x00, 0x0D,        // tagged fields: 1; tag 0 NodeEndpoints, 13 bytes:
            0x02,                    //   1 element + 1
            0x00, 0x00, 0x00, 0x01,  //   NodeId 1
            0x02, 0x68,              //   Host "h"
            0x00, 0x00, 0x23, 0x84,  //   Port 9092
            0x00,                    //   Rack: null
            0x00,                    //   its tagged fields
        ])
    }

    @Test("ListOffsets v0: MaxNumOffsets in the request, OldStyleOffsets in the response")
    func listOffsetsV0() throws {
        let request = ListOffsetsRequest(replicaID: -1, topics: [
            .init(name: "t", partitions: [.init(partitionIndex: 0, timestamp: -1, maxNumOffsets: 1)]),
        ])
        try expectGolden(request, version: 0, [
            0xFF, 0xFF, 0xFF, 0xFF,  // ReplicaId -1
            0x00, 0x00, 0x00, 0x01,  // Topics: 1
            0x00, 0x01, 0x74,        //   Name "t"
            0x00, 0x00, 0x00, 0x01,  //   Partitions: 1
            0x00, 0x00, 0x00, 0x00,  //     PartitionIndex 0
            0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,  // Timestamp -1 (latest)
            0x00, 0x00, 0x00, 0x01,  //     MaxNumOffsets 1
        ])
        let response = ListOffsetsResponse(topics: [
            .init(name: "t", partitions: [.init(partitionIndex: 0, oldStyleOffsets: [42])]),
        ])
        try expectGolden(response, version: 0, [
            0x00, 0x00, 0x00, 0x01,  // Topics: 1
            0x00, 0x01, 0x74,        //   Name "t"
            0x00, 0x00, 0x00, 0x01,  //   Partitions: 1
            0x00, 0x00, 0x00, 0x00,  //     PartitionIndex 0
            0x00, 0x00,              //     ErrorCode NONE
            0x00, 0x00, 0x00, 0x01,  //     OldStyleOffsets: 1
            0, 0, 0, 0, 0, 0, 0, 42,
        ])
    }
}

@Suite("Core APIs: hostile input")
struct CoreAPIHostileInputTests {
    @Test("a negative array count below -1 is negativeLength; -1 where null is not allowed is unexpectedNull")
    func negativeArrayCount() {
        #expect(throws: WireDecodingError(.negativeLength(-2), at: 0, field: "Brokers")) {
            try MetadataResponse(decoding: [0xFF, 0xFF, 0xFF, 0xFE], version: 0)
        }
        #expect(throws: WireDecodingError(.unexpectedNull, at: 0, field: "Brokers")) {
            try MetadataResponse(decoding: [0xFF, 0xFF, 0xFF, 0xFF], version: 0)
        }
        // Inside a partition: ReplicaNodes of Topics[0].Partitions[0].
        let bytes: [UInt8] = [
            0x00, 0x00, 0x00, 0x00,  // Brokers: 0
            0x00, 0x00, 0x00, 0x01,  // Topics: 1
            0x00, 0x00, 0x00, 0x01, 0x74,  // ErrorCode, Name "t"
            0x00, 0x00, 0x00, 0x01,  // Partitions: 1
            0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,  // ErrorCode, PartitionIndex, LeaderId
            0x80, 0x00, 0x00, 0x00,  // ReplicaNodes: Int32.min
        ]
        #expect(throws: WireDecodingError(.negativeLength(Int(Int32.min)), at: 27,
                                          field: "Topics[0].Partitions[0].ReplicaNodes")) {
            try MetadataResponse(decoding: bytes, version: 0)
        }
    }

    @Test("a top-level array count larger than the bytes left is refused before allocating")
    func topLevelCountExceedsRemaining() {
        #expect(throws: WireDecodingError(.lengthExceedsRemaining(length: Int(Int32.max), remaining: 0), at: 0,
                                          field: "Topics")) {
            try MetadataRequest(decoding: [0x7F, 0xFF, 0xFF, 0xFF], version: 0)
        }
        // A compact count of 2^32 - 2 elements in a flexible version, after ThrottleTimeMs, ErrorCode, SessionId.
        let fetch: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F]
        #expect(throws: WireDecodingError(.lengthExceedsRemaining(length: 0xFFFF_FFFE, remaining: 0), at: 10,
                                          field: "Responses")) {
            try FetchResponse(decoding: fetch, version: 12)
        }
    }

    /// ListOffsetsResponse v0 with two partitions; the second's OldStyleOffsets count is `count`,
    /// followed by one 8-byte offset.
    private func listOffsetsV0(secondCount count: UInt32) -> [UInt8] {
        [
            0x00, 0x00, 0x00, 0x01,  // 0: Topics: 1
            0x00, 0x01, 0x74,        // 4: Name "t"
            0x00, 0x00, 0x00, 0x02,  // 7: Partitions: 2
            0x00, 0x00, 0x00, 0x00,  // 11: PartitionIndex 0
            0x00, 0x00,              // 15: ErrorCode
            0x00, 0x00, 0x00, 0x01,  // 17: OldStyleOffsets: 1
            0, 0, 0, 0, 0, 0, 0, 7,  // 21: 7
            0x00, 0x00, 0x00, 0x01,  // 29: PartitionIndex 1
            0x00, 0x00,              // 33: ErrorCode
        ] + [                        // 35: OldStyleOffsets: `count`
            UInt8(truncatingIfNeeded: count >> 24), UInt8(truncatingIfNeeded: count >> 16),
            UInt8(truncatingIfNeeded: count >> 8), UInt8(truncatingIfNeeded: count),
        ] + [
            0, 0, 0, 0, 0, 0, 0, 8,  // 39: one offset; 8 bytes are left after the count
        ]
    }

    @Test("a nested array count larger than the bytes left names the field path and the count's offset")
    func nestedCountExceedsRemaining() throws {
        #expect(throws: WireDecodingError(.lengthExceedsRemaining(length: 1000, remaining: 8), at: 35,
                                          field: "Topics[0].Partitions[1].OldStyleOffsets")) {
            try ListOffsetsResponse(decoding: listOffsetsV0(secondCount: 1000), version: 0)
        }
    }

    @Test("a count the bytes left could hold, but that runs out, is truncated at the first missing element")
    func nestedCountTruncated() throws {
        // Two offsets need 16 bytes; 8 are left, so element [1] at byte 47 finds nothing.
        #expect(throws: WireDecodingError(.truncated(needed: 8, available: 0), at: 47,
                                          field: "Topics[0].Partitions[1].OldStyleOffsets[1]")) {
            try ListOffsetsResponse(decoding: listOffsetsV0(secondCount: 2), version: 0)
        }
        // And the well-formed payload (count 1) decodes.
        let decoded = try ListOffsetsResponse(decoding: listOffsetsV0(secondCount: 1), version: 0)
        #expect(decoded.topics.first?.partitions.map(\.oldStyleOffsets) == [[7], [8]])
    }

    @Test("a Records length past the end names the partition it belongs to")
    func recordsLengthExceedsRemaining() {
        let bytes: [UInt8] = [
            0, 0, 0, 0, 0, 0, 0, 0, 0, 0,  // 0: ThrottleTimeMs, ErrorCode, SessionId
            0x02, 0x02, 0x74, 0x02,        // 10: Responses: 1, Topic "t", Partitions: 1
            0, 0, 0, 0, 0, 0,              // 14: PartitionIndex, ErrorCode
            0, 0, 0, 0, 0, 0, 0, 0,        // 20: HighWatermark
            0, 0, 0, 0, 0, 0, 0, 0,        // 28: LastStableOffset
            0, 0, 0, 0, 0, 0, 0, 0,        // 36: LogStartOffset
            0x01,                          // 44: AbortedTransactions: empty
            0, 0, 0, 0,                    // 45: PreferredReadReplica
            0x7F,                          // 49: Records: 126 bytes, 3 left
            0xAA, 0x00, 0x00,
        ]
        #expect(throws: WireDecodingError(.lengthExceedsRemaining(length: 126, remaining: 3), at: 49,
                                          field: "Responses[0].Partitions[0].Records")) {
            try FetchResponse(decoding: bytes, version: 12)
        }
    }

    @Test("a tagged field whose size runs past the end is refused")
    func taggedFieldSizeExceedsRemaining() {
        // ErrorCode, ApiKeys [], ThrottleTimeMs, then 1 tagged field: tag 1 claiming 8 bytes with 2 left.
        let bytes: [UInt8] = [0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x01, 0x01, 0x08, 0x00, 0x00]
        #expect(throws: WireDecodingError(.lengthExceedsRemaining(length: 8, remaining: 2), at: 9)) {
            try ApiVersionsResponse(decoding: bytes, version: 3)
        }
    }
}

@Suite("Core APIs: fields a version cannot carry")
struct CoreAPIVersionGateTests {
    @Test("a non-ignorable field set at a version without it throws fieldNotInVersion")
    func nonIgnorableThrows() {
        #expect(throws: WireEncodingError(.fieldNotInVersion, field: "TransactionalId", version: 2)) {
            try ProduceRequest(transactionalID: "tx").encoded(version: 2)
        }
        #expect(throws: WireEncodingError(.fieldNotInVersion, field: "AllowAutoTopicCreation", version: 3)) {
            try MetadataRequest(allowAutoTopicCreation: false).encoded(version: 3)
        }
        #expect(throws: WireEncodingError(.fieldNotInVersion, field: "ReplicaId", version: 15)) {
            try FetchRequest(replicaID: 1).encoded(version: 15)
        }
        let lastFetched = FetchRequest(topics: [.init(topic: "t", partitions: [.init(lastFetchedEpoch: 3)])])
        #expect(throws: WireEncodingError(.fieldNotInVersion, field: "Topics[0].Partitions[0].LastFetchedEpoch",
                                          version: 11)) {
            try lastFetched.encoded(version: 11)
        }
        #expect(throws: WireEncodingError(.fieldNotInVersion, field: "Topics[0].Partitions[0].MaxNumOffsets", version: 1)) {
            try ListOffsetsRequest(topics: [.init(partitions: [.init(maxNumOffsets: 5)])]).encoded(version: 1)
        }
    }

    @Test("a non-ignorable field at its default is simply absent")
    func nonIgnorableAtDefaultIsFine() throws {
        #expect(try ProduceRequest(acks: 1).encoded(version: 2).count == 2 + 4 + 4)
        #expect(try MetadataRequest(allowAutoTopicCreation: true).encoded(version: 3) == [0, 0, 0, 0])
    }

    @Test("an ignorable field set at a version without it is dropped")
    func ignorableDropped() throws {
        // MetadataResponse.ThrottleTimeMs is v3+ and ignorable: v0 leaves it out.
        #expect(try MetadataResponse(throttleTimeMs: 100).encoded(version: 0) == MetadataResponse().encoded(version: 0))
        // FetchRequest.ClusterId is tagged from v12 and ignorable: v11 leaves it out.
        #expect(try FetchRequest(clusterID: "c1").encoded(version: 11) == FetchRequest().encoded(version: 11))
        // FetchRequest topics are named by ID from v13; the ignorable name is dropped.
        let byID = FetchRequest(topics: [.init(topic: "t", topicID: KafkaUUID(high: 1, low: 1))])
        let decoded = try FetchRequest(decoding: byID.encoded(version: 13), version: 13)
        #expect(decoded.topics.first?.topic == "")
        #expect(decoded.topics.first?.topicID == KafkaUUID(high: 1, low: 1))
    }
}
