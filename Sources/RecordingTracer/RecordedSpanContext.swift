import TraceModel
import Tracing
import W3CTraceContext

/// What a span hands on to its children and, in `traceparent`/`tracestate`, to the services it calls.
struct RecordedSpanContext: Sendable {
    var traceID: TraceModel.TraceID
    var spanID: TraceModel.SpanID
    var flags: UInt8
    var traceState: String

    init(traceID: TraceModel.TraceID, spanID: TraceModel.SpanID, flags: UInt8, traceState: String) {
        self.traceID = traceID
        self.spanID = spanID
        self.flags = flags
        self.traceState = traceState
    }

    /// A caller's context from its headers; nil when `traceparent` is not a valid version-00 header.
    init?(traceparent: String, tracestate: String?) {
        guard let parsed = try? W3CTraceContext.TraceContext(traceParentHeaderValue: traceparent),
              let traceID = TraceModel.TraceID(hex: "\(parsed.traceID)"), let spanID = TraceModel.SpanID(hex: "\(parsed.spanID)")
        else { return nil }
        self.init(traceID: traceID, spanID: spanID, flags: parsed.flags.rawValue, traceState: tracestate ?? "")
    }

    var traceparent: String {
        "00-\(traceID.hex)-\(spanID.hex)-" + (flags < 16 ? "0" : "") + String(flags, radix: 16)
    }
}

private enum RecordedSpanContextKey: ServiceContextKey {
    typealias Value = RecordedSpanContext
}

extension ServiceContext {
    var recordedSpanContext: RecordedSpanContext? {
        get { self[RecordedSpanContextKey.self] }
        set { self[RecordedSpanContextKey.self] = newValue }
    }
}
