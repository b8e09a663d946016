import TraceModel

/// Trace time summed over many traces: along their critical paths, which adds up to their total
/// duration, and the work that ran beside the paths. For `trace run`'s summary and `trace stats`.
public struct TimeAccount: Sendable, Equatable {
    public private(set) var traces = 0
    /// The traces' durations, summed.
    public private(set) var traceNanos: UInt64 = 0
    public private(set) var pathNanos: [TimeBucket: UInt64] = [:]
    public private(set) var parallelNanos: [TimeBucket: UInt64] = [:]

    public init() {}

    init(traces: Int, traceNanos: UInt64, pathNanos: [TimeBucket: UInt64], parallelNanos: [TimeBucket: UInt64]) {
        (self.traces, self.traceNanos, self.pathNanos, self.parallelNanos) = (traces, traceNanos, pathNanos, parallelNanos)
    }

    public mutating func add(_ breakdown: LatencyBreakdown) {
        traces += 1
        traceNanos += breakdown.totalNanos
        for (bucket, nanos) in breakdown.pathNanos { pathNanos[bucket, default: 0] += nanos }
        for (bucket, nanos) in breakdown.parallelNanos { parallelNanos[bucket, default: 0] += nanos }
    }

    /// Adds what another account saw (a disjoint set of traces).
    public mutating func merge(_ other: TimeAccount) {
        traces += other.traces
        traceNanos += other.traceNanos
        pathNanos.merge(other.pathNanos, uniquingKeysWith: +)
        parallelNanos.merge(other.parallelNanos, uniquingKeysWith: +)
    }

    /// The "Where the time went" block: a line per bucket with its share, then the parallel work.
    public func lines(style: TextStyle) -> [String] {
        guard traces > 0 else { return [] }
        return [style.bold("Where the time went") + " (along the critical paths of \(counted(traces, "trace")), \(DurationFormat.string(nanos: traceNanos)) in all)"]
            + WaterfallText.buckets(pathNanos, total: traceNanos, style: style)
            + WaterfallText.parallel(parallelNanos, style: style)
    }
}
