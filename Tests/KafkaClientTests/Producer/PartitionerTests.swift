@testable import KafkaClient
import KafkaWire
import Testing

@Suite("Partitioners")
struct PartitionerTests {
    // Kafka's own UtilsTest.testMurmur2 (Java's signed int results), Sarama's JVM-generated case,
    // and the values the kafkajs suite generated with the Java client's Utils.murmur2.
    static let javaMurmur2: [(key: [UInt8], hash: Int32)] = [
        (Array("21".utf8), -973_932_308),
        (Array("foobar".utf8), -790_332_482),
        (Array("a-little-bit-long-string".utf8), -985_981_536),
        (Array("a-little-bit-longer-string".utf8), -1_486_304_829),
        (Array("lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8".utf8), -58_897_971),
        ([0x61, 0x62, 0x63], 479_470_107),
        ([12, 42, 56, 24, 109, 111], 274_204_207),
        (Array("0".utf8), 971_027_396),
        (Array("1".utf8), -1_993_445_489),
        (Array("12".utf8), 126_087_238),
        (Array("123".utf8), -267_702_483),
        (Array("128".utf8), -326_012_175),
        (Array("2187".utf8), -1_508_407_203),
        (Array("12345".utf8), -1_188_365_604),
        (Array("16384".utf8), -325_739_742),
        (Array("78125".utf8), -1_654_490_814),
        (Array("279936".utf8), 1_462_227_128),
        (Array("823543".utf8), -2_014_198_330),
        (Array("2097152".utf8), 607_668_903),
        (Array("4782969".utf8), -1_182_699_775),
        (Array("10000000".utf8), -1_830_336_757),
        (Array("19487171".utf8), -1_603_849_305),
        (Array("35831808".utf8), -857_013_643),
        (Array("62748517".utf8), -1_167_431_028),
        (Array("105413504".utf8), -381_294_639),
        (Array("170859375".utf8), -1_658_323_481),
        (Array("100:48069".utf8), 1_009_543_857),
    ]

    // librdkafka's unittest_murmur2 (rdmurmur2.c): every tail length, aligned and not.
    static let librdkafkaMurmur2: [(key: String, hash: UInt32)] = [
        ("kafka", 0xd067_cf64), ("giberish123456789", 0x8f55_2b0c),
        ("1234", 0x9fc9_7b14), ("234", 0xe7c0_09ca), ("34", 0x8739_30da), ("4", 0x5a4b_5ca1),
        ("PreAmbleWillBeRemoved,ThePrePartThatIs", 0x7842_4f1c), ("reAmbleWillBeRemoved,ThePrePartThatIs", 0x4a62_b377),
        ("eAmbleWillBeRemoved,ThePrePartThatIs", 0xe0e4_e09e), ("AmbleWillBeRemoved,ThePrePartThatIs", 0x62b8_b43f),
        ("", 0x106e_08d9),
    ]

    @Test func murmur2MatchesTheJavaClient() {
        for (key, expected) in Self.javaMurmur2 {
            #expect(Int32(bitPattern: Murmur2.hash(ByteSlice(key))) == expected, "murmur2(\(key))")
        }
    }

    @Test func murmur2MatchesLibrdkafka() {
        for (key, expected) in Self.librdkafkaMurmur2 {
            #expect(Murmur2.hash(ByteSlice(key)) == expected, "murmur2(\"\(key)\")")
        }
    }

    @Test func javaPartitionIsToPositiveModuloCount() {
        // Partitions a Java producer chose, recorded with the hash above: toPositive clears the
        // sign bit; abs would give other partitions for negative hashes.
        #expect(Murmur2.partition(for: ByteSlice(""), partitionCount: 6) == 3)
        #expect(Murmur2.partition(for: ByteSlice("4"), partitionCount: 6) == 1)
        #expect(Murmur2.partition(for: ByteSlice("34"), partitionCount: 6) == 0)
        #expect(Murmur2.partition(for: ByteSlice("kafka"), partitionCount: 6) == 4)
        #expect(Murmur2.partition(for: ByteSlice("kafka"), partitionCount: 3) == 1)
        #expect(Murmur2.partition(for: ByteSlice("kafka"), partitionCount: 0) == nil)
        for (key, hash) in Self.javaMurmur2 {
            let expected = Int32((UInt32(bitPattern: hash) & 0x7fff_ffff) % 12)
            #expect(Murmur2.partition(for: ByteSlice(key), partitionCount: 12) == expected)
        }
    }

