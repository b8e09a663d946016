import Foundation
import GRDB
import TraceModel

extension TraceStore {
    /// Every stored metric, by name.
    public func metricSummaries() throws -> [MetricSummary] {
        try writer.read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT m.id, m.name, m.kind, m.unit, m.temporality, m.monotonic, m.description,
                       (SELECT count(*) FROM metric_series s WHERE s.metric_id = m.id),
                       (SELECT coalesce(sum(point_count), 0) FROM metric_series s WHERE s.metric_id = m.id)
                FROM metrics m ORDER BY m.name, m.kind
                """)
            var context = ReadContext(db: db, dictionary: dictionary)
            return try rows.map { row in
                let metric = Self.metric(from: row)
                let latest = try context.metricPoints(where: """
                    s.metric_id = \(row[0] as Int64) AND p.time_ns = (SELECT max(time_ns) FROM metric_points WHERE series_id = s.id)
                    """)
                return MetricSummary(metric: metric, seriesCount: row[7], pointCount: row[8], latest: latest)
            }
        }
    }

    /// Every point of the metrics of this name (one name may be sent as more than one kind), by series, oldest first.
    public func metricPoints(named name: String, since: UInt64? = nil) throws -> [MetricPoint] {
        try writer.read { db in
            var context = ReadContext(db: db, dictionary: dictionary)
            let ids = try Int64.fetchAll(db, sql: "SELECT id FROM metrics WHERE name = ?", arguments: [name])
            guard !ids.isEmpty else { return [] }
            var condition = "s.metric_id IN (\(ids.map(String.init).joined(separator: ",")))"
            if let since { condition += " AND p.time_ns >= \(Int64(clamping: since))" }
            return try context.metricPoints(where: condition)
        }
    }

    /// Each series of the metrics of this name: its newest point (since `since`) and how many it has
    /// since then; one index seek a series, however many points it holds (and a count of those in
    /// the window, with `since`).
    public func metricSeries(named name: String, since: UInt64? = nil) throws -> [MetricSeriesSummary] {
        try writer.read { db in
            var context = ReadContext(db: db, dictionary: dictionary)
            let counted = since.map { "(SELECT count(*) FROM metric_points WHERE series_id = s.id AND time_ns >= \(Int64(clamping: $0)))" } ?? "s.point_count"
            let series = try Row.fetchAll(db, sql: """
                SELECT s.id, \(counted) FROM metric_series s JOIN metrics m ON m.id = s.metric_id WHERE m.name = ? ORDER BY s.id
                """, arguments: [name])
            return try series.compactMap { row -> MetricSeriesSummary? in
                let count: Int = row[1]
                guard count > 0 else { return nil }
                let latest = try context.metricPoints(where: """
                    s.id = \(row[0] as Int64) AND p.time_ns = (SELECT max(time_ns) FROM metric_points WHERE series_id = s.id)
                    """)
                return latest.first.map { MetricSeriesSummary(latest: $0, pointCount: count) }
            }
        }
    }

    /// Where the points of the metrics of this name lie in time (since `since`); nil when none. Three
    /// index seeks a series: its newest point, and its two oldest for the interval it is sent at
    /// (the newest two can be closer: a reader flushes once more when it stops).
    public func metricTimeSpan(named name: String, since: UInt64? = nil) throws -> MetricTimeSpan? {
        try writer.read { db in
            let from = Int64(clamping: since ?? 0)
            let rows = try Row.fetchAll(db, sql: """
                SELECT (SELECT min(time_ns) FROM metric_points WHERE series_id = s.id AND time_ns >= ?),
                       (SELECT max(time_ns) FROM metric_points WHERE series_id = s.id),
                       (SELECT time_ns FROM metric_points WHERE series_id = s.id AND time_ns >= ? ORDER BY time_ns LIMIT 1 OFFSET 1)
                FROM metric_series s JOIN metrics m ON m.id = s.metric_id WHERE m.name = ?
                """, arguments: [from, from, name])
            let spans = rows.compactMap { row -> (oldest: UInt64, newest: UInt64, gap: UInt64?)? in
                guard let oldest = row[0] as Int64?, let newest = row[1] as Int64? else { return nil }
                let second = (row[2] as Int64?).map { UInt64(bitPattern: $0) }
                return (UInt64(bitPattern: oldest), UInt64(bitPattern: newest), second.map { $0 - UInt64(bitPattern: oldest) })
            }
            guard let oldest = spans.map(\.oldest).min(), let newest = spans.map(\.newest).max() else { return nil }
            let gaps = spans.compactMap(\.gap).sorted()
            return MetricTimeSpan(oldest: oldest, newest: newest, typicalInterval: gaps.isEmpty ? 0 : gaps[gaps.count / 2])
        }
    }

    /// Each series of the metrics of this name over `from...through` in steps of `step`: its newest
    /// point before `from`, and the newest point of each step (every point, for delta temporality,
    /// whose points add up). One index seek a point in the window, each series' points oldest first.
    public func metricHistory(named name: String, from: UInt64, through: UInt64, step: UInt64) throws -> [MetricSeriesHistory] {
        precondition(step > 0 && through >= from)
        return try writer.read { db in
            var context = ReadContext(db: db, dictionary: dictionary)
            let ids = try Row.fetchAll(db, sql: "SELECT id, temporality FROM metrics WHERE name = ?", arguments: [name])
            let (start, end, width) = (Int64(clamping: from), Int64(clamping: through), Int64(clamping: step))
            var histories: [Int64: MetricSeriesHistory] = [:]
            var order: [Int64] = []
            for row in ids {
                let (metricID, temporality) = (row[0] as Int64, row[1] as Int)
                let baselines = try context.seriesPoints(where: """
                    s.metric_id = \(metricID) AND p.time_ns = (SELECT max(time_ns) FROM metric_points WHERE series_id = s.id AND time_ns < \(start))
                    """)
                let inWindow: [(seriesID: Int64, point: MetricPoint)]
                if temporality == Metric.Temporality.delta.rawValue {
                    inWindow = try context.seriesPoints(where: "s.metric_id = \(metricID) AND p.time_ns BETWEEN \(start) AND \(end)")
                } else {
                    // The newest point of each step: one index seek a series and step, however many points a step holds.
                    let series = try Int64.fetchAll(db, sql: "SELECT id FROM metric_series WHERE metric_id = ? ORDER BY id", arguments: [metricID])
                    let steps = stride(from: start, through: end, by: Int(width)).map { ($0, min($0 + width - 1, end)) }
                    inWindow = try context.seriesPoints(where: "p.series_id = ? AND p.time_ns BETWEEN ? AND ?", order: "p.time_ns DESC", limit: 1,
                                                        for: series.flatMap { id in steps.map { [id, $0.0, $0.1] } })
                }
                for (series, point) in baselines {
                    if histories[series] == nil { order.append(series) }
                    histories[series] = MetricSeriesHistory(baseline: point, points: [])
                }
                for (series, point) in inWindow {
                    if histories[series] == nil { order.append(series); histories[series] = MetricSeriesHistory(baseline: nil, points: []) }
                    histories[series]!.points.append(point)
                }
            }
            return order.map { histories[$0]! }
        }
    }

    /// The names of every stored metric.
    public func metricNames() throws -> [String] {
        try writer.read { db in try String.fetchAll(db, sql: "SELECT DISTINCT name FROM metrics ORDER BY name") }
    }

    fileprivate static func metric(from row: Row) -> Metric {
        Metric(name: row[1], description: row[6], unit: row[3], kind: Metric.Kind(rawValue: row[2]) ?? .gauge,
               temporality: Metric.Temporality(rawValue: row[4]) ?? .unspecified, isMonotonic: row[5] as Int64 != 0)
    }
}

extension ReadContext {
    /// Points of the series `condition` selects (over `metric_series s`, `metric_points p`), with their exemplars.
    mutating func metricPoints(where condition: String) throws -> [MetricPoint] {
        try seriesPoints(where: condition).map(\.point)
    }

    /// Points as `metricPoints(where:)` reads them, each with the id of its series.
    mutating func seriesPoints(where condition: String) throws -> [(seriesID: Int64, point: MetricPoint)] {
        try seriesPoints(where: condition, order: "s.id, p.time_ns", for: [[]])
    }

    /// Points as `seriesPoints(where:)` reads them, the statement prepared once and run for each of
    /// `bindings` (the condition's `?`s), in `order`, up to `limit` rows a run.
    mutating func seriesPoints(where condition: String, order: String, limit: Int? = nil, for bindings: [[Int64]]) throws -> [(seriesID: Int64, point: MetricPoint)] {
        let rows = try RawStatement(db, sql: """
            SELECT m.id, m.name, m.kind, m.unit, m.temporality, m.monotonic, m.description,
                   s.id, s.resource_id, s.scope_id, s.attributes, p.time_ns, p.start_delta_ns, p.flags, p.value, p.sum, p.detail
            FROM metric_points p JOIN metric_series s ON s.id = p.series_id JOIN metrics m ON m.id = s.metric_id
            WHERE \(condition) ORDER BY \(order)\(limit.map { " LIMIT \($0)" } ?? "")
            """)
        let exemplars = try RawStatement(db, sql: """
            SELECT time_ns, value, trace_id, span_id, filtered_attributes FROM metric_exemplars
            WHERE series_id = ? AND point_time_ns = ? ORDER BY rowid
            """)
        var metrics: [Int64: Metric] = [:]
        // A series' attributes are the same on every point: read once.
        var seriesAttributes: [Int64: [Attribute]] = [:]
        var points: [(seriesID: Int64, point: MetricPoint)] = []
        for values in bindings {
            for (index, value) in values.enumerated() { rows.bind(Int32(index + 1), value) }
            defer { rows.reset() }
            while try rows.step(db) {
                let metricID = rows.int64(0)
                let metric = metrics[metricID] ?? Metric(
                    name: rows.text(1) ?? "", description: rows.text(6) ?? "", unit: rows.text(3) ?? "",
                    kind: Metric.Kind(rawValue: Int(rows.int64(2))) ?? .gauge,
                    temporality: Metric.Temporality(rawValue: Int(rows.int64(4))) ?? .unspecified, isMonotonic: rows.int64(5) != 0)
                metrics[metricID] = metric
                let (seriesID, time) = (rows.int64(7), rows.int64(11))
                let resource = try resources[rows.int64(8)] ?? self.resource(rows.int64(8))
                let scope = try scopes[rows.int64(9)] ?? self.scope(rows.int64(9))
                let attributes = try seriesAttributes[seriesID] ?? CompactJSON.attributes(rows.text(10), keys: try keyNames())
                seriesAttributes[seriesID] = attributes
                let value = try metricValue(kind: metric.kind, rows)
                exemplars.bind(1, seriesID)
                exemplars.bind(2, time)
                var found: [Exemplar] = []
                while try exemplars.step(db) {
                    var traceID: TraceID?
                    if let (high, low) = exemplars.bigEndianPair(2) { traceID = TraceID(high: high, low: low) }
                    found.append(Exemplar(timeUnixNano: UInt64(bitPattern: exemplars.int64(0)), value: exemplars.double(1), traceID: traceID,
                                          spanID: exemplars.bigEndianUInt64(3).map(SpanID.init),
                                          filteredAttributes: try CompactJSON.attributes(exemplars.text(4), keys: try keyNames())))
                }
                exemplars.reset()
                points.append((seriesID, MetricPoint(
                    metric: metric, resource: resource, scope: scope, attributes: attributes,
                    startTimeUnixNano: rows.isNull(12) ? 0 : UInt64(bitPattern: time &- rows.int64(12)), timeUnixNano: UInt64(bitPattern: time),
                    flags: UInt32(truncatingIfNeeded: rows.int64(13)), value: value, exemplars: found)))
            }
        }
        return points
    }

    private func metricValue(kind: Metric.Kind, _ rows: RawStatement) throws -> MetricValue {
        let count = UInt64(bitPattern: rows.int64(14))
        let sum: Double? = rows.isNull(15) ? nil : rows.double(15)
        let detail = try rows.text(16).map(MetricDetail.init(json:)) ?? MetricDetail()
        switch kind {
        case .gauge, .sum:
            return rows.isReal(14) ? .double(rows.double(14)) : .int(rows.int64(14))
        case .histogram:
            return .histogram(.init(count: count, sum: sum, min: detail.min, max: detail.max, bounds: detail.bounds ?? [], counts: detail.counts ?? []))
        case .exponentialHistogram:
            return .exponentialHistogram(.init(
                count: count, sum: sum, min: detail.min, max: detail.max, scale: detail.scale ?? 0, zeroCount: detail.zeroCount ?? 0,
                zeroThreshold: detail.zeroThreshold ?? 0, positive: detail.positive?.model ?? .init(), negative: detail.negative?.model ?? .init()))
        case .summary:
            return .summary(.init(count: count, sum: sum ?? 0, quantiles: (detail.quantiles ?? []).map { .init(quantile: $0.first ?? 0, value: $0.last ?? 0) }))
        }
    }
}
