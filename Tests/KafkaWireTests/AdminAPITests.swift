import KafkaWire
import Testing

// Golden bytes for the admin and SASL APIs, derived by hand from the JSON specs and
// PRIMITIVES.md: one line per field, in spec order. Non-flexible versions use INT16 string
// lengths and INT32 array counts; flexible ones use UNSIGNED_VARINT N+1 lengths and counts
// and end every struct with a tagged-field section (00 when empty).

@Suite("Admin and SASL APIs: golden bytes")
struct AdminAPIGoldenTests {
    /// One topic with a manual assignment and two configs, one of them null.
    static let createTopics = CreateTopicsRequest(
        topics: [
            .init(name: "foo", numPartitions: -1, replicationFactor: -1,
                  assignments: [.init(partitionIndex: 0, brokerIDs: [1, 2]), .init(partitionIndex: 1, brokerIDs: [2, 3])],
                  configs: [.init(name: "cleanup.policy", value: "compact"), .init(name: "retention.ms", value: nil)]),
        ],
        timeoutMs: 30000, validateOnly: true)

    static let createTopicsV4 = wire(
        "00000001",                                  // Topics: 1
        "0003 666f6f",                               //   Name "foo"
        "ffffffff",                                  //   NumPartitions -1
        "ffff",                                      //   ReplicationFactor -1
        "00000002",                                  //   Assignments: 2
        "00000000", "00000002 00000001 00000002",    //     PartitionIndex 0, BrokerIds [1, 2]
        "00000001", "00000002 00000002 00000003",    //     PartitionIndex 1, BrokerIds [2, 3]
        "00000002",                                  //   Configs: 2
        "000e 636c65616e75702e706f6c696379",         //     Name "cleanup.policy"
        "0007 636f6d70616374",                       //     Value "compact"
        "000c 726574656e74696f6e2e6d73",             //     Name "retention.ms"
        "ffff",                                      //     Value null
        "00007530",                                  // timeoutMs 30000
        "01")                                        // validateOnly true

    @Test func createTopicsRequestV4() throws {
        try expectGolden(Self.createTopics, Self.createTopicsV4, version: 4)
    }

    @Test func createTopicsRequestV5() throws {
        let bytes = wire(
            "02",                                    // Topics: 1
            "04 666f6f",                             //   Name "foo"
            "ffffffff",                              //   NumPartitions -1
            "ffff",                                  //   ReplicationFactor -1
            "03",                                    //   Assignments: 2
            "00000000", "03 00000001 00000002", "00", //     PartitionIndex 0, BrokerIds [1, 2], no tags
            "00000001", "03 00000002 00000003", "00", //     PartitionIndex 1, BrokerIds [2, 3], no tags
            "03",                                    //   Configs: 2
            "0f 636c65616e75702e706f6c696379",       //     Name "cleanup.policy"
            "08 636f6d70616374", "00",               //     Value "compact", no tags
            "0d 726574656e74696f6e2e6d73",           //     Name "retention.ms"
            "00", "00",                              //     Value null, no tags
            "00",                                    //   topic: no tags
            "00007530",                              // timeoutMs 30000
            "01",                                    // validateOnly true
            "00")                                    // no tags
        try expectGolden(Self.createTopics, bytes, version: 5)
    }

    @Test func createTopicsRequestDefaults() throws {
        // timeoutMs defaults to 60000, not zero; validateOnly is absent from v0.
        #expect(CreateTopicsRequest().timeoutMs == 60000)
        try expectGolden(CreateTopicsRequest(), wire("00000000", "0000ea60"), version: 0)
    }

    static let createTopicsResponse = CreateTopicsResponse(
        throttleTimeMs: 100,
        topics: [
            .init(name: "foo", errorMessage: nil, topicConfigErrorCode: .topicAuthorizationFailed,
                  numPartitions: 3, replicationFactor: 2, configs: nil),
            .init(name: "bar", errorMessage: nil, numPartitions: 1, replicationFactor: 1,
                  configs: [.init(name: "cleanup.policy", value: "delete", configSource: 5)]),
        ])

