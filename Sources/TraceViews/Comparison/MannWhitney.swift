import Foundation

/// The Mann–Whitney U test (Wilcoxon rank-sum): whether one sample's values tend to be larger
/// than the other's, without assuming any distribution, which latencies never follow.
public enum MannWhitney {
    /// The two-sided p-value by the normal approximation with the tie correction, fine from
    /// about 8 values a side; nil when either side is empty or every value is the same.
    public static func pValue(_ first: [UInt64], _ second: [UInt64]) -> Double? {
        let n1 = Double(first.count), n2 = Double(second.count)
        guard n1 > 0, n2 > 0 else { return nil }
        // Ranks of the pooled values, ties sharing their average rank.
        var pooled = first.map { ($0, true) } + second.map { ($0, false) }
        pooled.sort { $0.0 < $1.0 }
        var rankSumFirst = 0.0
        var tieTerm = 0.0
        var index = 0
        while index < pooled.count {
            var end = index
            while end + 1 < pooled.count, pooled[end + 1].0 == pooled[index].0 { end += 1 }
            let averageRank = Double(index + end + 2) / 2
            let tied = Double(end - index + 1)
            if tied > 1 { tieTerm += tied * tied * tied - tied }
            for position in index...end where pooled[position].1 { rankSumFirst += averageRank }
            index = end + 1
        }
        let u = rankSumFirst - n1 * (n1 + 1) / 2
        let n = n1 + n2
        let variance = n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))
        guard variance > 0 else { return nil }
        // Continuity-corrected z.
        let z = (abs(u - n1 * n2 / 2) - 0.5) / variance.squareRoot()
        return min(1, erfc(max(z, 0) / 2.0.squareRoot()))
    }
}
