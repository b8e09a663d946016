import Foundation
import GRDB
import TraceModel

/// One request's metric points, ready for the single writer.
public struct PreparedMetrics: Sendable {
    let points: [MetricPoint]
    /// Per point: the kind-specific columns (`metric_points.value`, `sum`, `detail`).
    let values: [MetricValueColumns]

    public var count: Int { points.count }
}

/// How a point's value is stored: a number point's value as sent (integer or real); a histogram
/// or summary's count in `value`, its sum in `sum`, the rest as JSON in `detail` (`MetricDetail`).
struct MetricValueColumns: Sendable {
    enum Number: Sendable { case int(Int64), double(Double) }

    var value: Number
    var sum: Double?
    var detail: String?
}

extension TraceStore {
    public func prepare(_ points: [MetricPoint]) -> PreparedMetrics {
        PreparedMetrics(points: points, values: points.map { MetricValueColumns($0.value) })
    }

    /// Stores metric points in one transaction: all of them or, on error, none. A point whose
    /// series already has one at its time (an exporter's retry) is counted, not stored twice.
    @discardableResult
    public func insert(_ points: [MetricPoint]) throws -> InsertOutcome {
        try insert(spans: [], logs: [], metrics: [prepare(points)]).metrics.reduce(InsertOutcome(), +)
    }
}

extension MetricValueColumns {
    init(_ value: MetricValue) {
        switch value {
        case .int(let number): self.init(value: .int(number))
        case .double(let number): self.init(value: .double(number))
        case .histogram(let histogram):
            self.init(value: .int(Int64(bitPattern: histogram.count)), sum: histogram.sum,
                      detail: MetricDetail(bounds: histogram.bounds, counts: histogram.counts, min: histogram.min, max: histogram.max).json)
        case .exponentialHistogram(let histogram):
            self.init(value: .int(Int64(bitPattern: histogram.count)), sum: histogram.sum, detail: MetricDetail(
                min: histogram.min, max: histogram.max, scale: histogram.scale, zeroCount: histogram.zeroCount, zeroThreshold: histogram.zeroThreshold,
                positive: .init(histogram.positive), negative: .init(histogram.negative)).json)
        case .summary(let summary):
            self.init(value: .int(Int64(bitPattern: summary.count)), sum: summary.sum,
                      detail: MetricDetail(quantiles: summary.quantiles.map { [$0.quantile, $0.value] }).json)
        }
    }
}

/// `metric_points.detail`: what a histogram or summary point holds besides its count and sum, as JSON.
struct MetricDetail: Codable, Equatable {
    /// An exponential histogram's buckets on one side: `[offset, [counts...]]` would be shorter, but named keys read better in `sqlite3`.
    struct Buckets: Codable, Equatable {
        var offset: Int32
        var counts: [UInt64]

        init(_ buckets: MetricValue.ExponentialHistogram.Buckets) {
            offset = buckets.offset
            counts = buckets.counts
        }

        var model: MetricValue.ExponentialHistogram.Buckets { .init(offset: offset, counts: counts) }
    }

    var bounds: [Double]?
    var counts: [UInt64]?
    var min: Double?
    var max: Double?
    var scale: Int32?
    var zeroCount: UInt64?
    var zeroThreshold: Double?
    var positive: Buckets?
    var negative: Buckets?
    var quantiles: [[Double]]?

    private static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        // A sender's min or max may be infinite; JSON has no word for that.
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return encoder
    }()

    var json: String { String(decoding: (try? Self.encoder.encode(self)) ?? Data("{}".utf8), as: UTF8.self) }
}

