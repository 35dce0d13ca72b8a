import Foundation
import KafkaClient
import KafkaCompression
import KafkaTransport
import KafkaWire
import Testing

// The consumer's fetch-response path (decode, FetchResponseHandler, buffers, positions) fed with
// bytes real peers wrote (Fixtures/), served by an in-memory broker that behaves like Kafka's: it
// answers from the batch holding the fetch offset, and cuts the answer at the partition's byte limit,
// leaving a partial batch at the end. Neither test broker accepts legacy produce requests or filters
// aborted transactions, which is why these formats are tested here.

/// One partition's log for the fake broker.
struct FakeLog: Sendable {
    struct Entry: Sendable {
        var first: Int64
        var last: Int64
        var bytes: [UInt8]
    }

    var entries: [Entry] = []
    var aborted: [FetchResponse.AbortedTransaction]? = []

    var highWatermark: Int64 { (entries.last?.last ?? -1) + 1 }

    /// What a broker sends from `offset`: entries from the one holding it, the first whole (KIP-74),
    /// then as much as `maxBytes` allows, the last possibly cut short.
    func read(from offset: Int64, maxBytes: Int) -> [UInt8] {
        var out: [UInt8] = []
        for entry in entries where entry.last >= offset {
            if out.isEmpty || out.count + entry.bytes.count <= maxBytes {
                out += entry.bytes
            } else {
                out += entry.bytes.prefix(max(0, maxBytes - out.count))
                break
            }
        }
        return out
    }

    /// Appends the entries of `records` (a RECORDS field), renumbered from the log's end as a broker
    /// would assign offsets: v2 batches get a new base offset; legacy entries their outer offset (the
    /// last inner offset for a compressed wrapper).
    mutating func append(records: [UInt8]) throws {
        var reader = RecordBatchReader(records, options: RecordDecodingOptions(compressionProvider: KafkaCompressionProvider()))
        var start = 0
        while let entry = try reader.next() {
            var bytes = Array(records[start..<reader.offset])
            start = reader.offset
            let next = highWatermark
            let count: Int64
            switch entry {
            case let .batch(batch): count = Int64(batch.lastOffsetDelta) + 1
            case let .legacy(messages): count = Int64(messages.count)
            }
            let outer: Int64
            if case .batch = entry { outer = next } else { outer = next + count - 1 }
            withUnsafeBytes(of: outer.bigEndian) { for (i, byte) in $0.enumerated() { bytes[i] = byte } }
            entries.append(Entry(first: next, last: next + count - 1, bytes: bytes))
        }
    }
}

/// Fixture frames, read from the repository's Fixtures/ folder.
enum ConsumerFixtures {
    static let directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// The RECORDS field of the (single-partition) produce request in `file`.
    static func produceRecords(_ file: String, version: Int16, headerVersion: Int16) throws -> [UInt8] {
        let bytes = Array(try Data(contentsOf: directory.appendingPathComponent(file)))
        var reader = ByteReader(bytes)
        _ = try RequestHeader(from: &reader, headerVersion: headerVersion)
        let request = try ProduceRequest(decoding: reader.readRemaining(), version: version)
        let records = try #require(request.topicData.first?.partitionData.first?.records)
        return records.withUnsafeBytes { Array($0) }
    }

    /// What the records layer reads from `records`: (offset, key, value) of every record.
    static func expected(_ log: FakeLog) throws -> [(Int64, String?, String?)] {
        var result: [(Int64, String?, String?)] = []
        for entry in log.entries {
            let set = try RecordSet(decoding: entry.bytes, options: RecordDecodingOptions(compressionProvider: KafkaCompressionProvider()))
            for record in set.fetchedRecords where !record.batch.isControl {
                result.append((record.offset, text(record.key), text(record.value)))
            }
        }
        return result
    }

    static func text(_ slice: ByteSlice?) -> String? {
        slice.map { String(decoding: $0.withUnsafeBytes { Array($0) }, as: UTF8.self) }
    }
}

