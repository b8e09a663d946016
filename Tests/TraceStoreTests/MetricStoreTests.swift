import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// Metric points in the same file as spans: every OTLP kind stored whole, a series per
/// (metric, resource, scope, attributes), a retried request kept once.
@Suite struct MetricStoreTests {
    @Test func everyKindReadsBackFieldForField() throws {
        let store = try TraceStore.inMemory()
        let points = sampleMetricPoints()
        #expect(try store.insert(points) == InsertOutcome(inserted: points.count, duplicates: 0))
        for name in Set(points.map(\.metric.name)) {
            #expect(try store.metricPoints(named: name) == points.filter { $0.metric.name == name }, "\(name)")
        }
    }

    @Test func aRetriedRequestIsStoredOnceAndLaterPointsJoinTheirSeries() throws {
        let store = try TraceStore.inMemory()
        try store.insert(sampleMetricPoints())
        #expect(try store.insert(sampleMetricPoints()) == InsertOutcome(inserted: 0, duplicates: 7))
        try store.insert(sampleMetricPoints(at: 1_700_000_010_000_000_000))
        let summaries = try store.metricSummaries()
        #expect(summaries.map(\.metric.name) == ["db.latency", "http.server.request.duration", "http.server.requests", "inflight", "queue.depth", "rpc.latency"])
        let counter = try #require(summaries.first { $0.metric.name == "http.server.requests" })
        #expect(counter.seriesCount == 2 && counter.pointCount == 4)
        #expect(counter.metric.description == "requests handled" && counter.metric.isMonotonic)
        #expect(counter.latest.map(\.timeUnixNano) == [1_700_000_010_000_000_000, 1_700_000_010_000_000_000])
        #expect(counter.latest.map(\.value) == [.int(41), .int(2)], "the newest point of each series")
        #expect(try store.metricPoints(named: "http.server.requests", since: 1_700_000_005_000_000_000).count == 2)
        #expect(try store.metricPoints(named: "nothing").isEmpty)
    }

    @Test func pruningByAgeDeletesOldPointsAndTheirExemplars() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("metrics.db").path
        let store = try TraceStore.openForWriting(path: path)
        try store.insert(sampleMetricPoints(at: 1_000_000_000_000))
        try store.insert(sampleMetricPoints(at: 2_000_000_000_000))
        try store.prune(.startedBefore(unixNano: 1_500_000_000_000))
        #expect(try sqlite(path, "SELECT count(*), min(time_ns) FROM metric_points") == "7|2000000000000")
        #expect(try sqlite(path, "SELECT count(*) FROM metric_exemplars") == "2")
        #expect(try sqlite(path, "SELECT count(*) FROM metric_series") == "7")
        #expect(try sqlite(path, "SELECT sum(point_count) FROM metric_series") == "7", "each series' count follows")
        #expect(try sqlite(path, "PRAGMA foreign_key_check") == "")
    }

    /// v7 counts each series' points as it upgrades a file, and the writer keeps counting (a retried point not twice).
    @Test func seriesCountTheirPointsFromTheUpgradeOn() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("metrics.db").path
        try TraceStore.openForWriting(path: path).insert(sampleMetricPoints(at: 1_000_000_000_000) + sampleMetricPoints(at: 2_000_000_000_000))
        // As v6 left it: no count column, v7 not applied.
        _ = try sqlite(path, "ALTER TABLE metric_series DROP COLUMN point_count; DELETE FROM grdb_migrations WHERE identifier = 'v7'")
        let store = try TraceStore.openForWriting(path: path)
        #expect(try sqlite(path, "SELECT group_concat(point_count) FROM metric_series") == "2,2,2,2,2,2,2")
        try store.insert(sampleMetricPoints(at: 2_000_000_000_000) + sampleMetricPoints(at: 3_000_000_000_000))
        #expect(try store.metricSummaries().map(\.pointCount) == [3, 3, 6, 3, 3, 3])
        #expect(try store.metricSeries(named: "http.server.requests").map(\.pointCount) == [3, 3])
        #expect(try store.metricSeries(named: "http.server.requests", since: 2_000_000_000_000).map(\.pointCount) == [2, 2])
    }
}

extension MetricStoreTests {
    /// A chart's read: per series the point before the window, then the newest point of each step
    /// (every point for delta temporality), whatever else the series holds.
    @Test func historyIsTheNewestPointOfEachStepAfterTheOneBefore() throws {
        let store = try TraceStore.inMemory()
        let origin: UInt64 = 1_800_000_000_000_000_000, second: UInt64 = 1_000_000_000
        let cumulative = Metric(name: "requests", kind: .sum, temporality: .cumulative, isMonotonic: true)
        let delta = Metric(name: "requests", kind: .sum, temporality: .delta, isMonotonic: true)
        let times: [UInt64] = [200, 400, 1_100, 1_900, 2_500, 3_200].map { origin + $0 * 1_000_000 }
        let points = times.enumerated().flatMap { index, time in
            [MetricPoint(metric: cumulative, startTimeUnixNano: origin, timeUnixNano: time, value: .int(Int64(index * 10))),
             MetricPoint(metric: delta, attributes: [Attribute("delta", .bool(true))], timeUnixNano: time, value: .int(Int64(index)))]
        }
        try store.insert(points)
        let histories = try store.metricHistory(named: "requests", from: origin + second, through: origin + 3 * second - 1, step: second)
        #expect(histories.count == 2)
        let counter = try #require(histories.first { $0.newest?.metric == cumulative })
        #expect(counter.baseline?.timeUnixNano == times[1])
        #expect(counter.points.map(\.timeUnixNano) == [times[3], times[4]], "the newest point of [1s, 2s) and of [2s, 3s)")
        let deltas = try #require(histories.first { $0.newest?.metric == delta })
        #expect(deltas.baseline?.timeUnixNano == times[1] && deltas.points.map(\.value) == [.int(2), .int(3), .int(4)], "delta points all count")
        #expect(try store.metricTimeSpan(named: "requests") == MetricTimeSpan(oldest: times[0], newest: times[5], typicalInterval: 200_000_000), "the gap between the two oldest points")
        #expect(try store.metricTimeSpan(named: "nothing") == nil)
    }
}
