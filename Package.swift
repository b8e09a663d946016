// swift-tools-version:6.1
import PackageDescription

/// jemalloc's malloc in place of glibc's, for the binaries that record: spans and requests are
/// allocated on one thread and freed on another (trace run 1.06-1.27x faster with it, median 1.12).
/// The ingest benchmark links it too, so its raw-loop ceiling is measured alike.
let jemalloc: [LinkerSetting] = [.linkedLibrary("jemalloc", .when(platforms: [.linux]))]

let package = Package(
    name: "trace",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "trace", targets: ["trace"])
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-atomics", from: "1.3.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-otel/swift-otel", from: "1.6.0", traits: ["OTLPHTTP", "OTLPGRPC"]),
        .package(url: "https://github.com/modelcontextprotocol/swift-sdk", exact: "0.12.1"),
        .package(url: "https://github.com/swift-otel/swift-w3c-trace-context", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-protobuf", from: "1.39.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/adam-fowler/compress-nio", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/grpc/grpc-swift-protobuf", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio-http2", from: "1.46.0"),
    ],
    targets: [
        .target(name: "TraceModel"),
        .target(
            name: "TraceStore",
            dependencies: [
                "TraceModel", "CSQLiteSetup",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // The wire codec and the export client: OTLP in and out of the model, no store.
        .target(
            name: "OTLP",
            dependencies: [
                "TraceModel", "CZlib",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                // For the generated gRPC service code, which sits next to the generated messages.
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
            ],
            exclude: ["Proto"]
        ),
        // Everything outbound: the OTLP export clients (HTTP and gRPC), the protocol a user picks, and the forwarder.
        .target(
            name: "OTLPExport",
            dependencies: [
                "TraceModel", "OTLP",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // The one door every span, log record and metric point takes into the store, whichever transport or file it came from.
        .target(
            name: "TraceIngest",
            dependencies: [
                "TraceModel", "TraceStore", "OTLP", "OTLPExport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        // OTLP/HTTP transport: the Hummingbird receiver in front of ingestion.
        .target(
            name: "OTLPHTTP",
            dependencies: [
                "OTLP", "TraceIngest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
            ]
        ),
        // Zipkin transport: POST /api/v2/spans (v2 JSON) in front of the same ingestion.
        .target(
            name: "ZipkinHTTP",
            dependencies: [
                "OTLPHTTP", "TraceIngest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        // OTLP/gRPC transport: the TraceService, LogsService and MetricsService Export servers in front of the same ingestion.
        .target(
            name: "OTLPGRPC",
            dependencies: [
                "OTLP", "TraceIngest",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP2", package: "swift-nio-http2"),
                .product(name: "NIOHPACK", package: "swift-nio-http2"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .target(
            name: "DemoServices",
            dependencies: [
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        // trace run's own tracer, log handler and metrics backend: spans, log records and metric points go to the store in-process, no OTLP on the way.
        .target(
            name: "RecordingTracer",
            dependencies: [
                "TraceModel",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "W3CTraceContext", package: "swift-w3c-trace-context"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
            ]
        ),
        .target(name: "TraceViews", dependencies: ["TraceModel"]),
        // The query language: parsed, type-checked and evaluated over model values; no store.
        .target(name: "TraceQL", dependencies: ["TraceModel"]),
        // Queries answered from a store: index lookups narrow the traces, the evaluator decides.
        .target(name: "TraceSearch", dependencies: ["TraceModel", "TraceStore", "TraceQL"]),
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CSQLiteSetup", providers: [.apt(["libsqlite3-dev"])]),
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        // `trace mcp`: the trace file as tools for coding agents, over the MCP SDK's stdio transport.
        .target(
            name: "TraceMCP",
            dependencies: [
                "TraceModel", "TraceStore", "TraceQL", "TraceSearch", "TraceViews",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .target(name: "TraceTUI", dependencies: ["CNCurses", "TraceModel", "TraceStore", "TraceViews", "TraceQL", "TraceSearch"]),
        .target(
            name: "TraceRun",
            dependencies: [
                "TraceModel", "TraceStore", "OTLP", "OTLPExport", "TraceIngest", "OTLPHTTP", "OTLPGRPC", "DemoServices", "TraceViews", "RecordingTracer",
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        // `trace check`: rules about a run, measured and reported (text and JUnit), for CI.
        .target(name: "TraceCheck", dependencies: ["TraceModel", "TraceStore", "TraceQL", "TraceSearch", "TraceViews"]),
        // `trace exec`: the user's program run against receivers of its own, on one port for both transports.
        .target(
            name: "TraceExec",
            dependencies: [
                "TraceModel", "TraceStore", "TraceIngest", "OTLPHTTP", "OTLPGRPC", "TraceRun", "TraceViews",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "trace",
            dependencies: [
                "TraceModel", "TraceStore", "OTLP", "OTLPExport", "TraceIngest", "OTLPHTTP", "OTLPGRPC", "ZipkinHTTP", "DemoServices", "TraceViews", "TraceRun", "TraceExec", "TraceCheck", "TraceTUI",
                "TraceQL", "TraceSearch", "TraceMCP",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "Atomics", package: "swift-atomics"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            linkerSettings: jemalloc
        ),
        .target(name: "TraceFixtures", dependencies: ["TraceModel"], path: "Tests/TraceFixtures"),
        .executableTarget(
            name: "tui-benchmark",
            dependencies: ["TraceTUI", "TraceStore", "TraceModel", "TraceFixtures"],
            path: "Benchmarks/TUIBenchmark"
        ),
        .executableTarget(
            name: "ingest-benchmark",
            dependencies: [
                "OTLP", "TraceStore", "TraceModel", "TraceFixtures", "CSQLiteSetup",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/IngestBenchmark",
            linkerSettings: jemalloc
        ),
        .testTarget(name: "TraceStoreTests", dependencies: ["TraceStore", "TraceModel", "TraceFixtures", .product(name: "GRDB", package: "GRDB.swift")]),
        .testTarget(
            name: "OTLPTests",
            dependencies: [
                "OTLPExport",
                "OTLP", "TraceIngest", "OTLPHTTP", "OTLPGRPC", "ZipkinHTTP", "TraceStore", "TraceModel", "TraceViews", "TraceFixtures",
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "GRPCProtobuf", package: "grpc-swift-protobuf"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "CompressNIO", package: "compress-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            exclude: ["FuzzCorpus"]
        ),
        .testTarget(name: "TraceQLTests", dependencies: ["TraceQL", "TraceSearch", "TraceStore", "TraceModel", "TraceFixtures"]),
        .testTarget(name: "TraceViewsTests", dependencies: ["TraceViews", "TraceModel", "TraceFixtures"]),
        .testTarget(name: "TraceTUITests", dependencies: ["TraceTUI", "TraceStore", "TraceModel", "TraceViews", "TraceFixtures"]),
        .testTarget(
            name: "PipelineTests",
            dependencies: [
                "TraceRun", "DemoServices", "TraceStore", "TraceModel", "TraceViews",
                .product(name: "Logging", package: "swift-log"), .product(name: "Tracing", package: "swift-distributed-tracing"),
            ]
        ),
        .testTarget(
            name: "RecordingTracerTests",
            dependencies: [
                "RecordingTracer", "TraceModel", .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "CoreMetrics", package: "swift-metrics"), .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "CLITests", dependencies: ["trace", "TraceStore", "TraceModel", "TraceFixtures"]),
    ],
    swiftLanguageModes: [.v6]
)
