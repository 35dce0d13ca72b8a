// swift-tools-version:6.1
import PackageDescription

// One list for every target: Swift 6 mode comes from the tools version; these add the rest.
let strictSettings: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "Swafka",
    products: [
        .library(name: "KafkaWire", targets: ["KafkaWire"]),
        .library(name: "KafkaCompression", targets: ["KafkaCompression"]),
        .library(name: "KafkaTransport", targets: ["KafkaTransport"]),
        .library(name: "KafkaClient", targets: ["KafkaClient"]),
        .executable(name: "swafka-wire", targets: ["swafka-wire"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // 1.16: tests implement LogHandler.log(event:), which replaced the (now deprecated) per-argument form.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        // KafkaConsumer (and later KafkaProducer) are Services a ServiceGroup can run and shut down.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // Wire codecs: primitives, messages, record formats. No I/O, no dependencies.
        .target(name: "KafkaWire", swiftSettings: strictSettings),

        // System compression libraries, each behind a tiny module map.
        .systemLibrary(name: "CZlib", path: "Sources/CShims/CZlib", pkgConfig: "zlib",
                       providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLZ4", path: "Sources/CShims/CLZ4", pkgConfig: "liblz4",
                       providers: [.apt(["liblz4-dev"])]),
        .systemLibrary(name: "CSnappy", path: "Sources/CShims/CSnappy",
                       providers: [.apt(["libsnappy-dev"])]),
        .systemLibrary(name: "CZstd", path: "Sources/CShims/CZstd", pkgConfig: "libzstd",
                       providers: [.apt(["libzstd-dev"])]),
        .target(name: "KafkaCompression", dependencies: ["KafkaWire", "CZlib", "CLZ4", "CSnappy", "CZstd"],
                swiftSettings: strictSettings),

        // POSIX sockets, framing, one epoll loop thread, broker connections. No SwiftNIO.
        .systemLibrary(name: "CTransport", path: "Sources/CShims/CTransport"),
        .target(name: "KafkaTransport", dependencies: ["KafkaWire", "CTransport"], swiftSettings: strictSettings),

        // Cluster client, producer, consumer and groups: policy over the transport.
        .target(name: "KafkaClient", dependencies: ["KafkaTransport", "KafkaWire", "KafkaCompression", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")], swiftSettings: strictSettings),

        // JSON forms of every message, for swafka-wire and swafkacat --decode.
        .target(name: "KafkaWireJSON", dependencies: ["KafkaWire", "KafkaCompression"], swiftSettings: strictSettings),

        .executableTarget(name: "swafka-wire",
                          dependencies: ["KafkaWire", "KafkaWireJSON", "KafkaCompression",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: strictSettings),

        // Fixtures/ at the top of the repository links here: wire bytes captured from real peers.
        .testTarget(name: "KafkaWireTests", dependencies: ["KafkaWire"], resources: [.copy("Fixtures")],
                    swiftSettings: strictSettings),
        .testTarget(name: "KafkaTransportTests", dependencies: ["KafkaTransport", "KafkaWire"],
                    swiftSettings: strictSettings),
        .testTarget(name: "KafkaClientTests",
                    dependencies: ["KafkaClient", "KafkaTransport", "KafkaWire", "KafkaCompression",
                                   .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strictSettings),
        .testTarget(name: "IntegrationTests",
                    dependencies: ["KafkaClient", "KafkaTransport", "KafkaWire", "KafkaCompression",
                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                                   .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strictSettings),
        .testTarget(name: "KafkaCompressionTests", dependencies: ["KafkaCompression", "KafkaWire"],
                    swiftSettings: strictSettings),
        // Depends on the executable so `swift test` builds it; CLITests run it as a process.
        .testTarget(name: "KafkaWireJSONTests", dependencies: ["KafkaWireJSON", "KafkaWire", "KafkaCompression", "swafka-wire"],
                    resources: [.copy("Conformance")], swiftSettings: strictSettings),
    ]
)
