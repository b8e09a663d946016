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
        var counts = Array(repeating: UInt64(0), count: first.counts.count)
        for histogram in histograms { for index in counts.indices { counts[index] += histogram.counts[index] } }
        let total = counts.reduce(0, +)
        guard total > 0 else { return nil }
        let rank = quantile * Double(total)
        var below: UInt64 = 0
        var estimate = first.bounds.last
        for (index, count) in counts.enumerated() {
            guard Double(below + count) >= rank, count > 0 else { below += count; continue }
            guard index < first.bounds.count else { break }
            let upper = first.bounds[index]
            let lower = index == 0 ? min(0, upper) : first.bounds[index - 1]
            estimate = lower + (upper - lower) * (rank - Double(below)) / Double(count)
            break
        }
        guard let estimate else { return nil }
        let minimums = histograms.compactMap(\.min), maximums = histograms.compactMap(\.max)
        guard minimums.count == histograms.count, maximums.count == histograms.count,
              let low = minimums.min(), let high = maximums.max(), low <= high else { return HistogramQuantile(value: estimate, precision: .estimated) }
        if estimate > high { return HistogramQuantile(value: high, precision: .atMost) }
        if estimate < low { return HistogramQuantile(value: low, precision: .atLeast) }
        return HistogramQuantile(value: estimate, precision: .estimated)
    }
}
