import Benchmark
import KafkaCompression
import KafkaWire

// One iteration = one v2 batch of 1,000 records, each a 16-byte key and a 100-byte value,
// no headers: roughly what a producer's 128 KiB batch.size holds. The values are small JSON
// documents (so lz4 sees realistic, not degenerate, input). records/s = 1,000 × the reported
// throughput; MB/s = uncompressed batch bytes × throughput (see README.md).
let recordCount = 1000
let valueSize = 100
let baseTimestamp: Int64 = 1_700_000_000_000

let keys: [ByteSlice] = (0..<recordCount).map { ByteSlice(fixedKey($0)) }
let values: [ByteSlice] = (0..<recordCount).map { index in
    // {"id":42,"user":"user-0042","amount":1302,"currency":"EUR","ts":1700000000042,"note":"..."}
    var text = "{\"id\":\(index),\"user\":\"user-\(index % 97)\",\"amount\":\(index &* 7919 % 100_000),"
    text += "\"currency\":\"EUR\",\"ts\":\(baseTimestamp + Int64(index)),\"note\":\""
    var bytes = Array(text.utf8)
    while bytes.count < valueSize - 2 { bytes.append(UInt8(ascii: "a") + UInt8(truncatingIfNeeded: (index &+ bytes.count) % 26)) }
    bytes += Array("\"}".utf8)
    return ByteSlice(Array(bytes.prefix(valueSize)))
}

let lz4 = RecordBatch.Attributes(compression: .lz4)
let provider = KafkaCompressionProvider()

func encodeBatch(_ attributes: RecordBatch.Attributes = RecordBatch.Attributes()) throws -> [UInt8] {
    var encoder = try RecordBatchEncoder(attributes: attributes, producerID: 1, producerEpoch: 0, baseSequence: 0,
                                         compressionProvider: provider, capacity: 160 * 1024)
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
    // encode: RecordBatchEncoder, 1,000 appends + finish (compression and CRC-32C included).
    // decode: RecordBatch(decoding:) of that batch (CRC-32C verified, decompressed).
    // decode-flat: RecordSet(decoding:), then every FetchedRecord visited: the consumer's path.
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

    Benchmark("encode-1000x100B-lz4") { benchmark in
        for _ in benchmark.scaledIterations {
            blackHole(try encodeBatch(lz4))
        }
    }

    Benchmark("decode-1000x100B-lz4") { benchmark, bytes in
        let options = RecordDecodingOptions(compressionProvider: provider)
        for _ in benchmark.scaledIterations {
            blackHole(try RecordBatch(decoding: bytes, options: options))
        }
    } setup: {
        ByteSlice(try encodeBatch(lz4))
    }

    Benchmark("crc32c-1MiB") { benchmark, bytes in
        for _ in benchmark.scaledIterations {
            blackHole(CRC32C.checksum(of: bytes))
        }
    } setup: {
        (0..<(1 << 20)).map { UInt8(truncatingIfNeeded: $0 &* 7) }
    }
}
