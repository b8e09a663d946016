import Foundation
import TraceModel

/// The spans a query kept, per value of its `by(...)` field: how many, in how many traces,
/// how often in error, how long.
public struct SpanGroupStatistics: Sendable {
    public struct Group: Sendable {
        public var label: String
        public var traces = 0
        public var spans = 0
        public var errors = 0
        public var durations: [UInt64] = []

        mutating func add(_ spanset: some Sequence<Span>) {
            traces += 1
            for span in spanset {
                spans += 1
                if span.isError { errors += 1 }
                durations.append(span.durationNanos)
            }
        }
    }

    /// The field, as the query spelled it.
    public let field: String
    public private(set) var groups: [String: Group] = [:]

    public init(field: String) {
        self.field = field
    }

    /// One spanset of a trace: the spans sharing `label`.
    public mutating func add(label: String, spans: some Sequence<Span>) {
        // Changed in place: a copy taken out and put back would copy every duration each time.
        groups[label, default: Group(label: label)].add(spans)
    }

    public mutating func merge(_ other: SpanGroupStatistics) {
        for (label, theirs) in other.groups {
            groups[label, default: Group(label: label)].traces += theirs.traces
            groups[label]!.spans += theirs.spans
            groups[label]!.errors += theirs.errors
            groups[label]!.durations += theirs.durations
        }
    }

    /// Most spans first, then by label.
    public var rows: [Group] {
        groups.values.sorted { ($1.spans, $0.label) < ($0.spans, $1.label) }
    }

    public func lines(style: TextStyle) -> [String] {
        let d: (UInt64) -> String = DurationFormat.string(nanos:)
        var table = TextTable(header: ["BY " + field, "TRACES", "SPANS", "ERRORS", "P50", "P90", "P99", "MAX"], rightAligned: Set(1...7), maximumWidths: [0: 48])
        for group in rows {
            let p = Percentiles(group.durations)
            table.append([TerminalText.escaped(group.label), String(group.traces), String(group.spans), StatsText.percent(group.errors, of: group.spans),
                          d(p.value(at: 50) ?? 0), d(p.value(at: 90) ?? 0), d(p.value(at: 99) ?? 0), d(p.maximum ?? 0)])
        }
        let text = table.lines()
        return [style.bold("Matched spans by \(TerminalText.escaped(field))"), style.dim(text.header)] + text.rows
    }

    public var jsonObject: [String: Any] {
        func ms(_ nanos: UInt64?) -> Double { Double(nanos ?? 0) / 1e6 }
        return ["field": field, "groups": rows.map { group -> [String: Any] in
            let p = Percentiles(group.durations)
            return ["value": group.label, "traces": group.traces, "spans": group.spans, "errors": group.errors,
                    "duration": ["p50Ms": ms(p.value(at: 50)), "p90Ms": ms(p.value(at: 90)), "p99Ms": ms(p.value(at: 99)), "maxMs": ms(p.maximum)]]
        }]
    }
}
