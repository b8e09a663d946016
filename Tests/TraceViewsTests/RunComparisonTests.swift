import Foundation
import Testing
import TraceFixtures
import TraceModel
@testable import TraceViews

/// The comparison's statistics against values worked out by hand or by a reference: the
/// Mann–Whitney p-values scipy gives, and verdicts that follow the rules the help states.
@Suite struct RunComparisonTests {
    @Test func mannWhitneyAgreesWithScipy() throws {
        // scipy.stats.mannwhitneyu(a, b, alternative="two-sided", method="asymptotic", use_continuity=True)
        let a: [UInt64] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]
        let b: [UInt64] = [6, 7, 8, 9, 10, 11, 12, 13, 14, 15]
        #expect(abs(try #require(MannWhitney.pValue(a, b)) - 0.0050754) < 0.000001)
        // Ties within and across the samples: scipy gives 0.0983681.
        let tiedA: [UInt64] = [3, 3, 3, 5, 5, 7, 8, 8, 9, 9]
        let tiedB: [UInt64] = [4, 5, 5, 8, 8, 9, 9, 9, 10, 12]
        #expect(abs(try #require(MannWhitney.pValue(tiedA, tiedB)) - 0.0983681) < 0.000001)
        #expect(MannWhitney.pValue(a, a) ?? 0 > 0.9)
        #expect(MannWhitney.pValue([], a) == nil)
        #expect(MannWhitney.pValue([4, 4, 4], [4, 4]) == nil, "no spread at all: nothing to test")
    }

    static func side(_ durations: [String: [UInt64]], errors: [String: String] = [:]) -> RunComparison.Side {
        var side = RunComparison.Side()
        var id: UInt64 = 1
        for (operation, values) in durations {
            for value in values {
                id += 1
                let failed = errors[operation]
                let span = Span(traceID: TraceID(high: id, low: 1), spanID: SpanID(id), name: operation, startTimeUnixNano: 1_000,
                                endTimeUnixNano: 1_000 + value, status: failed.map { SpanStatus(code: .error, message: $0) } ?? SpanStatus())
                side.add(operation: operation, span: span)
            }
        }
        return side
    }

    @Test func verdictsNeedBothASignificantTestAndAMeaningfulChange() throws {
        var random = SeededRandom(seed: 3)
        func sample(around center: UInt64, count: Int = 200) -> [UInt64] {
            (0..<count).map { _ in center + UInt64.random(in: 0...(center / 5), using: &random) }
        }
        let baseline = Self.side([
            "steady": sample(around: 1_000_000), "doubled": sample(around: 1_000_000), "halved": sample(around: 2_000_000),
            "slightly": sample(around: 1_000_000), "tiny": sample(around: 10_000), "rare": sample(around: 1_000_000, count: 5), "gone": [1, 2],
        ], errors: ["steady": "timeout"])
        let candidate = Self.side([
            "steady": sample(around: 1_000_000), "doubled": sample(around: 2_000_000), "halved": sample(around: 1_000_000),
            // 10% slower, clearly significant with 200 a side, but within what two runs differ by.
            "slightly": sample(around: 1_100_000),
            // Three times slower, but by 20µs: below the smallest change worth a verdict.
            "tiny": sample(around: 30_000),
            "rare": sample(around: 3_000_000, count: 5), "new": [5],
        ], errors: ["steady": "connection refused", "doubled": "timeout"])
        let comparison = RunComparison(baseline: baseline, candidate: candidate, confidence: 0.99)
        let verdicts = Dictionary(uniqueKeysWithValues: comparison.rows.map { ($0.operation, $0.verdict) })
        #expect(verdicts == ["steady": .same, "doubled": .slower, "halved": .faster, "slightly": .same, "tiny": .same, "rare": .tooFew])
        #expect(comparison.appeared == ["new"] && comparison.vanished == ["gone"])
        #expect(comparison.newErrors == ["doubled: timeout", "steady: connection refused"])
        #expect(comparison.anySlower)
        let steady = comparison.rows.first { $0.operation == "steady" }!
        #expect(steady.baseline.errorRate == 1 && steady.baseline.count == 200)
        #expect(try #require(comparison.rows.first { $0.operation == "doubled" }?.pValue) < 1e-10)
    }

    @Test func theTableSaysHowItDecidedAndListsWhatChanged() {
        let comparison = RunComparison(baseline: Self.side(["a": Array(repeating: 1_000_000, count: 9) + [2_000_000], "old": [1]]),
                                       candidate: Self.side(["a": Array(repeating: 3_000_000, count: 9) + [2_000_000], "new": [1]], errors: ["new": "boom"]),
                                       confidence: 0.95)
        let text = RunComparisonText.table(comparison, baseline: "run 1", candidate: "run 2", style: TextStyle(colors: false))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "A: run 1" && lines[1] == "B: run 2")
        #expect(lines[2] == "Verdicts: Mann–Whitney U at 95% confidence, and a median change of at least 25% (and 50µs); fewer than 10 spans a side is too few.")
        #expect(lines[4].hasPrefix("OPERATION  COUNT A→B  P50 A→B  "))
        // Nearest-rank percentiles: the p90 of nine 1ms and one 2ms is 1ms.
        #expect(lines[5] == "a              10→10  1ms→3ms   +200%  1ms→3ms  2ms→3ms  0%→0%       slower")
        #expect(text.contains("\nOnly in B:\n  new\n\nOnly in A:\n  old\n\nNew errors in B:\n  new: boom\n"))
        #expect(text.hasSuffix("\n1 operation slower, 0 faster.\n"))
    }
}
