// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so the main build never resolves or compiles the
// benchmark framework. Run from this directory; see README.md.

/// Flip to true once the main package exports a `KafkaClient` library product holding `KafkaProducer`
/// and `KafkaConsumer` (issues 4 and 5): swafka-bench then links it and compiles its measured loops
/// (`SWAFKA_CLIENT`). Until then it prints a "not available yet" record and the peer comparison
/// table shows n/a for Swafka.
let swafkaClientAvailable = false

/// The consumer side alone (issue 5): `KafkaConsumer` is in the `KafkaClient` product, so
/// swafka-bench compiles its consume loop (`SWAFKA_CONSUMER`, Sources/swafka-bench/SwafkaRun+Consumer.swift).
let swafkaConsumerAvailable = true
let linksKafkaClient = swafkaClientAvailable || swafkaConsumerAvailable

let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "SwafkaBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Swafka", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
    ],
    targets: [
        .executableTarget(
            name: "RecordBatchBenchmarks",
            dependencies: [
                .product(name: "KafkaWire", package: "Swafka"),
                .product(name: "KafkaCompression", package: "Swafka"),
                .product(name: "Benchmark", package: "benchmark"),
            ],
            path: "Benchmarks/RecordBatchBenchmarks",
            swiftSettings: strictSettings,
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),

        // Swafka's side of the producer/consumer comparison with librdkafka (peer/rdkafka_bench.c):
        // the same command line, the same JSON line. Run through ../run-peer-comparison.sh.
        .executableTarget(
            name: "swafka-bench",
            dependencies: linksKafkaClient
                ? [.product(name: "KafkaClient", package: "Swafka"), .product(name: "KafkaWire", package: "Swafka"),
                   .product(name: "Logging", package: "swift-log")]
                : [],
            path: "Sources/swafka-bench",
            swiftSettings: strictSettings + (swafkaClientAvailable ? [.define("SWAFKA_CLIENT")] : [])
                + (swafkaConsumerAvailable ? [.define("SWAFKA_CONSUMER")] : [])
        ),
    ]
)