    @Test func murmur2PartitionerVectorsFromOtherClients() {
        // kafka-python's Murmur2Partitioner over 1000 partitions.
        let python: [([UInt8], Int32)] = [
            ([], 681), (Array("a".utf8), 524), (Array("ab".utf8), 434), (Array("abc".utf8), 107),
            (Array("123456789".utf8), 566), ([0, 32], 742),
        ]
        for (key, partition) in python {
            #expect(BuiltInPartitioner.murmur2.partition(topic: "t", key: ByteSlice(key), partitionCount: 1000,
                                                         availablePartitions: []) == partition)
        }
        // librdkafka's 0048-partitioner test, 17 partitions.
        let librdkafka: [(String, UInt32)] = [
            ("", 0x106e_08d9), ("23456", 0x058d_780f),
            ("this is another string with more length to it perhaps", 0x4f77_03da), ("hejsan", 0x5ec1_9395),
        ]
        for (key, hash) in librdkafka {
            let expected = Int32((hash & 0x7fff_ffff) % 17)
            #expect(BuiltInPartitioner.murmur2Random.partition(topic: "t", key: ByteSlice(key), partitionCount: 17,
                                                               availablePartitions: []) == expected)
        }
    }

    @Test func crc32ConsistentPartitionersMatchLibrdkafka() {
        #expect(PartitionerCRC32.checksum(ByteSlice("123456789")) == 0xcbf4_3926)
        #expect(PartitionerCRC32.checksum(ByteSlice()) == 0)
        // librdkafka's 0048-partitioner test: consistent_random over 17 partitions.
        let vectors: [(String, UInt32)] = [
            ("23456", 0xb1b4_51d7), ("this is another string with more length to it perhaps", 0xb015_0df7),
            ("hejsan", 0xd077_037e),
        ]
        for (key, crc) in vectors {
            #expect(PartitionerCRC32.checksum(ByteSlice(key)) == crc)
            for partitioner in [BuiltInPartitioner.consistent, .consistentRandom] {
                #expect(partitioner.partition(topic: "t", key: ByteSlice(key), partitionCount: 17,
                                              availablePartitions: []) == Int32(crc % 17))
            }
        }
    }

    @Test func fnv1aMatchesLibrdkafka() {
        let vectors: [(String, UInt32)] = [
            ("kafka", 0x0d33_c4e1), ("giberish123456789", 0x77a5_8295), ("1234", 0x023b_dd03), ("234", 0x2dea_3cd2),
            ("34", 0x740f_a83e), ("4", 0x310c_a263), ("PreAmbleWillBeRemoved,ThePrePartThatIs", 0x65cb_d69c),
            ("reAmbleWillBeRemoved,ThePrePartThatIs", 0x6e49_c79a), ("eAmbleWillBeRemoved,ThePrePartThatIs", 0x69ee_d356),
            ("AmbleWillBeRemoved,ThePrePartThatIs", 0x6abc_c023), ("", 0x7ee3_623b), ("23456", 0x27e6_f469),
            ("this is another string with more length to it perhaps", 0x155e_3e5f), ("hejsan", 0x17b1_e27a),
        ]
        for (key, hash) in vectors {
            #expect(FNV1a.librdkafkaHash(ByteSlice(key)) == hash, "fnv1a(\"\(key)\")")
        }
    }

    @Test func nullAndEmptyKeysFollowLibrdkafkasRules() {
        func choose(_ partitioner: BuiltInPartitioner, _ key: ByteSlice?) -> Int32? {
            partitioner.partition(topic: "t", key: key, partitionCount: 17, availablePartitions: [])
        }
        // No preference (sticky) for a null key in the *_random ones, and for an empty key too in consistent_random.
        #expect(choose(.consistentRandom, nil) == nil)
        #expect(choose(.consistentRandom, ByteSlice()) == nil)
        #expect(choose(.murmur2Random, nil) == nil)
        #expect(choose(.murmur2Random, ByteSlice()) == Int32(0x106e_08d9 % 17))
        #expect(choose(.fnv1aRandom, nil) == nil)
        #expect(choose(.random, ByteSlice("key")) == nil)
        // The consistent ones hash a null key as empty.
        #expect(choose(.consistent, nil) == 0)
        #expect(choose(.murmur2, nil) == Int32(0x106e_08d9 % 17))
        #expect(choose(.fnv1a, nil) == Int32(0x7ee3_623b % 17))
        #expect(BuiltInPartitioner(rawValue: "consistent_random") == .consistentRandom)
        #expect(BuiltInPartitioner.javaDefault == .murmur2Random)
    }
}

