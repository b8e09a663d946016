import ArgumentParser
import DemoServices
import OTLP
import TraceRun

/// How the demo pair behaves, shared by `trace run` and `trace serve`.
struct DemoOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Extra time the backend spends on each request, e.g. 5ms.", valueName: "duration"))
    var backendLatency: DurationArgument = DurationArgument(argument: "0")!

    @Option(help: ArgumentHelp("Fraction of requests the backend fails with HTTP 500, from 0 to 1.", valueName: "rate"))
    var errorRate: Double = 0

    @Flag(help: "Open a new connection to the backend for every request (shows DNS and connect time in each trace).")
    var newConnections = false

    @Option(help: ArgumentHelp(
        "How the pair's spans are recorded: builtin (trace's own tracer stores them in-process) or swift-otel (exported over OTLP to an embedded receiver). Default: builtin.",
        valueName: "tracer"))
    var tracer: DemoTracer?

    @Flag(name: .customLong("no-logs"), help: "Record spans only: the pair does not log (by default each request logs a few records, each under its span).")
    var noLogs = false

    @Flag(name: .customLong("no-metrics"), help: "The pair does not measure itself (by default each service records its requests' count and duration, and the frontend its backend calls', as OTLP metrics).")
    var noMetrics = false

    /// With swift-otel the demo's own exporters use --otlp-protocol too, so `trace run` shows either transport.
    @OptionGroup(title: "Sending spans on") var export: OTLPExportOptions

    static let otlpProtocolDiscussion = """
        The builtin tracer hands each finished span straight to the database, as the Go version of \
        the demo does; --tracer swift-otel records them with the swift-otel SDK instead, whose \
        exporters send OTLP to an embedded receiver (the path between two processes), over \
        --otlp-protocol: grpc, http/protobuf or http/json. --otlp-endpoint, if given, receives \
        every span as well, over --otlp-protocol.
        """

    /// With the builtin tracer (or none) nothing in the pair blocks its thread; swift-otel's HTTP
    /// exporter does, as it shuts down.
    var runsTasksOnEventLoops: Bool { tracer != .swiftOTel }

    func validate() throws {
        if tracer != .swiftOTel, export.otlpProtocol != nil, export.otlpEndpoint == nil {
            throw ValidationError("--otlp-protocol picks how swift-otel's exporters or --otlp-endpoint send spans; add --tracer swift-otel or --otlp-endpoint")
        }
        guard errorRate.isFinite, (0...1).contains(errorRate) else { throw ValidationError("--error-rate must be between 0 and 1, got \(errorRate)") }
        guard backendLatency.nanos <= 60_000_000_000 else { throw ValidationError("--backend-latency must be at most 1m") }
    }

    func stackConfiguration(host: String = "127.0.0.1", frontendPort: Int = 0) throws -> DemoStackConfiguration {
        DemoStackConfiguration(
            host: host, frontendPort: frontendPort,
            backend: BackendBehavior(latency: backendLatency.duration, errorRate: errorRate),
            newConnections: newConnections, forwardEndpoint: export.otlpEndpoint, otlpProtocol: try export.exportProtocol(),
            tracer: tracer ?? .builtin, logs: !noLogs, metrics: !noMetrics)
    }
}

extension DemoTracer: ExpressibleByArgument {}
