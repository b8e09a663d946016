import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// Metrics from a client nobody here wrote, the OpenTelemetry SDK for Python, over both of its
/// exporters: every kind it makes stored with the values it sent, and `trace metrics` reading them.
@Suite struct MetricsInteropTests {
    @Test(arguments: ["grpc", "http/protobuf"])
    func collectStoresWhatThePythonSDKMeasured(protocol exporter: String) throws {
        let sdkPython = try TestPython.interpreter()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collector = try RunningProcess(["collect", "--grpc-port", "0", "--http-port", "0", "--db", "metrics.db"], in: directory)
        let banner = collector.waitForStderr(containing: "Ctrl-C to stop")
        let port = try #require(exporter == "grpc" ? grpcListeningPort(in: banner) : listeningPort(in: banner))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../share/examples/python_metrics.py").standardized
        let python = try runPython([script.path], environment: ["OTEL_EXPORTER_OTLP_PROTOCOL": exporter, "OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:\(port)"],
                                   interpreter: sdkPython)
        #expect(python.status == 0, "share/examples/python_metrics.py failed: \(python.stderr)")
        let stopped = collector.stop(with: SIGINT)
        #expect(stopped.status == 0)
        // One export at shutdown: two counter series, and one series of each other instrument.
        #expect(stopped.stderr.contains("requests 1 accepted; spans 0 stored; metric points 6 stored"), "\(stopped.stderr)")
        let traceID = try #require(TraceID(hex: python.stdout.trimmingCharacters(in: .whitespacesAndNewlines)))

        let store = try TraceStore.openForReading(path: directory.appendingPathComponent("metrics.db").path)
        let orders = try store.metricPoints(named: "shop.orders")
        #expect(orders.count == 2)
        #expect(orders.map(\.metric) == Array(repeating: Metric(name: "shop.orders", description: "orders placed", unit: "{order}", kind: .sum,
                                                                 temporality: .cumulative, isMonotonic: true), count: 2))
        #expect(Set(orders.map { "\($0.attributes["payment"]?.description ?? "")=\($0.value)" }) == ["card=int(3)", "cash=int(2)"])
        #expect(orders.allSatisfy { $0.resource.serviceName == "python-shop" && $0.scope == InstrumentationScope(name: "shop.metrics", version: "3.0") })
        #expect(orders.allSatisfy { $0.startTimeUnixNano > 0 && $0.timeUnixNano > $0.startTimeUnixNano })

        let inflight = try #require(try store.metricPoints(named: "shop.inflight").first)
        #expect(inflight.metric.kind == .sum && !inflight.metric.isMonotonic && inflight.value == .int(3))

        let gauge = try #require(try store.metricPoints(named: "shop.queue.depth").first)
        #expect(gauge.metric.kind == .gauge && gauge.value == .double(7.5) && gauge.attributes["queue"] == .string("email"))

        let duration = try #require(try store.metricPoints(named: "shop.checkout.duration").first)
        guard case .histogram(let histogram) = duration.value else { Issue.record("not a histogram: \(duration.value)"); return }
        #expect(duration.metric.unit == "s" && duration.metric.temporality == .cumulative)
        #expect(histogram.count == 2 && histogram.sum == 7.75 && histogram.min == 0.25 && histogram.max == 7.5)
        // The SDK's default boundaries; 0.25 falls in (0, 5], 7.5 in (5, 10].
        #expect(histogram.bounds == [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000])
        #expect(histogram.counts == [0, 1, 1] + Array(repeating: 0, count: 13))
        // Each measurement was made inside the span: its exemplar leads back to that trace.
        #expect(duration.exemplars.map(\.value).sorted() == [0.25, 7.5])
        #expect(duration.exemplars.allSatisfy { $0.traceID == traceID && $0.spanID != nil })

        let payload = try #require(try store.metricPoints(named: "shop.payload.size").first)
        guard case .exponentialHistogram(let exponential) = payload.value else { Issue.record("not exponential: \(payload.value)"); return }
        #expect(exponential.count == 3 && exponential.sum == 4300 && exponential.min == 100 && exponential.max == 4000)
        #expect(exponential.positive.counts.reduce(0, +) == 3 && exponential.zeroCount == 0)

        // As a user reads them.
        let table = try TraceBinary.run(["metrics", "--db", "metrics.db", "--width", "140"], in: directory)
        #expect(table.status == 0)
        let rows = table.stdout.split(separator: "\n").map(String.init)
        #expect(rows.first?.hasPrefix("NAME") == true && rows.count == 6)
        #expect(rows.contains { $0.hasPrefix("shop.orders") && $0.contains("counter") && $0.contains("{order}") && $0.hasSuffix("orders placed") })
        #expect(rows.contains { $0.hasPrefix("shop.checkout.duration") && $0.contains("histogram") && $0.contains("count 2, p50 5s, p99 ≤7.5s") }, "estimated from the buckets, and no more than the largest measured")
        #expect(rows.contains { $0.hasPrefix("shop.orders") && $0.contains("  5  ") }, "a counter's total over its series")
        let json = try TraceBinary.run(["metrics", "shop.checkout.duration", "--db", "metrics.db", "--json"], in: directory)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
        #expect(object["name"] as? String == "shop.checkout.duration" && object["kind"] as? String == "histogram" && object["temporality"] as? String == "cumulative")
        let series = try #require((object["series"] as? [[String: Any]])?.first)
        #expect((series["resource"] as? [String: Any])?["service.name"] as? String == "python-shop")
        #expect((series["attributes"] as? [String: Any])?["http.route"] as? String == "/checkout")
        let point = try #require((series["points"] as? [[String: Any]])?.first)
        #expect(point["count"] as? Int == 2 && point["sum"] as? Double == 7.75 && (point["counts"] as? [Int])?.count == 16)
        #expect((point["exemplars"] as? [[String: Any]])?.allSatisfy { $0["traceId"] as? String == traceID.hex } == true)
    }
}

