@testable import KafkaClient
import KafkaWire
import Testing

/// Subscription and assignment bytes, byte for byte as the Java client's ConsumerProtocol lays
/// them out, and the assignors' user data in both clients' formats.
@Suite("Consumer protocol encoding")
struct ConsumerProtocolCodecTests {
    @Test func subscriptionV3GoldenBytes() throws {
        let bytes = try ConsumerProtocolCodec.subscriptionMetadata(
            topics: ["b", "a"], userData: [0, 0, 0, 7], ownedPartitions: [tp("a", 1), tp("a", 0)], generationID: 7, rackID: nil)
        #expect(bytes == [
            0, 3,                                   // version
            0, 0, 0, 2, 0, 1, 0x61, 0, 1, 0x62,     // topics: a, b (sorted)
            0, 0, 0, 4, 0, 0, 0, 7,                 // user data: the generation
            0, 0, 0, 1, 0, 1, 0x61, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 1, // owned: a [0, 1]
            0, 0, 0, 7,                             // generation
            0xFF, 0xFF,                             // rack: null
        ])
        let decoded = try MemberSubscription(memberID: "m", groupInstanceID: nil, metadata: ByteSlice(bytes))
        #expect(decoded == member("m", ["a", "b"], owned: [tp("a", 0), tp("a", 1)], generation: 7)
                    .with(userData: [0, 0, 0, 7]))
    }

    @Test func assignmentGoldenBytesAndEmptyAssignment() throws {
        let bytes = try ConsumerProtocolCodec.assignmentBytes([tp("b", 0), tp("a", 2)])
        #expect(bytes == [0, 3, 0, 0, 0, 2, 0, 1, 0x61, 0, 0, 0, 1, 0, 0, 0, 2, 0, 1, 0x62, 0, 0, 0, 1, 0, 0, 0, 0,
                          0xFF, 0xFF, 0xFF, 0xFF])
        #expect(try ConsumerProtocolCodec.decodeAssignment(ByteSlice(bytes)).partitions == [tp("a", 2), tp("b", 0)])
        #expect(try ConsumerProtocolCodec.decodeAssignment(ByteSlice()).partitions == [])
    }

    @Test func oldAndNewerSubscriptionVersionsDecode() throws {
        // v0 from an old client: topics and user data only.
        let v0: [UInt8] = [0, 0, 0, 0, 0, 1, 0, 1, 0x74, 0xFF, 0xFF, 0xFF, 0xFF]
        #expect(try MemberSubscription(memberID: "m", groupInstanceID: "i", metadata: ByteSlice(v0))
                == member("m", ["t"], instance: "i"))
        // A v9 subscription from the future: read with the v3 layout, the rest ignored.
        let v9: [UInt8] = [0, 9, 0, 0, 0, 1, 0, 1, 0x74, 0xFF, 0xFF, 0xFF, 0xFF, 0, 0, 0, 0, 0, 0, 0, 4, 0xFF, 0xFF, 0xAB, 0xCD]
        let future = try MemberSubscription(memberID: "m", groupInstanceID: nil, metadata: ByteSlice(v9))
        #expect(future.topics == ["t"] && future.generationID == 4)
        #expect(throws: WireDecodingError.self) {
            try MemberSubscription(memberID: "m", groupInstanceID: nil, metadata: ByteSlice([0, 1, 0, 0]))
        }
    }

    @Test func cooperativeStickyUserDataIsTheJavaGeneration() {
        #expect(CooperativeStickyAssignor().subscriptionUserData(ownedPartitions: [tp("t", 0)], generationID: 5) == [0, 0, 0, 5])
        #expect(CooperativeStickyAssignor().subscriptionUserData(ownedPartitions: [], generationID: -1) == [0xFF, 0xFF, 0xFF, 0xFF])
        #expect(RangeAssignor().subscriptionUserData(ownedPartitions: [], generationID: 3) == nil)
    }

    @Test func generationComesFromTheSubscriptionThenEitherUserDataFormat() throws {
        // librdkafka's cooperative-sticky user data: StickyAssignorUserData v1.
        let librdkafka: [UInt8] = [0, 0, 0, 1, 0, 1, 0x74, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 9]
        let decoded = try StickyAssignorUserData(fromBytes: librdkafka)
        #expect(decoded == StickyAssignorUserData(previousAssignment: [tp("t", 0)], generation: 9))
        #expect(try decoded.encoded() == librdkafka)
        // Version 0 of that format has no generation.
        #expect(try StickyAssignorUserData(fromBytes: [0, 0, 0, 0]).generation == -1)

        #expect(CooperativeStickyAssignor.generation(of: member("m", ["t"], generation: 3).with(userData: [0, 0, 0, 8])) == 3)
        #expect(CooperativeStickyAssignor.generation(of: member("m", ["t"]).with(userData: [0, 0, 0, 8])) == 8)
        #expect(CooperativeStickyAssignor.generation(of: member("m", ["t"]).with(userData: librdkafka)) == 9)
        #expect(CooperativeStickyAssignor.generation(of: member("m", ["t"]).with(userData: [1, 2])) == -1)
        #expect(CooperativeStickyAssignor.generation(of: member("m", ["t"])) == -1)
    }

    @Test func coordinatorProtocolSelection() {
        #expect(GroupProtocolSelection.select(memberPreferences: [["cooperative-sticky", "range"], ["range"]]) == "range")
        #expect(GroupProtocolSelection.select(memberPreferences: [
            ["cooperative-sticky", "range"], ["cooperative-sticky", "range"], ["range", "cooperative-sticky"],
        ]) == "cooperative-sticky")
        #expect(GroupProtocolSelection.select(memberPreferences: [["range"], ["roundrobin"]]) == nil)
        #expect(GroupProtocolSelection.select(memberPreferences: [["roundrobin", "range"], ["range", "roundrobin"]]) == "range")
        #expect(GroupProtocolSelection.select(memberPreferences: []) == nil)
    }
}

extension MemberSubscription {
    func with(userData: [UInt8]) -> MemberSubscription {
        var copy = self
        copy.userData = userData
        return copy
    }
}

extension StickyAssignorUserData {
    init(fromBytes bytes: [UInt8]) throws(WireDecodingError) {
        var reader = ByteReader(ByteSlice(bytes))
        try self.init(from: &reader)
    }
}
