import TraceModel

/// A quantile of explicit-bucket histograms, estimated from their buckets as Prometheus'
/// `histogram_quantile` does: the bucket holding the rank, then linear interpolation inside it
/// (from 0 for the first bucket when its bound is positive); a rank in the bucket above every
/// bound answers that last bound. Points of one metric with the same bounds are added first, and
/// where every point knows its minimum and maximum the estimate stays between them: past one, the
/// buckets are too wide to say more than "at most the maximum" (or "at least the minimum").
public struct HistogramQuantile: Equatable, Sendable {
    public enum Precision: Sendable { case estimated, atMost, atLeast }

    public var value: Double
    public var precision: Precision

    /// nil when there is nothing to estimate from (no counts, or bounds that differ).
    public static func estimate(_ quantile: Double, of histograms: [MetricValue.Histogram]) -> HistogramQuantile? {
        guard let first = histograms.first, histograms.allSatisfy({ $0.bounds == first.bounds && $0.counts.count == first.counts.count }),
              first.counts.count == first.bounds.count + 1 else { return nil }
        guard let (estimate, _) = BucketCounts.unclampedQuantile(quantile, of: histograms.compactMap { BucketCounts(.histogram($0)) }) else { return nil }
        let minimums = histograms.compactMap(\.min), maximums = histograms.compactMap(\.max)
        guard minimums.count == histograms.count, maximums.count == histograms.count,
              let low = minimums.min(), let high = maximums.max(), low <= high else { return HistogramQuantile(value: estimate, precision: .estimated) }
        if estimate > high { return HistogramQuantile(value: high, precision: .atMost) }
        if estimate < low { return HistogramQuantile(value: low, precision: .atLeast) }
        return HistogramQuantile(value: estimate, precision: .estimated)
    }
}
