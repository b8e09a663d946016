import Foundation
import TraceModel

/// `trace metrics`: the table of every metric, one metric's series, and the JSON of its points.
public enum MetricText {
    /// One row a metric: name, kind, unit, series, points, its latest value and its description.
    public static func table(_ summaries: [MetricSummary], width: Int) -> [String] {
        var table = TextTable(header: ["NAME", "KIND", "UNIT", "SERIES", "POINTS", "LAST", "DESCRIPTION"], rightAligned: [3, 4],
                              maximumWidths: [0: max(20, width / 3), 6: max(10, width / 4)])
        for summary in summaries {
            table.append([TerminalText.escaped(summary.metric.name), kindName(summary.metric), TerminalText.escaped(summary.metric.unit),
                          String(summary.seriesCount), String(summary.pointCount), latestText(summary),
                          TerminalText.escaped(summary.metric.description)])
        }
        let (header, rows) = table.lines()
        return [header] + rows
    }

    /// One row a series of one metric: its resource's service, its attributes, its points, its value now and when that was (local time).
    public static func seriesTable(_ series: [MetricSeriesSummary], width: Int) -> [String] {
        var table = TextTable(header: ["SERVICE", "ATTRIBUTES", "POINTS", "LAST", "AT"], rightAligned: [2], maximumWidths: [1: max(20, width - 80)])
        for summary in series {
            let last = summary.latest
            let attributes = last.attributes.map { "\($0.key)=\($0.value.description)" }.joined(separator: " ")
            table.append([TerminalText.escaped(last.resource.serviceName), TerminalText.escaped(attributes), String(summary.pointCount),
                          latestText(MetricSummary(metric: last.metric, seriesCount: 1, pointCount: summary.pointCount, latest: [last])),
                          Timestamp.string(unixNano: last.timeUnixNano)])
        }
        let (header, rows) = table.lines()
        return [header] + rows
    }

    /// One row a value of `attribute` (a point's own attribute, else its resource's): the series
    /// that have it combined as the metric's table combines all of them; series without it under "(none)".
    public static func groupedTable(_ series: [MetricSeriesSummary], by attribute: String, width: Int) -> [String] {
        var order: [String] = []
        var groups: [String: [MetricSeriesSummary]] = [:]
        for summary in series {
            let key = value(of: attribute, in: summary.latest).map { $0.description } ?? "(none)"
            if groups[key] == nil { order.append(key) }
            groups[key, default: []].append(summary)
        }
        var table = TextTable(header: [attribute.uppercased(), "SERIES", "POINTS", "LAST"], rightAligned: [1, 2], maximumWidths: [0: max(20, width / 2)])
        for key in order {
            let members = groups[key]!
            guard let metric = members.first?.latest.metric else { continue }
            let points = members.reduce(0) { $0 + $1.pointCount }
            table.append([TerminalText.escaped(key), String(members.count), String(points),
                          latestText(MetricSummary(metric: metric, seriesCount: members.count, pointCount: points, latest: members.map(\.latest)))])
        }
        let (header, rows) = table.lines()
        return [header] + rows
    }

    /// A point's attribute, else its resource's.
    public static func value(of attribute: String, in point: MetricPoint) -> AttributeValue? {
        point.attributes.first { $0.key == attribute }?.value ?? point.resource.attributes.first { $0.key == attribute }?.value
    }

    /// The metric now, over all its series: a sum's total, a gauge's newest value, a histogram's
    /// count with its p50 and p99 (from its buckets), a summary's count and mean.
    public static func latestText(_ summary: MetricSummary) -> String {
        let latest = summary.latest
        guard let newest = latest.max(by: { $0.timeUnixNano < $1.timeUnixNano }) else { return "" }
        switch summary.metric.kind {
        case .sum:
            var total = 0.0, integral = true
            for point in latest {
                switch point.value {
                case .int(let number): total += Double(number)
                case .double(let number): total += number; integral = false
                default: break
                }
            }
            return integral ? String(Int64(total)) : number(total)
        case .gauge, .summary, .exponentialHistogram:
            return latest.count == 1 || summary.metric.kind == .gauge ? valueText(newest.value) : combinedCount(latest)
        case .histogram:
            let histograms = latest.compactMap { point -> MetricValue.Histogram? in
                if case .histogram(let histogram) = point.value { return histogram } else { return nil }
            }
            let count = histograms.reduce(0) { $0 + $1.count }
            guard let p50 = HistogramQuantile.estimate(0.5, of: histograms), let p99 = HistogramQuantile.estimate(0.99, of: histograms) else {
                return "count \(count)"
            }
            func text(_ quantile: HistogramQuantile) -> String {
                let prefix = switch quantile.precision {
                case .estimated: ""
                case .atMost: "≤"
                case .atLeast: "≥"
                }
                return prefix + quantity(quantile.value, unit: summary.metric.unit)
            }
            return "count \(count), p50 \(text(p50)), p99 \(text(p99))"
        }
    }

    private static func combinedCount(_ points: [MetricPoint]) -> String {
        let count = points.reduce(UInt64(0)) { total, point in
            switch point.value {
            case .exponentialHistogram(let histogram): total + histogram.count
            case .summary(let summary): total + summary.count
            default: total
            }
        }
        return "count \(count)"
    }

    /// A value in its unit: seconds as a duration (`2.6ms`), anything else as a number.
    static func quantity(_ value: Double, unit: String) -> String {
        unit == "s" ? DurationFormat.string(nanos: UInt64(max(0, value * 1e9))) : number(value)
    }

