import Foundation
import TraceModel

/// A metric over time, step by step, as `trace metrics NAME` and the TUI draw it: a counter's rate
/// per second, a gauge's (or up-down counter's) value, a histogram's p50, p90 and p99 estimated
/// from the buckets that filled in each step. Cumulative points are differenced (a point whose
/// start moved, or whose count fell, is a restart and counts from zero); delta points are added.
public struct MetricChart: Sendable, Equatable {
    /// What one line plots.
    public enum Measure: Sendable, Equatable {
        case ratePerSecond, value, changePerStep
        case quantile(Double)
        /// A summary's own quantile, as its sender computed it.
        case reportedQuantile(Double)
    }

    public struct Line: Sendable, Equatable {
        public var label: String
        public var measure: Measure
        /// One value a step; nil where the step has no point to say anything from.
        public var values: [Double?]
    }

    /// Lines drawn on one set of axes: a histogram's quantiles for one group, or one line a group.
    public struct Panel: Sendable, Equatable {
        public var title: String
        public var lines: [Line]
    }

    public var metric: Metric
    public var from: UInt64
    public var step: UInt64
    public var stepCount: Int
    public var panels: [Panel]
    /// What a value is, in words ("rate per second"…), for the chart's heading.
    public var measureDescription: String
    /// For histograms: the bucket of the slowest measurements in the window, and the exemplars
    /// that fell in it (newest traces first, at most `exemplarLimit`).
    public var slowestBucket: ClosedRange<Double>?
    public var exemplars: [Exemplar]

    public static let exemplarLimit = 5
    /// Past this many series, an ungrouped counter or gauge is drawn as their total.
    public static let maximumLines = 6

    public init(metric: Metric, histories: [MetricSeriesHistory], from: UInt64, step: UInt64, stepCount: Int, by attribute: String?) {
        self.metric = metric
        self.from = from
        self.step = step
        self.stepCount = stepCount
        let series = histories.compactMap { history in history.newest.map { (identity: $0, history: history) } }
        var groups: [(label: String, members: [MetricSeriesHistory])] = []
        if let attribute {
            for (identity, history) in series {
                let key = MetricText.value(of: attribute, in: identity)?.description ?? "(none)"
                if let index = groups.firstIndex(where: { $0.label == key }) { groups[index].members.append(history) } else { groups.append((key, [history])) }
            }
        } else if series.count <= Self.maximumLines, ![.histogram, .exponentialHistogram, .summary].contains(metric.kind) {
            let labels = Self.distinguishingLabels(series.map(\.identity))
            groups = zip(labels, series).map { ($0, [$1.history]) }
        } else {
            groups = [(series.count == 1 ? Self.distinguishingLabels([series[0].identity])[0] : "all \(series.count) series added up (--by an attribute splits them)",
                       series.map(\.history))]
        }
        let seconds = Double(step) / 1e9
        var bucketTotals = BucketTotals()
        switch metric.kind {
        case .sum where metric.isMonotonic:
            measureDescription = "rate per second"
            panels = [Panel(title: "", lines: groups.map { group in
                Line(label: group.label, measure: .ratePerSecond, values: Self.combined(group.members.map { Self.rates($0, from: from, step: step, count: stepCount) }, seconds: seconds))
            })]
        case .sum where metric.temporality == .delta:
            measureDescription = "change per step"
            panels = [Panel(title: "", lines: groups.map { group in
                Line(label: group.label, measure: .changePerStep, values: Self.combined(group.members.map { Self.deltaTotals($0, from: from, step: step, count: stepCount) }, seconds: 1))
            })]
        case .sum, .gauge:
            measureDescription = "value"
            panels = [Panel(title: "", lines: groups.map { group in
                Line(label: group.label, measure: .value, values: Self.combined(group.members.map { Self.values($0, from: from, step: step, count: stepCount) }, seconds: 1))
            })]
        case .histogram, .exponentialHistogram:
            measureDescription = "p50, p90 and p99 estimated from the buckets that filled in each step, as Prometheus' histogram_quantile does"
            panels = groups.map { group in
                var perStep = Array(repeating: [BucketCounts](), count: stepCount)
                for member in group.members {
                    for (index, counts) in Self.bucketIncreases(member, from: from, step: step, count: stepCount).enumerated() {
                        if let counts { perStep[index].append(counts); bucketTotals.add(counts) }
                    }
                }
                let quantiles = [0.5, 0.9, 0.99]
                return Panel(title: group.label, lines: quantiles.map { quantile in
                    Line(label: "p" + MetricText.number(quantile * 100), measure: .quantile(quantile),
                         values: perStep.map { BucketCounts.quantile(quantile, of: $0) })
                })
            }
        case .summary:
            measureDescription = "the quantiles the sender computed (the largest over the group's series)"
            panels = groups.map { group in
                var quantiles: [Double] = []
                for member in group.members {
                    for point in member.points { if case .summary(let summary) = point.value { quantiles += summary.quantiles.map(\.quantile) } }
                }
                return Panel(title: group.label, lines: Array(Set(quantiles)).sorted().map { quantile in
                    Line(label: "p" + MetricText.number(quantile * 100), measure: .reportedQuantile(quantile),
                         values: Self.combinedMaximum(group.members.map { Self.summaryQuantiles($0, quantile, from: from, step: step, count: stepCount) }))
                })
            }
        }
        if let bucket = bucketTotals.slowest() {
            slowestBucket = bucket
            // A cumulative point's exemplars may be older than the window; the window counts from each series' point before it.
            let countedSince = series.map { (_, history) -> UInt64 in
                if let baseline = history.baseline { return baseline.timeUnixNano }
                guard let start = history.points.first?.startTimeUnixNano, start != 0 else { return from }
                return start
            }.min() ?? from
            let (earliest, through) = (min(from, countedSince), from + step * UInt64(stepCount))
            let candidates: [Exemplar] = series.flatMap { $0.history.points.flatMap(\.exemplars) }.filter { exemplar in
                exemplar.timeUnixNano >= earliest && exemplar.timeUnixNano < through && bucket.contains(exemplar.value) && exemplar.traceID != nil
            }
            var seen = Set<String>()
            let distinct = candidates.filter { seen.insert(($0.traceID?.hex ?? "") + ($0.spanID?.hex ?? "")).inserted }
            exemplars = Array(distinct.sorted { ($0.value, $0.timeUnixNano) > ($1.value, $1.timeUnixNano) }.prefix(Self.exemplarLimit))
        } else {
            slowestBucket = nil
            exemplars = []
        }
    }