    static let createTopicsResponseV5 = wire(
        "00000064",                                  // ThrottleTimeMs 100
        "03",                                        // Topics: 2
        "04 666f6f",                                 //   Name "foo"
        "0000",                                      //   ErrorCode NONE
        "00",                                        //   ErrorMessage null
        "00000003",                                  //   NumPartitions 3
        "0002",                                      //   ReplicationFactor 2
        "00",                                        //   Configs null
        "01 00 02 001d",                             //   1 tag: 0 (TopicConfigErrorCode), 2 bytes, 29
        "04 626172",                                 //   Name "bar"
        "0000",                                      //   ErrorCode NONE
        "00",                                        //   ErrorMessage null
        "00000001",                                  //   NumPartitions 1
        "0001",                                      //   ReplicationFactor 1
        "02",                                        //   Configs: 1
        "0f 636c65616e75702e706f6c696379",           //     Name "cleanup.policy"
        "07 64656c657465",                           //     Value "delete"
        "00",                                        //     ReadOnly false
        "05",                                        //     ConfigSource 5 (DEFAULT_CONFIG)
        "00",                                        //     IsSensitive false
        "00",                                        //     no tags
        "00",                                        //   no tags
        "00")                                        // no tags

    @Test func createTopicsResponseV5WithTaggedConfigError() throws {
        try expectGolden(Self.createTopicsResponse, Self.createTopicsResponseV5, version: 5)
    }

    @Test func createTopicsResponseDropsIgnorableFieldsBeforeV5() throws {
        // TopicConfigErrorCode, NumPartitions, ReplicationFactor and Configs are ignorable, so v4 drops them.
        let bytes = wire("00000064", "00000002", "0003 666f6f", "0000", "ffff", "0003 626172", "0000", "ffff")
        #expect(try Self.createTopicsResponse.encoded(version: 4) == bytes)
        let decoded = try CreateTopicsResponse(decoding: bytes, version: 4)
        #expect(decoded.topics.map(\.numPartitions) == [-1, -1])
        #expect(decoded.topics.map(\.errorMessage) == [nil, nil])
        #expect(decoded.topics[0].configs == [])
    }

    @Test func describeConfigsRequestV1NullKeys() throws {
        let request = DescribeConfigsRequest(
            resources: [.init(resourceType: 2, resourceName: "foo", configurationKeys: nil),
                        .init(resourceType: 4, resourceName: "1", configurationKeys: ["log.retention.ms"])],
            includeSynonyms: true)
        let bytes = wire(
            "00000002",                              // Resources: 2
            "02", "0003 666f6f", "ffffffff",         //   TOPIC "foo", ConfigurationKeys null (all keys)
            "04", "0001 31",                         //   BROKER "1"
            "00000001 0010 6c6f672e726574656e74696f6e2e6d73", // ConfigurationKeys ["log.retention.ms"]
            "01")                                    // IncludeSynonyms true
        try expectGolden(request, bytes, version: 1)
        // An empty key list is not null: it is sent as a zero count.
        let empty = DescribeConfigsRequest(resources: [.init(resourceType: 2, resourceName: "foo")])
        #expect(try empty.encoded(version: 1) == wire("00000001", "02 0003 666f6f", "00000000", "00"))
    }

