import TraceModel

/// Something that pushes spans to a collector, one request per call, retrying as its transport's
/// rules say: `OTLPExportClient` over HTTP, `OTLPGRPCExportClient` over gRPC.
public protocol SpanExporting: Sendable {
    /// Where the spans go, as printed to the user.
    var endpoint: String { get }
    /// Sends the spans in one request; returns how many retries it took.
    @discardableResult
    func send(_ spans: [Span]) async throws -> Int
    func shutdown() async throws
}

/// The OTLP transports a user can choose (`--otlp-protocol`, `OTEL_EXPORTER_OTLP_PROTOCOL`).
public enum OTLPProtocol: String, Sendable, CaseIterable {
    case grpc
    case httpProtobuf = "http/protobuf"
}

extension OTLPExportClient: SpanExporting {}
