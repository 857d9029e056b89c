// swift-tools-version: 6.1
// Micro-benchmarks of agnod's hot functions (ordo-one/benchmark), a package of its own so that the main build
// and CI never build the benchmark library. Run with scripts/bench-micro (it writes docs/benchmarks.md).
import PackageDescription

let package = Package(
    name: "agnod-micro-benchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        .package(name: "agnod", path: "../../.."),
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
    ],
    targets: [
        .executableTarget(
            name: "HotPath",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "AgnoProtocol", package: "agnod"),
                .product(name: "AgnoCore", package: "agnod"),
                .product(name: "AgnoDaemon", package: "agnod"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/HotPath",
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