    /// A chart for each metric among `histories` (one name can be sent as more than one kind).
    public static func charts(_ histories: [MetricSeriesHistory], window: MetricChartWindow, by attribute: String?) -> [MetricChart] {
        var metrics: [Metric] = []
        for history in histories { if let metric = history.newest?.metric, !metrics.contains(metric) { metrics.append(metric) } }
        return metrics.map { metric in
            MetricChart(metric: metric, histories: histories.filter { $0.newest?.metric == metric }, from: window.from, step: window.step,
                        stepCount: window.stepCount, by: attribute)
        }
    }

    /// Short labels that tell series apart: the attributes (and service) whose values differ among them.
    static func distinguishingLabels(_ points: [MetricPoint]) -> [String] {
        func pairs(_ point: MetricPoint) -> [(String, String)] {
            [("service.name", point.resource.serviceName)] + point.attributes.map { ($0.key, $0.value.description) }
        }
        let keys = Set(points.flatMap { pairs($0).map(\.0) }).sorted()
        let differing = keys.filter { key in Set(points.map { point in pairs(point).first { $0.0 == key }?.1 ?? "" }).count > 1 }
        return points.map { point in
            let shown = (differing.isEmpty ? ["service.name"] : differing).compactMap { key in pairs(point).first { $0.0 == key }.map { "\($0.0)=\($0.1)" } }
            return shown.joined(separator: " ")
        }
    }

    /// The step (0-based) a time falls in, if inside the window.
    private static func stepIndex(_ time: UInt64, from: UInt64, step: UInt64, count: Int) -> Int? {
        guard time >= from else { return nil }
        let index = (time - from) / step
        return index < UInt64(count) ? Int(index) : nil
    }

    private static func number(_ value: MetricValue) -> Double? {
        switch value {
        case .int(let number): Double(number)
        case .double(let number): number
        default: nil
        }
    }

    /// Adds the members' values step by step (a step with none of them is nil), dividing by `seconds`.
    private static func combined(_ members: [[Double?]], seconds: Double) -> [Double?] {
        guard let first = members.first else { return [] }
        return first.indices.map { index in
            let present = members.compactMap { $0[index] }
            return present.isEmpty ? nil : present.reduce(0, +) / seconds
        }
    }

    private static func combinedMaximum(_ members: [[Double?]]) -> [Double?] {
        guard let first = members.first else { return [] }
        return first.indices.map { index in members.compactMap { $0[index] }.max() }
    }

