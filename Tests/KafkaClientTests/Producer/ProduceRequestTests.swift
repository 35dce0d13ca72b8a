@testable import KafkaClient
import KafkaTransport
import KafkaWire
import Testing

/// Stands in for the v2 record batch encoder: writes what it was given, so tests can read it back.
struct StubBatchEncoder: ProducerBatchEncoder {
    struct Failure: Error {}
    var failOn: String? = nil

    func encode(_ batch: ProducerBatch, compression: ProducerCompression) throws -> ByteSlice {
        if batch.topicPartition.topic == failOn { throw Failure() }
        let sequence = batch.sequence
        var text = "\(compression.codec)/\(compression.level.map(String.init) ?? "-")"
        text += "|pid=\(sequence?.producerIDAndEpoch.producerID ?? -1),epoch=\(sequence?.producerIDAndEpoch.epoch ?? -1)"
        text += ",seq=\(sequence?.baseSequence ?? -1)|"
        text += batch.records.map { String(decoding: $0.value ?? ByteSlice(), as: UTF8.self) }.joined(separator: ",")
        return ByteSlice(text)
    }
}

@Suite("Produce request")
struct ProduceRequestTests {
    @Test func groupsBatchesByTopicWithAcksTimeoutAndCompression() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero }
        _ = accumulator.add(message("a"), partition: 1)
        _ = accumulator.add(message("b", topic: "logs"), partition: 0)
        _ = accumulator.add(message("c"), partition: 0)
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        let builder = ProduceRequestBuilder(acks: .all, timeout: .seconds(30), compression: ProducerCompression(.lz4),
                                            topicCompression: ["logs": ProducerCompression(.zstd, level: 3)],
                                            encoder: StubBatchEncoder())
        let request = try builder.makeRequest(for: plan)
        #expect(request.acks == -1)
        #expect(request.timeoutMs == 30_000)
        #expect(request.transactionalID == nil)
        #expect(request.topicData.map(\.name) == ["t", "logs"])
        #expect(request.topicData[0].partitionData.map(\.index) == [1, 0])
        let records = request.topicData.flatMap { $0.partitionData.map { String(decoding: $0.records ?? ByteSlice(), as: UTF8.self) } }
        #expect(records == ["lz4/-|pid=42,epoch=0,seq=0|a", "lz4/-|pid=42,epoch=0,seq=0|c", "zstd/3|pid=42,epoch=0,seq=0|b"])
        // zstd needs v7 (KIP-110); v3 is the first with record batches.
        #expect(builder.minimumVersion(for: plan) == 7)
        var plain = builder
        plain.topicCompression = [:]
        #expect(plain.minimumVersion(for: plan) == 3)
        // The request encodes and decodes back at every version that can carry it.
        for version in ProduceRequestBuilder.supportedVersions {
            let bytes = try request.encoded(version: version)
            var reader = ByteReader(ByteSlice(bytes))
            #expect(try ProduceRequest(from: &reader, version: version) == request)
        }
    }

    @Test func acksAndTimeouts() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero; $0.acks = .none })
        _ = accumulator.add(message("a"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        for acks in Acks.allCases {
            let request = try ProduceRequestBuilder(acks: acks, timeout: .milliseconds(1_500), encoder: StubBatchEncoder())
                .makeRequest(for: plan)
            #expect(request.acks == acks.rawValue)
            #expect(request.timeoutMs == 1_500)
        }
        let withoutIdempotence = try ProduceRequestBuilder(acks: .leader, timeout: .seconds(1), encoder: StubBatchEncoder()).makeRequest(for: plan)
        #expect(String(decoding: withoutIdempotence.topicData[0].partitionData[0].records ?? ByteSlice(), as: UTF8.self)
            == "none/-|pid=-1,epoch=-1,seq=-1|a")
        let transactional = try ProduceRequestBuilder(acks: .all, timeout: .seconds(1), transactionalID: "tx", encoder: StubBatchEncoder())
            .makeRequest(for: plan)
        #expect(transactional.transactionalID == "tx")
        #expect(Acks.all.description == "all" && Acks.leader.description == "1")
        #expect(ProduceRequestBuilder.milliseconds(.seconds(1_000_000_000)) == Int32.max)
        #expect(ProduceRequestBuilder.milliseconds(.microseconds(2_500)) == 2)
        #expect(ProduceRequestBuilder.milliseconds(.seconds(-3)) == 0)
    }

    @Test func anEncodingFailureFailsThePlan() throws {
        var accumulator = RecordAccumulator(configuration: plainConfiguration { $0.linger = .zero })
        _ = accumulator.add(message("a", topic: "bad"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        let builder = ProduceRequestBuilder(acks: .all, timeout: .seconds(1), encoder: StubBatchEncoder(failOn: "bad"))
        var caught: KafkaProducerError?
        do { _ = try builder.makeRequest(for: plan) } catch { caught = error }
        let error = try #require(caught)
        guard case .encodingFailed = error else { Issue.record("expected encodingFailed, got \(error)"); return }
        let actions = accumulator.requestFailed(plan, error: error, now: t0)
        #expect(actions.reports.count == 1 && actions.reports[0].error == error)
    }

    @Test func aDecodedResponseMapsBackToReports() throws {
        var accumulator = RecordAccumulator.idempotent { $0.linger = .zero }
        _ = accumulator.add(message("a", label: "x"))
        _ = accumulator.add(message("b", topic: "u"))
        let plan = try accumulator.mustDrain(broker: 1, now: t0, leaderOf: leaderOne)
        // As the broker would send it, through the codec at v11.
        var wire = response(for: plan) { batch in batch.topicPartition.topic == "t" ? result(baseOffset: 41) : result(.notLeaderOrFollower) }
        wire.throttleTimeMs = 5
        var reader = ByteReader(ByteSlice(try wire.encoded(version: 11)))
        let decoded = try ProduceResponse(from: &reader, version: 11)
        let actions = accumulator.produceResponseReceived(decoded, for: plan, now: t0)
        #expect(actions.reports.map(\.offset) == [41])
        #expect(actions.reports[0].label as? String == "x")
        #expect(actions.retries.map(\.topicPartition) == [TopicPartition("u", 0)])
        #expect(actions.refreshMetadata == ["u"])
    }
}

@Suite("Every message gets exactly one report")
struct ExactlyOnceReportTests {
    /// A random script: appends to a few partitions and brokers, drains, answers with every kind
    /// of outcome, expires, flushes; then closes and answers everything with success. Every ID
    /// handed out must come back in exactly one report, and the buffer must end empty.
    @Test(arguments: [false, true], [UInt64(1), 2, 3, 4, 5, 6, 7, 8])
    func randomScripts(idempotent: Bool, seed: UInt64) throws {
        var random = ProducerRandom(seed: seed)
        var configuration = AccumulatorConfiguration()
        configuration.idempotence = idempotent
        configuration.linger = .milliseconds(5)
        configuration.batchMaxMessages = 4
        configuration.bufferMaxMessages = 40
        configuration.deliveryTimeout = .milliseconds(400)
        configuration.retries = 5
        configuration.retryBackoff = .milliseconds(2)
        configuration.retryBackoffMax = .milliseconds(8)
        var accumulator = idempotent ? RecordAccumulator.idempotent { $0 = configuration } : RecordAccumulator(configuration: configuration)
        var accepted: Set<ProducerMessageID> = []
        var reported: [ProducerMessageID: Int] = [:]
        var outstanding: [ProduceRequestPlan] = []
        let leaders: (TopicPartition) -> Int32? = { tp in tp.partition % 2 == 0 ? 1 : 2 }
        let codes: [ErrorCode] = [.none, .none, .none, .notLeaderOrFollower, .requestTimedOut, .outOfOrderSequenceNumber,
                                  .duplicateSequenceNumber, .messageTooLarge, .unknownProducerId, .invalidRecord, .corruptMessage]

        func record(_ actions: ProducerActions) {
            for report in actions.reports { reported[report.messageID, default: 0] += 1 }
        }
        func answer(_ plan: ProduceRequestPlan, now: ContinuousClock.Instant) {
            let code = codes[Int.random(in: 0..<codes.count, using: &random)]
            if code == .corruptMessage {
                record(accumulator.requestFailed(plan, error: .transport(.shutDown), now: now))
            } else {
                record(accumulator.produceResponseReceived(response(for: plan) { _ in
                    result(code, baseOffset: code == .none ? Int64.random(in: 0..<1_000, using: &random) : -1,
                           logStartOffset: Int64.random(in: -1..<3, using: &random))
                }, for: plan, now: now))
            }
        }

        var time = 0
        for _ in 0..<400 {
            time += Int.random(in: 0..<4, using: &random)
            let now = at(time)
            switch Int.random(in: 0..<10, using: &random) {
            case 0..<4:
                let partition = Int32.random(in: 0..<4, using: &random)
                if case let .appended(id, _) = accumulator.append(message("v\(time)"), partition: partition, now: now,
                                                                  currentTimeMs: Int64(time)) {
                    #expect(accepted.insert(id).inserted)
                }
            case 4..<6:
                for broker in accumulator.ready(now: now, leaderOf: leaders).readyBrokers.sorted() {
                    if let plan = accumulator.drain(broker: broker, now: now, leaderOf: leaders) { outstanding.append(plan) }
                }
            case 6..<8:
                if !outstanding.isEmpty {
                    answer(outstanding.removeFirst(), now: now)
                }
            case 8:
                record(accumulator.expireBatches(now: now))
            default:
                record(accumulator.beginFlush().actions)
            }
        }
        record(accumulator.close())
        // Let everything out: answer with success until nothing is left.
        var rounds = 0
        while !accumulator.isEmpty && rounds < 10_000 {
            rounds += 1
            time += 10
            let now = at(time)
            for plan in outstanding {
                record(accumulator.produceResponseReceived(response(for: plan) { _ in result(baseOffset: 0) }, for: plan, now: now))
            }
            outstanding.removeAll()
            record(accumulator.expireBatches(now: now))
            for broker in accumulator.ready(now: now, leaderOf: leaders).readyBrokers.sorted() {
                while let plan = accumulator.drain(broker: broker, now: now, leaderOf: leaders) { outstanding.append(plan) }
            }
        }
        #expect(accumulator.isEmpty)
        #expect(accumulator.isClosed || accumulator.fatalError != nil)
        #expect(accumulator.bufferedBytes == 0)
        #expect(Set(reported.keys) == accepted)
        #expect(reported.values.allSatisfy { $0 == 1 })
        #expect(accepted.count > 50)
    }
}
