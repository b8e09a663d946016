import Foundation
import Testing
import TraceModel
import TraceViews

/// A metric over time, by known answers: rates from cumulative counters (restarts included),
/// quantiles from the buckets each step gained, the slowest bucket's exemplars, steps that fit.
@Suite struct MetricChartTests {
    let second: UInt64 = 1_000_000_000
    let origin: UInt64 = 1_800_000_000_000_000_000

    func at(_ seconds: Double) -> UInt64 { origin + UInt64(seconds * 1e9) }

    @Test func aCountersRateIsItsIncreaseOverTheTimeSinceThePointBefore() {
        let counter = Metric(name: "requests", kind: .sum, temporality: .cumulative, isMonotonic: true)
        func point(_ time: Double, _ value: Int64, start: Double = 0) -> MetricPoint {
            MetricPoint(metric: counter, startTimeUnixNano: at(start), timeUnixNano: at(time), value: .int(value))
        }
        // The last point restarted (a new start time): it counts from zero since then.
        let history = MetricSeriesHistory(baseline: nil, points: [point(1.5, 10), point(2.5, 30), point(3.5, 30), point(4.5, 5, start: 3.6)])
        let chart = MetricChart(metric: counter, histories: [history], from: origin, step: second, stepCount: 5, by: nil)
        let values = chart.panels[0].lines[0].values
        #expect(chart.panels.count == 1 && chart.panels[0].lines.count == 1 && chart.panels[0].lines[0].measure == .ratePerSecond)
        #expect(values[0] == nil)
        #expect(abs(values[1]! - 10 / 1.5) < 1e-9 && values[2] == 20 && values[3] == 0)
        #expect(values[4] == 5, "five since a restart 0.9s before: over the whole step, not faster than it")
        // A baseline before the window is where the first step's increase starts from.
        let continued = MetricChart(metric: counter, histories: [MetricSeriesHistory(baseline: point(0.5, 4), points: [point(1.5, 10)])],
                                    from: at(1), step: second, stepCount: 1, by: nil)
        #expect(continued.panels[0].lines[0].values == [6])
    }

    @Test func aHistogramsQuantilesComeFromTheBucketsEachStepGained() {
        let duration = Metric(name: "duration", unit: "s", kind: .histogram, temporality: .cumulative)
        let trace = { (n: UInt64) in TraceID(high: 0, low: n) }
        let first = MetricPoint(metric: duration, startTimeUnixNano: at(0), timeUnixNano: at(0.5),
                                value: .histogram(.init(count: 10, min: 1.2, max: 1.9, bounds: [1, 2, 4], counts: [0, 10, 0, 0])))
        let second = MetricPoint(metric: duration, startTimeUnixNano: at(0), timeUnixNano: at(1.5),
                                 value: .histogram(.init(count: 20, min: 1.2, max: 3.95, bounds: [1, 2, 4], counts: [0, 10, 10, 0])),
                                 exemplars: [Exemplar(timeUnixNano: at(1.2), value: 3.5, traceID: trace(1)), Exemplar(timeUnixNano: at(1.3), value: 1.5, traceID: trace(2)),
                                             Exemplar(timeUnixNano: at(1.4), value: 3.9, traceID: trace(3)), Exemplar(timeUnixNano: at(1.4), value: 3.7)])
        let chart = MetricChart(metric: duration, histories: [MetricSeriesHistory(baseline: nil, points: [first, second])],
                                from: origin, step: self.second, stepCount: 2, by: nil)
        let lines = chart.panels[0].lines
        #expect(lines.map(\.label) == ["p50", "p90", "p99"])
        // Step 0 counts everything since the start (and its smallest and largest measurement bound the estimate).
        #expect(lines[0].values[0] == 1.5 && lines[2].values[0] == 1.9)
        // Step 1 gained ten measurements in (2, 4]: interpolated in that bucket alone, and no more
        // than the largest measured since the start.
        #expect(lines[0].values[1] == 3 && lines[1].values[1] == 3.8 && lines[2].values[1] == 3.95)
        #expect(chart.slowestBucket == 2...4)
        #expect(chart.exemplars.map(\.traceID) == [trace(3), trace(1)], "the slowest bucket's exemplars with a trace, slowest first")
    }

