import Benchmark
import KafkaWire

// One iteration = one v2 batch of 1,000 records, each a 16-byte key and a 100-byte value,
// no headers: roughly what a producer's 128 KiB batch.size holds. records/s = 1,000 × the
// reported throughput; MB/s = batch bytes × throughput (see README.md).
let recordCount = 1000
let valueSize = 100
let baseTimestamp: Int64 = 1_700_000_000_000

let keys: [ByteSlice] = (0..<recordCount).map { ByteSlice(fixedKey($0)) }
let values: [ByteSlice] = (0..<recordCount).map { index in
    ByteSlice((0..<valueSize).map { UInt8(truncatingIfNeeded: index &* 31 &+ $0) })
}

func encodeBatch() throws -> [UInt8] {
    var encoder = try RecordBatchEncoder(producerID: 1, producerEpoch: 0, baseSequence: 0, capacity: 160 * 1024)
    for index in 0..<recordCount {
        try encoder.append(timestamp: baseTimestamp + Int64(index), key: keys[index], value: values[index])
    }
    return try encoder.finish()
}

/// `key-000000000042`: a fixed 16-byte key.
func fixedKey(_ value: Int) -> String {
    let digits = String(value)
    return "key-" + String(repeating: "0", count: Swift.max(0, 12 - digits.count)) + digits
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 100_000
    )

    // Names are ASCII without spaces: they become file names under Thresholds/.
    // encode: RecordBatchEncoder, 1,000 appends + finish (CRC-32C included).
    // decode: RecordBatch(decoding:) of that batch (CRC-32C verified).
    // decode-flat: RecordSet(decoding:), then every FetchedRecord visited: the consumer's path.
    // TODO(lz4): add "encode/decode-1000x100B-lz4" once KafkaCompression lands, passing its provider
    // (RecordBatchEncoder(attributes: .init(compression: .lz4), compressionProvider: ...)).

    Benchmark("encode-1000x100B-none") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try encodeBatch())
        }
    }

    Benchmark("decode-1000x100B-none") { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            blackHole(try RecordBatch(decoding: bytes))
        }
    } setup: {
        ByteSlice(try encodeBatch())
    }

    Benchmark("decode-flat-1000x100B-none") { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            var touched = 0
            for record in try RecordSet(decoding: bytes).fetchedRecords {
                touched &+= Int(record.offset) &+ (record.value?.count ?? 0)
            }
            blackHole(touched)
        }
    } setup: {
        ByteSlice(try encodeBatch())
    }

    Benchmark("crc32c-1MiB") { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            blackHole(CRC32C.checksum(of: bytes))
        }
    } setup: {
        (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    }
}
