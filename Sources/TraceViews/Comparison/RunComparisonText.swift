import Foundation

/// `trace compare`'s table and JSON.
public enum RunComparisonText {
    public static func table(_ comparison: RunComparison, baseline: String, candidate: String, style: TextStyle) -> String {
        var out = "A: \(TerminalText.escaped(baseline))\nB: \(TerminalText.escaped(candidate))\n"
        out += style.dim("Verdicts: each run cut into \(comparison.blocks) stretches of time, their medians compared by a rank-sum test at "
            + "\(percent(comparison.confidence)) confidence, and a median change of at least \(percent(RunComparison.smallestMeaningfulChange)) "
            + "(and \(DurationFormat.string(nanos: RunComparison.smallestMeaningfulNanos)), and more than either run's stretches differ by); fewer than "
            + "\(max(RunComparison.minimumCount, 2 * comparison.blocks)) spans a side is too few.") + "\n\n"
        var table = TextTable(header: ["OPERATION", "COUNT A→B", "P50 A→B", "CHANGE", "P90 A→B", "P99 A→B", "ERRORS A→B", "VERDICT"],
                              rightAligned: [1, 3], maximumWidths: [0: 48])
        for row in comparison.rows {
            table.append([
                TerminalText.escaped(row.operation), "\(row.baseline.count)→\(row.candidate.count)",
                "\(duration(row.baseline.p50))→\(duration(row.candidate.p50))", change(from: row.baseline.p50, to: row.candidate.p50),
                "\(duration(row.baseline.p90))→\(duration(row.candidate.p90))", "\(duration(row.baseline.p99))→\(duration(row.candidate.p99))",
                "\(percent(row.baseline.errorRate))→\(percent(row.candidate.errorRate))", row.verdict.rawValue,
            ])
        }
        let lines = table.lines()
        out += style.dim(lines.header) + "\n"
        for (text, row) in zip(lines.rows, comparison.rows) {
            out += (row.verdict == .slower ? style.error(text) : row.verdict == .faster ? style.bold(text) : text) + "\n"
        }
        for (title, items) in [("Only in B", comparison.appeared), ("Only in A", comparison.vanished), ("New errors in B", comparison.newErrors)] where !items.isEmpty {
            out += "\n\(title):\n" + items.map { "  \(TerminalText.escaped($0))\n" }.joined()
        }
        let slower = comparison.rows.filter { $0.verdict == .slower }.count, faster = comparison.rows.filter { $0.verdict == .faster }.count
        out += "\n" + (slower + faster == 0 ? "No operation changed beyond the noise.\n"
            : "\(counted(slower, "operation")) slower, \(faster) faster.\n")
        return out
    }

    public static func json(_ comparison: RunComparison, baseline: [String: Any], candidate: [String: Any]) throws -> Data {
        func side(_ summary: RunComparison.Summary) -> [String: Any] {
            ["count": summary.count, "p50Ms": ms(summary.p50), "p90Ms": ms(summary.p90), "p99Ms": ms(summary.p99), "errorRate": summary.errorRate]
        }
        let object: [String: Any] = [
            "baseline": baseline, "candidate": candidate, "confidence": comparison.confidence, "blocks": comparison.blocks,
            "operations": comparison.rows.map { row in
                [
                    "operation": row.operation, "baseline": side(row.baseline), "candidate": side(row.candidate),
                    "p50Change": row.baseline.p50 == 0 ? NSNull() : (Double(row.candidate.p50) - Double(row.baseline.p50)) / Double(row.baseline.p50),
                    "pValue": row.pValue ?? NSNull(), "verdict": row.verdict.rawValue,
                ] as [String: Any]
            },
            "onlyInCandidate": comparison.appeared, "onlyInBaseline": comparison.vanished, "newErrors": comparison.newErrors,
        ]
        return try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
    }

    static func ms(_ nanos: UInt64) -> Double { Double(nanos) / 1e6 }
    static func duration(_ nanos: UInt64) -> String { DurationFormat.string(nanos: nanos) }
    static func percent(_ share: Double) -> String {
        let value = share * 100
        return value == value.rounded() ? String(format: "%.0f%%", value) : String(format: "%.1f%%", value)
    }

    static func change(from before: UInt64, to after: UInt64) -> String {
        guard before > 0 else { return "" }
        let ratio = (Double(after) - Double(before)) / Double(before) * 100
        return String(format: "%+.0f%%", ratio)
    }
}
