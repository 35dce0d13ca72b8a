// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so the main build never resolves or compiles the
// benchmark framework. Run from this directory; see README.md.

/// Which of Swafka's clients swafka-bench measures: each flag compiles its measured loop
/// (`SWAFKA_PRODUCER`, `SWAFKA_CONSUMER`) against the main package's `KafkaClient` product. A client
/// switched off prints a "not available" record and the peer comparison table shows n/a for it.
let swafkaProducerAvailable = true
let swafkaConsumerAvailable = true
let swafkaClientAvailable = swafkaProducerAvailable || swafkaConsumerAvailable
/// The framework's overhead run (`swafka-bench framework`, `SWAFKA_FRAMEWORK`): the Swafka server
/// against the raw consumer.
let swafkaFrameworkAvailable = swafkaConsumerAvailable

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
            dependencies: swafkaClientAvailable
                ? [.product(name: "KafkaClient", package: "Swafka"), .product(name: "KafkaWire", package: "Swafka"),
                   .product(name: "Logging", package: "swift-log")]
                    + (swafkaFrameworkAvailable ? [.product(name: "Swafka", package: "Swafka")] : [])
                : [],
            path: "Sources/swafka-bench",
            swiftSettings: strictSettings
                + (swafkaProducerAvailable ? [.define("SWAFKA_PRODUCER")] : [])
                + (swafkaConsumerAvailable ? [.define("SWAFKA_CONSUMER")] : [])
                + (swafkaFrameworkAvailable ? [.define("SWAFKA_FRAMEWORK")] : [])
        ),
    ]
)
