import ArgumentParser
import Foundation
import TraceModel
import TraceStore
import TraceViews

struct MetricsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "metrics",
        abstract: "List stored metrics; or one metric's series and points.",
        discussion: """
            With no name, one line a metric: its name, kind (counter, up-down counter, gauge, \
            histogram, exponential histogram, summary), unit, how many series and points are \
            stored, its value now over all its series (a sum's total, a gauge's newest value, a \
            histogram's count with its p50 and p99, estimated from its buckets as Prometheus' \
            histogram_quantile does) and its description. `trace \
            collect` receives metrics from any OpenTelemetry SDK over OTLP (gRPC MetricsService, \
            POST /v1/metrics).

            `trace run` and `trace serve` measure the demo pair itself: http.server.request.duration \
            and http.server.requests for each service, http.client.request.duration for the \
            frontend's calls, by method and status; with the builtin tracer each duration bucket \
            keeps a trace it counted (an exemplar).

              trace metrics                                   every metric
              trace metrics http.server.request.duration      each series now
              trace metrics http.server.request.duration --by http.response.status_code
              trace metrics http.server.request.duration --json

            With --json, the metric's points as stored: {"name", "kind", "unit", "description", \
            "temporality", "series": [{"resource", "attributes", "points": [{"time", ...}]}]}, a \
            sum's or gauge's "value", a histogram's "count", "sum", "bounds" and "counts", an \
            exponential histogram's "scale", "zeroCount", "positive" and "negative", and each \
            point's "exemplars" with the "traceId" to open with `trace show`.
            """)

    @Argument(help: ArgumentHelp("A metric's name: show its series and points.", valueName: "name"))
    var name: String?

    @Option(help: ArgumentHelp("Only points from within this long ago, e.g. 15m (with a name).", valueName: "duration"))
    var since: DurationArgument?

    @Option(help: ArgumentHelp("Combine the metric's series by this attribute (or resource attribute, e.g. service.name): a row per value.", valueName: "attribute"))
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
        if json, by != nil { throw ValidationError("--by and --json do not combine: --json prints every series as stored") }
        if let width, !(40...1000).contains(width) { throw ValidationError("--width must be from 40 to 1000, got \(width)") }
    }

    func run() throws {
        let store = try database.openForReading(concurrentReads: false)
        guard let name else {
            let summaries = try store.metricSummaries()
            if summaries.isEmpty {
                Terminal.printNote("no metrics in \(store.path) (trace collect receives them from any OpenTelemetry SDK)")
            } else {
                print(MetricText.table(summaries, width: width ?? Terminal.width).joined(separator: "\n"))
            }
            return
        }
        let cutoff = since.map { since in
            let now = UInt64(Date().timeIntervalSince1970 * 1e9)
            return now > since.nanos ? now - since.nanos : 0
        }
        if json {
            let points = try store.metricPoints(named: name, since: cutoff)
            if points.isEmpty { try checkKnown(name, in: store) }
            print(MetricText.json(points))
            return
        }
        let series = try store.metricSeries(named: name, since: cutoff)
        guard !series.isEmpty else {
            try checkKnown(name, in: store)
            return Terminal.printNote("no points of \(TerminalText.escaped(name)) in that time")
        }
        guard let by else { return print(MetricText.seriesTable(series, width: width ?? Terminal.width).joined(separator: "\n")) }
        guard series.contains(where: { MetricText.value(of: by, in: $0.latest) != nil }) else {
            let known = Set(series.flatMap { $0.latest.attributes.map(\.key) + $0.latest.resource.attributes.map(\.key) }).sorted()
            throw ValidationError("no series of \(TerminalText.escaped(name)) has the attribute '\(TerminalText.escaped(by))'; its attributes: "
                + known.map(TerminalText.escaped).joined(separator: ", "))
        }
        print(MetricText.groupedTable(series, by: by, width: width ?? Terminal.width).joined(separator: "\n"))
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
