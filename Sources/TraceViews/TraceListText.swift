import Foundation
import TraceModel

/// `trace list` output: an aligned table for people, JSON for programs.
public enum TraceListText {
    public static func table(_ traces: [TraceSummary], style: TextStyle, timeZone: TimeZone = .current) -> String {
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
        let header = ["TRACE ID", "START", "DURATION", "SPANS", "SERVICES", "ROOT", ""]
        let rightAligned: Set<Int> = [2, 3]
        var widths = header.map(TerminalText.width)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], TerminalText.width(cell)) } }
        widths[4] = min(widths[4], 32)
        widths[5] = min(widths[5], 48)
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { TerminalText.padded($1, columns: widths[$0], alignRight: rightAligned.contains($0)) }
                .joined(separator: "  ").trimmingCharacters(in: .whitespaces)
        }
        var out = style.dim(line(header)) + "\n"
        for (row, trace) in zip(rows, traces) {
            let text = line(row)
            out += (trace.hasError ? style.error(text) : text) + "\n"
        }
        return out
    }

    public static func json(_ traces: [TraceSummary]) throws -> Data {
        let objects: [[String: Any]] = traces.map { trace in
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
        return try JSONSerialization.data(withJSONObject: objects, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    }
}