/// `trace metrics`' refusals: one line, exit 64, and nothing created.
@Suite struct MetricsCommandTests {
    @Test func anUnknownNameSaysSoAndNamesTheNearest() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.db").path
        try TraceStore.openForWriting(path: path).insert([
            MetricPoint(metric: Metric(name: "http.server.request.duration", kind: .gauge), timeUnixNano: 1, value: .int(1)),
            MetricPoint(metric: Metric(name: "http.client.request.duration", kind: .gauge), timeUnixNano: 1, value: .int(1)),
            MetricPoint(metric: Metric(name: "queue.depth", kind: .gauge), timeUnixNano: 1, value: .int(1)),
        ])
        let missing = try TraceBinary.run(["metrics", "http.server.request.durations", "--db", "m.db"], in: directory)
        #expect(missing.status == 1)
        #expect(missing.stderr.split(separator: "\n").first == "trace: error: no metric named 'http.server.request.durations' in m.db; nearest: http.server.request.duration, http.client.request.duration")
        let none = try TraceBinary.run(["metrics", "--json", "--db", "m.db"], in: directory)
        #expect(none.status == 64 && none.stderr.hasPrefix("trace: error: --json needs a metric name"))
        let unknownAttribute = try TraceBinary.run(["metrics", "queue.depth", "--by", "nope", "--db", "m.db"], in: directory)
        #expect(unknownAttribute.status == 64 && unknownAttribute.stderr.hasPrefix("trace: error: no series of queue.depth has the attribute 'nope'; its attributes: "))
        let empty = try TraceBinary.run(["metrics", "--db", "empty.db"], in: directory)
        #expect(empty.status != 0 && !FileManager.default.fileExists(atPath: directory.appendingPathComponent("empty.db").path))
    }
}

