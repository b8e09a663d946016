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

    @Option(help: ArgumentHelp("Also send every span to this OTLP/HTTP collector, e.g. http://localhost:4318.", valueName: "url"))
    var otlpEndpoint: String?

    @Option(help: ArgumentHelp("How the demo's services export their spans to the embedded receiver: http/protobuf or grpc. (--otlp-endpoint forwarding is OTLP/HTTP either way.)", valueName: "protocol"))
    var otlpProtocol = "http/protobuf"

    var exportsOverGRPC: Bool { OTLPProtocol(rawValue: otlpProtocol) == .grpc }

    func validate() throws {
        guard errorRate.isFinite, (0...1).contains(errorRate) else { throw ValidationError("--error-rate must be between 0 and 1, got \(errorRate)") }
        guard backendLatency.nanos <= 60_000_000_000 else { throw ValidationError("--backend-latency must be at most 1m") }
        if let otlpEndpoint, let problem = OTLPEndpoint.validate(otlpEndpoint) { throw ValidationError("--otlp-endpoint: \(problem)") }
        guard OTLPProtocol(rawValue: otlpProtocol) != nil else { throw ValidationError("--otlp-protocol must be http/protobuf or grpc, got '\(otlpProtocol)'") }
    }

    func stackConfiguration(host: String = "127.0.0.1", frontendPort: Int = 0) -> DemoStackConfiguration {
        DemoStackConfiguration(
            host: host, frontendPort: frontendPort,
            backend: BackendBehavior(latency: backendLatency.duration, errorRate: errorRate),
            newConnections: newConnections, forwardEndpoint: otlpEndpoint, exportsOverGRPC: exportsOverGRPC)
    }
}