extension MetricDetail {
    /// Read with the store's own JSON reader: a chart reads thousands of points, and `JSONDecoder`
    /// spent a quarter of a day-long chart's time here.
    init(json: String) throws {
        guard case .object(let members) = try CompactJSON.Parser.parse(json) else { throw CompactJSONError.unexpectedShape }
        func double(_ value: CompactJSON.Parsed) -> Double? {
            switch value {
            case .double(let number): number
            case .int(let number): Double(number)
            case .string(let text): Double(text == "Infinity" ? "inf" : text == "-Infinity" ? "-inf" : text == "NaN" ? "nan" : text)
            default: nil
            }
        }
        func unsigned(_ value: CompactJSON.Parsed) -> UInt64? {
            if case .int(let number) = value { return UInt64(exactly: number) }
            return nil
        }
        func list<T>(_ value: CompactJSON.Parsed, _ element: (CompactJSON.Parsed) -> T?) -> [T]? {
            guard case .array(let items) = value else { return nil }
            return items.compactMap(element)
        }
        func buckets(_ value: CompactJSON.Parsed) -> Buckets? {
            guard case .object(let side) = value else { return nil }
            var offset: Int32 = 0
            if let member = side.first(where: { $0.0 == "offset" }), case .int(let number) = member.1 { offset = Int32(truncatingIfNeeded: number) }
            return Buckets(.init(offset: offset, counts: side.first { $0.0 == "counts" }.flatMap { list($0.1, unsigned) } ?? []))
        }
        self.init()
        for (key, value) in members {
            switch key {
            case "bounds": bounds = list(value, double)
            case "counts": counts = list(value, unsigned)
            case "min": min = double(value)
            case "max": max = double(value)
            case "scale": if case .int(let number) = value { scale = Int32(truncatingIfNeeded: number) }
            case "zeroCount": zeroCount = unsigned(value)
            case "zeroThreshold": zeroThreshold = double(value)
            case "positive": positive = buckets(value)
            case "negative": negative = buckets(value)
            case "quantiles": quantiles = list(value) { list($0, double) }
            default: break
            }
        }
    }
}