    @Test func describeConfigsResponseV0AndV1() throws {
        // IsDefault is v0 only; ConfigSource and Synonyms arrive in v1.
        let v0 = DescribeConfigsResponse(results: [
            .init(errorMessage: nil, resourceType: 2, resourceName: "foo",
                  configs: [.init(name: "retention.ms", value: "1000", readOnly: false, isDefault: true)]),
        ])
        let v0Bytes = wire(
            "00000000", "00000001",                  // ThrottleTimeMs 0, Results: 1
            "0000", "ffff", "02", "0003 666f6f",     //   NONE, no message, TOPIC "foo"
            "00000001",                              //   Configs: 1
            "000c 726574656e74696f6e2e6d73",         //     Name "retention.ms"
            "0004 31303030",                         //     Value "1000"
            "00", "01", "00")                        //     ReadOnly, IsDefault, IsSensitive
        try expectGolden(v0, v0Bytes, version: 0)
        #expect(encodingError(v0, version: 1) == WireEncodingError(.fieldNotInVersion, field: "Results[0].Configs[0].IsDefault", version: 1))
    }

    @Test func saslHandshakeV1() throws {
        try expectGolden(SaslHandshakeRequest(mechanism: "SCRAM-SHA-256"),
                         wire("000d 534352414d2d5348412d323536"), version: 1)
        let response = SaslHandshakeResponse(errorCode: .unsupportedSaslMechanism, mechanisms: ["PLAIN", "SCRAM-SHA-256"])
        try expectGolden(response, wire("0021", "00000002", "0005 504c41494e", "000d 534352414d2d5348412d323536"),
                         version: 1)
    }

    /// PLAIN's token: authorization ID (empty), NUL, user, NUL, password.
    static let plainToken = ByteSlice(wire("00 75736572 00 70617373"))

    @Test func saslAuthenticateRequestV2() throws {
        let request = SaslAuthenticateRequest(authBytes: Self.plainToken)
        try expectGolden(request, wire("0b 00757365720070617373", "00"), version: 2)
        try expectGolden(request, wire("0000000a 00757365720070617373"), version: 1)
    }

    @Test func saslAuthBytesAreNeverPrinted() {
        let request = SaslAuthenticateRequest(authBytes: Self.plainToken)
        let response = SaslAuthenticateResponse(authBytes: Self.plainToken, sessionLifetimeMs: 3_600_000)
        var dumped = ""
        dump(request, to: &dumped)
        dump(response, to: &dumped)
        for text in ["\(request)", String(reflecting: request), "\(response)", String(reflecting: response), dumped] {
            #expect(!text.contains("7573657200"), "auth bytes leaked: \(text.count) characters")
            #expect(!text.contains("pass"), "auth bytes leaked")
            #expect(text.contains("10 bytes redacted"))
        }
    }

    @Test func describeClusterDefaults() throws {
        try expectGolden(DescribeClusterRequest(includeClusterAuthorizedOperations: true), wire("01", "00"), version: 0)
        try expectGolden(DescribeClusterRequest(includeClusterAuthorizedOperations: true, endpointType: 2),
                         wire("01", "02", "00"), version: 1)
        // EndpointType defaults to 1 (brokers): any other value cannot be sent at v0.
        #expect(encodingError(DescribeClusterRequest(endpointType: 2), version: 0)
            == WireEncodingError(.fieldNotInVersion, field: "EndpointType", version: 0))
        let response = DescribeClusterResponse(clusterID: "c", controllerID: 1,
                                               brokers: [.init(brokerID: 1, host: "h", port: 9092)])
        let bytes = wire(
            "00000000", "0000", "00",                // ThrottleTimeMs 0, NONE, ErrorMessage null
            "01",                                    // EndpointType 1
            "02 63", "00000001",                     // ClusterId "c", ControllerId 1
            "02", "00000001 02 68 00002384 00 00",   // Brokers: 1 -> 1 "h" 9092, Rack null
            "80000000", "00")                        // ClusterAuthorizedOperations Int32.min (not asked)
        try expectGolden(response, bytes, version: 1)
    }

    @Test func deleteTopicsV6ByIDAndIgnorableNames() throws {
        let id = KafkaUUID(high: 0x0102_0304_0506_0708, low: 0x090a_0b0c_0d0e_0f10)
        let request = DeleteTopicsRequest(topics: [.init(name: nil, topicID: id)], timeoutMs: 1000)
        let bytes = wire("02", "00", "0102030405060708090a0b0c0d0e0f10", "00", "000003e8", "00")
        try expectGolden(request, bytes, version: 6)
        // TopicNames is ignorable: v6 drops it silently. Topics is not: v5 refuses it.
        var both = request
        both.topicNames = ["foo"]
        #expect(try both.encoded(version: 6) == bytes)
        #expect(encodingError(request, version: 5) == WireEncodingError(.fieldNotInVersion, field: "Topics", version: 5))
        try expectGolden(DeleteTopicsRequest(topicNames: ["foo"], timeoutMs: 1000),
                         wire("02 04 666f6f", "000003e8", "00"), version: 5)
    }
}

