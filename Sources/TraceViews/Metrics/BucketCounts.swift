import Foundation
import TraceModel

/// A histogram's buckets, explicit or base-2 exponential, in one shape that adds, subtracts and
/// answers quantiles: so a chart can difference cumulative points and merge series of either kind.
struct BucketCounts: Sendable, Equatable {
    enum Layout: Sendable, Equatable {
        case explicit(bounds: [Double])
        case exponential(scale: Int32)
    }

    var layout: Layout
    /// Explicit: by bucket index. Exponential: by bucket index on the positive side.
    var positive: [Int: UInt64]
    var negative: [Int: UInt64] = [:]
    var zero: UInt64 = 0
    /// Bounds on every measurement counted, where the sender said: a cumulative point's smallest
    /// and largest since its start still bound what any part of that time counted.
    var minimum: Double?
    var maximum: Double?

    init?(_ value: MetricValue) {
        switch value {
        case .histogram(let histogram):
            guard histogram.counts.count == histogram.bounds.count + 1 else { return nil }
            layout = .explicit(bounds: histogram.bounds)
            (minimum, maximum) = (histogram.min, histogram.max)
            positive = Dictionary(uniqueKeysWithValues: histogram.counts.enumerated().filter { $0.element > 0 }.map { ($0.offset, $0.element) })
        case .exponentialHistogram(let histogram):
            func buckets(_ side: MetricValue.ExponentialHistogram.Buckets) -> [Int: UInt64] {
                Dictionary(uniqueKeysWithValues: side.counts.enumerated().filter { $0.element > 0 }.map { (Int(side.offset) + $0.offset, $0.element) })
            }
            layout = .exponential(scale: histogram.scale)
            (minimum, maximum) = (histogram.min, histogram.max)
            positive = buckets(histogram.positive)
            negative = buckets(histogram.negative)
            zero = histogram.zeroCount
        default:
            return nil
        }
    }

    private init(layout: Layout, positive: [Int: UInt64], negative: [Int: UInt64], zero: UInt64, minimum: Double? = nil, maximum: Double? = nil) {
        self.layout = layout
        self.positive = positive
        self.negative = negative
        self.zero = zero
        self.minimum = minimum
        self.maximum = maximum
    }

    var total: UInt64 { positive.values.reduce(0, +) + negative.values.reduce(0, +) + zero }

    /// The exponential buckets at a coarser scale (each bucket merged into the one that holds it).
    private func downscaled(to scale: Int32) -> BucketCounts {
        guard case .exponential(let current) = layout, current > scale else { return self }
        let shift = Int(current - scale)
        func merge(_ side: [Int: UInt64]) -> [Int: UInt64] { side.reduce(into: [:]) { $0[$1.key >> shift, default: 0] += $1.value } }
        return BucketCounts(layout: .exponential(scale: scale), positive: merge(positive), negative: merge(negative), zero: zero, minimum: minimum, maximum: maximum)
    }

    /// Both on one layout, or nil when explicit bounds differ (or the kinds do).
    private static func aligned(_ a: BucketCounts, _ b: BucketCounts) -> (BucketCounts, BucketCounts)? {
        switch (a.layout, b.layout) {
        case (.explicit(let first), .explicit(let second)): return first == second ? (a, b) : nil
        case (.exponential(let first), .exponential(let second)):
            let scale = min(first, second)
            return (a.downscaled(to: scale), b.downscaled(to: scale))
        default: return nil
        }
    }

    func adding(_ other: BucketCounts) -> BucketCounts? {
        guard let (a, b) = Self.aligned(self, other) else { return nil }
        func both(_ x: Double?, _ y: Double?, _ pick: (Double, Double) -> Double) -> Double? { x.flatMap { x in y.map { pick(x, $0) } } }
        return BucketCounts(layout: a.layout, positive: a.positive.merging(b.positive, uniquingKeysWith: +),
                            negative: a.negative.merging(b.negative, uniquingKeysWith: +), zero: a.zero + b.zero,
                            minimum: both(a.minimum, b.minimum, min), maximum: both(a.maximum, b.maximum, max))
    }

