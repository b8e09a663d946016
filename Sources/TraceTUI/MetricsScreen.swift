import Foundation
import TraceModel
import TraceStore
import TraceViews

/// The metrics screen (`M` from the list): every metric with its value now; Enter draws the
/// selected one over time as `trace metrics NAME` does, following as `collect` stores more; from a
/// histogram's chart, ↑↓ pick one of the slowest bucket's exemplars and Enter opens its trace.
struct MetricsScreen {
    private(set) var summaries: [MetricSummary] = []
    var selected = 0
    var top = 0
    /// The metric drawn over time, while one is open.
    private(set) var openName: String?
    private(set) var charts: [MetricChart] = []
    var selectedExemplar = 0

    var exemplars: [(metric: Metric, exemplar: Exemplar)] { charts.flatMap { chart in chart.exemplars.map { (chart.metric, $0) } } }

    /// Reads the metrics (and the open chart) again; true when anything on screen changed.
    @discardableResult
    mutating func reload(store: TraceStore, width: Int) throws -> Bool {
        let fresh = try store.metricSummaries()
        var changed = fresh != summaries
        summaries = fresh
        selected = min(selected, max(0, summaries.count - 1))
        if let openName {
            let drawn = try Self.charts(of: openName, store: store, width: width)
            changed = changed || drawn != charts
            charts = drawn
            selectedExemplar = min(selectedExemplar, max(0, exemplars.count - 1))
        }
        return changed
    }

    mutating func open(store: TraceStore, width: Int) throws {
        guard summaries.indices.contains(selected) else { return }
        openName = summaries[selected].metric.name
        selectedExemplar = 0
        charts = try Self.charts(of: openName!, store: store, width: width)
    }

    mutating func close() {
        openName = nil
        charts = []
    }

    /// The metric over its whole time, in the shortest round step that fits the width.
    static func charts(of name: String, store: TraceStore, width: Int) throws -> [MetricChart] {
        guard let span = try store.metricTimeSpan(named: name),
              let window = try? MetricChartWindow(start: span.oldest, end: span.newest, typicalInterval: span.typicalInterval,
                                                  columns: MetricChartText.plotColumns(width: width), step: nil) else { return [] }
        return MetricChart.charts(try store.metricHistory(named: name, from: window.from, through: window.through, step: window.step), window: window, by: nil)
    }

    mutating func move(by delta: Int, visibleRows: Int) {
        if openName != nil {
            selectedExemplar = max(0, min(selectedExemplar + delta, exemplars.count - 1))
            return
        }
        selected = max(0, min(selected + delta, summaries.count - 1))
        if selected < top { top = selected }
        if selected >= top + visibleRows { top = selected - visibleRows + 1 }
    }

    static func visibleRows(height: Int) -> Int { max(1, height - 3) }

    func draw(into screen: inout ScreenBuffer, databasePath: String, timeZone: TimeZone) {
        if openName != nil { return drawChart(into: &screen, databasePath: databasePath, timeZone: timeZone) }
        screen.write("trace — \(databasePath)  ·  metrics", x: 0, y: 0, style: .heading)
        let table = MetricText.table(summaries, width: screen.width)
        if let header = table.first, !summaries.isEmpty { screen.write(header, x: 0, y: 1, style: .faint, maxWidth: screen.width) }
        let rows = table.dropFirst()
        for (offset, line) in rows.dropFirst(top).prefix(Self.visibleRows(height: screen.height)).enumerated() {
            screen.write(line, x: 0, y: 2 + offset, style: top + offset == selected ? .selected : .plain, maxWidth: screen.width)
            if top + offset == selected { screen.restyle(x: 0, y: 2 + offset, count: screen.width) { $0.reverse = true } }
        }
        if summaries.isEmpty {
            screen.write("No metrics yet: an app that measures through OpenTelemetry, `trace collect`, and they appear here.", x: 2, y: 2, style: .faint)
        }
        screen.write("\(summaries.count) metrics  ·  ↑↓ move  Enter chart over time  Esc back  q quit", x: 0, y: screen.height - 1, style: .faint)
    }

    private func drawChart(into screen: inout ScreenBuffer, databasePath: String, timeZone: TimeZone) {
        screen.write("trace — \(databasePath)  ·  metric \(openName ?? "")", x: 0, y: 0, style: .heading)
        let exemplarRows = exemplars.count + (exemplars.isEmpty ? 0 : 2)
        let panels = max(1, charts.reduce(0) { $0 + $1.panels.count })
        let legend = charts.flatMap(\.panels).map(\.lines.count).max() ?? 1
        // Each panel: a blank, a title, its rows, the axis, the times and the legend; the heading's two lines.
        let rowsPerPanel = max(3, (screen.height - 2 - 3 - exemplarRows) / panels - 4 - legend)
        var lines = charts.flatMap { MetricChartText.lines($0, width: screen.width, height: rowsPerPanel, style: .plain, exemplars: false) }
        if charts.isEmpty { lines = ["No points of \(openName ?? "") yet."] }
        let room = screen.height - 2 - exemplarRows
        for (offset, line) in lines.prefix(room).enumerated() { screen.write(line, x: 0, y: 1 + offset, maxWidth: screen.width) }
        if let chart = charts.first(where: { $0.slowestBucket != nil }), let bucket = chart.slowestBucket, !exemplars.isEmpty {
            var y = screen.height - 1 - exemplars.count - 1
            screen.write("Slowest bucket \(MetricChartText.bucketText(bucket, metric: chart.metric)): traces it counted", x: 0, y: y, style: .heading)
            for (index, item) in exemplars.enumerated() {
                y += 1
                screen.write("  " + MetricChartText.exemplarText(item.exemplar, metric: item.metric, timeZone: timeZone), x: 0, y: y, maxWidth: screen.width)
                if index == selectedExemplar { screen.restyle(x: 0, y: y, count: screen.width) { $0.reverse = true } }
            }
        }
        let keys = exemplars.isEmpty ? "Esc back  q quit" : "↑↓ pick a trace  Enter open it  Esc back  q quit"
        screen.write("following as points arrive  ·  " + keys, x: 0, y: screen.height - 1, style: .faint)
    }
}
