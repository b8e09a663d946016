import ArgumentParser
import OTLP
import OTLPExport
import TraceIngest

/// `--otlp-endpoint` and `--otlp-protocol`, shared by every command that sends spans on: the
/// OpenTelemetry SDKs' environment variables are the defaults, as users of those SDKs expect.
struct OTLPExportOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "An OTLP collector to send to: http://host:4318 (or a full .../v1/traces URL) over HTTP, http://host:4317 over gRPC.",
        valueName: "url"))
    var otlpEndpoint: String?

    @Option(help: ArgumentHelp(
        "grpc, http/protobuf or http/json (default: $OTEL_EXPORTER_OTLP_PROTOCOL, else http/protobuf).",
        valueName: "protocol"))
    var otlpProtocol: String?

    func validate() throws {
        let chosen = try exportProtocol()
        if let otlpEndpoint { try Self.check(otlpEndpoint, for: chosen, source: "--otlp-endpoint") }
    }

    /// --otlp-protocol, else OTEL_EXPORTER_OTLP_TRACES_PROTOCOL or OTEL_EXPORTER_OTLP_PROTOCOL,
    /// else http/protobuf.
    func exportProtocol() throws -> OTLPProtocol {
        if let otlpProtocol {
            guard let chosen = OTLPProtocol(rawValue: otlpProtocol) else {
                throw ValidationError("--otlp-protocol must be one of \(OTLPProtocol.names), got '\(otlpProtocol)'")
            }
            return chosen
        }
        do { return try OTLPExporterEnvironment().exportProtocol().0 } catch { throw ValidationError(error.description) }
    }

    /// The forwarder for --otlp-endpoint (one attempt a request), or nil without one.
    func forwarder(statistics: IngestStatistics) throws -> OTLPForwarder? {
        guard let otlpEndpoint else { return nil }
        return try exportProtocol().forwarder(to: otlpEndpoint, observer: statistics)
    }

    /// An endpoint is an http(s) URL with a host; over gRPC, plain http only (no TLS here).
    static func check(_ endpoint: String, for chosen: OTLPProtocol, source: String) throws {
        if let problem = OTLPEndpoint.validate(endpoint) { throw ValidationError("\(source): \(problem)") }
        if chosen == .grpc, endpoint.lowercased().hasPrefix("https:") {
            throw ValidationError("\(source): OTLP/gRPC over TLS (https) is not supported; use an http:// endpoint")
        }
    }
}