    @Test func exponentialBucketsAnswerQuantilesToo() {
        let size = Metric(name: "payload", kind: .exponentialHistogram, temporality: .delta)
        // Scale 0: base 2, bucket k covers (2^k, 2^(k+1)].
        let point = MetricPoint(metric: size, timeUnixNano: at(0.5), value: .exponentialHistogram(.init(count: 8, scale: 0, positive: .init(offset: 0, counts: [4, 4]))))
        let chart = MetricChart(metric: size, histories: [MetricSeriesHistory(baseline: nil, points: [point])], from: origin, step: second, stepCount: 1, by: nil)
        #expect(chart.panels[0].lines[0].values == [2])
        #expect(chart.slowestBucket == 2...4)
    }

    @Test func seriesAreLinesByWhatTellsThemApartOrByTheAttributeAsked() {
        let gauge = Metric(name: "queue.depth", kind: .gauge)
        func series(_ host: String, _ region: String, _ value: Double) -> MetricSeriesHistory {
            MetricSeriesHistory(baseline: nil, points: [MetricPoint(metric: gauge, attributes: [Attribute("host", .string(host)), Attribute("region", .string(region))],
                                                                    timeUnixNano: at(0.5), value: .double(value))])
        }
        let histories = [series("a", "eu", 1), series("b", "eu", 2), series("c", "us", 4)]
        let apart = MetricChart(metric: gauge, histories: histories, from: origin, step: second, stepCount: 1, by: nil)
        #expect(apart.panels[0].lines.map(\.label) == ["host=a region=eu", "host=b region=eu", "host=c region=us"])
        let byRegion = MetricChart(metric: gauge, histories: histories, from: origin, step: second, stepCount: 1, by: "region")
        #expect(byRegion.panels[0].lines.map(\.label) == ["eu", "us"] && byRegion.panels[0].lines.map(\.values) == [[3], [4]])
    }

    @Test func theStepIsRoundAndFitsTheWidth() throws {
        let window = try MetricChartWindow(start: at(10.3), end: at(70.2), typicalInterval: 10 * second, columns: 10, step: nil)
        #expect(window.step == 10 * second && window.from == at(10) && window.stepCount == 7 && window.through >= at(70.2))
        // Points a minute apart make a step no shorter than that.
        #expect(try MetricChartWindow(start: at(0), end: at(300), typicalInterval: 60 * second, columns: 100, step: nil).step == 60 * second)
        #expect(throws: MetricChartWindow.Problem.tooManySteps(steps: 61, columns: 10, fitting: 10 * second)) {
            try MetricChartWindow(start: at(10.3), end: at(70.2), typicalInterval: 10 * second, columns: 10, step: second)
        }
    }

    @Test func oneLineIsDrawnAsBarsWithALabelledAxis() {
        let gauge = Metric(name: "depth", unit: "{item}", kind: .gauge)
        let points = [(0.5, 5.0), (1.5, 10.0), (3.5, 2.0)].map { MetricPoint(metric: gauge, timeUnixNano: at($0.0), value: .double($0.1)) }
        let chart = MetricChart(metric: gauge, histories: [MetricSeriesHistory(baseline: nil, points: points)], from: origin, step: second, stepCount: 4, by: nil)
        let lines = MetricChartText.plot(chart.panels[0], chart: chart, width: MetricChartText.axisColumns + 12, height: 4, style: .plain)
        let time = MetricChartText.timeOfDay(origin, from: origin), end = MetricChartText.timeOfDay(at(4), from: origin)
        #expect(Array(lines.prefix(5)) == [
            "       10 ┤   ██",
            "          │   ██",
            "        5 ┤██ ██",
            "          │██ ██    ▆▆",
            "        0 └────────────",
        ])
        #expect(lines[5] == String(repeating: " ", count: MetricChartText.axisColumns) + time + (12 - 2 * time.count > 0 ? String(repeating: " ", count: 12 - 2 * time.count) + end : ""))
        #expect(lines.last == "█ service.name=unknown_service  last 2, max 10")
    }
}
