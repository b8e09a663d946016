import Foundation
import TraceModel

/// `trace diff` as text: both traces' waterfalls side by side on one time scale, per-span deltas, a verdict.
public enum DiffText {
    public static func render(_ diff: TraceDiff, width: Int, style: TextStyle, timeZone: TimeZone? = nil) -> String {
        let d: (UInt64) -> String = DurationFormat.string(nanos:)
        var lines: [String] = []
        for (label, trace) in [("A", diff.a), ("B", diff.b)] {
            lines.append(style.bold("\(label)  \(trace.traceID.hex)") + "  \(Timestamp.string(unixNano: trace.startTimeUnixNano, timeZone: timeZone))"
                + "  \(d(trace.durationNanos))  \(trace.spans.count) spans")
        }
        lines.append("")
        let names = diff.rows.map { row in
            (row.a == nil ? "+ " : row.b == nil ? "- " : "  ") + WaterfallLayout.indentation(depth: row.depth) + TerminalText.escaped(row.span.name)
        }
        let services = diff.rows.map { TerminalText.escaped($0.span.serviceName) }
        let nameWidth = min(max(4, names.map(TerminalText.width).max() ?? 0), 36)
        let serviceWidth = min(max(7, services.map(TerminalText.width).max() ?? 0), 14)
        let numbers = 4 * 9
        let barWidth = max(8, (width - nameWidth - serviceWidth - numbers - 6) / 2)
        let scale = max(diff.a.durationNanos, diff.b.durationNanos, 1)
        func bar(_ span: Span?, in trace: Trace) -> String {
            guard let span else { return String(repeating: " ", count: barWidth) }
            let cells = Double(barWidth) / Double(scale)
            let start = Double(span.startTimeUnixNano &- trace.startTimeUnixNano) * cells
            let end = Double(span.endTimeUnixNano &- trace.startTimeUnixNano) * cells
            return String(WaterfallLayout.barString(start: min(start, Double(barWidth)), end: min(max(end, start), Double(barWidth)), width: barWidth))
        }
        func number(_ text: String) -> String { TerminalText.padded(text, columns: 8, alignRight: true) }
        func signed(_ nanos: Int64?) -> String { nanos.map { ($0 > 0 ? "+" : "") + DurationFormat.string(nanos: $0) } ?? "" }
        let header = TerminalText.padded("SPAN", columns: nameWidth) + " " + TerminalText.padded("SERVICE", columns: serviceWidth) + " "
            + [number("A"), number("B"), number("Δ"), number("PATH Δ")].joined(separator: " ")
        lines.append(style.dim(header + "  " + TerminalText.padded("A", columns: barWidth) + "┊B (one scale: \(d(scale)))"))
        for (index, row) in diff.rows.enumerated() {
            let durations: [String] = [row.a.map { d($0.durationNanos) } ?? "-", row.b.map { d($0.durationNanos) } ?? "-",
                                       signed(row.durationDeltaNanos), row.contributionNanos == 0 ? "" : signed(row.contributionNanos)]
            let service = style.service(TerminalText.padded(services[index], columns: serviceWidth), service: row.span.serviceName)
            let bars = style.dim(bar(row.a, in: diff.a)) + "┊" + style.service(bar(row.b, in: diff.b), service: row.span.serviceName)
            let line = TerminalText.padded(names[index], columns: nameWidth) + " " + service + " " + durations.map(number).joined(separator: " ") + "  " + bars
            lines.append(TerminalText.trimmedRight(line))
        }
        lines.append("")
        lines += TerminalText.wrapped("Verdict  " + verdict(diff), columns: width, indent: 9, atSpaces: true)
        let legend = "  Δ is B − A per span; PATH Δ is the change in the span's own time on the critical path, which adds up to the change in duration. + only in B, - only in A."
        lines += TerminalText.wrapped(legend, columns: width, indent: 2, atSpaces: true).map(style.dim)
        return lines.joined(separator: "\n") + "\n"
    }

    /// One line: the change and the spans it comes from, e.g. `+18.2ms (2.1ms → 20.3ms): 94% in backend `GET /` self time`.
    public static func verdict(_ diff: TraceDiff) -> String {
        let d: (UInt64) -> String = DurationFormat.string(nanos:)
        let delta = diff.durationDeltaNanos
        let change = "\(d(diff.a.durationNanos)) → \(d(diff.b.durationNanos))"
        guard delta != 0 else { return "same duration (\(change))" }
        let relative = diff.a.durationNanos > 0 ? String(format: ", %+.0f%%", Double(delta) / Double(diff.a.durationNanos) * 100) : ""
        let head = (delta > 0 ? "+" : "") + DurationFormat.string(nanos: delta) + " (\(change)\(relative))"
        let parts = diff.explanation.map { item in String(format: "%.0f%% in ", item.share * 100) + label(item.row) }
        return parts.isEmpty ? head : head + ": " + parts.joined(separator: ", ")
    }

    static func label(_ row: TraceDiff.Row) -> String {
        let span = "\(TerminalText.escaped(row.span.serviceName)) `\(TerminalText.escaped(row.span.name))`"
        let side = row.a == nil ? " (only in B)" : row.b == nil ? " (only in A)" : ""
        return (row.isNetwork ? "network & queueing under \(span)" : "\(span) self time") + side
    }
}
