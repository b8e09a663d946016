import Foundation
import TraceModel
import TraceQL
import TraceStore
import TraceViews

/// What `trace check` found: each rule with its measured value, kept or broken.
public struct CheckReport: Sendable {
    public struct Result: Sendable {
        public var rule: CheckRule
        public var passed: Bool
        /// The measured value, in words: "0 matching spans", "p99 73.2ms over 1,200 spans".
        public var measured: String
    }

    public var results: [Result]
    /// What was checked, in words: "run 3 "after" (200 traces)".
    public var subject: String
    public var seconds: Double

    public var failures: Int { results.filter { !$0.passed }.count }
    public var passed: Bool { failures == 0 }

    /// Checks every rule against the traces `base` selects; `baseline` is what `no slower` compares against.
    public static func check(_ rules: [CheckRule], in store: TraceStore, among base: TraceQuery, subject: String,
                             baseline: (store: TraceStore, query: TraceQuery, name: String)?, confidence: Double) async throws -> CheckReport {
        let began = ContinuousClock.now
        var results: [Result] = []
        for rule in rules {
            switch rule.kind {
            case .none(let query):
                let count = try await RunSpans.matchedDurations(query, in: store, among: base).count
                results.append(Result(rule: rule, passed: count == 0, measured: "\(counted(count, "matching span"))"))
            case .measure(let measure, let query, let comparison, let bound):
                let durations = try await RunSpans.matchedDurations(query, in: store, among: base)
                if measure == .count {
                    results.append(Result(rule: rule, passed: CheckRule.holds(Double(durations.count), comparison, bound),
                                          measured: counted(durations.count, "matching span")))
                } else if let value = Self.value(measure, of: durations) {
                    results.append(Result(rule: rule, passed: CheckRule.holds(Double(value), comparison, bound),
                                          measured: "\(measure.rawValue) \(DurationFormat.string(nanos: value)) over \(counted(durations.count, "span"))"))
                } else {
                    results.append(Result(rule: rule, passed: false, measured: "no span matches, so there is no \(measure.rawValue) to compare"))
                }
            case .noSlower:
                guard let baseline else {
                    results.append(Result(rule: rule, passed: false, measured: "no baseline: give --baseline RUN"))
                    continue
                }
                let comparison = RunComparison(baseline: try await RunSpans.side(in: baseline.store, matching: baseline.query),
                                               candidate: try await RunSpans.side(in: store, matching: base), confidence: confidence)
                let slower = comparison.rows.filter { $0.verdict == .slower }
                results.append(Result(rule: rule, passed: slower.isEmpty, measured: slower.isEmpty
                    ? "none slower than \(baseline.name) (\(counted(comparison.rows.count, "operation")) compared)"
                    : "\(counted(slower.count, "operation")) slower than \(baseline.name): "
                        + slower.map { "\($0.operation) \(DurationFormat.string(nanos: $0.baseline.p50))→\(DurationFormat.string(nanos: $0.candidate.p50))" }.joined(separator: ", ")))
            }
        }
        return CheckReport(results: results, subject: subject, seconds: (ContinuousClock.now - began) / .seconds(1))
    }

    static func value(_ measure: CheckRule.Measure, of durations: [UInt64]) -> UInt64? {
        guard !durations.isEmpty else { return nil }
        let percentiles = Percentiles(durations)
        return switch measure {
        case .count: UInt64(durations.count)
        case .p50: percentiles.value(at: 50)
        case .p90: percentiles.value(at: 90)
        case .p95: percentiles.value(at: 95)
        case .p99: percentiles.value(at: 99)
        case .max: percentiles.maximum
        case .mean: durations.reduce(0, +) / UInt64(durations.count)
        }
    }

    public func text(style: TextStyle) -> String {
        var table = TextTable(header: ["", "RULE", "MEASURED"], rightAligned: [], maximumWidths: [1: 90])
        for result in results {
            table.append([result.passed ? "PASS" : "FAIL", TerminalText.escaped(result.rule.description), TerminalText.escaped(result.measured)])
        }
        let lines = table.lines()
        var out = ""
        for (text, result) in zip(lines.rows, results) { out += (result.passed ? text : style.error(text)) + "\n" }
        out += (passed ? "All \(counted(results.count, "rule")) hold" : "\(failures) of \(counted(results.count, "rule")) failed")
            + " for \(TerminalText.escaped(subject)).\n"
        return out
    }

    /// JUnit XML, which CI systems show as tests: one test case a rule.
    public func junit() -> String {
        func escaped(_ text: String) -> String {
            var out = ""
            for scalar in text.unicodeScalars {
                switch scalar {
                case "&": out += "&amp;"
                case "<": out += "&lt;"
                case ">": out += "&gt;"
                case "\"": out += "&quot;"
                case "'": out += "&apos;"
                // Control characters other than tab and newlines are not allowed in XML 1.0.
                case _ where scalar.value < 0x20 && scalar != "\t" && scalar != "\n" && scalar != "\r": out += "?"
                default: out.unicodeScalars.append(scalar)
                }
            }
            return out
        }
        let time = String(format: "%.3f", seconds)
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"trace check\" tests=\"\(results.count)\" failures=\"\(failures)\" time=\"\(time)\">\n"
        xml += "  <testsuite name=\"\(escaped("trace check: " + subject))\" tests=\"\(results.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(time)\">\n"
        for result in results {
            xml += "    <testcase classname=\"trace check\" name=\"\(escaped(result.rule.description))\">"
            if result.passed {
                xml += "<system-out>\(escaped(result.measured))</system-out></testcase>\n"
            } else {
                xml += "<failure message=\"\(escaped(result.measured))\">\(escaped(result.rule.description + ": " + result.measured))</failure></testcase>\n"
            }
        }
        xml += "  </testsuite>\n</testsuites>\n"
        return xml
    }
}
