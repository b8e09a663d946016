/// Durations counted on log-scaled buckets whose edges are round numbers (1, 1.5, 2, 3, 5, 7 × 10ⁿ ns),
/// so each label reads as a plain duration and a bucket is at most 1.67 times as wide as the last.
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

    public init(_ values: [UInt64]) {
        let sample = Percentiles(values)
        p50 = sample.value(at: 50)
        p99 = sample.value(at: 99)
        guard let smallest = sample.sorted.first, let largest = sample.sorted.last else { return }
        var lower = Self.edge(atOrBelow: smallest)
        var remaining = sample.sorted[...]
        while lower <= largest {
            let upper = Self.edge(after: lower)
            let inside = remaining.prefix { $0 < upper }.count
            remaining = remaining.dropFirst(inside)
            buckets.append(Bucket(lowerNanos: lower, upperNanos: upper, count: inside))
            if upper == .max { break }
            lower = upper
        }
    }

    /// The bucket holding `nanos`, as an index into `buckets`.
    public func bucketIndex(of nanos: UInt64) -> Int? {
        buckets.firstIndex { $0.lowerNanos <= nanos && nanos < $0.upperNanos }
    }

    private static let mantissas: [UInt64] = [10, 15, 20, 30, 50, 70]

    static func edge(atOrBelow value: UInt64) -> UInt64 {
        var edge: UInt64 = 0
        while true {
            let next = Self.edge(after: edge)
            if next > value || next == .max { return edge }
            edge = next
        }
    }

    /// The next edge above `edge` (0 is followed by 1).
    static func edge(after edge: UInt64) -> UInt64 {
        var scale: UInt64 = 1
        while true {
            for mantissa in mantissas {
                let (product, overflow) = mantissa.multipliedReportingOverflow(by: scale)
                if overflow { return .max }
                if product / 10 > edge { return product / 10 }
            }
            scale *= 10
        }
    }
}
