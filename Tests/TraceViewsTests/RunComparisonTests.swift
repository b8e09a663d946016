import Foundation
import Testing
import TraceFixtures
import TraceModel
@testable import TraceViews

/// The comparison's statistics against values worked out by hand or by a reference: the exact
/// Mann–Whitney p-values scipy gives, and verdicts that follow the rules the help states.
@Suite struct RunComparisonTests {
    @Test func mannWhitneyAgreesWithScipy() throws {
        // scipy.stats.mannwhitneyu(a, b, alternative="two-sided", method="exact").pvalue
        let cases: [([Double], [Double], Double)] = [
            ([1, 2, 3, 4, 5], [6, 7, 8, 9, 10], 0.007936507936507936),
            ([1, 3, 5, 7, 9], [2, 4, 6, 8, 10.5], 0.6904761904761905),
            ([1.5, 2.5, 3.1, 8, 9.5, 12], [2, 4, 6, 7, 10, 11, 13], 0.5337995337995338),
            ([1, 2, 3, 4, 5, 6, 7], [8, 9, 10, 11, 12, 13, 14], 0.0005827505827505828),
        ]
        for (a, b, expected) in cases {
            #expect(abs(try #require(MannWhitney.exactPValue(a, b)) - expected) < 1e-12, "\(a) \(b)")
            #expect(abs(try #require(MannWhitney.exactPValue(b, a)) - expected) < 1e-12, "symmetric")
        }
        #expect(MannWhitney.exactPValue([], [1]) == nil)
    }

    @Test func blocksAreTheFewestThatCanReachTheConfidence() {
        // 2 / C(2k, k): k = 5 gives 0.0079 (< 0.01), 4 only 0.029; 7 gives 0.00058 (< 0.001).
        #expect(RunComparison.blockCount(confidence: 0.99) == 5)
        #expect(RunComparison.blockCount(confidence: 0.95) == 4)
        #expect(RunComparison.blockCount(confidence: 0.999) == 7)
        var sample = RunComparison.Sample()
        sample.durations = [9, 1, 2, 8, 3, 7]
        sample.starts = [6, 1, 2, 5, 3, 4]
        #expect(sample.blockMedians(3) == [1.5, 5, 8.5], "by start time, not by value or arrival")
    }

    static func side(_ durations: [String: [UInt64]], errors: [String: String] = [:]) -> RunComparison.Side {
        var side = RunComparison.Side()
        var id: UInt64 = 1
        for (operation, values) in durations {
            for value in values {
                id += 1
                let failed = errors[operation]
                let span = Span(traceID: TraceID(high: id, low: 1), spanID: SpanID(id), name: operation, startTimeUnixNano: id * 1_000,
                                endTimeUnixNano: id * 1_000 + value, status: failed.map { SpanStatus(code: .error, message: $0) } ?? SpanStatus())
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
        // Every block of B above every block of A: the most extreme of the C(10, 5) splits, either way.
        #expect(comparison.rows.first { $0.operation == "doubled" }?.pValue == 2.0 / 252)
    }

    @Test func aRunThatWasSlowedForAWhileIsNotCalledSlowerForIt() {
        // B's second half ran on a busy machine: every stretch of it is slower than A's, but B
        // itself varies by more than the change, so the change is not the code's.
        let steady = (0..<100).map { _ in UInt64(1_000_000) }
        let disturbed = (0..<50).map { _ in UInt64(1_300_000) } + (0..<50).map { _ in UInt64(2_500_000) }
        let comparison = RunComparison(baseline: Self.side(["op": steady]), candidate: Self.side(["op": disturbed]), confidence: 0.99)
        #expect(comparison.rows.first?.verdict == .same)
        #expect(comparison.rows.first?.pValue == 2.0 / 252, "the test alone would have called it")
    }

    @Test func theTableSaysHowItDecidedAndListsWhatChanged() {
        let comparison = RunComparison(baseline: Self.side(["a": Array(repeating: 1_000_000, count: 9) + [2_000_000], "old": [1]]),
                                       candidate: Self.side(["a": Array(repeating: 3_000_000, count: 9) + [2_000_000], "new": [1]], errors: ["new": "boom"]),
                                       confidence: 0.95)
        let text = RunComparisonText.table(comparison, baseline: "run 1", candidate: "run 2", style: TextStyle(colors: false))
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "A: run 1" && lines[1] == "B: run 2")
        #expect(lines[2] == "Verdicts: each run cut into 4 stretches of time, their medians compared by a rank-sum test at 95% confidence, "
            + "and a median change of at least 25% (and 50µs, and more than either run's stretches differ by); fewer than 10 spans a side is too few.")
        #expect(lines[4].hasPrefix("OPERATION  COUNT A→B  P50 A→B  "))
        // Nearest-rank percentiles: the p90 of nine 1ms and one 2ms is 1ms.
        #expect(lines[5] == "a              10→10  1ms→3ms   +200%  1ms→3ms  2ms→3ms  0%→0%       slower")
        #expect(text.contains("\nOnly in B:\n  new\n\nOnly in A:\n  old\n\nNew errors in B:\n  new: boom\n"))
        #expect(text.hasSuffix("\n1 operation slower, 0 faster.\n"))
    }
}
