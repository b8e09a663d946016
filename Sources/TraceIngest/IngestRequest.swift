import NIOCore
import OTLP
import TraceModel

/// Whatever comes in, through whichever door: an encoded OTLP (or Zipkin) body as a transport
/// received it, or records already decoded (`trace import`, the builtin tracer).
public enum IngestRequest: Sendable {
    /// An OTLP/HTTP body, or an OTLP/gRPC request message its transport has already inflated.
    case encoded(Signal, body: ByteBuffer, contentType: OTLPContentType, gzipped: Bool = false)
    /// A Zipkin v2 JSON body (`POST /api/v2/spans`): spans, stored and forwarded as any others.
    case zipkin(body: ByteBuffer, gzipped: Bool = false)
    case spans([Span])
    case logRecords([LogRecord])
    case metricPoints([MetricPoint])
}
