import Foundation
import TraceModel

/// A `MetricChart` drawn in text: a labelled value axis, one column group a step, bars for a single
/// line (eighth blocks), a marker a line otherwise (each its own glyph, so it reads without colour),
/// a time axis, a legend with each line's last and largest value, and a histogram's slowest exemplars.
public enum MetricChartText {
    /// Columns the value labels and axis take; a chart `width` wide has `width - axisColumns` for steps.
    public static let axisColumns = 11
    public static let markers = ["●", "○", "×", "+", "◆", "▲", "■", "◇"]
    static let sharedMarker = "*"
    private static let eighths = [" ", "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█"]

    /// How many steps fit a chart `width` columns wide.
    public static func plotColumns(width: Int) -> Int { max(10, width - axisColumns) }

    /// The heading, each panel, then (with `exemplars`) the slowest bucket and its traces.
    public static func lines(_ chart: MetricChart, width: Int, height: Int = 10, style: TextStyle, exemplars: Bool = true) -> [String] {
        let metric = chart.metric
        let through = chart.from + chart.step * UInt64(chart.stepCount)
        var output = TerminalText.wrapped(
            TerminalText.escaped(metric.name) + " (" + MetricText.kindName(metric) + (metric.unit.isEmpty ? "" : ", " + TerminalText.escaped(metric.unit)) + "): "
                + chart.measureDescription + ", per " + DurationFormat.string(nanos: chart.step) + ", "
                + Timestamp.string(unixNano: chart.from).prefix(19) + " to " + timeOfDay(through, from: chart.from),
            columns: width, indent: 2, atSpaces: true)
        for panel in chart.panels {
            output.append("")
            if !panel.title.isEmpty, chart.panels.count > 1 || panel.lines.count > 1 { output.append(style.bold(TerminalText.escaped(panel.title))) }
            output += plot(panel, chart: chart, width: width, height: height, style: style)
        }
        if exemplars, let bucket = chart.slowestBucket {
            output.append("")
            let range = bucketText(bucket, metric: metric)
            guard !chart.exemplars.isEmpty else {
                output.append("slowest bucket in this window: \(range); no exemplar of it (a trace it counted) was sent")
                return output
            }
            output.append("slowest bucket in this window: \(range); traces it counted (trace show ID):")
            output += chart.exemplars.map { "  " + exemplarText($0, metric: metric) }
        }
        return output
    }

    /// A bucket's values: `(200ms, 400ms]`, `≤ 5ms`, `> 10s`.
    public static func bucketText(_ bucket: ClosedRange<Double>, metric: Metric) -> String {
        let (lower, upper) = (value(bucket.lowerBound, metric: metric, rate: false), value(bucket.upperBound, metric: metric, rate: false))
        return !bucket.lowerBound.isFinite ? "≤ " + upper : !bucket.upperBound.isFinite ? "> " + lower : "(\(lower), \(upper)]"
    }

    /// An exemplar in one line: its value, when, and the trace (and span) to open.
    public static func exemplarText(_ exemplar: Exemplar, metric: Metric, timeZone: TimeZone? = nil) -> String {
        TerminalText.padded(value(exemplar.value, metric: metric, rate: false), columns: 8, alignRight: true)
            + "  " + Timestamp.string(unixNano: exemplar.timeUnixNano, timeZone: timeZone) + "  " + (exemplar.traceID?.hex ?? "")
            + (exemplar.spanID.map { " span " + $0.hex } ?? "")
    }

