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
        .library(name: "KafkaSecurity", targets: ["KafkaSecurity"]),
        .library(name: "KafkaClient", targets: ["KafkaClient"]),
        .library(name: "Swafka", targets: ["Swafka"]),
        .library(name: "SwafkaTesting", targets: ["SwafkaTesting"]),
        .library(name: "SwafkaCLI", targets: ["SwafkaCLI"]),
        .executable(name: "swafka", targets: ["swafka"]),
        .executable(name: "swafka-example", targets: ["swafka-example"]),
        .executable(name: "swafka-wire", targets: ["swafka-wire"]),
        .executable(name: "swafkacat", targets: ["swafkacat"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // 1.16: tests implement LogHandler.log(event:), which replaced the (now deprecated) per-argument form.
        .package(url: "https://github.com/apple/swift-log", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        // KafkaProducer and KafkaConsumer run as lifecycle Services.
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
    ],
    targets: [
        // Wire codecs: primitives, messages, record formats. No I/O; one header-only shim (CRC-32C with the
        // CPU's instruction).
        .systemLibrary(name: "CCRC32C", path: "Sources/CShims/CCRC32C"),
        .target(name: "KafkaWire", dependencies: ["CCRC32C"], swiftSettings: strictSettings),

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

        // OpenSSL 3 behind a module map; KafkaSecurity wraps its crypto and TLS sessions and holds the SASL
        // mechanisms and the SaslHandshake/SaslAuthenticate exchange as socket-free state machines.
        .systemLibrary(name: "COpenSSL", path: "Sources/CShims/COpenSSL", pkgConfig: "openssl",
                       providers: [.apt(["libssl-dev"])]),
        .target(name: "KafkaSecurity", dependencies: ["KafkaWire", "COpenSSL"], swiftSettings: strictSettings),

        // POSIX sockets, framing, one epoll loop thread, broker connections. No SwiftNIO. TLS sessions (no I/O)
        // come from KafkaSecurity and sit under the framing.
        .systemLibrary(name: "CTransport", path: "Sources/CShims/CTransport"),
        .target(name: "KafkaTransport", dependencies: ["KafkaWire", "KafkaSecurity", "CTransport"], swiftSettings: strictSettings),

        // Cluster client, producer, consumer and groups: policy over the transport.
        .target(name: "KafkaClient", dependencies: ["KafkaTransport", "KafkaSecurity", "KafkaWire", "KafkaCompression", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")], swiftSettings: strictSettings),

        // The framework: app, routes, controllers, responders, workers, monitor (issue 7).
        .target(name: "Swafka", dependencies: ["KafkaClient", "KafkaWire", .product(name: "Logging", package: "swift-log"), .product(name: "Metrics", package: "swift-metrics"), .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"), .product(name: "UnixSignals", package: "swift-service-lifecycle")], swiftSettings: strictSettings),
        // karafka-testing's counterpart: drive a route's controller in-process, inspect its responses.
        .target(name: "SwafkaTesting", dependencies: ["Swafka", "KafkaClient", "KafkaWire"], swiftSettings: strictSettings),
        // The commands an app's executable exposes (SwafkaCommand.main(app:)), the console, `install`'s
        // scaffold, and the seam (SwafkaRuntimeHooks) to the runtime that runs an app on the real clients.
        .target(name: "SwafkaCLI",
                dependencies: ["Swafka", "KafkaClient", "KafkaWire",
                               .product(name: "ArgumentParser", package: "swift-argument-parser"),
                               .product(name: "Logging", package: "swift-log"),
                               .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                               .product(name: "UnixSignals", package: "swift-service-lifecycle")],
                swiftSettings: strictSettings),
        // `swafka install` (scaffold an app) and `swafka app <command>` (run the app's own executable).
        .executableTarget(name: "swafka", dependencies: ["SwafkaCLI"], swiftSettings: strictSettings),

        // JSON forms of every message, for swafka-wire and swafkacat --decode.
        .target(name: "KafkaWireJSON", dependencies: ["KafkaWire", "KafkaCompression"], swiftSettings: strictSettings),

        .executableTarget(name: "swafka-wire",
                          dependencies: ["KafkaWire", "KafkaWireJSON", "KafkaCompression",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser")],
                          swiftSettings: strictSettings),

        // swafkacat: the kcat-compatible CLI. The core (option parsing, formats, printers, frame files) is pure
        // and tested in-process; the executable does the I/O and drives the clients.
        .target(name: "SwafkacatCore", dependencies: ["KafkaWire", "KafkaWireJSON", "KafkaCompression", "KafkaTransport", "KafkaClient"],
                swiftSettings: strictSettings),
        .executableTarget(name: "swafkacat",
                          dependencies: ["SwafkacatCore", "KafkaWire", "KafkaWireJSON", "KafkaCompression", "KafkaTransport",
                                         "KafkaClient", .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strictSettings),

        // The README's main job: a tour of a real broker through every layer that exists so far.
        .executableTarget(name: "swafka-tour", dependencies: ["KafkaClient", "KafkaCompression", "KafkaWire"],
                          path: "Examples/Tour", swiftSettings: strictSettings),

        // The README's main job since the framework: a shop of three routes (inline, worker, responder chain).
        .executableTarget(name: "swafka-example", dependencies: ["Swafka", "SwafkaCLI"],
                          path: "Examples/Shop", swiftSettings: strictSettings),

        // Examples/Scaffold is what `swafka install --name Example --swafka-path ../..` writes (ScaffoldTests keep
        // it equal to the generator's output); its sources are compiled here, so every build checks the scaffold.
        .executableTarget(name: "swafka-scaffold-example", dependencies: ["Swafka", "SwafkaCLI"],
                          path: "Examples/Scaffold/Sources/Example", swiftSettings: strictSettings),

        // Fixtures/ at the top of the repository links here: wire bytes captured from real peers.
        // FuzzCrashers: the kept fuzz crashers (a copy of Fuzz/crashers), replayed by FuzzCrasherReplayTests.
        // KafkaCompression: FuzzCrasherReplayTests replays FuzzRecords crashers through the real codecs.
        .testTarget(name: "KafkaWireTests", dependencies: ["KafkaWire", "KafkaCompression"],
                    resources: [.copy("Fixtures"), .copy("FuzzCrashers")],
                    swiftSettings: strictSettings),
        .testTarget(name: "KafkaTransportTests", dependencies: ["KafkaTransport", "KafkaWire", "KafkaSecurity"],
                    swiftSettings: strictSettings),
        .testTarget(name: "KafkaClientTests",
                    dependencies: ["KafkaClient", "KafkaTransport", "KafkaWire", "KafkaCompression",
                                   .product(name: "Logging", package: "swift-log")],
                    swiftSettings: strictSettings),
        .testTarget(name: "IntegrationTests",
                    dependencies: ["KafkaClient", "KafkaTransport", "KafkaSecurity", "KafkaWire", "KafkaCompression", "Swafka", "SwafkaCLI",
                                   "swafka-example",
                                   .product(name: "Logging", package: "swift-log"),
                                   .product(name: "Metrics", package: "swift-metrics"),
                                   .product(name: "MetricsTestKit", package: "swift-metrics"),
                                   .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")],
                    exclude: ["ClientCoverage.md"], swiftSettings: strictSettings),
        .testTarget(name: "KafkaSecurityTests", dependencies: ["KafkaSecurity", "KafkaWire"],
                    swiftSettings: strictSettings),
        .testTarget(name: "SwafkaTests",
                    dependencies: ["Swafka", "SwafkaTesting", "KafkaClient", "KafkaWire",
                                   .product(name: "Logging", package: "swift-log"),
                                   .product(name: "Metrics", package: "swift-metrics"),
                                   .product(name: "MetricsTestKit", package: "swift-metrics")],
                    swiftSettings: strictSettings),
        // The CLI in-process (parsing, output snapshots, scaffold), and the executables run as processes.
        .testTarget(name: "SwafkaCLITests",
                    dependencies: ["SwafkaCLI", "Swafka", "KafkaClient", "KafkaWire", "swafka", "swafka-example"],
                    swiftSettings: strictSettings),
        .testTarget(name: "KafkaCompressionTests", dependencies: ["KafkaCompression", "KafkaWire"],
                    swiftSettings: strictSettings),
        // Depends on the executable so `swift test` builds it; the help and parity tests run it as a process.
        .testTarget(name: "SwafkacatTests", dependencies: ["SwafkacatCore", "KafkaWire", "KafkaWireJSON", "KafkaClient", "KafkaTransport", "swafkacat"],
                    exclude: ["Snapshots"], swiftSettings: strictSettings),
        // Depends on the executable so `swift test` builds it; CLITests run it as a process.
        .testTarget(name: "KafkaWireJSONTests", dependencies: ["KafkaWireJSON", "KafkaWire", "KafkaCompression", "swafka-wire"],
                    resources: [.copy("Conformance")], swiftSettings: strictSettings),
    ]
)
