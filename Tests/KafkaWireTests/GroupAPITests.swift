import KafkaWire
import Testing

/// Bytes written out by hand from the specs: hex digits, `"quoted"` ASCII text, and `#` comments
/// to the end of the line; `parts` are joined as separate lines. Every length prefix is spelled out,
/// so a golden test checks the codec against the spec, not against itself.
private func golden(_ parts: String..., sourceLocation: SourceLocation = #_sourceLocation) -> [UInt8] {
    let text = parts.joined(separator: "\n")
    var bytes = [UInt8]()
    var high: UInt8? = nil
    var inQuote = false
    var inComment = false
    for char in text.utf8 {
        if inComment {
            if char == UInt8(ascii: "\n") { inComment = false }
            continue
        }
        if inQuote {
            if char == UInt8(ascii: "\"") { inQuote = false } else { bytes.append(char) }
            continue
        }
        switch char {
        case UInt8(ascii: "\""), UInt8(ascii: "#"):
            if high != nil { Issue.record("odd number of hex digits before a quote or comment", sourceLocation: sourceLocation) }
            if char == UInt8(ascii: "\"") { inQuote = true } else { inComment = true }
        case UInt8(ascii: " "), UInt8(ascii: "\n"), UInt8(ascii: "\t"): continue
        default:
            let nibble: UInt8
            switch char {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): nibble = char - UInt8(ascii: "0")
            case UInt8(ascii: "A")...UInt8(ascii: "F"): nibble = char - UInt8(ascii: "A") + 10
            case UInt8(ascii: "a")...UInt8(ascii: "f"): nibble = char - UInt8(ascii: "a") + 10
            default:
                Issue.record("unexpected character \(Character(UnicodeScalar(char))) in golden bytes", sourceLocation: sourceLocation)
                continue
            }
            if let h = high {
                bytes.append(h << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
    }
    if high != nil || inQuote { Issue.record("unterminated golden bytes", sourceLocation: sourceLocation) }
    return bytes
}

/// Checks that `value` encodes to `expected` at `version` and that `expected` decodes back to `value`.
private func expectGolden<M: WireMessage>(_ value: M, version: Int16, _ expected: [UInt8],
                                  sourceLocation: SourceLocation = #_sourceLocation) throws {
    let encoded = try value.encoded(version: version)
    #expect(ByteSlice(encoded).hexString == ByteSlice(expected).hexString, "encode v\(version)", sourceLocation: sourceLocation)
    let decoded = try M(decoding: expected, version: version)
    #expect(decoded == value, "decode v\(version)", sourceLocation: sourceLocation)
}

/// The decoding error `body` throws, or nil (recording an issue) when it throws none or another type.
private func decodingError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> WireDecodingError? {
    #expect(throws: WireDecodingError.self, sourceLocation: sourceLocation) { try body() }
}

/// The encoding error `body` throws, or nil (recording an issue) when it throws none or another type.
private func encodingError(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) -> WireEncodingError? {
    #expect(throws: WireEncodingError.self, sourceLocation: sourceLocation) { try body() }
}

@Suite("Group APIs: golden bytes")
struct GroupAPIGoldenTests {
    // MARK: JoinGroup

    /// A v0 subscription to "t1" behind its version prefix: the metadata of the JoinGroup goldens (14 bytes).
    static let subscriptionT1 = """
        0000                 # version 0
        00000001 0002 "t1"   # Topics ["t1"]
        FFFFFFFF             # UserData null
        """

    static func joinRequest() throws -> JoinGroupRequest {
        JoinGroupRequest(
            groupID: "grp", sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, memberID: "",
            groupInstanceID: "inst-1", protocolType: "consumer",
            protocols: [.init(name: "range",
                              metadata: ByteSlice(try ConsumerProtocolSubscription(topics: ["t1"]).encodedWithVersion(0)))])
    }

    @Test("JoinGroupRequest v5: non-flexible, with a static member id")
    func joinGroupRequestV5() throws {
        try expectGolden(Self.joinRequest(), version: 5, golden("""
            0003 "grp"              # GroupId: STRING, INT16 length
            00007530                # SessionTimeoutMs 30000
            0000EA60                # RebalanceTimeoutMs 60000 (v1+)
            0000                    # MemberId ""
            0006 "inst-1"           # GroupInstanceId (v5+, NULLABLE_STRING)
            0008 "consumer"         # ProtocolType
            00000001                # Protocols: ARRAY, INT32 count
              0005 "range"          #   Name
              0000000E              #   Metadata: BYTES, INT32 length 14
            """, Self.subscriptionT1))
    }

    @Test("JoinGroupRequest v6: the first flexible version")
    func joinGroupRequestV6() throws {
        try expectGolden(Self.joinRequest(), version: 6, golden("""
            04 "grp"                # GroupId: COMPACT_STRING, length + 1
            00007530                # SessionTimeoutMs
            0000EA60                # RebalanceTimeoutMs
            01                      # MemberId ""
            07 "inst-1"             # GroupInstanceId
            09 "consumer"           # ProtocolType
            02                      # Protocols: COMPACT_ARRAY, count + 1
              06 "range"            #   Name
              0F                    #   Metadata: COMPACT_BYTES, 14 + 1
            """, Self.subscriptionT1, """
              00                    #   tagged fields of the protocol
            00                      # tagged fields of the request
            """))
    }

    @Test("JoinGroupRequest: unknown tags survive, non-ignorable fields refuse old versions, ignorable ones drop")
    func joinGroupRequestVersionGates() throws {
        var bytes = try Self.joinRequest().encoded(version: 6)
        bytes.removeLast()
        bytes += golden("01 05 02 ABCD")  // one tagged field: tag 5, two bytes
        let decoded = try JoinGroupRequest(decoding: bytes, version: 6)
        #expect(decoded.unknownTaggedFields == [TaggedField(tag: 5, data: [0xAB, 0xCD])])
        #expect(try decoded.encoded(version: 6) == bytes)

        let error = encodingError { _ = try Self.joinRequest().encoded(version: 4) }
        #expect(error?.kind == .fieldNotInVersion)
        #expect(error?.field == "GroupInstanceId")

        var withReason = try Self.joinRequest()
        withReason.reason = "rebalance"
        #expect(try withReason.encoded(version: 7) == Self.joinRequest().encoded(version: 7))
        #expect(try withReason.encoded(version: 8) != Self.joinRequest().encoded(version: 8))
    }

    // MARK: SyncGroup and ConsumerProtocolAssignment

    /// A v0 assignment of t1 partitions 0 and 1 behind its version prefix (26 bytes).
    static let assignmentT1 = """
        0000                       # version 0
        00000001                   # AssignedPartitions: 1 topic
          0002 "t1"                #   Topic
          00000002 00000000 00000001  # Partitions [0, 1]
        FFFFFFFF                   # UserData null
        """

    static let assignment = ConsumerProtocolAssignment(assignedPartitions: [.init(topic: "t1", partitions: [0, 1])])

    @Test("ConsumerProtocolAssignment v0 with its version prefix")
    func assignmentV0() throws {
        let bytes = golden(Self.assignmentT1)
        #expect(bytes.count == 26)
        #expect(try Self.assignment.encodedWithVersion(0) == bytes)
        let (version, value) = try ConsumerProtocolAssignment.decodeWithVersion(ByteSlice(bytes))
        #expect(version == 0)
        #expect(value == Self.assignment)
    }

    @Test("SyncGroupResponse v5: protocol type and name present, then null")
    func syncGroupResponseV5() throws {
        let response = SyncGroupResponse(
            throttleTimeMs: 100, errorCode: .none, protocolType: "consumer", protocolName: "range",
            assignment: ByteSlice(try Self.assignment.encodedWithVersion(0)))
        try expectGolden(response, version: 5, golden("""
            00000064                # ThrottleTimeMs 100
            0000                    # ErrorCode NONE
            09 "consumer"           # ProtocolType: COMPACT_NULLABLE_STRING (v5+)
            06 "range"              # ProtocolName (v5+)
            1B                      # Assignment: COMPACT_BYTES, 26 + 1
            """, Self.assignmentT1, """
            00                      # tagged fields
            """))
        let decoded = try SyncGroupResponse(decoding: try response.encoded(version: 5), version: 5)
        #expect(try ConsumerProtocolAssignment.decodeWithVersion(decoded.assignment).value == Self.assignment)

        let rebalancing = SyncGroupResponse(errorCode: .rebalanceInProgress)
        try expectGolden(rebalancing, version: 5, golden("""
            00000000                # ThrottleTimeMs
            001B                    # ErrorCode REBALANCE_IN_PROGRESS (27)
            00                      # ProtocolType null
            00                      # ProtocolName null
            01                      # Assignment: empty
            00                      # tagged fields
            """))
        // Both are ignorable: a v4 response simply does not carry them.
        #expect(try response.encoded(version: 4).count == 4 + 2 + 1 + 26 + 1)
    }

    // MARK: OffsetFetch

    @Test("OffsetFetchRequest v8: groups, one with null topics (every topic)")
    func offsetFetchRequestV8() throws {
        let request = OffsetFetchRequest(
            groups: [.init(groupID: "g1", topics: nil),
                     .init(groupID: "g2", topics: [.init(name: "t", partitionIndexes: [0, 2])])],
            requireStable: true)
        try expectGolden(request, version: 8, golden(Self.offsetFetchV8))
        // MemberId/MemberEpoch are ignorable and v9+: dropped at v8, carried at v9.
        var withMember = request
        withMember.groups[0].memberID = "m"
        withMember.groups[0].memberEpoch = 3
        #expect(try withMember.encoded(version: 8) == golden(Self.offsetFetchV8))
        #expect(try OffsetFetchRequest(decoding: withMember.encoded(version: 9), version: 9) == withMember)
    }

    static let offsetFetchV8 = """
        03                      # Groups: 2
          03 "g1"               #   GroupId
          00                    #   Topics: null (every topic)
          00                    #   tagged fields
          03 "g2"               #   GroupId
          02                    #   Topics: 1
            02 "t"              #     Name
            03 00000000 00000002  #   PartitionIndexes [0, 2]
            00                  #     tagged fields
          00                    #   tagged fields
        01                      # RequireStable true (v7+)
        00                      # tagged fields
        """

    @Test("OffsetFetchRequest: null topics from v2 only")
    func offsetFetchNullTopics() throws {
        let all = OffsetFetchRequest(groupID: "g1", topics: nil)
        try expectGolden(all, version: 2, golden("""
            0002 "g1"               # GroupId
            FFFFFFFF                # Topics: null
            """))
        let error = encodingError { _ = try all.encoded(version: 1) }
        #expect(error?.kind == .nullNotAllowed)
        #expect(error?.field == "Topics")
        let decodeError = decodingError { _ = try OffsetFetchRequest(decoding: golden("0002 \"g1\" FFFFFFFF"), version: 1) }
        #expect(decodeError?.kind == .unexpectedNull)
        #expect(decodeError?.offset == 4)
        #expect(decodeError?.field == "Topics")
    }

    // MARK: OffsetCommit

    @Test("OffsetCommitRequest v2: with RetentionTimeMs")
    func offsetCommitRequestV2() throws {
        let request = OffsetCommitRequest(
            groupID: "grp", generationIDOrMemberEpoch: 5, memberID: "m1", retentionTimeMs: 86_400_000,
            topics: [.init(name: "t1", partitions: [.init(partitionIndex: 0, committedOffset: 42, committedMetadata: nil)])])
        try expectGolden(request, version: 2, golden("""
            0003 "grp"              # GroupId
            00000005                # GenerationIdOrMemberEpoch (v1+)
            0002 "m1"               # MemberId (v1+)
            0000000005265C00        # RetentionTimeMs 86400000 (v2-4)
            00000001                # Topics: 1
              0002 "t1"             #   Name
              00000001              #   Partitions: 1
                00000000            #     PartitionIndex
                000000000000002A    #     CommittedOffset 42
                FFFF                #     CommittedMetadata null
            """))
        // CommitTimestamp exists only in v1 and is not ignorable.
        var stamped = request
        stamped.topics[0].partitions[0].commitTimestamp = 1_700_000_000_000
        let error = encodingError { _ = try stamped.encoded(version: 2) }
        #expect(error?.kind == .fieldNotInVersion)
        #expect(error?.field == "Topics[0].Partitions[0].CommitTimestamp")
        #expect(try OffsetCommitRequest(decoding: stamped.encoded(version: 1), version: 1).topics[0].partitions[0]
            .commitTimestamp == 1_700_000_000_000)
    }

    @Test("OffsetCommitRequest v8: flexible, with group instance id and leader epoch")
    func offsetCommitRequestV8() throws {
        let request = OffsetCommitRequest(
            groupID: "grp", generationIDOrMemberEpoch: 5, memberID: "m1", groupInstanceID: "inst-1",
            topics: [.init(name: "t1", partitions: [.init(partitionIndex: 0, committedOffset: 42, committedLeaderEpoch: 3)])])
        try expectGolden(request, version: 8, golden("""
            04 "grp"                # GroupId
            00000005                # GenerationIdOrMemberEpoch
            03 "m1"                 # MemberId
            07 "inst-1"             # GroupInstanceId (v7+)
            02                      # Topics: 1
              03 "t1"               #   Name
              02                    #   Partitions: 1
                00000000            #     PartitionIndex
                000000000000002A    #     CommittedOffset 42
                00000003            #     CommittedLeaderEpoch (v6+)
                01                  #     CommittedMetadata ""
                00                  #     tagged fields
              00                    #   tagged fields
            00                      # tagged fields
            """))
    }

    // MARK: FindCoordinator

    @Test("FindCoordinatorRequest v4: batched CoordinatorKeys")
    func findCoordinatorRequestV4() throws {
        let request = FindCoordinatorRequest(keyType: 0, coordinatorKeys: ["g1", "g2"])
        try expectGolden(request, version: 4, golden("""
            00                      # KeyType 0 (group); Key is v0-3 only
            03 03 "g1" 03 "g2"      # CoordinatorKeys: COMPACT_ARRAY of COMPACT_STRING
            00                      # tagged fields
            """))
        let error = encodingError { _ = try FindCoordinatorRequest(key: "g1").encoded(version: 4) }
        #expect(error?.kind == .fieldNotInVersion)
        #expect(error?.field == "Key")
    }

    // MARK: DescribeGroups

    static let describedGroups = DescribeGroupsResponse(groups: [
        .init(groupID: "grp", groupState: "Stable", protocolType: "consumer", protocolData: "range",
              members: [.init(memberID: "m1", groupInstanceID: nil, clientID: "c", clientHost: "/10.0.0.1",
                              memberMetadata: [0xAB, 0xCD], memberAssignment: [])]),
    ])

    static let describedGroupsV5 = """
        00000000                # ThrottleTimeMs
        02                      # Groups: 1
          0000                  #   ErrorCode
          04 "grp"              #   GroupId
          07 "Stable"           #   GroupState
          09 "consumer"         #   ProtocolType
          06 "range"            #   ProtocolData
          02                    #   Members: 1
            03 "m1"             #     MemberId
            00                  #     GroupInstanceId null (v4+)
            02 "c"              #     ClientId
            0A "/10.0.0.1"      #     ClientHost
            03 ABCD             #     MemberMetadata
            01                  #     MemberAssignment: empty
            00                  #     tagged fields
          80000000              #   AuthorizedOperations: -2147483648, the default (v3+)
          00                    #   tagged fields
        00                      # tagged fields
        """

    @Test("DescribeGroupsResponse v5")
    func describeGroupsResponseV5() throws {
        try expectGolden(Self.describedGroups, version: 5, golden(Self.describedGroupsV5))
    }

    // MARK: ConsumerProtocolSubscription

    @Test("ConsumerProtocolSubscription v0 with its version prefix, as the Java client writes it")
    func subscriptionV0() throws {
        let subscription = ConsumerProtocolSubscription(topics: ["t1", "t2"])
        let bytes = golden("""
            0000                    # version INT16
            00000002                # Topics: ARRAY, INT32 count
              0002 "t1"
              0002 "t2"
            FFFFFFFF                # UserData: NULLABLE_BYTES, null
            """)
        #expect(try subscription.encodedWithVersion(0) == bytes)
        let (version, value) = try ConsumerProtocolSubscription.decodeWithVersion(ByteSlice(bytes))
        #expect(version == 0)
        #expect(value == subscription)
    }

    static let subscriptionV3 = ConsumerProtocolSubscription(
        topics: ["t1"], userData: [0x01, 0x02], ownedPartitions: [.init(topic: "t1", partitions: [0])],
        generationID: 7, rackID: "r1")

    static let subscriptionV3Body = """
        00000001 0002 "t1"      # Topics ["t1"]
        00000002 0102           # UserData, 2 bytes
        00000001                # OwnedPartitions: 1 (v1+)
          0002 "t1"             #   Topic
          00000001 00000000     #   Partitions [0]
        00000007                # GenerationId 7 (v2+)
        0002 "r1"               # RackId (v3+, NULLABLE_STRING)
        """

    @Test("ConsumerProtocolSubscription v3 with its version prefix")
    func subscriptionV3() throws {
        let bytes = golden("0003", Self.subscriptionV3Body)
        #expect(try Self.subscriptionV3.encodedWithVersion(3) == bytes)
        let (version, value) = try ConsumerProtocolSubscription.decodeWithVersion(ByteSlice(bytes))
        #expect(version == 3)
        #expect(value == Self.subscriptionV3)
        // v0 cannot carry the newer fields; they are all ignorable, so they are dropped.
        #expect(try Self.subscriptionV3.encodedWithVersion(0) == golden("""
            0000 00000001 0002 "t1" 00000002 0102
            """))
    }

    @Test("A payload of a newer version decodes the fields we know and ignores the rest")
    func newerVersionsAreReadLeniently() throws {
        let v4 = golden("0004", Self.subscriptionV3Body, "00000001 DEADBEEF  # a field we do not know")
        let (version, value) = try ConsumerProtocolSubscription.decodeWithVersion(ByteSlice(v4))
        #expect(version == 4)
        #expect(value == Self.subscriptionV3)

        let assignment = golden("7FFF", String(Self.assignmentT1.dropFirst(4)), "0000 CAFE")
        let decoded = try ConsumerProtocolAssignment.decodeWithVersion(ByteSlice(assignment))
        #expect(decoded.version == .max)
        #expect(decoded.value == Self.assignment)

        // The known prefix must still be whole: a v4 payload cut inside RackId throws.
        let cut = Array(v4[..<(v4.count - 10)])
        let error = decodingError { _ = try ConsumerProtocolSubscription.decodeWithVersion(ByteSlice(cut)) }
        #expect(error?.field == "RackId")
    }

    @Test("Consumer-protocol prefixes: missing, negative, and trailing bytes at a known version")
    func consumerProtocolPrefixErrors() throws {
        let short = decodingError { _ = try ConsumerProtocolSubscription.decodeWithVersion([0x00]) }
        #expect(short?.kind == .truncated(needed: 2, available: 1))
        #expect(short?.field == "Version")

        let negative = decodingError { _ = try ConsumerProtocolAssignment.decodeWithVersion(ByteSlice(golden("FFFF", String(Self.assignmentT1.dropFirst(4))))) }
        #expect(negative?.kind == .unsupportedVersion(-1))
        #expect(negative?.offset == 0)

        let trailing = decodingError { _ = try ConsumerProtocolAssignment.decodeWithVersion(ByteSlice(golden(Self.assignmentT1, "00"))) }
        #expect(trailing?.kind == .trailingBytes(count: 1))
        #expect(trailing?.offset == 26)

        // Offsets count from the version prefix.
        let badCount = decodingError { _ = try ConsumerProtocolSubscription.decodeWithVersion(ByteSlice(golden("0000 FFFFFFFB"))) }
        #expect(badCount?.kind == .negativeLength(-5))
        #expect(badCount?.offset == 2)
        #expect(badCount?.field == "Topics")

        let unsupported = encodingError { _ = try Self.assignment.encodedWithVersion(4) }
        #expect(unsupported?.kind == .unsupportedVersion)
    }
}

@Suite("Group APIs: hostile input")
struct GroupAPIHostileTests {
    static func joinV5() throws -> [UInt8] { try GroupAPIGoldenTests.joinRequest().encoded(version: 5) }

    @Test("negative string lengths: below -1, and -1 where null is not allowed")
    func negativeStringLengths() throws {
        var bytes = try Self.joinV5()
        bytes[0] = 0xFF
        bytes[1] = 0xFE
        let error = decodingError { _ = try JoinGroupRequest(decoding: bytes, version: 5) }
        #expect(error?.kind == .negativeLength(-2))
        #expect(error?.offset == 0)
        #expect(error?.field == "GroupId")

        // ProtocolType starts at byte 23 (5 + 4 + 4 + 2 + 8) and is not nullable.
        bytes = try Self.joinV5()
        bytes[23] = 0xFF
        bytes[24] = 0xFF
        let null = decodingError { _ = try JoinGroupRequest(decoding: bytes, version: 5) }
        #expect(null?.kind == .unexpectedNull)
        #expect(null?.offset == 23)
        #expect(null?.field == "ProtocolType")
    }

    @Test("negative array counts, at the top and nested")
    func negativeArrayCounts() throws {
        // OffsetCommitRequest v2: GroupId 0-4, GenerationId 5-8, MemberId 9-12, RetentionTimeMs 13-20, Topics count at 21.
        let prefix = golden("""
            0003 "grp" 00000005 0002 "m1" 0000000005265C00
            """)
        let top = decodingError { _ = try OffsetCommitRequest(decoding: prefix + golden("FFFFFFFE"), version: 2) }
        #expect(top?.kind == .negativeLength(-2))
        #expect(top?.offset == 21)
        #expect(top?.field == "Topics")

        let nested = decodingError {
            _ = try OffsetCommitRequest(decoding: prefix + golden("00000001 0002 \"t1\" 80000000"), version: 2)
        }
        #expect(nested?.kind == .negativeLength(Int(Int32.min)))
        #expect(nested?.offset == 29)
        #expect(nested?.field == "Topics[0].Partitions")
    }

    @Test("a nested struct cut short reports where and in which field")
    func truncatedNestedStruct() throws {
        // Protocols[0].Metadata: INT32 length at byte 44, 14 bytes of data from 48; 62 bytes in all.
        let bytes = try Self.joinV5()
        #expect(bytes.count == 62)
        let inLength = decodingError { _ = try JoinGroupRequest(decoding: Array(bytes[..<46]), version: 5) }
        #expect(inLength?.kind == .truncated(needed: 4, available: 2))
        #expect(inLength?.offset == 44)
        #expect(inLength?.field == "Protocols[0].Metadata")

        let inData = decodingError { _ = try JoinGroupRequest(decoding: Array(bytes[..<50]), version: 5) }
        #expect(inData?.kind == .lengthExceedsRemaining(length: 14, remaining: 2))
        #expect(inData?.offset == 44)
        #expect(inData?.field == "Protocols[0].Metadata")

        // DescribeGroupsResponse v5: Groups[0].Members[0].ClientHost's length (9 + 1) is at byte 40.
        let described = golden(GroupAPIGoldenTests.describedGroupsV5)
        let deep = decodingError { _ = try DescribeGroupsResponse(decoding: Array(described[..<45]), version: 5) }
        #expect(deep?.kind == .lengthExceedsRemaining(length: 9, remaining: 4))
        #expect(deep?.offset == 40)
        #expect(deep?.field == "Groups[0].Members[0].ClientHost")

        var invalid = described
        invalid[41] = 0xFF
        let utf8 = decodingError { _ = try DescribeGroupsResponse(decoding: invalid, version: 5) }
        #expect(utf8?.kind == .invalidUTF8)
        #expect(utf8?.offset == 40)
        #expect(utf8?.field == "Groups[0].Members[0].ClientHost")

        // OffsetFetchRequest v8: the second partition index of g2's topic starts at byte 17.
        let fetch = golden(GroupAPIGoldenTests.offsetFetchV8)
        let element = decodingError { _ = try OffsetFetchRequest(decoding: Array(fetch[..<19]), version: 8) }
        #expect(element?.kind == .truncated(needed: 4, available: 2))
        #expect(element?.offset == 17)
        #expect(element?.field == "Groups[1].Topics[0].PartitionIndexes[1]")
    }

    @Test("hostile compact counts: overlong varint, and a count no payload could hold")
    func hostileCompactCounts() throws {
        let overlong = decodingError { _ = try FindCoordinatorRequest(decoding: golden("00 FFFFFFFFFF 00"), version: 4) }
        #expect(overlong?.kind == .malformedVarint)
        #expect(overlong?.offset == 1)
        #expect(overlong?.field == "CoordinatorKeys")

        let huge = decodingError { _ = try FindCoordinatorRequest(decoding: golden("00 FFFFFFFF0F"), version: 4) }
        #expect(huge?.kind == .lengthExceedsRemaining(length: 4_294_967_294, remaining: 0))
        #expect(huge?.offset == 1)
        #expect(huge?.field == "CoordinatorKeys")

        let groups = decodingError { _ = try OffsetFetchRequest(decoding: golden("80808080 08 01 00"), version: 8) }
        #expect(groups?.kind == .lengthExceedsRemaining(length: (1 << 31) - 1, remaining: 2))
        #expect(groups?.field == "Groups")
    }
}