/// A consumer over a fake broker serving `logs`.
struct FakeBrokerConsumer {
    let fake: FakeCluster
    let consumer: KafkaConsumer
    let cluster: ClusterClient

    init(logs: [TopicPartition: FakeLog], _ configure: (inout KafkaConsumerConfiguration) -> Void = { _ in }) throws {
        let address = BrokerAddress(host: "127.0.0.1", port: 9001)
        var topics: [String: [FakeCluster.Partition]] = [:]
        for (tp, log) in logs.sorted(by: { $0.key < $1.key }) {
            var partitions = topics[tp.topic] ?? []
            while partitions.count <= Int(tp.partition) { partitions.append(FakeCluster.Partition(leader: 1, replicas: [1])) }
            partitions[Int(tp.partition)].endOffset = log.highWatermark
            topics[tp.topic] = partitions
        }
        var versions = FakeCluster.defaultVersions
        // Up to v12: topics by name (the fake's topic ids are made up).
        versions[.fetch] = 4...12
        var model = FakeCluster.Model(brokers: [FakeCluster.Broker(id: 1, address: address)], topics: topics, versions: versions)
        model.fetch = { request, _, _ in
            FetchResponse(responses: request.topics.map { topic in
                .init(topic: topic.topic, partitions: topic.partitions.map { asked in
                    let tp = TopicPartition(topic.topic, asked.partition)
                    guard let log = logs[tp] else { return .init(partitionIndex: asked.partition, errorCode: .unknownTopicOrPartition) }
                    let bytes = log.read(from: asked.fetchOffset, maxBytes: Int(asked.partitionMaxBytes))
                    let aborted = request.isolationLevel == 1 ? log.aborted : nil
                    return .init(partitionIndex: asked.partition, highWatermark: log.highWatermark,
                                 lastStableOffset: log.highWatermark, logStartOffset: 0, abortedTransactions: aborted,
                                 records: ByteSlice(bytes))
                })
            })
        }
        fake = FakeCluster(model)
        var configuration = KafkaConsumerConfiguration(bootstrapServers: [address])
        configuration.checkCRCs = true
        configuration.fetchMaxWait = .milliseconds(10)
        configure(&configuration)
        cluster = try ClusterClient(configuration: configuration.client, connector: fake)
        consumer = try KafkaConsumer(configuration: configuration, cluster: cluster)
    }

    /// Assigns `positions`, reads `count` messages (or until 10 s pass), closes.
    func read(_ positions: [TopicPartition: StartPosition], count: Int) async throws -> [KafkaConsumerMessage] {
        try consumer.assign(positions)
        let consumer = self.consumer
        let messages = try await withThrowingTaskGroup(of: [KafkaConsumerMessage]?.self) { group in
            group.addTask { try await consumer.run(); return nil }
            group.addTask {
                var messages: [KafkaConsumerMessage] = []
                if count > 0 {
                    for try await message in consumer.messages {
                        messages.append(message)
                        if messages.count >= count { break }
                    }
                }
                return messages
            }
            group.addTask {
                try await Task.sleep(for: .seconds(10))
                return []
            }
            var result: [KafkaConsumerMessage] = []
            while let next = try await group.next() {
                if let next {
                    result = next
                    break
                }
            }
            await consumer.close()
            group.cancelAll()
            return result
        }
        await cluster.shutdown()
        return messages
    }
}

@Suite("Consumer fetch path with captured bytes")
struct ConsumerFetchPathTests {
    /// kafka-python 3.0 with api_version 0.9 (magic 0) and 0.10 (magic 1), every codec it has.
    static let legacy: [(file: String, version: Int16, label: String)] = [
        ("kafka-python-tansu/061-Produce-v1-request.bin", 1, "magic 0, none"),
        ("kafka-python-tansu/062-Produce-v1-request.bin", 1, "magic 0, gzip"),
        ("kafka-python-tansu/063-Produce-v1-request.bin", 1, "magic 0, snappy"),
        ("kafka-python-tansu/064-Produce-v1-request.bin", 1, "magic 0, lz4"),
        ("kafka-python-tansu/067-Produce-v2-request.bin", 2, "magic 1, none"),
        ("kafka-python-tansu/068-Produce-v2-request.bin", 2, "magic 1, gzip"),
        ("kafka-python-tansu/069-Produce-v2-request.bin", 2, "magic 1, snappy"),
        ("kafka-python-tansu/070-Produce-v2-request.bin", 2, "magic 1, lz4"),
    ]

