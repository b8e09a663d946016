import DemoServices
import Foundation
import TraceModel
import TraceViews

/// What `trace run` measured: the user's view (client latency) and the traces' view
/// (where the time went), for the traces this run stored.
public struct RunReport: Sendable {
    public var requested: Int
    public var completed: Int
    public var errors: Int
    public var wallNanos: UInt64
    public var latencies: Percentiles
    public var tracesStored: Int
    public var spansStored: Int
    public var spansDuplicate: Int
    /// Where the stored traces' time went, along their critical paths and beside them.
    public var time: TimeAccount
    /// Network and queueing time of every cross-service hop (8 bytes each, not whole hops).
    public var networkNanosPerHop: Percentiles
    public var slowestTrace: TraceSummary?
    public var forwardEndpoint: String?
    public var forwarded: Int
    public var forwardFailures: Int
    public var lastForwardError: String?
    public var interrupted: Bool
    public var databasePath: String
    /// Traces stored without their root span: the frontend's exporter lost spans, which the
    /// numbers below would silently understate.
    public var tracesWithoutRoot = 0
    public var logRecordsStored = 0
    public var logRecordsWarnOrAbove = 0
    /// False for `--untraced`: no spans were made, so there is nothing stored to report.
    public var traced = true

    public var requestsPerSecond: Double { wallNanos > 0 ? Double(completed) / (Double(wallNanos) / 1e9) : 0 }

    public func text(style: TextStyle) -> String {
        var lines: [String] = []
        let title = interrupted ? "Run interrupted after \(completed) of \(requested) requests" : "Run complete"
        lines.append(style.bold(title))
        lines.append("  requests     \(completed)" + (errors > 0 ? style.error("  (\(errors) errors)") : "  (0 errors)"))
        lines.append("  wall time    \(DurationFormat.string(nanos: wallNanos))   " + String(format: "%.1f requests/s", requestsPerSecond))
        if let p50 = latencies.value(at: 50), let p90 = latencies.value(at: 90), let p99 = latencies.value(at: 99), let max = latencies.maximum {
            lines.append("  latency      p50 \(DurationFormat.string(nanos: p50))  p90 \(DurationFormat.string(nanos: p90))  "
                + "p99 \(DurationFormat.string(nanos: p99))  max \(DurationFormat.string(nanos: max))  (client side)")
        }
        guard traced else {
            lines.append("  tracing      off (--untraced): no spans made or stored")
            return lines.joined(separator: "\n") + "\n"
        }
        lines.append("  stored       \(tracesStored) traces, \(spansStored) spans in \(TerminalText.escaped(databasePath))"
            + (spansDuplicate > 0 ? " (\(spansDuplicate) duplicate spans ignored)" : ""))
        if logRecordsStored > 0 {
            lines.append("  logs         \(counted(logRecordsStored, "record")), "
                + (logRecordsWarnOrAbove > 0 ? style.warning("\(logRecordsWarnOrAbove) at WARN or above") : "none at WARN or above")
                + " (trace logs" + (logRecordsWarnOrAbove > 0 ? " --severity warn" : "")
                + (databasePath == "traces.db" ? "" : " --db \(TerminalText.shellQuoted(databasePath))") + ")")
        }
        if tracesWithoutRoot > 0 {
            lines.append(style.error("  incomplete   \(counted(tracesWithoutRoot, "trace")) arrived without a root span: the tracer could not export all its spans"))
        }
        if let forwardEndpoint {
            lines.append("  forwarded    \(forwarded) requests to \(TerminalText.escaped(forwardEndpoint))"
                + (forwardFailures > 0 ? style.error(", \(forwardFailures) failed (\(TerminalText.escaped(lastForwardError ?? "unknown error")))") : ""))
        }
        if tracesStored > 0 {
            lines.append("")
            lines += time.lines(style: style)
            if let p50 = networkNanosPerHop.value(at: 50), let p99 = networkNanosPerHop.value(at: 99) {
                lines.append("  network per hop: p50 \(DurationFormat.string(nanos: p50)), p99 \(DurationFormat.string(nanos: p99))")
            }
        }
        if let slowest = slowestTrace {
            lines.append("")
            lines.append("Slowest trace \(slowest.traceID.hex) (\(DurationFormat.string(nanos: slowest.durationNanos))). Open it with:")
            lines.append("  trace show \(slowest.traceID.hex)" + (databasePath == "traces.db" ? "" : " --db \(TerminalText.shellQuoted(databasePath))"))
        }
        return lines.joined(separator: "\n") + "\n"
    }

}

extension RunReport {
    /// The client's numbers of a run with tracing off. (In an extension, so the memberwise
    /// initialiser the full report uses stays synthesised.)
    init(untraced result: LoadGenerator.Result, requested: Int) {
        self.init(requested: requested, completed: result.completed, errors: result.errors, wallNanos: result.wallNanos,
                  latencies: Percentiles(result.latenciesNanos), tracesStored: 0, spansStored: 0, spansDuplicate: 0, time: TimeAccount(),
                  networkNanosPerHop: Percentiles([]), slowestTrace: nil, forwardEndpoint: nil, forwarded: 0,
                  forwardFailures: 0, lastForwardError: nil, interrupted: result.interrupted, databasePath: "", traced: false)
    }
}