extension MetricsCommandTests {
    /// `--by` combines the series that share a value: a counter's totals add up, a histogram's buckets merge.
    @Test func byCombinesTheSeriesOfEachValue() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let counter = Metric(name: "requests", kind: .sum, temporality: .cumulative, isMonotonic: true)
        func point(_ status: Int64, _ route: String, _ value: Int64) -> MetricPoint {
            MetricPoint(metric: counter, resource: Resource(attributes: [Attribute("service.name", .string("web"))]),
                        attributes: [Attribute("status", .int(status)), Attribute("route", .string(route))], timeUnixNano: 5, value: .int(value))
        }
        try TraceStore.openForWriting(path: directory.appendingPathComponent("m.db").path)
            .insert([point(200, "/a", 7), point(200, "/b", 5), point(500, "/a", 2)])
        let byStatus = try TraceBinary.run(["metrics", "requests", "--by", "status", "--db", "m.db"], in: directory)
        #expect(byStatus.status == 0)
        #expect(byStatus.stdout.hasSuffix("""

            STATUS  SERIES  POINTS  LAST
            200          2       2  12
            500          1       1  2

            """), "the chart, then the table by status")
        let byService = try TraceBinary.run(["metrics", "requests", "--by", "service.name", "--db", "m.db"], in: directory)
        #expect(byService.stdout.split(separator: "\n").last == "web                3       3  14", "a resource attribute groups too")
    }
}

extension MetricsCommandTests {
    /// `trace metrics NAME` draws the metric over time, then lists the slowest bucket's traces and
    /// the series: p50/p90/p99 of what each step's buckets gained, in plain text when piped.
    @Test func aHistogramIsChartedStepByStepWithTheTracesOfItsSlowestBucket() throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let duration = Metric(name: "checkout.duration", unit: "s", kind: .histogram, temporality: .cumulative)
        let start: UInt64 = 1_800_000_000_000_000_000, second: UInt64 = 1_000_000_000
        let slow = TraceID(high: 0xabc, low: 0xdef)
        // Ten fast checkouts a second, then in the third second ten slow ones.
        let counts: [[UInt64]] = [[0, 10, 0, 0], [0, 20, 0, 0], [0, 20, 10, 0]]
        let points = counts.enumerated().map { index, counts in
            MetricPoint(metric: duration, resource: Resource(attributes: [Attribute("service.name", .string("shop"))]), startTimeUnixNano: start,
                        timeUnixNano: start + UInt64(index + 1) * second - 1, value: .histogram(.init(count: counts.reduce(0, +), bounds: [0.1, 0.2, 0.4], counts: counts)),
                        exemplars: index == 2 ? [Exemplar(timeUnixNano: start + 2_500_000_000, value: 0.35, traceID: slow, spanID: SpanID(0x42))] : [])
        }
        try TraceStore.openForWriting(path: directory.appendingPathComponent("m.db").path).insert(points)
        let chart = try TraceBinary.run(["metrics", "checkout.duration", "--db", "m.db", "--width", "80", "--step", "1s"], in: directory)
        #expect(chart.status == 0, "\(chart.stderr)")
        let lines = chart.stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines.first?.hasPrefix("checkout.duration (histogram, s): p50, p90 and p99 estimated from the") == true)
        #expect(lines.contains("    500ms ┤"), "the value axis, up to a round value above the largest")
        #expect(lines.contains("● p50  last 300ms, max 300ms"), "the third second gained ten in (200ms, 400ms]")
        #expect(lines.contains("○ p90  last 380ms, max 380ms"))
        #expect(lines.contains("slowest bucket in this window: (200ms, 400ms]; traces it counted (trace show ID):"))
        #expect(lines.contains { $0.hasSuffix(slow.hex + " span " + SpanID(0x42).hex) && $0.hasPrefix("     350ms  ") })
        #expect(lines.contains { $0.hasPrefix("SERVICE") } && !chart.stdout.contains("\u{1B}"), "the series table follows; no colour into a pipe")

        let tooFine = try TraceBinary.run(["metrics", "checkout.duration", "--db", "m.db", "--width", "80", "--step", "1ms"], in: directory)
        #expect(tooFine.status == 64)
        #expect(tooFine.stderr.hasPrefix("trace: error: --step 1ms makes 2001 steps, and 69 fit in 80 columns: use --step 1s, a shorter --since or a wider --width"), "\(tooFine.stderr)")
    }
}
