/// A span reduced to what timing analysis reads. Whole-file statistics read a million of these
/// where a `Span` would carry text, a resource and a box each; names are numbers into `TimingNames`.
public struct SpanTiming: Hashable, Sendable {
    public var spanID: SpanID
    public var parentSpanID: SpanID?
    /// The span's service name and span name, as indexes into the read's `TimingNames.names`.
    public var service: Int32
    public var name: Int32
    public var kind: SpanKind
    public var isError: Bool
    public var startTimeUnixNano: UInt64
    public var endTimeUnixNano: UInt64

    public init(spanID: SpanID, parentSpanID: SpanID?, service: Int32, name: Int32, kind: SpanKind, isError: Bool,
                startTimeUnixNano: UInt64, endTimeUnixNano: UInt64) {
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.service = service
        self.name = name
        self.kind = kind
        self.isError = isError
        self.startTimeUnixNano = startTimeUnixNano
        self.endTimeUnixNano = endTimeUnixNano
    }

    /// As `Span.durationNanos`: never negative.
    @inlinable public var durationNanos: UInt64 { endTimeUnixNano >= startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0 }
}

/// A trace's spans as `SpanTiming`s, in the order `Trace` keeps them (start, then span id).
public struct TraceTimings: Sendable {
    public let spans: [SpanTiming]
    public let startTimeUnixNano: UInt64
    public let endTimeUnixNano: UInt64

    public init(spans: [SpanTiming]) {
        self.spans = spans.sorted { ($0.startTimeUnixNano, $0.spanID) < ($1.startTimeUnixNano, $1.spanID) }
        startTimeUnixNano = self.spans.first?.startTimeUnixNano ?? 0
        endTimeUnixNano = spans.lazy.map(\.endTimeUnixNano).max() ?? 0
    }

    /// Never negative, as `Trace.durationNanos`.
    public var durationNanos: UInt64 { endTimeUnixNano >= startTimeUnixNano ? endTimeUnixNano - startTimeUnixNano : 0 }
}

/// The names a read's `SpanTiming`s number: one list for services and span names alike, each
/// name once, so equal numbers are equal names.
public struct TimingNames: Sendable {
    public private(set) var names: [String] = []
    private var numbers: [String: Int32] = [:]

    public init() {}

    /// The number of `name`, given one on first sight.
    public mutating func number(_ name: String) -> Int32 {
        if let number = numbers[name] { return number }
        let number = Int32(names.count)
        names.append(name)
        numbers[name] = number
        return number
    }

    public subscript(number: Int32) -> String { names[Int(number)] }
}
