/// The Mann–Whitney U test (Wilcoxon rank-sum): whether one sample's values tend to be larger
/// than the other's, without assuming any distribution, which latencies never follow.
public enum MannWhitney {
    /// The exact two-sided p-value (twice the smaller tail, as scipy's `method="exact"`), counting
    /// every way to split the pooled values; for small samples such as a run's block medians.
    /// A tie counts half to each side.
    public static func exactPValue(_ first: [Double], _ second: [Double]) -> Double? {
        let m = first.count, n = second.count
        guard m > 0, n > 0, m * n <= 10_000 else { return nil }
        var u = 0.0
        for a in first { for b in second { u += a > b ? 1 : a == b ? 0.5 : 0 } }
        // previous[j][k] (then current[j][k]): the orderings of i − 1 (then i) values of the first
        // sample and j of the second in which U = k.
        var previous = [[Double]](repeating: [1], count: n + 1)
        for i in 1...m {
            var current = [[Double]](repeating: [1], count: n + 1)
            for j in 1...n {
                var counts = [Double](repeating: 0, count: i * j + 1)
                // The largest value is the first sample's (it beats all j) or the second's.
                for (k, ways) in previous[j].enumerated() where ways > 0 { counts[k + j] += ways }
                for (k, ways) in current[j - 1].enumerated() where ways > 0 { counts[k] += ways }
                current[j] = counts
            }
            previous = current
        }
        let distribution = previous[n]
        let total = distribution.reduce(0, +)
        let below = distribution.enumerated().filter { Double($0.offset) <= u }.reduce(0) { $0 + $1.element } / total
        let above = distribution.enumerated().filter { Double($0.offset) >= u }.reduce(0) { $0 + $1.element } / total
        return min(1, 2 * min(below, above))
    }
}
