import Foundation
import TraceModel

/// `trace stats` output: tables and a histogram for people, JSON for programs.
public enum StatsText {
    /// With `groups`, the spans a query's `by(...)` grouped come first.
    public static func render(_ stats: TraceStatistics, width: Int, style: TextStyle, timeZone: TimeZone? = nil, groups: SpanGroupStatistics? = nil) -> String {
        guard stats.traceCount > 0 else { return "" }
        let d: (UInt64) -> String = DurationFormat.string(nanos:)
        var lines: [String] = []
        let covered = stats.lastEndUnixNano - stats.firstStartUnixNano
        let rate = stats.tracesPerSecond.map { String(format: ", %.1f traces/s", $0) } ?? ""
        lines.append("Traces    \(stats.traceCount) over \(d(covered)) (\(Timestamp.string(unixNano: stats.firstStartUnixNano, timeZone: timeZone))"
            + " to \(Timestamp.string(unixNano: stats.lastEndUnixNano, timeZone: timeZone)))\(rate)")
        let errorLine = "Errors    \(stats.errorTraceCount) traces (\(percent(stats.errorTraceCount, of: stats.traceCount)))"
        lines.append(stats.errorTraceCount > 0 ? style.error(errorLine) : errorLine)
        if let duration = stats.traceDuration {
            lines.append("Duration  p50 \(d(duration.p50))  p90 \(d(duration.p90))  p99 \(d(duration.p99))  max \(d(duration.max))")
        }

        if let groups {
            lines.append("")
            lines += groups.lines(style: style)
        }
        lines.append("")
        lines += operationTable(stats.rootRows, labels: ["ROOT OPERATION"], style: style) { ["\(TerminalText.escaped($0.service)): \(TerminalText.escaped($0.name))"] }
        // Each of these sorts every duration it holds, so each is asked for once.
        let operations = stats.operationRows
        if !operations.isEmpty {
            lines.append("")
            if stats.grouping == .service {
                lines += operationTable(operations, labels: ["SERVICE"], style: style) { [TerminalText.escaped($0.service)] }
            } else {
                lines += operationTable(operations, labels: ["SERVICE", "SPAN"], style: style) { [TerminalText.escaped($0.service), TerminalText.escaped($0.name)] }
            }
        }
        let hops = stats.hopRows
        if !hops.isEmpty {
            lines.append("")
            lines += hopTable(hops, style: style)
        }
        lines.append("")
        lines += stats.time.lines(style: style)
        lines.append("")
        lines += histogram(stats.histogram, width: width, style: style)
        return lines.joined(separator: "\n") + "\n"
    }

    static func operationTable(_ rows: [TraceStatistics.OperationRow], labels: [String], style: TextStyle, label: (TraceStatistics.Operation) -> [String]) -> [String] {
        let d: (UInt64) -> String = DurationFormat.string(nanos:)
        let numbers = labels.count..<(labels.count + 7)
        var table = TextTable(header: labels + ["COUNT", "ERRORS", "P50", "P90", "P99", "MAX", "MEAN SELF"], rightAligned: Set(numbers),
                              maximumWidths: Dictionary(uniqueKeysWithValues: labels.indices.map { ($0, 48) }))
        for row in rows {
            table.append(label(row.operation) + [String(row.count), percent(row.errors, of: row.count),
                          d(row.duration.p50), d(row.duration.p90), d(row.duration.p99), d(row.duration.max), d(row.meanSelfNanos)])
        }
        let text = table.lines()
        return [style.dim(text.header)] + text.rows
    }

    static func hopTable(_ hops: [TraceStatistics.HopRow], style: TextStyle) -> [String] {
        let d: (UInt64) -> String = DurationFormat.string(nanos:)
        var table = TextTable(header: ["HOP (client span → server span)", "CALLS", "P50", "P90", "P99", "MAX"], rightAligned: Set(1...5), maximumWidths: [0: 64])
        func add(_ label: String, _ distribution: TraceStatistics.Distribution?) {
            guard let distribution else { return }
            table.append([label, "", d(distribution.p50), d(distribution.p90), d(distribution.p99), d(distribution.max)])
        }
        for hop in hops {
            table.append(["\(TerminalText.escaped(hop.hop.client.service)) `\(TerminalText.escaped(hop.hop.client.name))` → "
                          + "\(TerminalText.escaped(hop.hop.server.service)) `\(TerminalText.escaped(hop.hop.server.name))`", String(hop.calls), "", "", "", ""])
            add("  client span", hop.client)
            add("  server span", hop.server)
            add("  network & queueing", hop.network)
            add("    request leg", hop.request)
            add("    response leg", hop.response)
            if hop.skewedCalls > 0 { table.append(["    (\(hop.skewedCalls) calls with the server outside the client: no legs)", "", "", "", "", ""]) }
        }
        let text = table.lines()
        return [style.dim(text.header)] + text.rows
    }

