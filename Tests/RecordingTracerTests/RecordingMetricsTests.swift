import CoreMetrics
@testable import RecordingTracer
import Synchronization
import Testing
import TraceModel
import Tracing

/// The builtin metrics backend: swift-metrics instruments read as OTLP points, a duration's
/// bucket keeping the trace it was measured in.
@Suite struct RecordingMetricsTests {
    let resource = TraceModel.Resource(attributes: [Attribute("service.name", .string("checkout"))])
    let scope = InstrumentationScope(name: "tests")

    @Test func instrumentsReadAsCumulativePointsOfTheirKind() throws {
        let metrics = RecordingMetrics(resource: resource, scope: scope)
        let dimensions = [("unit", "{request}"), ("description", "requests"), ("http.response.status_code", "200"), ("route", "/pay")]
        Counter(label: "requests", dimensions: dimensions, factory: metrics).increment(by: 2)
        // The same label and dimensions are the same series, whichever handle records.
        Counter(label: "requests", dimensions: dimensions, factory: metrics).increment()
        Gauge(label: "queue.depth", dimensions: [], factory: metrics).record(4.5)
        let points = metrics.points(at: 42)
        #expect(points.count == 2)
        let requests = try #require(points.first { $0.metric.name == "requests" })
        #expect(requests.metric == Metric(name: "requests", description: "requests", unit: "{request}", kind: .sum, temporality: .cumulative, isMonotonic: true))
        #expect(requests.attributes == [Attribute("http.response.status_code", .int(200)), Attribute("route", .string("/pay"))])
        #expect(requests.value == .int(3) && requests.timeUnixNano == 42 && requests.startTimeUnixNano > 0)
        #expect(requests.resource == resource && requests.scope == scope)
        #expect(points.first { $0.metric.name == "queue.depth" }?.value == .double(4.5))
    }

    @Test func aDurationsBucketKeepsTheSpanItWasMeasuredIn() throws {
        let metrics = RecordingMetrics(resource: resource, scope: scope)
        let tracer = RecordingTracer(resource: resource, scope: scope, queue: FinishedSpanQueue { _ in })
        let timer = CoreMetrics.Timer(label: "http.server.request.duration", dimensions: [], factory: metrics)
        let span = tracer.startSpan("pay", context: .topLevel, ofKind: .server)
        ServiceContext.$current.withValue(span.context) { timer.recordMilliseconds(3) }
        timer.recordMilliseconds(30)     // outside any span: counted, kept as no exemplar
        timer.recordSeconds(20)          // above every bound
        span.end()
        let point = try #require(metrics.points(at: 7).first)
        #expect(point.metric.unit == "s" && point.metric.kind == .histogram)
        guard case .histogram(let histogram) = point.value else { Issue.record("not a histogram"); return }
        #expect(histogram.bounds == RecordingMetrics.durationBounds)
        // 3 ms in (0, 5 ms], 30 ms in (25 ms, 50 ms], 20 s above 10 s.
        var counts = Array(repeating: UInt64(0), count: 15)
        (counts[0], counts[3], counts[14]) = (1, 1, 1)
        #expect(histogram.counts == counts)
        #expect(histogram.count == 3 && histogram.min == 0.003 && histogram.max == 20 && abs((histogram.sum ?? 0) - 20.033) < 1e-9)
        #expect(point.exemplars.count == 1)
        #expect(point.exemplars.first?.traceID == span.context.recordedSpanContext?.traceID)
        #expect(point.exemplars.first?.spanID == span.context.recordedSpanContext?.spanID && point.exemplars.first?.value == 0.003)
    }

    @Test func theReaderStoresOncePerIntervalAndOnceMoreWhenItStops() async throws {
        let metrics = RecordingMetrics(resource: resource, scope: scope)
        let stored = Mutex<[[MetricPoint]]>([])
        let counter = Counter(label: "ticks", dimensions: [], factory: metrics)
        counter.increment()
        let reader = MetricsReader([metrics], interval: .seconds(3600)) { points in stored.withLock { $0.append(points) } }
        let running = Task { try await reader.run() }
        counter.increment()
        running.cancel()
        try await running.value
        let readings = stored.withLock { $0 }
        #expect(readings.count == 1, "the interval never came: only the reading at the end")
        #expect(readings.first?.first?.value == .int(2))
    }
}
