/// All stored spans of one trace, in start order, and (when read with them) its log records in time order.
public struct Trace: Hashable, Sendable {
    public let traceID: TraceID
    public let spans: [Span]
    public let logs: [LogRecord]
    /// Worked out once: views ask for them per span, and a trace can hold 200,000.
    public let startTimeUnixNano: UInt64
    public let endTimeUnixNano: UInt64

    public init(traceID: TraceID, spans: [Span], logs: [LogRecord] = []) {
        self.traceID = traceID
        self.logs = logs
        self.spans = spans.sorted { ($0.startTimeUnixNano, $0.spanID) < ($1.startTimeUnixNano, $1.spanID) }
        startTimeUnixNano = self.spans.first?.startTimeUnixNano ?? 0
        endTimeUnixNano = spans.lazy.map(\.endTimeUnixNano).max() ?? 0
    }

    /// Never negative: a trace whose spans all end before they start (a sender's clock gone
    /// backwards) lasts nothing, not half of time.
    public var durationNanos: UInt64 { endTimeUnixNano >= startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0 }

    /// The log records logged in a span, by its id, in time order (records without a span left out).
    public var logsBySpan: [SpanID: [LogRecord]] {
        Dictionary(grouping: logs.filter { $0.spanID != nil }, by: { $0.spanID! })
    }

    /// Services in order of first appearance.
    public var services: [String] {
        var seen: Set<String> = []
        return spans.map(\.serviceName).filter { seen.insert($0).inserted }
    }

    /// Spans whose parent is absent: the true root, plus orphans whose parent never arrived.
    public var roots: [Span] {
        let ids = Set(spans.map(\.spanID))
        return spans.filter { span in span.parentSpanID.map { !ids.contains($0) } ?? true }
    }
}

/// One row of a trace listing: what `trace list` shows without loading spans.
public struct TraceSummary: Hashable, Sendable {
    public var traceID: TraceID
    public var startTimeUnixNano: UInt64
    public var endTimeUnixNano: UInt64
    public var spanCount: Int
    public var errorCount: Int
    public var services: [String]
    public var rootService: String?
    public var rootName: String?

    public init(traceID: TraceID, startTimeUnixNano: UInt64, endTimeUnixNano: UInt64, spanCount: Int, errorCount: Int, services: [String], rootService: String?, rootName: String?) {
        self.traceID = traceID
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
        self.spanCount = spanCount
        self.errorCount = errorCount
        self.services = services
        self.rootService = rootService
        self.rootName = rootName
    }

    /// Never negative, as `Trace.durationNanos`.
    public var durationNanos: UInt64 { endTimeUnixNano >= startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0 }
    public var hasError: Bool { errorCount > 0 }
}
