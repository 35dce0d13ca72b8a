// swift-tools-version:6.1
import PackageDescription

// Benchmarks live in their own package so the main build never resolves or compiles the
// benchmark framework. Run from this directory; see README.md.
let package = Package(
    name: "SwafkaBenchmarks",
    platforms: [.macOS(.v13)],
    dependencies: [
        .package(name: "Swafka", path: ".."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.0", traits: ["MallocInterposer"]),
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
            swiftSettings: [
                .enableUpcomingFeature("ExistentialAny"),
                .enableUpcomingFeature("MemberImportVisibility"),
            ],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        ),
    ]
)
