import TraceModel

/// What the timing analyses read of a span: `Span`s for one trace's views, `SpanTiming`s for
/// whole-file statistics, which then take the same path with numbers for names.
protocol TimedSpan {
    associatedtype Key: Hashable & Sendable
    var spanID: SpanID { get }
    var parentSpanID: SpanID? { get }
    var serviceKey: Key { get }
    var nameKey: Key { get }
    var kind: SpanKind { get }
    var startTimeUnixNano: UInt64 { get }
    var endTimeUnixNano: UInt64 { get }
    var durationNanos: UInt64 { get }
    var isError: Bool { get }
}

extension Span: TimedSpan {
    var serviceKey: String { serviceName }
    var nameKey: String { name }
}

extension SpanTiming: TimedSpan {
    var serviceKey: Int32 { service }
    var nameKey: Int32 { name }
}
