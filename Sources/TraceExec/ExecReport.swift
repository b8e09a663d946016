import Foundation
import TraceIngest
import TraceModel
import TraceStore
import TraceViews

/// What `trace exec` prints once the program has ended: how it ended, what arrived, where the
/// time went and the slowest trace; or, when nothing arrived, what was set and what to check.
public struct ExecReport: Sendable {
    public var commandLine: String
    public var outcome: ExecSession.Outcome
    public var wallNanos: UInt64
    public var run: RecordedRun.Totals
    public var logRecordsWarnOrAbove: Int
    public var requestsRejected: Int
    public var time: TimeAccount
    public var slowestTrace: TraceSummary?
    public var databasePath: String

    /// Reads what the run recorded: its window's traces, as `trace stats --run` would.
    public static func make(commandLine: String, outcome: ExecSession.Outcome, run: RecordedRun, store: TraceStore,
                            statistics: IngestStatistics.Snapshot) async throws -> ExecReport {
        let query = TraceQuery().within(run)
        // Time alone, as `trace stats` reads it: no spans built.
        let parts = try await store.forEachTraceTimings(matching: query, inParallel: 2, start: { TimingStatistics(grouping: .root) }, add: { $0.add($1) },
                                                        finish: { part, names in part.statistics(names: names).time })
        var slowestQuery = query
        slowestQuery.order = .duration
        slowestQuery.limit = 1
        return ExecReport(
            commandLine: commandLine, outcome: outcome,
            wallNanos: (run.endUnixNano ?? run.startUnixNano) - run.startUnixNano,
            run: run.totals ?? .init(traces: 0, spans: 0, errorTraces: 0, logRecords: 0, metricPoints: 0),
            logRecordsWarnOrAbove: try store.logTotals(within: run).warnOrAbove,
            requestsRejected: statistics.requestsRejected,
            time: parts.reduce(into: TimeAccount()) { $0.merge($1) },
            slowestTrace: try store.traces(matching: slowestQuery).first, databasePath: store.path)
    }

    public var nothingArrived: Bool { run.traces == 0 && run.logRecords == 0 && run.metricPoints == 0 }

    public func text(style: TextStyle) -> String {
        var lines: [String] = []
        let ending = switch outcome.termination {
        case .exited(let code): "exited \(code)"
        case .signalled(let signal): "was killed by signal \(signal) (\(Self.signalName(signal)))"
        }
        let failed = outcome.termination != .exited(0)
        lines.append(style.bold("trace exec: ") + (failed ? style.error(ending) : ending) + " after \(DurationFormat.string(nanos: wallNanos))")
        if nothingArrived {
            lines.append(style.warning("  no telemetry arrived") + " at \(outcome.endpoint)")
            if !outcome.variablesSet.isEmpty { lines.append("  set for the program: " + outcome.variablesSet.joined(separator: ", ")) }
            if !outcome.variablesKept.isEmpty {
                lines.append("  kept as you had set them: " + outcome.variablesKept.joined(separator: ", ") + " (they may send it elsewhere)")
            }
            lines.append("  an OpenTelemetry SDK reads these; a Python program sends with opentelemetry-instrument in front of it")
            return lines.joined(separator: "\n") + "\n"
        }
        let where_ = databasePath == "traces.db" ? "" : " --db \(TerminalText.shellQuoted(databasePath))"
        lines.append(run.traces == 0 ? "  traces       none; what arrived is in \(TerminalText.escaped(databasePath))"
            : "  traces       \(run.traces) (\(counted(run.spans, "span")))"
            + (run.errorTraces > 0 ? style.error(", \(run.errorTraces) with errors") : ", no errors") + " in \(TerminalText.escaped(databasePath))")
        if run.logRecords > 0 {
            lines.append("  logs         \(counted(run.logRecords, "record")), "
                + (logRecordsWarnOrAbove > 0 ? style.warning("\(logRecordsWarnOrAbove) at WARN or above") : "none at WARN or above")
                + " (trace logs --run last" + (logRecordsWarnOrAbove > 0 ? " --severity warn" : "") + where_ + ")")
        }
        if run.metricPoints > 0 {
            lines.append("  metrics      \(counted(run.metricPoints, "point")) (trace metrics\(where_))")
        }
        if requestsRejected > 0 {
            lines.append(style.error("  refused      \(counted(requestsRejected, "request")) that could not be read or stored"))
        }
        if run.traces > 0 {
            lines.append("")
            lines += time.lines(style: style)
        }
        if let slowest = slowestTrace {
            lines.append("")
            lines.append("Slowest trace \(slowest.traceID.hex) (\(DurationFormat.string(nanos: slowest.durationNanos))). Open it with:")
            lines.append("  trace show \(slowest.traceID.hex)" + where_)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    static func signalName(_ signal: Int32) -> String {
        switch signal {
        case SIGINT: "SIGINT"
        case SIGTERM: "SIGTERM"
        case SIGKILL: "SIGKILL"
        case SIGHUP: "SIGHUP"
        case SIGQUIT: "SIGQUIT"
        case SIGSEGV: "SIGSEGV"
        case SIGABRT: "SIGABRT"
        case SIGPIPE: "SIGPIPE"
        default: "signal \(signal)"
        }
    }
}
