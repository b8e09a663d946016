import ArgumentParser
import Foundation
import TraceModel
import TraceStore
import TraceViews

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "List stored metrics; or chart one over time, with its series and points.",
        discussion: """
            With no name, one line a metric: its name, kind (counter, up-down counter, gauge, \
            histogram, exponential histogram, summary), unit, how many series and points are \
            stored, its value now over all its series (a sum's total, a gauge's newest value, a \
            histogram's count with its p50 and p99, estimated from its buckets as Prometheus' \
            histogram_quantile does) and its description. `trace \
            collect` receives metrics from any OpenTelemetry SDK over OTLP (gRPC MetricsService, \
            POST /v1/metrics).

            With a name, the metric over time, drawn to the terminal's width in steps of --step: a \
            counter's rate per second, a gauge's (or up-down counter's) value, a histogram's p50, \
            p90 and p99 from the buckets that filled in each step; one line a --by value (a chart \
            a value, for a histogram). Under a histogram's chart, the exemplars of the slowest \
            bucket in the window: the traces it counted, for `trace show`. Then each series now.

            `trace run` and `trace serve` measure the demo pair itself: http.server.request.duration \
            and http.server.requests for each service, http.client.request.duration for the \
            frontend's calls, by method and status; with the builtin tracer each duration bucket \
            keeps a trace it counted (an exemplar).

              trace metrics                                   every metric
              trace metrics http.server.request.duration      over time, and each series now
              trace metrics http.server.requests --by service.name --since 10m --step 30s
              trace metrics http.server.request.duration --json

            With --json, the metric's points as stored: {"name", "kind", "unit", "description", \
            "temporality", "series": [{"resource", "attributes", "points": [{"time", ...}]}]}, a \
            sum's or gauge's "value", a histogram's "count", "sum", "bounds" and "counts", an \
            exponential histogram's "scale", "zeroCount", "positive" and "negative", and each \
            point's "exemplars" with the "traceId" to open with `trace show`.
            """)

    @Argument(help: ArgumentHelp("A metric's name: chart it over time, then its series.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("Only points from within this long ago, e.g. 15m (with a name).", valueName: "duration"))
    var since: DurationArgument?

    @Option(help: ArgumentHelp("The chart's step, e.g. 10s (default: the shortest round step that fits the width and the points' interval).", valueName: "duration"))
    var step: DurationArgument?

    @Option(help: ArgumentHelp("Combine the metric's series by this attribute (or resource attribute, e.g. service.name): a line (a chart, for a histogram) and a row per value.", valueName: "attribute"))
    var by: String?

    @Option(help: "Width of the output in columns (default: the terminal's).")
    var width: Int?

    @Flag(help: "Print the metric's points as JSON (with a name).")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if name == nil, json { throw ValidationError("--json needs a metric name: trace metrics NAME --json") }
        if name == nil, since != nil { throw ValidationError("--since needs a metric name: trace metrics NAME --since 15m") }
        if name == nil, by != nil { throw ValidationError("--by needs a metric name: trace metrics NAME --by http.response.status_code") }
        if name == nil, step != nil { throw ValidationError("--step needs a metric name: trace metrics NAME --step 10s") }
        if json, by != nil { throw ValidationError("--by and --json do not combine: --json prints every series as stored") }
        if json, step != nil { throw ValidationError("--step and --json do not combine: --json prints every point as stored") }
        if let step, step.nanos < 1_000_000 { throw ValidationError("--step must be at least 1ms, got \(DurationFormat.string(nanos: step.nanos))") }
        if let width, !(40...1000).contains(width) { throw ValidationError("--width must be from 40 to 1000, got \(width)") }
    }

    func run() throws {
        let store = try database.openForReading(concurrentReads: false)
        defer { try? store.close() }
        guard let name else {
            let summaries = try store.metricSummaries()
            if summaries.isEmpty {
                Terminal.printNote("no metrics in \(store.path) (trace collect receives them from any OpenTelemetry SDK)")
            } else {
                print(MetricText.table(summaries, width: width ?? Terminal.width).joined(separator: "\n"))
            }
            return
        }
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let cutoff = since.map { since in now > since.nanos ? now - since.nanos : 0 }
        if json {
            let points = try store.metricPoints(named: name, since: cutoff)
            if points.isEmpty { try checkKnown(name, in: store) }
            print(MetricText.json(points))
            return
        }
        let series = try store.metricSeries(named: name, since: cutoff)
        guard !series.isEmpty, let span = try store.metricTimeSpan(named: name, since: cutoff) else {
            try checkKnown(name, in: store)
            return Terminal.printNote("no points of \(TerminalText.escaped(name)) in that time")
        }
        if let by, !series.contains(where: { MetricText.value(of: by, in: $0.latest) != nil }) {
            let known = Set(series.flatMap { $0.latest.attributes.map(\.key) + $0.latest.resource.attributes.map(\.key) }).sorted()
            throw ValidationError("no series of \(TerminalText.escaped(name)) has the attribute '\(TerminalText.escaped(by))'; its attributes: "
                + known.map(TerminalText.escaped).joined(separator: ", "))
        }
        let width = width ?? Terminal.width
        let window: MetricChartWindow
        do {
            window = try MetricChartWindow(start: cutoff ?? span.oldest, end: cutoff == nil ? span.newest : max(span.newest, now), typicalInterval: span.typicalInterval,
                                           columns: MetricChartText.plotColumns(width: width), step: step?.nanos)
        } catch .tooManySteps(let steps, let columns, let fitting) {
            throw ValidationError("--step \(DurationFormat.string(nanos: step?.nanos ?? 0)) makes \(steps) steps, and \(columns) fit in \(width) columns: "
                + "use --step \(DurationFormat.string(nanos: fitting)), a shorter --since or a wider --width")
        }
        let histories = try store.metricHistory(named: name, from: window.from, through: window.through, step: window.step)
        for chart in MetricChart.charts(histories, window: window, by: by) {
            print(MetricChartText.lines(chart, width: width, style: Terminal.style).joined(separator: "\n") + "\n")
        }
        guard let by else { return print(MetricText.seriesTable(series, width: width).joined(separator: "\n")) }
        print(MetricText.groupedTable(series, by: by, width: width).joined(separator: "\n"))
    }

    /// Throws unless `name` is a stored metric's, naming the nearest ones.
    private func checkKnown(_ name: String, in store: TraceStore) throws {
        let names = try store.metricNames()
        guard !names.contains(name) else { return }
        let nearest = Self.nearest(to: name, in: names)
        throw UserFacingError("no metric named '\(TerminalText.escaped(name))' in \(store.path)"
            + (nearest.isEmpty ? " (see `trace metrics`)" : "; nearest: " + nearest.map(TerminalText.escaped).joined(separator: ", ")))
    }

    /// Up to three names closest to `name` by edit distance (and any that contain it), closest first.
    static func nearest(to name: String, in names: [String]) -> [String] {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var previous = Array(0...b.count)
            for (i, x) in a.enumerated() {
                var current = [i + 1]
                for (j, y) in b.enumerated() { current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1))) }
                previous = current
            }
            return previous[b.count]
        }
        let wanted = Array(name.lowercased())
        return names.map { candidate -> (String, Int) in
            let lowered = candidate.lowercased()
            return (candidate, lowered.contains(name.lowercased()) ? 0 : distance(wanted, Array(lowered)))
        }
        .filter { $0.1 <= max(3, wanted.count / 2) }
        .sorted { ($0.1, $0.0) < ($1.1, $1.0) }
        .prefix(3).map(\.0)
    }
}