extension StoreWriter {
    /// A request's points, each in its series (made on first sight).
    func insert(_ batch: PreparedMetrics, in db: Database) throws -> InsertOutcome {
        guard batch.count > 0 else { return InsertOutcome() }
        var json = CompactJSON.Writer(keyID: { [unowned self] key in try self.keyID(key, db: db) })
        let insertPoint = try RawStatement(db, sql: """
            INSERT OR IGNORE INTO metric_points (series_id, time_ns, start_delta_ns, flags, value, sum, detail) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        var outcome = InsertOutcome()
        var added: [Int64: Int64] = [:]
        for index in batch.points.indices {
            let point = batch.points[index]
            let seriesID = try self.seriesID(of: point, json: &json, db: db)
            let time = Int64(bitPattern: point.timeUnixNano)
            insertPoint.bind(1, seriesID)
            insertPoint.bind(2, time)
            insertPoint.bind(3, point.startTimeUnixNano == 0 ? nil : time &- Int64(bitPattern: point.startTimeUnixNano))
            insertPoint.bind(4, Int64(point.flags))
            switch batch.values[index].value {
            case .int(let number): insertPoint.bind(5, number)
            case .double(let number): insertPoint.bind(5, real: number)
            }
            if let sum = batch.values[index].sum { insertPoint.bind(6, real: sum) } else { insertPoint.bindNull(6) }
            insertPoint.bind(7, text: batch.values[index].detail)
            try insertPoint.execute(db)
            guard db.changesCount == 1 else { outcome.duplicates += 1; continue }
            outcome.inserted += 1
            added[seriesID, default: 0] += 1
            if !point.exemplars.isEmpty { try insert(point.exemplars, seriesID: seriesID, pointTime: time, json: &json, db: db) }
        }
        let count = try RawStatement(db, sql: "UPDATE metric_series SET point_count = point_count + ? WHERE id = ?")
        for (seriesID, points) in added {
            count.bind(1, points)
            count.bind(2, seriesID)
            try count.execute(db)
        }
        return outcome
    }

    private func insert(_ exemplars: [Exemplar], seriesID: Int64, pointTime: Int64, json: inout CompactJSON.Writer, db: Database) throws {
        let insert = try RawStatement(db, sql: """
            INSERT INTO metric_exemplars (series_id, point_time_ns, time_ns, value, trace_id, span_id, filtered_attributes) VALUES (?, ?, ?, ?, ?, ?, ?)
            """)
        for exemplar in exemplars {
            insert.bind(1, seriesID)
            insert.bind(2, pointTime)
            insert.bind(3, Int64(bitPattern: exemplar.timeUnixNano))
            insert.bind(4, real: exemplar.value)
            if let traceID = exemplar.traceID { insert.bind(5, bigEndian: traceID.high, traceID.low) } else { insert.bindNull(5) }
            if let spanID = exemplar.spanID { insert.bind(6, bigEndian: spanID.value) } else { insert.bindNull(6) }
            insert.bind(7, text: exemplar.filteredAttributes.isEmpty ? nil : try json.attributesText(exemplar.filteredAttributes))
            try insert.execute(db)
        }
    }

    private func seriesID(of point: MetricPoint, json: inout CompactJSON.Writer, db: Database) throws -> Int64 {
        let metricID = try self.metricID(of: point.metric, db: db)
        let resourceID = try resources[point.resource] ?? resourceID(for: point.resource, json: &json, db: db)
        let scopeID = try scopes[point.scope] ?? scopeID(for: point.scope, json: &json, db: db)
        let attributes = point.attributes.isEmpty ? "{}" : try json.attributesText(point.attributes)
        let key = SeriesKey(metricID: metricID, resourceID: resourceID, scopeID: scopeID, attributes: attributes)
        if let id = metricSeries[key] { return id }
        let find = try RawStatement(db, sql: "SELECT id FROM metric_series WHERE metric_id = ? AND resource_id = ? AND scope_id = ? AND attributes = ?")
        find.bind(1, metricID)
        find.bind(2, resourceID)
        find.bind(3, scopeID)
        find.bind(4, text: attributes)
        let id = try find.fetchInt64(db) ?? {
            let insert = try RawStatement(db, sql: "INSERT INTO metric_series (metric_id, resource_id, scope_id, attributes) VALUES (?, ?, ?, ?)")
            insert.bind(1, metricID)
            insert.bind(2, resourceID)
            insert.bind(3, scopeID)
            insert.bind(4, text: attributes)
            try insert.execute(db)
            return db.lastInsertedRowID
        }()
        metricSeries[key] = id
        return id
    }

    /// A metric's row, found by its identity; its description is the first one sent.
    private func metricID(of metric: Metric, db: Database) throws -> Int64 {
        if let id = metricIDs[metric] { return id }
        let find = try RawStatement(db, sql: "SELECT id FROM metrics WHERE name = ? AND kind = ? AND unit = ? AND temporality = ? AND monotonic = ?")
        func bindIdentity(_ statement: RawStatement) {
            statement.bind(1, text: metric.name)
            statement.bind(2, Int64(metric.kind.rawValue))
            statement.bind(3, text: metric.unit)
            statement.bind(4, Int64(metric.temporality.rawValue))
            statement.bind(5, metric.isMonotonic ? 1 : 0)
        }
        bindIdentity(find)
        let id = try find.fetchInt64(db) ?? {
            let insert = try RawStatement(db, sql: "INSERT INTO metrics (name, kind, unit, temporality, monotonic, description) VALUES (?, ?, ?, ?, ?, ?)")
            bindIdentity(insert)
            insert.bind(6, text: metric.description)
            try insert.execute(db)
            return db.lastInsertedRowID
        }()
        metricIDs[metric] = id
        return id
    }
}

/// A series' identity in the writer's cache.
struct SeriesKey: Hashable {
    var metricID: Int64
    var resourceID: Int64
    var scopeID: Int64
    var attributes: String
}
