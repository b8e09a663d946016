import NIOCore
import OTLP
import TraceModel

/// The OTLP signal a request carries.
public enum Signal: String, Sendable, CaseIterable {
    case traces, logs

    /// What one item of the signal is called in messages ("spans", "log records").
    public var itemName: String {
        switch self {
        case .traces: "spans"
        case .logs: "log records"
        }
    }
}

/// Whatever comes in, through whichever door: an encoded OTLP body as a transport received it,
/// or records already decoded (`trace import`, the builtin tracer).
public struct IngestRequest: Sendable {
    public enum Payload: Sendable {
        /// An OTLP/HTTP body, or an OTLP/gRPC request message its transport has already inflated.
        case encoded(ByteBuffer, contentType: OTLPContentType, gzipped: Bool)
        case spans([Span])
        case logRecords([LogRecord])
    }

    public var signal: Signal
    public var payload: Payload

    public init(signal: Signal, payload: Payload) {
        self.signal = signal
        self.payload = payload
    }

    public static func encoded(_ signal: Signal, body: ByteBuffer, contentType: OTLPContentType, gzipped: Bool = false) -> IngestRequest {
        IngestRequest(signal: signal, payload: .encoded(body, contentType: contentType, gzipped: gzipped))
    }

    public static func spans(_ spans: [Span]) -> IngestRequest {
        IngestRequest(signal: .traces, payload: .spans(spans))
    }

    public static func logRecords(_ records: [LogRecord]) -> IngestRequest {
        IngestRequest(signal: .logs, payload: .logRecords(records))
    }
}
