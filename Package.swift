// swift-tools-version: 6.1
import PackageDescription

let package = Package(
    name: "agnod",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "agnod", targets: ["agnod"]),
        .executable(name: "agnoctl", targets: ["agnoctl"]),
        .library(name: "AgnoProtocol", targets: ["AgnoProtocol"]),
        .library(name: "AgnoClient", targets: ["AgnoClient"]),
        // For scripts/benchmarks/micro (ordo-one/benchmark, a package of its own).
        .library(name: "AgnoCore", targets: ["AgnoCore"]),
        .library(name: "AgnoDaemon", targets: ["AgnoDaemon"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        // OTLP over HTTP only: the gRPC exporter (and grpc-swift) is left out.
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP"]),
    ],
    targets: [
        // What daemon and clients both speak: requests, replies, events, summaries, NDJSON framing.
        .target(name: "AgnoProtocol"),
        // CEL (github.com/google/cel-spec): the expressions of Condition, Loop and Router nodes (Foundation only).
        .target(name: "AgnoCEL"),
        // Workflows, executor, run table, model providers and tools.
        .target(
            name: "AgnoCore",
            dependencies: [
                "AgnoProtocol",
                "AgnoCEL",
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        // The durable run store: runs, steps and events in SQLite (WAL), with migrations.
        .target(
            name: "AgnoStore",
            dependencies: [
                "AgnoCore",
                "AgnoProtocol",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for reading a page of events without a Data per row.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The run store in PostgreSQL (vapor/postgres-nio), for more than one host; its own target so that
        // AgnoStore (SQLite, the embedded default) and what uses only it do not build postgres-nio.
        .target(
            name: "AgnoPostgres",
            dependencies: [
                "AgnoCore",
                "AgnoProtocol",
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // libsystemd (libsystemd-dev), and a small Swift layer: notify, socket activation, watchdog, journald.
        .systemLibrary(name: "CSystemd", pkgConfig: "libsystemd", providers: [.apt(["libsystemd-dev"])]),
        .target(
            name: "AgnoSystemd",
            dependencies: ["CSystemd", .product(name: "Logging", package: "swift-log")]
        ),
        // Spawning a child that dies with agnod (fork, PR_SET_PDEATHSIG, exec), for MCP servers.
        .target(name: "CSpawn"),
        // MCP tool servers (stdio child processes) through modelcontextprotocol/swift-sdk.
        .target(
            name: "AgnoMCP",
            dependencies: [
                "CSpawn",
                "AgnoCore",
                "AgnoProtocol",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // The socket server, request router and one handler per op.
        .target(
            name: "AgnoDaemon",
            dependencies: [
                "AgnoCore",
                "AgnoMCP",
                "AgnoStore",
                "AgnoPostgres",
                "AgnoSystemd",
                "AgnoProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "OTel", package: "swift-otel"),
            ]
        ),
        // A small blocking client over the Unix socket (no NIO): used by agnoctl and tests.
        .target(name: "AgnoClient", dependencies: ["AgnoProtocol"]),
        .executableTarget(
            name: "agnod",
            dependencies: [
                "AgnoDaemon",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "agnoctl",
            dependencies: [
                "AgnoClient",
                "AgnoProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // Test support: a scripted OpenAI-compatible server, a daemon launcher, fixtures.
        .target(
            name: "AgnoTesting",
            dependencies: [
                "AgnoClient",
                "AgnoProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ]
        ),
        // AgnoTesting's scripted model server as a process, for scripts/bench (the native model server).
        .executableTarget(
            name: "agno-scripted-model",
            dependencies: ["AgnoTesting", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .testTarget(name: "AgnoProtocolTests", dependencies: ["AgnoProtocol"]),
        .testTarget(name: "AgnoCELTests", dependencies: ["AgnoCEL"], resources: [.copy("Fixtures")]),
        .testTarget(
            name: "AgnoCoreTests",
            dependencies: [
                "AgnoCore", "AgnoTesting", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ]),
        .testTarget(
            name: "AgnoMCPTests",
            dependencies: ["AgnoMCP", "AgnoCore", "AgnoProtocol", "AgnoTesting", .product(name: "Logging", package: "swift-log")],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(
            name: "AgnoStoreTests",
            dependencies: [
                "AgnoStore", "AgnoPostgres", "AgnoCore", "AgnoProtocol", "AgnoTesting",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            resources: [.copy("Fixtures")]
        ),
        .testTarget(name: "AgnoSystemdTests", dependencies: ["AgnoSystemd", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "AgnoDaemonTests",
            dependencies: ["AgnoDaemon", "AgnoCore", "AgnoPostgres", "AgnoProtocol", .product(name: "NIOCore", package: "swift-nio")]),
        .testTarget(name: "AgnoIntegrationTests", dependencies: ["AgnoClient", "AgnoProtocol", "AgnoTesting"]),
    ]
)