    /// What `self` gained since `earlier`; nil when a bucket shrank (a restart) or the layouts differ.
    func subtracting(_ earlier: BucketCounts) -> BucketCounts? {
        guard let (a, b) = Self.aligned(self, earlier) else { return nil }
        func difference(_ now: [Int: UInt64], _ then: [Int: UInt64]) -> [Int: UInt64]? {
            var result: [Int: UInt64] = [:]
            for key in Set(now.keys).union(then.keys) {
                let (x, y) = (now[key] ?? 0, then[key] ?? 0)
                guard x >= y else { return nil }
                if x > y { result[key] = x - y }
            }
            return result
        }
        guard a.zero >= b.zero, let positive = difference(a.positive, b.positive), let negative = difference(a.negative, b.negative) else { return nil }
        return BucketCounts(layout: a.layout, positive: positive, negative: negative, zero: a.zero - b.zero, minimum: a.minimum, maximum: a.maximum)
    }

    /// The non-empty buckets, lowest values first, each with the values it covers: explicit bucket
    /// i is (bounds[i-1], bounds[i]]; exponential bucket k is (base^k, base^(k+1)], base = 2^(2^-scale).
    var ranges: [(lower: Double, upper: Double, count: UInt64)] {
        switch layout {
        case .explicit(let bounds):
            return positive.keys.sorted().map { index in
                (index == 0 ? -.infinity : bounds[index - 1], index < bounds.count ? bounds[index] : .infinity, positive[index]!)
            }
        case .exponential(let scale):
            let base = pow(2, pow(2, -Double(scale)))
            let below = negative.keys.sorted(by: >).map { (-pow(base, Double($0 + 1)), -pow(base, Double($0)), negative[$0]!) }
            let above = positive.keys.sorted().map { (pow(base, Double($0)), pow(base, Double($0 + 1)), positive[$0]!) }
            return below + (zero > 0 ? [(0, 0, zero)] : []) + above
        }
    }

    /// A quantile of all of them added, as Prometheus' `histogram_quantile` estimates it: the bucket
    /// holding the rank, then linear interpolation inside it (from 0 for a lowest bucket with a positive
    /// bound); a rank in a bucket with no upper bound answers its lower one. Kept within the smallest
    /// and largest measurement where those are known. nil when there is nothing to estimate from.
    static func quantile(_ quantile: Double, of buckets: [BucketCounts]) -> Double? {
        guard let (estimate, merged) = unclampedQuantile(quantile, of: buckets) else { return nil }
        return min(max(estimate, merged.minimum ?? -.infinity), merged.maximum ?? .infinity)
    }

    /// The estimate from the buckets alone, with the buckets added up.
    static func unclampedQuantile(_ quantile: Double, of buckets: [BucketCounts]) -> (Double, BucketCounts)? {
        guard var merged = buckets.first else { return nil }
        for more in buckets.dropFirst() { merged = merged.adding(more) ?? merged }
        let total = merged.total
        guard total > 0 else { return nil }
        let rank = quantile * Double(total)
        var below: UInt64 = 0
        for (lower, upper, count) in merged.ranges {
            guard Double(below + count) >= rank else { below += count; continue }
            guard upper.isFinite else { return lower.isFinite ? (lower, merged) : nil }
            let start = lower.isFinite ? lower : min(0, upper)
            return (start + (upper - start) * max(0, rank - Double(below)) / Double(count), merged)
        }
        return merged.ranges.last.map { ($0.upper.isFinite ? $0.upper : $0.lower, merged) }
    }
}

/// Every bucket increase a chart saw, to find the bucket its slowest measurements fell in.
struct BucketTotals {
    private var total: BucketCounts?

    mutating func add(_ counts: BucketCounts) { total = total.map { $0.adding(counts) ?? $0 } ?? counts }

    /// The highest non-empty bucket's values.
    func slowest() -> ClosedRange<Double>? {
        guard let last = total?.ranges.last else { return nil }
        return last.lower...last.upper
    }
}
