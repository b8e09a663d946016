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
        /// spans, traces, log records and severities, metric points (five kinds, exemplars), recorded runs and how a
        /// command names one, ids, attribute values; no dependencies
        .target(name: "TraceModel"),
        /// the SQLite database (GRDB): migrations, the v2 tables and views, v5's log records with their word index,
        /// v6's metric series and points (v7: each series' point count), v8's runs, rows bound through SQLite's C
        /// API, intention-named reads (a metric's newest point per step for charts)
        .target(
            name: "TraceStore",
            dependencies: [
                "TraceModel", "CSQLiteSetup",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        /// the wire codec, no store: protobuf types generated from `Sources/OTLP/Proto` (traces, logs and metrics),
        /// span and metric bodies read in place on one wire reader (SwiftProtobuf for whatever it does not read),
        /// OTLP/JSON and JSON lines, Zipkin v2 JSON, the model mapping, gzip, the OTLP signals
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
        /// everything outbound: the OTLP/HTTP and OTLP/gRPC export clients (any signal, with the specification's
        /// retries), the protocol a user picks and the SDKs' environment variables for it, and the forwarder
        /// `--otlp-endpoint` runs
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
        /// the one front door: `Ingestor.ingest(IngestRequest)` takes an encoded OTLP body (any of the three signals,
        /// as a transport received it), a Zipkin v2 JSON body, or decoded spans, log records or metric points
        /// (`import`, the builtin tracer), decodes and validates, encodes rows on the caller's thread, and a commit
        /// queue writes concurrent requests, every signal alike, in one transaction and answers each only once
        /// committed; `IngestError` is the one place a refusal becomes an HTTP status and a gRPC code; hands each
        /// stored request to the forwarder
        .target(
            name: "TraceIngest",
            dependencies: [
                "TraceModel", "TraceStore", "OTLP", "OTLPExport",
                .product(name: "SwiftProtobuf", package: "swift-protobuf"),
                .product(name: "NIOFoundationCompat", package: "swift-nio"),
                .product(name: "NIOCore", package: "swift-nio"),
            ]
        ),
        /// the OTLP/HTTP transport: the Hummingbird receiver (`/v1/traces`, `/v1/logs`, `/v1/metrics`) in front of
        /// `TraceIngest`
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
        /// the Zipkin transport: the Hummingbird receiver of `POST /api/v2/spans` (v2 JSON) in front of
        /// `TraceIngest`, answering as Zipkin does
        .target(
            name: "ZipkinHTTP",
            dependencies: [
                "OTLPHTTP", "TraceIngest",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// the OTLP/gRPC transport: `TraceService/Export`, `LogsService/Export` and `MetricsService/Export`
        /// (grpc-swift 2) in front of `TraceIngest`, with the size limit and decompression applied before
        /// grpc-swift's own handling
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
        /// frontend, backend (each logging through its own swift-log `Logger` and measuring itself through
        /// swift-metrics), the server-span, server-metrics and request-hold middlewares, the phase-timed SwiftNIO
        /// HTTP client, the load generator; swift-otel's configuration (traces, logs and metrics)
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
        /// the builtin tracer: a swift-distributed-tracing `Tracer` whose finished spans, as model values, wait in a
        /// queue (a lifecycle `Service`) that hands them to a store in batches; W3C Trace Context in and out; and the
        /// builtin swift-log `LogHandler`, whose records carry the active span's context into a queue of their own;
        /// the builtin swift-metrics backend (`RecordingMetrics`, an exemplar a histogram bucket) and its reader
        /// (`MetricsReader`, a lifecycle `Service`); no store of its own
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
        /// the analysis (latency breakdown, critical path, statistics over `Span`s or the store's lean `SpanTiming`s
        /// alike, histogram, trace diff, the run comparison's Mann–Whitney U and verdicts, a metric over time with
        /// rates, values and quantiles) and the text views that share it (waterfall, tables, charts, log lines,
        /// duration format)
        .target(name: "TraceViews", dependencies: ["TraceModel"]),
        /// the query language: lexer, parser with column-exact errors and type checks, the evaluator over model
        /// traces (spansets, structure, pipeline); no store
        .target(name: "TraceQL", dependencies: ["TraceModel"]),
        /// a query answered from a store: what the name, service, duration and attribute indexes can rule out, then
        /// the evaluator on the rest, two readers at once
        .target(name: "TraceSearch", dependencies: ["TraceModel", "TraceStore", "TraceQL"]),
        /// zlib, a system library: inflating and deflating bodies for the codec
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        /// SQLite's own configuration call, which GRDB does not expose: one thread per connection, no memory count
        .systemLibrary(name: "CSQLiteSetup", providers: [.apt(["libsqlite3-dev"])]),
        /// ncursesw, a system library, with a shim for its macros
        .systemLibrary(name: "CNCurses", pkgConfig: "ncursesw", providers: [.apt(["libncurses-dev"])]),
        /// `trace mcp`: the tools (JSON answers built from `TraceViews`' analysis and the store's reads) and their
        /// MCP server over the Swift MCP SDK's stdio transport
        .target(
            name: "TraceMCP",
            dependencies: [
                "TraceModel", "TraceStore", "TraceQL", "TraceSearch", "TraceViews",
                .product(name: "MCP", package: "swift-sdk"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        /// the TUI's screen logic (trace list, waterfall, live logs, metrics) on a virtual `ScreenBuffer`, and the
        /// thin ncurses backend that draws it
        .target(name: "TraceTUI", dependencies: ["CNCurses", "TraceModel", "TraceStore", "TraceViews", "TraceQL", "TraceSearch"]),
        /// the pair and its tracers (and, for swift-otel, the receiver) started and stopped in order; the `run`
        /// session and its report
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
        /// a run's spans gathered for `compare` (by operation or a TraceQL field) and `check`; `check`'s rules parsed
        /// (caret on a mistake), measured and reported as text and JUnit XML
        .target(name: "TraceCheck", dependencies: ["TraceModel", "TraceStore", "TraceQL", "TraceSearch", "TraceViews"]),
        /// `trace exec`: the OTLP receivers behind one loopback port that tells gRPC from HTTP/1.1 by HTTP/2's
        /// preface, the program spawned in the terminal's process group with signals passed on, the wait for its last
        /// export, the summary
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
        /// the command line: one file per subcommand
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