    /// One panel's axes, lines and legend.
    public static func plot(_ panel: MetricChart.Panel, chart: MetricChart, width: Int, height requested: Int, style: TextStyle) -> [String] {
        // An even height puts the middle label on a row of its own value: half the top.
        let height = max(2, requested - requested % 2)
        let columns = plotColumns(width: width)
        let shown = min(chart.stepCount, columns)
        let skipped = chart.stepCount - shown
        let cell = max(1, columns / max(shown, 1))
        let rate = panel.lines.first?.measure == .ratePerSecond
        let values = panel.lines.map { Array($0.values.dropFirst(skipped)) }
        let present = values.flatMap { $0.compactMap { $0 } }.filter(\.isFinite)
        guard !present.isEmpty else { return ["(no points in this window)"] }
        let low = niceBound(min(0, present.min()!), up: false), high = niceBound(max(present.max()!, 0), up: true)
        let top = high > low ? high : low + 1
        let span = top - low
        var meeting = false
        var grid = Array(repeating: Array(repeating: " ", count: shown * cell), count: height)
        func level(_ value: Double) -> Double { (value - low) / span * Double(height) }
        if panel.lines.count == 1 {
            let barWidth = cell >= 3 ? cell - 1 : cell
            for (index, value) in values[0].enumerated() {
                guard let value, value.isFinite else { continue }
                var eighthsHigh = Int((level(value) * 8).rounded())
                if value != low, eighthsHigh == 0 { eighthsHigh = 1 }
                for row in 0..<height {
                    let fill = min(8, max(0, eighthsHigh - (height - 1 - row) * 8))
                    guard fill > 0 else { continue }
                    for column in 0..<barWidth { grid[row][index * cell + column] = style.series(eighths[fill], index: 0) }
                }
            }
        } else {
            var drawn = Array(repeating: Array(repeating: -1, count: shown * cell), count: height)
            for (lineIndex, line) in values.enumerated() {
                for (index, value) in line.enumerated() {
                    guard let value, value.isFinite else { continue }
                    let (row, column) = (height - 1 - min(height - 1, max(0, Int(level(value)))), index * cell + (cell - 1) / 2)
                    if drawn[row][column] >= 0, drawn[row][column] != lineIndex {
                        grid[row][column] = sharedMarker
                        meeting = true
                    } else {
                        grid[row][column] = style.series(markers[lineIndex % markers.count], index: lineIndex)
                        drawn[row][column] = lineIndex
                    }
                }
            }
        }
        var output: [String] = []
        for (row, cells) in grid.enumerated() {
            let labelled = row == 0 || row == height / 2
            let label = row == 0 ? value(top, metric: chart.metric, rate: rate)
                : row == height / 2 ? value(low + span * Double(height - row) / Double(height), metric: chart.metric, rate: rate) : ""
            output.append(TerminalText.trimmedRight(TerminalText.padded(label, columns: axisColumns - 2, alignRight: true) + (labelled ? " ┤" : " │") + cells.joined()))
        }
        output.append(TerminalText.padded(value(low, metric: chart.metric, rate: rate), columns: axisColumns - 2, alignRight: true) + " └"
                      + String(repeating: "─", count: shown * cell))
        let first = chart.from + chart.step * UInt64(skipped)
        let start = timeOfDay(first, from: first), end = timeOfDay(chart.from + chart.step * UInt64(chart.stepCount), from: first)
        let gap = shown * cell - TerminalText.width(start) - TerminalText.width(end)
        output.append(String(repeating: " ", count: axisColumns) + start + (gap > 0 ? String(repeating: " ", count: gap) + end : ""))
        var legend: [String] = []
        for (index, line) in panel.lines.enumerated() {
            let finite = values[index].compactMap { $0 }.filter(\.isFinite)
            guard let last = values[index].last(where: { $0?.isFinite == true }) ?? nil, let largest = finite.max() else {
                legend.append(style.series(markers[index % markers.count], index: index) + " " + TerminalText.escaped(line.label) + "  no points")
                continue
            }
            let glyph = panel.lines.count == 1 ? "█" : markers[index % markers.count]
            legend.append(style.series(glyph, index: index) + " " + TerminalText.escaped(line.label) + "  last " + value(last, metric: chart.metric, rate: rate)
                          + ", max " + value(largest, metric: chart.metric, rate: rate))
        }
        if meeting { legend.append(sharedMarker + " two or more lines in one place") }
        if skipped > 0 { legend.append("(the oldest \(skipped) steps did not fit; a wider --width or a longer --step shows them)") }
        return output + legend
    }

    /// A value in the metric's unit: seconds as a duration, a rate with `/s`.
    static func value(_ value: Double, metric: Metric, rate: Bool) -> String {
        if rate { return compact(value) + "/s" }
        if value == 0 { return "0" }
        if metric.unit == "s", value >= 0 { return DurationFormat.string(nanos: UInt64(value * 1e9)) }
        if metric.unit == "ms", value >= 0 { return DurationFormat.string(nanos: UInt64(value * 1e6)) }
        return compact(value)
    }

    /// Three significant digits, with k/M/G past a thousand.
    static func compact(_ value: Double) -> String {
        let magnitude = abs(value)
        for (limit, suffix) in [(1e9, "G"), (1e6, "M"), (1e3, "k")] where magnitude >= limit {
            return String(format: "%.3g", value / limit) + suffix
        }
        return value == value.rounded() ? String(Int64(value)) : String(format: "%.3g", value)
    }

    /// The nearest 1, 2, 2.5 or 5 times a power of ten at or beyond `value`.
    static func niceBound(_ value: Double, up: Bool) -> Double {
        guard value != 0, value.isFinite else { return 0 }
        let magnitude = abs(value)
        let power = pow(10, floor(log10(magnitude)))
        let steps = [1, 2, 2.5, 5, 10].map { $0 * power }
        let outward = (value > 0) == up
        let chosen = outward ? steps.first { $0 >= magnitude * (1 - 1e-12) } ?? magnitude : steps.last { $0 <= magnitude * (1 + 1e-12) } ?? magnitude
        return value < 0 ? -chosen : chosen
    }

    /// `HH:MM:SS` local time, with the date when the window starts on another day.
    public static func timeOfDay(_ time: UInt64, from: UInt64) -> String {
        let full = Timestamp.string(unixNano: time), start = Timestamp.string(unixNano: from)
        return full.prefix(10) == start.prefix(10) ? String(full.dropFirst(11).prefix(8)) : String(full.prefix(19))
    }
}
