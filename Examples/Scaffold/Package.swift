// swift-tools-version:6.1
// Made by `swafka install`. Run `swift run Example help`.
import PackageDescription

let package = Package(
    name: "Example",
    dependencies: [
        .package(name: "Swafka", path: "../.."),
    ],
    targets: [
        .executableTarget(
            name: "Example",
            dependencies: [
                .product(name: "Swafka", package: "Swafka"),
                .product(name: "SwafkaCLI", package: "Swafka"),
            ],
            swiftSettings: [.enableUpcomingFeature("ExistentialAny")]),
    ]
)
