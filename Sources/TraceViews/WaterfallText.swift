import Foundation
import TraceModel

/// `trace show` as text: header, waterfall on a shared time axis, latency breakdown.
public enum WaterfallText {
    /// With `criticalPath`, spans on the trace's critical path are marked `●` and its time per service
    /// follows. With `skew`, the trace is shown as adjusted, moved spans marked `⇆` and listed.
    /// With `matched`, the spans a query matched are marked `▸`. Each of the trace's log records is
    /// listed under its span, in time order with the span's events; records of no span in the trace
    /// follow the waterfall.
    public static func render(trace original: Trace, width: Int, verbose: Bool, style: TextStyle, timeZone: TimeZone? = nil,
                              criticalPath: Bool = false, skew: ClockSkew? = nil, matched: Set<SpanID>? = nil) -> String {
        let trace = skew?.trace ?? original
        let logs = original.logs
        let layout = WaterfallLayout(trace: trace)
        let path = criticalPath ? CriticalPath(trace: trace) : nil
        var lines: [String] = []
        lines.append(style.bold("Trace \(trace.traceID.hex)"))
        lines.append("Start     \(Timestamp.string(unixNano: trace.startTimeUnixNano, timeZone: timeZone))")
        let errors = trace.spans.filter(\.isError).count
        let errorLogs = logs.filter { ($0.severity ?? .trace) >= .error }.count
        lines.append("Duration  \(DurationFormat.string(nanos: trace.durationNanos))   Spans \(trace.spans.count)"
            + (errors > 0 ? style.error("   Errors \(errors)") : "")
            + (logs.isEmpty ? "" : "   Logs \(logs.count)" + (errorLogs > 0 ? style.error(" (\(errorLogs) error\(errorLogs == 1 ? "" : "s"))") : "")))
        lines.append("Services  " + trace.services.map { style.service(TerminalText.escaped($0), service: $0) }.joined(separator: ", "))
        if let matched {
            let count = trace.spans.filter { matched.contains($0.spanID) }.count
            lines.append("Matched   \(count) of \(trace.spans.count) spans, marked ▸")
        }
        lines.append("")
        let spanIDs = Set(trace.spans.map(\.spanID))
        lines += waterfall(layout: layout, width: width, verbose: verbose, style: style, marked: path?.spanIDs, shifted: skew.map { Set($0.shifts.keys) } ?? [],
                           matched: matched, logs: original.logsBySpan)
        let unplaced = logs.filter { !($0.spanID.map(spanIDs.contains) ?? false) }
        if !unplaced.isEmpty {
            lines.append("")
            lines.append(style.bold("Logs of no span in the trace") + " (\(unplaced.count))")
            lines += unplaced.flatMap { logLines($0, traceStart: layout.traceStartNanos, indent: "  ", width: width, verbose: verbose, style: style) }
        }
        if layout.rows.contains(where: \.closesCycle) {
            lines.append(style.dim("\(WaterfallLayout.cycleMark.dropFirst()) the span's parent closes a parent cycle, so it is shown as a root"))
        }
        if let skew { lines += skewLines(skew, trace: trace, style: style) }
        lines.append("")
        lines += breakdown(LatencyBreakdown(trace: trace), total: trace.durationNanos, style: style)
        if let path {
            lines.append("")
            lines += Self.criticalPath(path, trace: trace, width: width, style: style)
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// What clock-skew correction moved, a line per server span whose subtree moved; or that nothing needed it.
    public static func skewLines(_ skew: ClockSkew, trace: Trace, style: TextStyle) -> [String] {
        guard !skew.adjustments.isEmpty else { return [style.dim("clock skew: no server span lay outside its client's window; nothing moved")] }
        let byID = Dictionary(trace.spans.map { ($0.spanID, $0) }, uniquingKeysWith: { first, _ in first })
        return skew.adjustments.map { adjustment in
            let server = byID[adjustment.server]
            let amount = DurationFormat.string(nanos: adjustment.shift.magnitude)
            return style.dim("⇆ clock skew: `\(TerminalText.escaped(server?.name ?? "?"))` (\(TerminalText.escaped(server?.serviceName ?? "?"))) and the spans under it "
                + "moved \(adjustment.shift < 0 ? "earlier" : "later") by \(amount) into its client's window")
        }
    }

    /// The critical path's time per service and the spans it runs through, in time order.
    public static func criticalPath(_ path: CriticalPath, trace: Trace, width: Int, style: TextStyle) -> [String] {
        let share = trace.durationNanos > 0 ? Double(path.totalNanos) / Double(trace.durationNanos) * 100 : 0
        var lines = [style.bold("Critical path") + "  \(DurationFormat.string(nanos: path.totalNanos))" + String(format: " (%.0f%% of the trace), marked ●", share)]
        lines += buckets(path.nanosByBucket, total: path.totalNanos, style: style)
        let names = Dictionary(trace.spans.map { ($0.spanID, $0.name) }, uniquingKeysWith: { first, _ in first })
        // Each span once, in the order the path first reaches it: the chain of work, not every revisit.
        var seen = Set<SpanID>()
        let steps = path.segments.filter { seen.insert($0.spanID).inserted }.map { names[$0.spanID] ?? "?" }
        lines += TerminalText.wrapped("  through " + steps.joined(separator: " → "), columns: max(20, width), indent: 10, atSpaces: true)
        return lines
    }

    static func waterfall(layout: WaterfallLayout, width: Int, verbose: Bool, style: TextStyle, marked: Set<SpanID>? = nil, shifted: Set<SpanID> = [],
                          matched: Set<SpanID>? = nil, logs: [SpanID: [LogRecord]] = [:]) -> [String] {
        let names = layout.rows.map { row in
            let mark = (matched.map { $0.contains(row.span.spanID) ? "▸ " : "  " } ?? "") + (marked.map { $0.contains(row.span.spanID) ? "● " : "  " } ?? "")
            return mark + WaterfallLayout.indentation(depth: row.depth) + TerminalText.escaped(row.span.name)
                + (row.closesCycle ? WaterfallLayout.cycleMark : "") + (shifted.contains(row.span.spanID) ? " ⇆" : "") + (row.span.isError ? " !" : "")
        }
        let services = layout.rows.map { TerminalText.escaped($0.span.serviceName) }
        let nameWidth = min(max(4, names.map(TerminalText.width).max() ?? 0), 40)
        let serviceWidth = min(max(7, services.map(TerminalText.width).max() ?? 0), 16)
        let durationWidth = 8
        let barWidth = max(10, width - nameWidth - serviceWidth - durationWidth - 4)
        var lines: [String] = []
        let half = DurationFormat.string(nanos: layout.totalNanos / 2)
        let total = DurationFormat.string(nanos: layout.totalNanos)
        var axis = Array(repeating: Character(" "), count: barWidth)
        for (offset, character) in "0".enumerated() { axis[offset] = character }
        let middle = barWidth / 2
        for (offset, character) in ("|" + half).enumerated() where middle + offset < barWidth - total.count - 1 { axis[middle + offset] = character }
        for (offset, character) in total.enumerated() { axis[barWidth - total.count + offset] = character }
        lines.append(style.dim(TerminalText.padded("SPAN", columns: nameWidth) + " " + TerminalText.padded("SERVICE", columns: serviceWidth) + " "
            + TerminalText.padded("DURATION", columns: durationWidth, alignRight: true) + "  " + String(axis)))
        for (index, row) in layout.rows.enumerated() {
            let (start, end) = layout.barCells(for: row, width: barWidth)
            var bar = WaterfallLayout.barString(start: start, end: end, width: barWidth)
            for event in row.span.events { bar[layout.cell(forUnixNano: event.timeUnixNano, width: barWidth)] = "◆" }
            let spanLogs = logs[row.span.spanID] ?? []
            for record in spanLogs { bar[layout.cell(forUnixNano: record.effectiveTimeUnixNano, width: barWidth)] = LogText.mark }
            let barText = String(bar)
            let name = TerminalText.padded(names[index], columns: nameWidth)
            lines.append((row.span.isError ? style.error(name) : name) + " "
                + style.service(TerminalText.padded(services[index], columns: serviceWidth), service: row.span.serviceName) + " "
                + TerminalText.padded(DurationFormat.string(nanos: row.span.durationNanos), columns: durationWidth, alignRight: true) + "  "
                + style.service(barText, service: row.span.serviceName))
            let indent = WaterfallLayout.indentation(depth: row.depth + 2)
            if verbose {
                lines += details(of: row, layout: layout, indent: indent, style: style, logs: spanLogs, width: width)
            } else if !spanLogs.isEmpty {
                lines += timeline(of: row.span, logs: spanLogs, layout: layout, indent: indent, width: width, verbose: false, style: style)
            }
        }
        return lines
    }

    /// A span's events and log records, in time order, a line each (a record's attributes under it with `verbose`).
    static func timeline(of span: Span, logs: [LogRecord], layout: WaterfallLayout, indent: String, width: Int, verbose: Bool, style: TextStyle) -> [String] {
        var entries: [(time: UInt64, lines: [String])] = span.events.map { event in
            (event.timeUnixNano, [eventLine(event, traceStart: layout.traceStartNanos, indent: indent)])
        }
        entries += logs.map { ($0.effectiveTimeUnixNano, logLines($0, traceStart: layout.traceStartNanos, indent: indent, width: width, verbose: verbose, style: style)) }
        // Stable: an event and a record at the same instant keep the order they were recorded in.
        return entries.enumerated().sorted { ($0.element.time, $0.offset) < ($1.element.time, $1.offset) }.flatMap(\.element.lines)
    }

    static func eventLine(_ event: SpanEvent, traceStart: UInt64, indent: String) -> String {
        let offset = event.timeUnixNano > traceStart ? event.timeUnixNano - traceStart : 0
        var line = indent + "◆ +\(DurationFormat.string(nanos: offset)) \(TerminalText.escaped(event.name))"
        if !event.attributes.isEmpty {
            line += " {" + event.attributes.map { "\(TerminalText.escaped($0.key))=\(TerminalText.escaped($0.value.description))" }.joined(separator: ", ") + "}"
        }
        return line
    }

    /// `▪ +1.2ms INFO  body`, cut to the width; with `verbose`, its attributes on the line below.
    static func logLines(_ record: LogRecord, traceStart: UInt64, indent: String, width: Int, verbose: Bool, style: TextStyle) -> [String] {
        let time = record.effectiveTimeUnixNano
        let offset = time > traceStart ? "+" + DurationFormat.string(nanos: time - traceStart) : "-" + DurationFormat.string(nanos: traceStart - time)
        let lead = indent + "\(LogText.mark) \(offset) "
        let room = max(10, width - TerminalText.width(lead) - 7)
        var lines = [lead + LogText.severity(record, style: style) + "  " + TerminalText.truncated(LogText.body(record), columns: room)]
        if verbose, !record.attributes.isEmpty {
            let attributes = record.attributes.map { "\(TerminalText.escaped($0.key))=\(TerminalText.escaped($0.value.description))" }.joined(separator: ", ")
            lines += TerminalText.wrapped("{" + attributes + "}", columns: max(20, width - indent.count - 2), indent: 0, atSpaces: true).map { style.dim(indent + "  " + $0) }
        }
        return lines
    }

    static func details(of row: WaterfallLayout.Row, layout: WaterfallLayout, indent: String, style: TextStyle, logs: [LogRecord] = [], width: Int = 100) -> [String] {
        let span = row.span
        var lines: [String] = []
        var facts = "span \(span.spanID.hex)  kind \(span.kind.name)  start +\(DurationFormat.string(nanos: row.offsetNanos))"
        if span.status.code != .unset {
            facts += "  status \(span.status.code == .error ? "ERROR" : "OK")"
            if !span.status.message.isEmpty { facts += ": \(TerminalText.escaped(span.status.message))" }
        }
        lines.append(style.dim(indent + facts))
        if row.closesCycle, let parent = span.parentSpanID {
            lines.append(style.dim(indent + "parent \(parent.hex) closes a parent cycle; shown as a root"))
        }
        let scope = span.scope.name.isEmpty ? "(unnamed scope)" : TerminalText.escaped(span.scope.name + (span.scope.version.isEmpty ? "" : " " + span.scope.version))
        let resource = span.resource.attributes.filter { $0.key != "service.name" }.sorted { $0.key < $1.key }
            .map { "\(TerminalText.escaped($0.key))=\(TerminalText.escaped($0.value.description))" }.joined(separator: ", ")
        lines.append(style.dim(indent + "scope \(scope)" + (resource.isEmpty ? "" : "  resource {\(resource)}")))
        for attribute in span.attributes.sorted(by: { $0.key < $1.key }) {
            lines.append(indent + style.dim(TerminalText.escaped(attribute.key) + " = ") + TerminalText.escaped(attribute.value.description))
        }
        lines += timeline(of: span, logs: logs, layout: layout, indent: indent, width: width, verbose: true, style: style)
        for link in span.links { lines.append(indent + "→ link \(link.traceID.hex)/\(link.spanID.hex)") }
        return lines
    }

    /// The latency breakdown block of `trace show` and the TUI: the hops, the trace's duration
    /// along its critical path, and the work beside it.
    public static func breakdown(_ breakdown: LatencyBreakdown, total: UInt64, style: TextStyle) -> [String] {
        var lines = [style.bold("Where the time went") + " (along the critical path)"]
        for hop in breakdown.hops {
            lines.append("  \(TerminalText.escaped(hop.clientService)) → \(TerminalText.escaped(hop.serverService)): "
                + "client `\(TerminalText.escaped(hop.clientName))` \(DurationFormat.string(nanos: hop.clientNanos)), "
                + "server `\(TerminalText.escaped(hop.serverName))` \(DurationFormat.string(nanos: hop.serverNanos)), "
                + "network & queueing \(DurationFormat.string(nanos: hop.networkNanos))")
            if !hop.clientSteps.isEmpty {
                lines.append("    client steps: " + hop.clientSteps.map { "\(TerminalText.escaped($0.name)) \(DurationFormat.string(nanos: $0.nanos))" }.joined(separator: ", "))
            }
        }
        lines += buckets(breakdown.pathNanos, total: total, style: style)
        lines += parallel(breakdown.parallelNanos, style: style)
        return lines
    }

    /// Work off the critical path, which ran in parallel with it: not part of the duration's 100%.
    public static func parallel(_ nanosByBucket: [TimeBucket: UInt64], style: TextStyle) -> [String] {
        guard !nanosByBucket.isEmpty else { return [] }
        return ["  " + style.dim("in parallel, off the critical path: ")
            + largestFirst(nanosByBucket).map { "\(TerminalText.escaped($0.bucket.label)) \(DurationFormat.string(nanos: $0.nanos))" }.joined(separator: ", ")]
    }

    /// The buckets on one line, largest first: `backend 40%, network 40%, frontend 20%`.
    public static func bucketShares(_ nanosByBucket: [TimeBucket: UInt64], total: UInt64) -> String {
        largestFirst(nanosByBucket).map { bucket in
            TerminalText.escaped(bucket.bucket.label) + String(format: " %.0f%%", total > 0 ? Double(bucket.nanos) / Double(total) * 100 : 0)
        }.joined(separator: ", ")
    }

    private static func largestFirst(_ nanosByBucket: [TimeBucket: UInt64]) -> [(bucket: TimeBucket, nanos: UInt64)] {
        nanosByBucket.sorted { ($1.value, $0.key.label) < ($0.value, $1.key.label) }.map { (bucket: $0.key, nanos: $0.value) }
    }

    /// One line per bucket (a service, or `network`), largest first, with its share of `total`.
    public static func buckets(_ nanosByBucket: [TimeBucket: UInt64], total: UInt64, style: TextStyle) -> [String] {
        let width = max(8, nanosByBucket.keys.map { TerminalText.width(TerminalText.escaped($0.label)) }.max() ?? 0)
        return largestFirst(nanosByBucket).map { bucket in
            let share = total > 0 ? Double(bucket.nanos) / Double(total) * 100 : 0
            let name = TerminalText.padded(TerminalText.escaped(bucket.bucket.label), columns: width)
            return "  " + (bucket.bucket.serviceName.map { style.service(name, service: $0) } ?? name)
                + " " + TerminalText.padded(DurationFormat.string(nanos: bucket.nanos), columns: 8, alignRight: true)
                + String(format: " %5.1f%%", share)
        }
    }
}

/// Local (or given) time with milliseconds, for headers and listings.
public enum Timestamp {
    /// `2026-11-30 04:16:17.123` in `timeZone`, by default the process's local time. Computed
    /// rather than formatted with a DateFormatter, which costs milliseconds to make (a listing
    /// prints one per row); the local offset comes from the C library, since Foundation's
    /// `TimeZone.current` loads ICU's zone data first (half a millisecond of `trace list`).
    public static func string(unixNano: UInt64, timeZone: TimeZone? = nil) -> String {
        let seconds = Int64(unixNano / 1_000_000_000)
        let offset = timeZone.map { Int64($0.secondsFromGMT(for: Date(timeIntervalSince1970: Double(seconds)))) } ?? localOffset(seconds)
        let (date, time) = civil(seconds + offset)
        return date + " " + time + "." + padded(Int64(unixNano / 1_000_000 % 1_000), 3)
    }

    /// Seconds east of UTC of local time at `seconds` past the epoch (TZ and the zone files).
    static func localOffset(_ seconds: Int64) -> Int64 {
        var time = time_t(seconds)
        var local = tm()
        guard localtime_r(&time, &local) != nil else { return 0 }
        return Int64(local.tm_gmtoff)
    }

    /// RFC 3339 in UTC with nanosecond precision.
    public static func rfc3339(unixNano: UInt64) -> String {
        let (date, time) = civil(Int64(unixNano / 1_000_000_000))
        return date + "T" + time + "." + padded(Int64(unixNano % 1_000_000_000), 9) + "Z"
    }

    /// `yyyy-MM-dd` and `HH:mm:ss` of seconds since the epoch (proleptic Gregorian calendar;
    /// the days-to-date step is Howard Hinnant's `civil_from_days`).
    static func civil(_ seconds: Int64) -> (date: String, time: String) {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let shiftedMonth = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        return (padded(year, 4) + "-" + padded(month, 2) + "-" + padded(day, 2),
                padded(secondOfDay / 3_600, 2) + ":" + padded(secondOfDay / 60 % 60, 2) + ":" + padded(secondOfDay % 60, 2))
    }

    private static func padded(_ value: Int64, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}