    /// Trace durations on log-scaled buckets, bars scaled to the widest bucket, p50 and p99 marked.
    public static func histogram(_ histogram: LatencyHistogram, width: Int, style: TextStyle) -> [String] {
        let buckets = histogram.buckets
        guard let largest = buckets.map(\.count).max(), largest > 0 else { return [] }
        let labels = buckets.map { "\(DurationFormat.string(nanos: $0.lowerNanos))–\(DurationFormat.string(nanos: $0.upperNanos))" }
        let labelWidth = labels.map(TerminalText.width).max() ?? 0
        let countWidth = String(largest).count
        let p50 = histogram.p50.flatMap(histogram.bucketIndex(of:))
        let p99 = histogram.p99.flatMap(histogram.bucketIndex(of:))
        let marks = buckets.indices.map { index -> String in
            var marks: [String] = []
            if index == p50 { marks.append("p50 \(DurationFormat.string(nanos: histogram.p50 ?? 0))") }
            if index == p99 { marks.append("p99 \(DurationFormat.string(nanos: histogram.p99 ?? 0))") }
            return marks.isEmpty ? "" : "  ◀ " + marks.joined(separator: ", ")
        }
        let barWidth = max(10, width - 5 - labelWidth - countWidth - (marks.map(TerminalText.width).max() ?? 0))
        var lines = [style.bold("Trace duration") + style.dim("  (log scale; bars to \(counted(largest, "trace")))")]
        for (index, bucket) in buckets.enumerated() {
            let length = Double(bucket.count) / Double(largest) * Double(barWidth)
            let bar = bucket.count == 0 ? String(repeating: " ", count: barWidth) : String(WaterfallLayout.barString(start: 0, end: length, width: barWidth))
            let line = "  " + TerminalText.padded(labels[index], columns: labelWidth, alignRight: true) + " │" + bar + " "
                + TerminalText.padded(String(bucket.count), columns: countWidth, alignRight: true)
                + marks[index]
            lines.append(TerminalText.trimmedRight(line))
        }
        return lines
    }

    static func percent(_ part: Int, of whole: Int) -> String {
        whole > 0 ? String(format: "%.1f%%", Double(part) / Double(whole) * 100) : "-"
    }

    // MARK: JSON

    public static func json(_ stats: TraceStatistics, groups: SpanGroupStatistics? = nil) throws -> Data {
        func ms(_ nanos: UInt64) -> Double { Double(nanos) / 1e6 }
        func distribution(_ value: TraceStatistics.Distribution?) -> Any {
            guard let value else { return NSNull() }
            return ["p50Ms": ms(value.p50), "p90Ms": ms(value.p90), "p99Ms": ms(value.p99), "maxMs": ms(value.max)]
        }
        func operations(_ rows: [TraceStatistics.OperationRow]) -> [[String: Any]] {
            rows.map { row in
                var object: [String: Any] = ["service": row.operation.service, "count": row.count, "errors": row.errors,
                                             "duration": distribution(row.duration), "meanSelfMs": ms(row.meanSelfNanos)]
                if !row.operation.name.isEmpty { object["name"] = row.operation.name }
                return object
            }
        }
        /// Largest first; a service bucket names its service, the others say what they are.
        func buckets(_ nanos: [TimeBucket: UInt64]) -> [[String: Any]] {
            nanos.sorted { ($1.value, $0.key.label) < ($0.value, $1.key.label) }.map { bucket, value in
                var object: [String: Any] = ["ms": ms(value)]
                switch bucket {
                case .service(let name): object["service"] = name
                case .network: object["bucket"] = "network"
                case .outsideRootSpan: object["bucket"] = "outsideRootSpan"
                }
                return object
            }
        }
        var object: [String: Any] = [
            "traces": stats.traceCount,
            "errorTraces": stats.errorTraceCount,
            "groupedBy": stats.grouping.rawValue,
            "duration": distribution(stats.traceDuration),
            "rootOperations": operations(stats.rootRows),
            "operations": operations(stats.operationRows),
            "hops": stats.hopRows.map { hop -> [String: Any] in
                [
                    "client": ["service": hop.hop.client.service, "name": hop.hop.client.name],
                    "server": ["service": hop.hop.server.service, "name": hop.hop.server.name],
                    "calls": hop.calls, "clientDuration": distribution(hop.client), "serverDuration": distribution(hop.server),
                    "network": distribution(hop.network), "requestLeg": distribution(hop.request), "responseLeg": distribution(hop.response),
                    "callsWithoutLegs": hop.skewedCalls,
                ]
            },
            "timeAlongCriticalPaths": buckets(stats.time.pathNanos),
            "timeInParallel": buckets(stats.time.parallelNanos),
            "histogram": stats.histogram.buckets.map { ["fromMs": ms($0.lowerNanos), "toMs": ms($0.upperNanos), "count": $0.count] },
        ]
        if let groups { object["matchedSpansBy"] = groups.jsonObject }
        if stats.traceCount > 0 {
            object["start"] = Timestamp.rfc3339(unixNano: stats.firstStartUnixNano)
            object["end"] = Timestamp.rfc3339(unixNano: stats.lastEndUnixNano)
            object["tracesPerSecond"] = stats.tracesPerSecond as Any? ?? NSNull()
        }
        return TerminalSafety.escapingJSON(try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]))
    }
}
