import Foundation
import NIOCore
import OTLP
import TraceFixtures
import TraceModel
import TraceStore

/// `ingest-benchmark metrics [requests] [points-per-request] [senders]`: metric points a second
/// into `trace collect` (default 200 requests × 5,000 points, 2 senders), Sum and Gauge points
/// then histogram points (the semantic conventions' 15 buckets, an exemplar), bytes a Sum/Gauge
/// point on disk, decoding alone both ways, `trace metrics NAME` over a day of 10-second points for 100 series, and spans a
/// second with a metrics sender beside them against without (alternating).
func benchmarkMetrics(_ arguments: [Int]) async throws {
    let requestCount = arguments.count > 0 ? arguments[0] : 200
    let pointsPerRequest = arguments.count > 1 ? arguments[1] : 5_000
    let senders = arguments.count > 2 ? arguments[2] : 2
    let series = 100
    let step: UInt64 = 10_000_000_000
    let start: UInt64 = 1_800_000_000_000_000_000
    let resource = Resource(attributes: [Attribute("service.name", .string("frontend")), Attribute("service.namespace", .string("trace-demo"))])
    let scope = InstrumentationScope(name: "OT-tracing-demo")
    let counter = Metric(name: "http.server.requests", unit: "{request}", kind: .sum, temporality: .cumulative, isMonotonic: true)
    let gauge = Metric(name: "queue.depth", unit: "{request}", kind: .gauge)
    let duration = Metric(name: "http.server.request.duration", unit: "s", kind: .histogram, temporality: .cumulative)
    let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10]
    func attributes(_ index: Int) -> [Attribute] {
        [Attribute("http.request.method", .string("GET")), Attribute("http.response.status_code", .int(200 + Int64(index % 5))),
         Attribute("http.route", .string("/route/\(index)"))]
    }
    /// Request r holds points of every series at successive 10-second steps: time advances a step per `series` points.
    func bodies(kind: String) -> [ByteBuffer] {
        (0..<requestCount).map { request in
            var points: [MetricPoint] = []
            points.reserveCapacity(pointsPerRequest)
            for index in 0..<pointsPerRequest {
                let number = request * pointsPerRequest + index
                let time = start + UInt64(number / series) * step
                let which = number % series
                switch kind {
                case "number":
                    let metric = which % 2 == 0 ? counter : gauge
                    points.append(MetricPoint(metric: metric, resource: resource, scope: scope, attributes: attributes(which), startTimeUnixNano: metric == counter ? start : 0,
                                              timeUnixNano: time, value: metric == counter ? .int(Int64(number)) : .double(Double(number % 97) / 4)))
                default:
                    var counts = Array(repeating: UInt64(0), count: bounds.count + 1)
                    counts[number % 7] = UInt64(number)
                    points.append(MetricPoint(metric: duration, resource: resource, scope: scope, attributes: attributes(which), startTimeUnixNano: start, timeUnixNano: time,
                                              value: .histogram(.init(count: UInt64(number), sum: Double(number) * 0.004, min: 0.0001, max: 0.2, bounds: bounds, counts: counts)),
                                              exemplars: [Exemplar(timeUnixNano: time - 5, value: 0.003, traceID: TraceID(high: UInt64(number) + 1, low: 7), spanID: SpanID(UInt64(number) + 1))]))
                }
            }
            return ByteBuffer(bytes: try! ExportMetricsServiceRequest(points: points).serializedBytes() as [UInt8])
        }
    }
    // Decoding alone, both ways, alternating: what a point costs the receiving thread before storage.
    for kind in ["number", "histogram"] {
        let requests = bodies(kind: kind).map { Data($0.readableBytesView) }
        var ratios: [Double] = []
        for _ in 0..<3 {
            var began = ContinuousClock.now
            for body in requests { _ = try ExportMetricsServiceRequest(serializedBytes: body).decodedMetricPoints() }
            let generic = seconds(ContinuousClock.now - began)
            began = ContinuousClock.now
            for body in requests { _ = try OTLPProtobufMetrics.decodedMetricPoints(from: body) }
            ratios.append(seconds(ContinuousClock.now - began) / generic)
            print(String(format: "decoding %d %@ points: SwiftProtobuf and the mapping %.2f s, read directly %.2f s", requestCount * pointsPerRequest,
                         kind == "number" ? "Sum and Gauge" : "histogram", generic, generic * ratios.last!))
        }
        print(String(format: "decoding %@ points, direct ÷ SwiftProtobuf: median %.2f (3 alternating pairs)", kind == "number" ? "Sum and Gauge" : "histogram", median(ratios)))
    }

    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-benchmark-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { if ProcessInfo.processInfo.environment["KEEP_DATABASES"] == nil { try? FileManager.default.removeItem(at: directory) } }
    let total = requestCount * pointsPerRequest
    var numberPath = ""
    for kind in ["number", "histogram"] {
        let requests = bodies(kind: kind)
        let path = directory.appendingPathComponent("\(kind).db").path
        let (collect, httpPort, _) = try startCollect(into: path)
        let began = ContinuousClock.now
        try await post(requests, to: "http://127.0.0.1:\(httpPort)/v1/metrics", senders: senders)
        let elapsed = seconds(ContinuousClock.now - began)
        collect.interrupt()
        collect.waitUntilExit()
        let stored = try TraceStore.openForReading(path: path).metricSummaries().reduce(0) { $0 + $1.pointCount }
        guard stored == total else { fatalError("collect stored \(stored) of \(total) points") }
        let label = kind == "number" ? "Sum and Gauge points" : "histogram points (15 buckets, an exemplar each)"
        print("trace collect: \(total) \(label), \(requests.reduce(0) { $0 + $1.readableBytes } / total) bytes each on the wire, "
              + "stored in \(String(format: "%.2f", elapsed)) s = \(format(Double(total) / elapsed)) points/s (\(senders) senders)")
        print("on disk:       \(fileSize(path)) bytes = \(format(Double(fileSize(path)) / Double(total))) bytes a point (indexes and series included)")
        if kind == "number" { numberPath = path }
    }

    // A day of 10-second points for 100 series: 8,640 points each.
    let dayPath = directory.appendingPathComponent("day.db").path
    let store = try TraceStore.openForWriting(path: dayPath)
    for stepIndex in stride(from: 0, to: 8_640, by: 120) {
        var points: [MetricPoint] = []
        for step in stepIndex..<min(stepIndex + 120, 8_640) {
            for which in 0..<series {
                var counts = Array(repeating: UInt64(0), count: bounds.count + 1)
                counts[(step + which) % 7] = UInt64(step + 1)
                points.append(MetricPoint(metric: duration, resource: resource, scope: scope, attributes: attributes(which), startTimeUnixNano: start,
                                          timeUnixNano: start + UInt64(step) * step10,
                                          value: .histogram(.init(count: UInt64(step + 1), sum: Double(step) * 0.004, min: 0.0001, max: 0.2, bounds: bounds, counts: counts))))
            }
        }
        try store.insert(points)
    }
    var version: [Double] = [], table: [Double] = [], one: [Double] = []
    for _ in 0..<7 {
        version.append(timedRun(["--version"]))
        table.append(timedRun(["metrics", "--db", dayPath]))
        one.append(timedRun(["metrics", "http.server.request.duration", "--db", dayPath]))
    }
    print(String(format: "a day of 10-second points for %d series (%d points): trace metrics median %.0f ms; trace metrics NAME median %.0f ms; trace --version %.0f ms; 7 alternating runs",
                 series, series * 8_640, median(table), median(one), median(version)))
    _ = numberPath

    // Spans with and without a metrics sender beside them, alternating, a fresh file each sitting.
    var random = SeededRandom(seed: 1)
    var clock: UInt64 = 1_800_000_000_000_000_000
    let spanBodies = (0..<100).map { _ in
        ByteBuffer(bytes: try! ExportTraceServiceRequest(spans: demoSpans(count: 2_000, random: &random, clock: &clock)).serializedBytes() as [UInt8])
    }
    let metricBodies = bodies(kind: "number")
    var ratios: [Double] = []
    for sitting in 0..<6 {
        let beside = sitting % 2 == 1
        let path = directory.appendingPathComponent("spans-\(sitting).db").path
        let (collect, httpPort, _) = try startCollect(into: path)
        // A busy app's exporter, paced: a request of `pointsPerRequest` points every quarter second.
        let metricsSender = Task {
            guard beside else { return 0 }
            var sent = 0
            let pace = ContinuousClock.now
            while !Task.isCancelled {
                let index = sent / pointsPerRequest % metricBodies.count
                try? await post([metricBodies[index]], to: "http://127.0.0.1:\(httpPort)/v1/metrics", senders: 1)
                sent += pointsPerRequest
                try? await Task.sleep(until: pace + .milliseconds(250 * sent / pointsPerRequest))
            }
            return sent
        }
        let began = ContinuousClock.now
        try await post(spanBodies, to: "http://127.0.0.1:\(httpPort)/v1/traces", senders: 2)
        let rate = 200_000 / seconds(ContinuousClock.now - began)
        metricsSender.cancel()
        let points = await metricsSender.value
        collect.interrupt()
        collect.waitUntilExit()
        print("spans \(beside ? "beside a metrics sender" : "alone                  "): \(format(rate)) spans/s" + (beside ? " (\(points) metric points sent meanwhile, \(pointsPerRequest * 4) a second)" : ""))
        if beside { ratios.append(rate) } else { ratios.append(-rate) }
    }
    let alone = ratios.filter { $0 < 0 }.map { -$0 }, besideRates = ratios.filter { $0 > 0 }
    let pairs = zip(alone, besideRates).map { $1 / $0 }
    print(String(format: "spans/s beside a metrics sender ÷ alone: median %.2f (%@), 3 alternating pairs", median(pairs), pairs.map { String(format: "%.2f", $0) }.joined(separator: ", ")))
}

private let step10: UInt64 = 10_000_000_000