    @Test("legacy message sets (magic 0 and 1, every codec) reach the application like the records layer reads them")
    func legacyFormats() async throws {
        var logs: [TopicPartition: FakeLog] = [:]
        for (index, fixture) in Self.legacy.enumerated() {
            var log = FakeLog()
            try log.append(records: ConsumerFixtures.produceRecords(fixture.file, version: fixture.version, headerVersion: 1))
            logs[TopicPartition("legacy", Int32(index))] = log
        }
        let expected = try logs.mapValues(ConsumerFixtures.expected)
        let total = expected.values.map(\.count).reduce(0, +)
        let harness = try FakeBrokerConsumer(logs: logs)
        let messages = try await harness.read(Dictionary(uniqueKeysWithValues: logs.keys.map { ($0, .earliest) }), count: total)
        #expect(messages.count == total)
        for (index, fixture) in Self.legacy.enumerated() {
            let tp = TopicPartition("legacy", Int32(index))
            let got = messages.filter { $0.topicPartition == tp }.map { ($0.offset, ConsumerFixtures.text($0.key), ConsumerFixtures.text($0.value)) }
            let want = expected[tp] ?? []
            #expect(!want.isEmpty && got.map(\.0) == want.map(\.0) && got.map(\.1) == want.map(\.1) && got.map(\.2) == want.map(\.2),
                    "\(fixture.label): got \(got.count) of \(want.count) records")
            #expect(messages.first { $0.topicPartition == tp }.map { $0.timestampType == (index < 4 ? nil : .createTime) } == true,
                    "\(fixture.label): timestamp type")
        }
    }

    @Test("one partition mixing magic 0, magic 1 and v2 batches, read across partial tails")
    func mixedFormatsAndPartialTails() async throws {
        var log = FakeLog()
        for _ in 0..<3 {
            try log.append(records: ConsumerFixtures.produceRecords(Self.legacy[0].file, version: 1, headerVersion: 1))
            try log.append(records: ConsumerFixtures.produceRecords(Self.legacy[5].file, version: 2, headerVersion: 1))
            for kcat in ["kcat-tansu/006-Produce-v10-request.bin", "kcat-tansu/011-Produce-v10-request.bin"] {
                try log.append(records: ConsumerFixtures.produceRecords(kcat, version: 10, headerVersion: 2))
            }
        }
        let tp = TopicPartition("mixed", 0)
        let expected = try ConsumerFixtures.expected(log)
        let largest = log.entries.map(\.bytes.count).max() ?? 0
        // Room for a little more than one entry: nearly every answer ends in a partial entry.
        let harness = try FakeBrokerConsumer(logs: [tp: log]) { $0.maxPartitionFetchBytes = largest + 40 }
        let messages = try await harness.read([tp: .offset(0)], count: expected.count)
        #expect(messages.map(\.offset) == expected.map(\.0), "offsets")
        #expect(messages.map { ConsumerFixtures.text($0.value) } == expected.map(\.2), "values")
        let fetches = harness.fake.requests(.fetch).count
        #expect(fetches >= log.entries.count / 2, "\(fetches) fetches for \(log.entries.count) entries")
    }

    @Test("read_committed drops an aborted transaction (real transactional batches) and never delivers markers")
    func readCommittedSkipsAbortedTransactions() async throws {
        let committed = try ConsumerFixtures.produceRecords("confluent-kafka-tansu/011-Produce-v10-request.bin", version: 10, headerVersion: 2)
        let aborted = try ConsumerFixtures.produceRecords("confluent-kafka-tansu/012-Produce-v10-request.bin", version: 10, headerVersion: 2)
        let plain = try ConsumerFixtures.produceRecords("kcat-tansu/006-Produce-v10-request.bin", version: 10, headerVersion: 2)
        let transactional = try RecordBatch(decoding: aborted)
        #expect(transactional.attributes.isTransactional && transactional.producerID >= 0)
        func marker(_ type: ControlRecordType) throws -> [UInt8] {
            try RecordBatch(attributes: .init(isTransactional: true, isControl: true), producerID: transactional.producerID,
                            producerEpoch: transactional.producerEpoch, records: [
                                Record(offsetDelta: 0, key: ByteSlice(type.encodedKey),
                                       value: ByteSlice(EndTxnMarker(coordinatorEpoch: 0).encoded)),
                            ]).encoded()
        }
        var log = FakeLog()
        try log.append(records: committed)          // 0-1, committed transaction
        try log.append(records: marker(.commit))     // 2
        try log.append(records: aborted)             // 3, aborted
        try log.append(records: marker(.abort))      // 4
        try log.append(records: plain)               // 5-7, no transaction
        log.aborted = [FetchResponse.AbortedTransaction(producerID: transactional.producerID, firstOffset: 3)]
        let tp = TopicPartition("txn", 0)

        let committedReader = try FakeBrokerConsumer(logs: [tp: log]) { $0.isolationLevel = .readCommitted }
        let readCommitted = try await committedReader.read([tp: .offset(0)], count: 5)
        #expect(readCommitted.map(\.offset) == [0, 1, 5, 6, 7])
        #expect(readCommitted.prefix(2).map { ConsumerFixtures.text($0.value) } == ["committed-0", "committed-1"])

        let uncommittedReader = try FakeBrokerConsumer(logs: [tp: log])
        let readUncommitted = try await uncommittedReader.read([tp: .offset(0)], count: 6)
        #expect(readUncommitted.map(\.offset) == [0, 1, 3, 5, 6, 7])
        #expect(ConsumerFixtures.text(readUncommitted[2].value) == "aborted")

        // Starting inside the aborted transaction (after its first offset) still skips it.
        let lateReader = try FakeBrokerConsumer(logs: [tp: log]) { $0.isolationLevel = .readCommitted }
        #expect(try await lateReader.read([tp: .offset(3)], count: 3).map(\.offset) == [5, 6, 7])
    }

    @Test("a slow reader holds the buffer bound: no fetch for a partition whose buffer is full")
    func bufferBound() async throws {
        var log = FakeLog()
        let plain = try ConsumerFixtures.produceRecords("kcat-tansu/006-Produce-v10-request.bin", version: 10, headerVersion: 2)
        for _ in 0..<2000 { try log.append(records: plain) }
        let tp = TopicPartition("big", 0)
        let harness = try FakeBrokerConsumer(logs: [tp: log]) { configuration in
            configuration.queuedMaxMessagesKBytes = 4
            configuration.maxPartitionFetchBytes = 1024
        }
        let consumer = harness.consumer
        try consumer.assign([tp: .offset(0)])
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { try await consumer.run() }
            var iterator = consumer.messages.makeAsyncIterator()
            var read = 0
            for _ in 0..<50 {
                _ = try await iterator.next()
                read += 1
                try await Task.sleep(for: .milliseconds(2))
                // Fetched bytes never exceed the bound plus one answer (1 KiB and a batch).
                #expect(consumer.bufferedBytes <= 4096 + 1024 + 200)
            }
            #expect(consumer.maxBufferedBytesSeen <= 4096 + 1024 + 200, "max buffered \(consumer.maxBufferedBytesSeen)")
            #expect(harness.fake.requests(.fetch).count < 40, "fetches stop while the buffer is full")
            await consumer.close()
            group.cancelAll()
        }
        await harness.cluster.shutdown()
    }
}