    /// A monotonic sum's increase per second at each step, over the time since the point before (or
    /// since its start, counted as at least a step).
    private static func rates(_ history: MetricSeriesHistory, from: UInt64, step: UInt64, count: Int) -> [Double?] {
        var values = [Double?](repeating: nil, count: count)
        if history.newest?.metric.temporality == .delta {
            let seconds = Double(step) / 1e9
            return deltaTotals(history, from: from, step: step, count: count).map { $0.map { $0 / seconds } }
        }
        var previous = history.baseline
        for point in history.points {
            defer { previous = point }
            guard let index = stepIndex(point.timeUnixNano, from: from, step: step, count: count), let value = number(point.value) else { continue }
            var base = 0.0, since = point.startTimeUnixNano
            if let previous, let before = number(previous.value), previous.startTimeUnixNano == point.startTimeUnixNano, before <= value {
                base = before
                since = previous.timeUnixNano
            }
            guard since > 0, point.timeUnixNano > since else { continue }
            var interval = point.timeUnixNano - since
            // From a start, over the step at least: three orders a moment after it are not thousands a second.
            if since == point.startTimeUnixNano { interval = max(interval, step) }
            values[index] = (value - base) / (Double(interval) / 1e9)
        }
        return values
    }

    private static func deltaTotals(_ history: MetricSeriesHistory, from: UInt64, step: UInt64, count: Int) -> [Double?] {
        var values = [Double?](repeating: nil, count: count)
        for point in history.points {
            guard let index = stepIndex(point.timeUnixNano, from: from, step: step, count: count), let value = number(point.value) else { continue }
            values[index] = (values[index] ?? 0) + value
        }
        return values
    }

    private static func values(_ history: MetricSeriesHistory, from: UInt64, step: UInt64, count: Int) -> [Double?] {
        var values = [Double?](repeating: nil, count: count)
        for point in history.points {
            if let index = stepIndex(point.timeUnixNano, from: from, step: step, count: count), let value = number(point.value) { values[index] = value }
        }
        return values
    }

    private static func summaryQuantiles(_ history: MetricSeriesHistory, _ quantile: Double, from: UInt64, step: UInt64, count: Int) -> [Double?] {
        var values = [Double?](repeating: nil, count: count)
        for point in history.points {
            guard let index = stepIndex(point.timeUnixNano, from: from, step: step, count: count), case .summary(let summary) = point.value else { continue }
            if let found = summary.quantiles.first(where: { $0.quantile == quantile }) { values[index] = found.value }
        }
        return values
    }

    /// The measurements each step's buckets gained: differences of cumulative points (from zero after a
    /// restart), the sum of delta points.
    private static func bucketIncreases(_ history: MetricSeriesHistory, from: UInt64, step: UInt64, count: Int) -> [BucketCounts?] {
        var increases = [BucketCounts?](repeating: nil, count: count)
        var previous = history.baseline
        for point in history.points {
            defer { previous = point }
            guard let index = stepIndex(point.timeUnixNano, from: from, step: step, count: count), var counts = BucketCounts(point.value) else { continue }
            if point.metric.temporality == .delta {
                if let earlier = increases[index] { counts = earlier.adding(counts) ?? counts }
                increases[index] = counts
                continue
            }
            if let previous, previous.startTimeUnixNano == point.startTimeUnixNano, let before = BucketCounts(previous.value),
               let difference = counts.subtracting(before) {
                increases[index] = difference
            } else if point.startTimeUnixNano != 0 {
                increases[index] = counts
            }
        }
        return increases
    }
}

/// The steps a chart spans: where they start, how long each is, how many.
public struct MetricChartWindow: Sendable, Equatable {
    public var from: UInt64
    public var step: UInt64
    public var stepCount: Int

    public var through: UInt64 { from + step * UInt64(stepCount) - 1 }

    /// Round steps to choose from, so a step reads as a plain duration and starts on a round time.
    public static let roundSteps: [UInt64] = [100, 200, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000,
                                              900_000, 1_800_000, 3_600_000, 7_200_000, 10_800_000, 21_600_000, 43_200_000, 86_400_000].map { $0 * 1_000_000 }

    public enum Problem: Error, Equatable {
        /// The requested step makes more steps than `columns`; `fitting` is the shortest round one that fits.
        case tooManySteps(steps: Int, columns: Int, fitting: UInt64)
    }

    /// Steps covering `start...end`: `step` if given, else the shortest round step that fits
    /// `columns` and is no shorter than (about) the series' usual interval between points.
    public init(start: UInt64, end: UInt64, typicalInterval: UInt64, columns: Int, step requested: UInt64?) throws(Problem) {
        let length = end - min(start, end) + 1
        func count(_ step: UInt64) -> Int { Int((end / step) - (start / step) + 1) }
        // A reader that sleeps a second between reads sends a point every second and a bit: that is a 1s step.
        let interval = typicalInterval / 10 * 8
        let fitting = Self.roundSteps.first { $0 >= interval && count($0) <= columns } ?? max(Self.roundSteps.last!, length / UInt64(columns) + 1)
        let step = requested ?? fitting
        guard count(step) <= columns else { throw .tooManySteps(steps: count(step), columns: columns, fitting: fitting) }
        from = start / step * step
        self.step = step
        stepCount = count(step)
    }
}