@Suite("Partition router")
struct PartitionRouterTests {
    @Test func explicitPartitionWinsAndIsChecked() {
        var router = PartitionRouter(random: ProducerRandom(seed: 1))
        var m = message("v", key: "kafka")
        m.partitioning = .explicit(5)
        var chosen = router.pick(m, count: 6, available: [0, 1])
        #expect(chosen == .success(5))
        m.partitioning = .explicit(6)
        chosen = router.pick(m, count: 6)
        #expect(chosen == .failure(.unknownPartition(topic: "t", partition: 6, partitionCount: 6)))
        m.partitioning = .explicit(-1)
        chosen = router.pick(m, count: 6)
        #expect(chosen.error != nil)
        chosen = router.pick(m, count: 0)
        #expect(chosen == .failure(.unknownTopic("t")))
    }

    @Test func partitionKeyOverridesTheKey() {
        var router = PartitionRouter(random: ProducerRandom(seed: 1))
        var m = message("v", key: "21")
        m.partitioning = .key(ByteSlice("kafka"))
        var chosen = router.pick(m, count: 6)
        #expect(chosen == .success(4))
        m.partitioning = .automatic
        chosen = router.pick(m, count: 6)
        #expect(chosen == Murmur2.partition(for: ByteSlice("21"), partitionCount: 6).map { .success($0) })
    }

    @Test func keylessMessagesStickUntilTheBatchIsFullOrSent() throws {
        var router = PartitionRouter(random: ProducerRandom(seed: 7))
        let available: [Int32] = [0, 1, 2, 3]
        let first = try router.pick(message("a"), count: 4, available: available).get()
        for _ in 0..<20 {
            let again = router.pick(message("b"), count: 4, available: available)
            #expect(again == .success(first))
        }
        // The batch is full (or was drained): the next keyless message moves to another partition, and stays there.
        let second = try router.pick(message("c"), count: 4, available: available, open: false).get()
        #expect(second != first && available.contains(second))
        let third = router.pick(message("d"), count: 4, available: available)
        #expect(third == .success(second))
        // Keyed messages are unaffected.
        let keyed = router.pick(message("e", key: "kafka"), count: 4, available: available, open: false)
        #expect(keyed == Murmur2.partition(for: ByteSlice("kafka"), partitionCount: 4).map { .success($0) })
    }

    @Test func stickyChoosesOnlyAvailablePartitions() throws {
        var router = PartitionRouter(random: ProducerRandom(seed: 3))
        for _ in 0..<50 {
            let p = try router.pick(message("x"), count: 10, available: [7, 9], open: false).get()
            #expect(p == 7 || p == 9)
        }
        router.resetSticky(topic: "t")
        let p = try router.pick(message("x"), count: 3, open: false).get()
        #expect((0..<3).contains(p))
    }

    @Test func consistentRandomHashesKeysAndSticksEmptyOnes() {
        var router = PartitionRouter(partitioner: BuiltInPartitioner.consistentRandom, random: ProducerRandom(seed: 9))
        let hashed = router.pick(message("x", key: "hejsan"), count: 17)
        #expect(hashed == .success(Int32(0xd077_037e % 17)))
        let a = router.pick(message("x", key: ""), count: 17)
        let b = router.pick(message("y"), count: 17)
        #expect(a == b)
    }

    @Test func customPartitioner() {
        struct Last: Partitioner {
            func partition(topic: String, key: ByteSlice?, partitionCount: Int32, availablePartitions: [Int32]) -> Int32? {
                key == nil ? nil : partitionCount - 1
            }
        }
        var router = PartitionRouter(partitioner: Last(), random: ProducerRandom(seed: 1))
        let chosen = router.pick(message("x", key: "k"), count: 8)
        #expect(chosen == .success(7))
    }

    @Test func seededRandomIsReproducible() {
        var a = ProducerRandom(seed: 42)
        var b = ProducerRandom(seed: 42)
        #expect((0..<8).map { _ in a.next() } == (0..<8).map { _ in b.next() })
    }
}

extension PartitionRouter {
    /// The partition for `message`; `open` answers every `hasOpenBatch` question.
    mutating func pick(_ message: ProducerMessage, count: Int32, available: [Int32] = [],
                       open: Bool = true) -> Result<Int32, KafkaProducerError> {
        partition(for: message, partitionCount: count, availablePartitions: available, hasOpenBatch: { _, _ in open })
    }
}

extension Result {
    var error: Failure? {
        if case let .failure(error) = self { return error }
        return nil
    }
}
