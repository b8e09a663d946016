import Foundation
import TraceModel

/// `trace runs`: one line a recorded run, oldest first, so the newest sits above the prompt.
public enum RunListText {
    public static func table(_ runs: [RecordedRun], style: TextStyle, timeZone: TimeZone? = nil) -> String {
        var table = TextTable(header: ["ID", "KIND", "LABEL", "START", "DURATION", "EXIT", "TRACES", "SPANS", "ERRORS", "LOGS", "POINTS", "COMMAND"],
                              rightAligned: [0, 4, 5, 6, 7, 8, 9, 10], maximumWidths: [2: 24, 11: 60])
        for run in runs {
            let totals = run.totals
            table.append([
                String(run.id), run.kind.rawValue, TerminalText.escaped(run.label ?? ""),
                Timestamp.string(unixNano: run.startUnixNano, timeZone: timeZone),
                run.endUnixNano.map { DurationFormat.string(nanos: $0 >= run.startUnixNano ? $0 - run.startUnixNano : 0) } ?? "recording",
                run.exitCode.map(String.init) ?? "",
                totals.map { String($0.traces) } ?? "", totals.map { String($0.spans) } ?? "", totals.map { String($0.errorTraces) } ?? "",
                totals.map { String($0.logRecords) } ?? "", totals.map { String($0.metricPoints) } ?? "",
                TerminalText.escaped(run.commandLine),
            ])
        }
        let lines = table.lines()
        var out = style.dim(lines.header) + "\n"
        for (text, run) in zip(lines.rows, runs) {
            let failed = (run.exitCode ?? 0) != 0 || (run.totals?.errorTraces ?? 0) > 0
            out += (failed ? style.error(text) : text) + "\n"
        }
        return out
    }

    /// `trace runs --json`: an array of objects, times in Unix nanoseconds, absent values null.
    public static func json(_ runs: [RecordedRun]) throws -> Data {
        let objects: [[String: Any]] = runs.map { run in
            var object: [String: Any] = [
                "id": run.id, "kind": run.kind.rawValue, "label": run.label ?? NSNull(), "command": run.commandLine,
                "startTimeUnixNano": run.startUnixNano, "endTimeUnixNano": run.endUnixNano ?? NSNull(),
                "exitCode": run.exitCode ?? NSNull(),
            ]
            if let totals = run.totals {
                object["traces"] = totals.traces
                object["spans"] = totals.spans
                object["errorTraces"] = totals.errorTraces
                object["logRecords"] = totals.logRecords
                object["metricPoints"] = totals.metricPoints
            }
            return object
        }
        return try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .withoutEscapingSlashes])
    }
}