    static func number(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format: "%.4g", value)
    }

    /// "counter", "up-down counter", "gauge"…: what a developer calls the instrument behind it.
    public static func kindName(_ metric: Metric) -> String {
        switch metric.kind {
        case .sum: metric.isMonotonic ? "counter" : "up-down counter"
        default: metric.kind.name
        }
    }

    /// A point's value in a few characters: a number as sent; a histogram or summary's count and mean.
    public static func valueText(_ value: MetricValue) -> String {
        func mean(_ count: UInt64, _ sum: Double?) -> String {
            guard let sum, count > 0 else { return "count \(count)" }
            return "count \(count), mean \(number(sum / Double(count)))"
        }
        switch value {
        case .int(let number): return String(number)
        case .double(let value): return number(value)
        case .histogram(let histogram): return mean(histogram.count, histogram.sum)
        case .exponentialHistogram(let histogram): return mean(histogram.count, histogram.sum)
        case .summary(let summary): return mean(summary.count, summary.sum)
        }
    }

    /// The points of one metric as `trace metrics NAME --json` prints them: the metric, then its
    /// series, each with its resource, attributes and points (values as stored).
    public static func json(_ points: [MetricPoint]) -> String {
        var metrics: [Metric] = []
        for point in points where !metrics.contains(point.metric) { metrics.append(point.metric) }
        let objects = metrics.map { metric in jsonObject(metric, series: seriesOf(points.filter { $0.metric == metric })) }
        let object: Any = objects.count == 1 ? objects[0] : objects
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])) ?? Data("null".utf8)
        return String(decoding: TerminalSafety.escapingJSON(data), as: UTF8.self)
    }

    private struct Series {
        var resource: Resource
        var attributes: [Attribute]
        var points: [MetricPoint]
    }

    /// Points grouped by series (resource, scope and attributes), in the order they come.
    private static func seriesOf(_ points: [MetricPoint]) -> [Series] {
        struct Key: Hashable { var resource: Resource; var scope: InstrumentationScope; var attributes: [Attribute] }
        var order: [Key] = []
        var grouped: [Key: [MetricPoint]] = [:]
        for point in points {
            let key = Key(resource: point.resource, scope: point.scope, attributes: point.attributes)
            if grouped[key] == nil { order.append(key) }
            grouped[key, default: []].append(point)
        }
        return order.map { Series(resource: $0.resource, attributes: $0.attributes, points: grouped[$0]!) }
    }

    private static func jsonObject(_ metric: Metric, series: [Series]) -> [String: Any] {
        func attributes(_ list: [Attribute]) -> [String: Any] {
            var object: [String: Any] = [:]
            for attribute in list { object[attribute.key] = AttributeJSON.value(attribute.value) }
            return object
        }
        func double(_ value: Double) -> Any { value.isFinite ? value : String(describing: value) }
        func point(_ point: MetricPoint) -> [String: Any] {
            var object: [String: Any] = ["time": Timestamp.rfc3339(unixNano: point.timeUnixNano)]
            if point.startTimeUnixNano != 0 { object["startTime"] = Timestamp.rfc3339(unixNano: point.startTimeUnixNano) }
            switch point.value {
            case .int(let number): object["value"] = number
            case .double(let number): object["value"] = double(number)
            case .histogram(let histogram):
                object["count"] = histogram.count
                object["bounds"] = histogram.bounds.map(double)
                object["counts"] = histogram.counts
                if let sum = histogram.sum { object["sum"] = double(sum) }
                if let min = histogram.min { object["min"] = double(min) }
                if let max = histogram.max { object["max"] = double(max) }
            case .exponentialHistogram(let histogram):
                object["count"] = histogram.count
                object["scale"] = histogram.scale
                object["zeroCount"] = histogram.zeroCount
                object["positive"] = ["offset": histogram.positive.offset, "counts": histogram.positive.counts] as [String: Any]
                object["negative"] = ["offset": histogram.negative.offset, "counts": histogram.negative.counts] as [String: Any]
                if let sum = histogram.sum { object["sum"] = double(sum) }
                if let min = histogram.min { object["min"] = double(min) }
                if let max = histogram.max { object["max"] = double(max) }
            case .summary(let summary):
                object["count"] = summary.count
                object["sum"] = double(summary.sum)
                object["quantiles"] = summary.quantiles.map { ["quantile": double($0.quantile), "value": double($0.value)] }
            }
            if !point.exemplars.isEmpty {
                object["exemplars"] = point.exemplars.map { exemplar -> [String: Any] in
                    ["time": Timestamp.rfc3339(unixNano: exemplar.timeUnixNano), "value": double(exemplar.value),
                     "traceId": exemplar.traceID.map { $0.hex as Any } ?? NSNull(), "spanId": exemplar.spanID.map { $0.hex as Any } ?? NSNull()]
                }
            }
            return object
        }
        let temporality = switch metric.temporality {
        case .delta: "delta"
        case .cumulative: "cumulative"
        case .unspecified: ""
        }
        return [
            "name": metric.name, "kind": kindName(metric), "unit": metric.unit, "description": metric.description, "temporality": temporality,
            "series": series.map { ["resource": attributes($0.resource.attributes), "attributes": attributes($0.attributes), "points": $0.points.map(point)] as [String: Any] },
        ]
    }
}
