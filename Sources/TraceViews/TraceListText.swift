import Foundation
import TraceModel

/// `trace list` output: an aligned table for people, JSON for programs.
public enum TraceListText {
    public static func table(_ traces: [TraceSummary], style: TextStyle, timeZone: TimeZone? = nil) -> String {
        let rows = traces.map { trace -> [String] in
            let root = trace.rootName.map { "\(TerminalText.escaped(trace.rootService ?? "?")): \(TerminalText.escaped($0))" } ?? "(root not received)"
            return [
                trace.traceID.hex,
                Timestamp.string(unixNano: trace.startTimeUnixNano, timeZone: timeZone),
                DurationFormat.string(nanos: trace.durationNanos),
                String(trace.spanCount),
                trace.services.map(TerminalText.escaped).joined(separator: ","),
                root,
                trace.hasError ? "ERR" : "",
            ]
        }
        var table = TextTable(header: ["TRACE ID", "START", "DURATION", "SPANS", "SERVICES", "ROOT", ""], rightAligned: [2, 3], maximumWidths: [4: 32, 5: 48])
        rows.forEach { table.append($0) }
        let lines = table.lines()
        var out = style.dim(lines.header) + "\n"
        for (text, trace) in zip(lines.rows, traces) {
            out += (trace.hasError ? style.error(text) : text) + "\n"
        }
        return out
    }

    /// The header of `list --follow`, whose columns have fixed widths: later rows cannot widen them.
    public static func followHeader(style: TextStyle) -> String {
        style.dim(followColumns(["TRACE ID", "START", "DURATION", "SPANS", "SERVICES", "ROOT"]))
    }

    /// One trace as a line under `followHeader`.
    public static func followLine(_ trace: TraceSummary, style: TextStyle, timeZone: TimeZone? = nil) -> String {
        let root = trace.rootName.map { "\(TerminalText.escaped(trace.rootService ?? "?")): \(TerminalText.escaped($0))" } ?? "(root not received)"
        let line = followColumns([
            trace.traceID.hex, Timestamp.string(unixNano: trace.startTimeUnixNano, timeZone: timeZone),
            DurationFormat.string(nanos: trace.durationNanos), String(trace.spanCount),
            trace.services.map(TerminalText.escaped).joined(separator: ","), root,
        ]) + (trace.hasError ? "  ERR" : "")
        return trace.hasError ? style.error(line) : line
    }

    private static func followColumns(_ cells: [String]) -> String {
        let widths = [32, 23, 8, 5, 20]
        var line = ""
        for (index, cell) in cells.enumerated() {
            guard index < widths.count else { line += cell; break }
            let fitted = TerminalText.width(cell) > widths[index] ? TerminalText.truncated(cell, columns: widths[index]) : cell
            line += TerminalText.padded(fitted, columns: widths[index], alignRight: index == 2 || index == 3) + "  "
        }
        return line
    }

    /// One trace as a line of JSON, for `list --follow --json` (JSON lines).
    public static func jsonLine(_ trace: TraceSummary) throws -> Data {
        TerminalSafety.escapingJSON(try JSONSerialization.data(withJSONObject: object(trace), options: [.sortedKeys, .withoutEscapingSlashes]))
    }

    private static func object(_ trace: TraceSummary) -> [String: Any] {
        [
            "traceId": trace.traceID.hex,
            "start": Timestamp.rfc3339(unixNano: trace.startTimeUnixNano),
            "durationMs": Double(trace.durationNanos) / 1e6,
            "spanCount": trace.spanCount,
            "services": trace.services,
            "rootService": trace.rootService as Any? ?? NSNull(),
            "rootName": trace.rootName as Any? ?? NSNull(),
            "error": trace.hasError,
        ]
    }

    public static func json(_ traces: [TraceSummary]) throws -> Data {
        let objects: [[String: Any]] = traces.map(object)
        return TerminalSafety.escapingJSON(try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]))
    }
}
