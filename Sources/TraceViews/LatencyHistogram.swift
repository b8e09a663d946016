/// Durations counted on log-scaled buckets whose edges are preferred numbers (1, 1.25, 1.6, 2, 2.5,
/// 3.2, 4, 5, 6.3, 8 × 10ⁿ ns), so each label reads as a plain duration. A wide spread switches to
/// coarser series (1, 1.5, 2, 3, 5, 7, then 1, 2, 5) so the histogram stays a screenful.
public struct LatencyHistogram: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        /// Inclusive lower edge.
        public var lowerNanos: UInt64
        /// Exclusive upper edge.
        public var upperNanos: UInt64
        public var count: Int
    }

    /// From the bucket of the smallest value to that of the largest, empty ones included.
    public private(set) var buckets: [Bucket] = []
    public let p50: UInt64?
    public let p99: UInt64?

    /// Mantissas × 100 of each series' edges in one decade, finest first.
    static let series: [[UInt64]] = [[100, 125, 160, 200, 250, 320, 400, 500, 630, 800], [100, 150, 200, 300, 500, 700], [100, 200, 500]]
    static let maximumBuckets = 24

    public init(_ values: [UInt64]) {
        let sample = Percentiles(values)
        p50 = sample.value(at: 50)
        p99 = sample.value(at: 99)
        guard let smallest = sample.sorted.first, let largest = sample.sorted.last else { return }
        for mantissas in Self.series {
            buckets = Self.buckets(of: sample.sorted, from: smallest, to: largest, mantissas: mantissas)
            if buckets.count <= Self.maximumBuckets { break }
        }
    }

    /// The bucket holding `nanos`, as an index into `buckets`.
    public func bucketIndex(of nanos: UInt64) -> Int? {
        buckets.firstIndex { $0.lowerNanos <= nanos && nanos < $0.upperNanos }
    }

    private static func buckets(of sorted: [UInt64], from smallest: UInt64, to largest: UInt64, mantissas: [UInt64]) -> [Bucket] {
        var buckets: [Bucket] = []
        var lower = edge(atOrBelow: smallest, mantissas: mantissas)
        var remaining = sorted[...]
        while lower <= largest {
            let upper = edge(after: lower, mantissas: mantissas)
            let inside = remaining.prefix { $0 < upper }.count
            remaining = remaining.dropFirst(inside)
            buckets.append(Bucket(lowerNanos: lower, upperNanos: upper, count: inside))
            if upper == .max { break }
            lower = upper
        }
        return buckets
    }

    static func edge(atOrBelow value: UInt64, mantissas: [UInt64]) -> UInt64 {
        var edge: UInt64 = 0
        while true {
            let next = Self.edge(after: edge, mantissas: mantissas)
            if next > value || next == .max { return edge }
            edge = next
        }
    }

    /// The next edge above `edge` (0 is followed by 1).
    static func edge(after edge: UInt64, mantissas: [UInt64]) -> UInt64 {
        var scale: UInt64 = 1
        while true {
            for mantissa in mantissas {
                let (product, overflow) = mantissa.multipliedReportingOverflow(by: scale)
                if overflow { return .max }
                if product / 100 > edge { return product / 100 }
            }
            scale *= 10
        }
    }
}