@Suite("Admin and SASL APIs: hostile input")
struct AdminAPIHostileTests {
    @Test func negativeArrayCount() {
        #expect(decodingError(CreateTopicsRequest.self, wire("fffffffe"), version: 4)
            == WireDecodingError(.negativeLength(-2), at: 0, field: "Topics"))
        // -1 is null, which Topics never is.
        #expect(decodingError(CreateTopicsRequest.self, wire("ffffffff"), version: 4)
            == WireDecodingError(.unexpectedNull, at: 0, field: "Topics"))
    }

    @Test func negativeStringLength() {
        var bytes = AdminAPIGoldenTests.createTopicsV4
        bytes[4] = 0xff
        bytes[5] = 0xfe  // Name length -2
        #expect(decodingError(CreateTopicsRequest.self, bytes, version: 4)
            == WireDecodingError(.negativeLength(-2), at: 4, field: "Topics[0].Name"))
    }

    @Test func overlongArrays() {
        var bytes = AdminAPIGoldenTests.createTopicsV4
        bytes.replaceSubrange(23..<27, with: [0x7f, 0xff, 0xff, 0xff])  // Assignments[0].BrokerIds count
        #expect(decodingError(CreateTopicsRequest.self, bytes, version: 4)
            == WireDecodingError(.lengthExceedsRemaining(length: Int(Int32.max), remaining: 74), at: 23,
                                 field: "Topics[0].Assignments[0].BrokerIds"))
        #expect(decodingError(CreateTopicsRequest.self, wire("7f 00 00"), version: 5)
            == WireDecodingError(.lengthExceedsRemaining(length: 126, remaining: 2), at: 0, field: "Topics"))
        #expect(decodingError(CreateTopicsRequest.self, wire("ff ff ff ff ff"), version: 5)
            == WireDecodingError(.malformedVarint, at: 0, field: "Topics"))
    }

    @Test func truncationNamesTheField() {
        let bytes = Array(AdminAPIGoldenTests.createTopicsV4[..<49])  // inside BrokerIds[1] of Assignments[1]
        #expect(decodingError(CreateTopicsRequest.self, bytes, version: 4)
            == WireDecodingError(.truncated(needed: 4, available: 2), at: 47,
                                 field: "Topics[0].Assignments[1].BrokerIds[1]"))
        #expect(decodingError(CreateTopicsRequest.self, AdminAPIGoldenTests.createTopicsV4 + [0], version: 4)
            == WireDecodingError(.trailingBytes(count: 1), at: 101))
    }

    @Test func saslAuthBytesLengths() {
        #expect(decodingError(SaslAuthenticateRequest.self, wire("fffffffe"), version: 1)
            == WireDecodingError(.negativeLength(-2), at: 0, field: "AuthBytes"))
        #expect(decodingError(SaslAuthenticateRequest.self, wire("000003e8 010203"), version: 1)
            == WireDecodingError(.lengthExceedsRemaining(length: 1000, remaining: 3), at: 0, field: "AuthBytes"))
        // Compact bytes: 0 would be null, which AuthBytes never is.
        #expect(decodingError(SaslAuthenticateRequest.self, wire("00 00"), version: 2)
            == WireDecodingError(.unexpectedNull, at: 0, field: "AuthBytes"))
    }

    /// CreateTopicsResponse v5 with one topic, "foo", whose tagged section is `tags`.
    func createTopicsResponseV5(tags: String) -> [UInt8] {
        wire("00000064", "02", "04 666f6f", "0000", "00", "00000003", "0002", "00", tags, "00")
    }

    @Test func unknownTagsArePreserved() throws {
        let bytes = createTopicsResponseV5(tags: "02 00 02 001d 05 03 abcdef")
        let decoded = try CreateTopicsResponse(decoding: bytes, version: 5)
        #expect(decoded.topics[0].topicConfigErrorCode == .topicAuthorizationFailed)
        #expect(decoded.topics[0].unknownTaggedFields == [TaggedField(tag: 5, data: [0xab, 0xcd, 0xef])])
        #expect(try decoded.encoded(version: 5) == bytes)
    }

    @Test func malformedTaggedFields() {
        // Offsets: the topic's tag count is at byte 19, so the first tag's value starts at 22.
        #expect(decodingError(CreateTopicsResponse.self, createTopicsResponseV5(tags: "01 00 03 001dff"), version: 5)
            == WireDecodingError(.trailingBytes(count: 1), at: 24, field: "Topics[0].TopicConfigErrorCode"))
        #expect(decodingError(CreateTopicsResponse.self, createTopicsResponseV5(tags: "01 00 01 00"), version: 5)
            == WireDecodingError(.truncated(needed: 2, available: 1), at: 22, field: "Topics[0].TopicConfigErrorCode"))
        #expect(decodingError(CreateTopicsResponse.self, createTopicsResponseV5(tags: "02 05 01 aa 00 02 001d"), version: 5)
            == WireDecodingError(.tagsOutOfOrder(tag: 0), at: 23, field: "Topics[0]._taggedFields"))
        #expect(decodingError(CreateTopicsResponse.self, createTopicsResponseV5(tags: "01 00 7f"), version: 5)
            == WireDecodingError(.lengthExceedsRemaining(length: 127, remaining: 1), at: 21, field: "Topics[0]"))
    }

    @Test func nullNameOnlyFromV6() throws {
        let v5 = wire("00000000", "02", "00", "0003", "00", "00", "00")
        #expect(decodingError(DeleteTopicsResponse.self, v5, version: 5)
            == WireDecodingError(.unexpectedNull, at: 5, field: "Responses[0].Name"))
        let v6 = wire("00000000", "02", "00", "0102030405060708090a0b0c0d0e0f10", "0064", "00", "00", "00")
        let decoded = try DeleteTopicsResponse(decoding: v6, version: 6)
        #expect(decoded.responses[0].name == nil)
        #expect(decoded.responses[0].errorCode == ErrorCode(rawValue: 100))
        let unnamed = DeleteTopicsResponse(responses: [.init(name: nil, errorCode: .unknownTopicOrPartition)])
        #expect(encodingError(unnamed, version: 5)
            == WireEncodingError(.nullNotAllowed, field: "Responses[0].Name", version: 5))
    }

    @Test func versionsOutsideTheSpec() {
        #expect(decodingError(CreateTopicsRequest.self, [], version: 8)
            == WireDecodingError(.unsupportedVersion(8), at: 0))
        #expect(encodingError(CreateTopicsRequest(), version: -1)
            == WireEncodingError(.unsupportedVersion, field: nil, version: -1))
        #expect(encodingError(CreateTopicsRequest(validateOnly: true), version: 0)
            == WireEncodingError(.fieldNotInVersion, field: "validateOnly", version: 0))
        #expect(encodingError(DescribeConfigsRequest(includeSynonyms: true), version: 0)
            == WireEncodingError(.fieldNotInVersion, field: "IncludeSynonyms", version: 0))
    }
}
