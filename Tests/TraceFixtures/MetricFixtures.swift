import TraceModel

public let metricsResource = Resource(attributes: [Attribute("service.name", .string("checkout"))])
public let metricsScope = InstrumentationScope(name: "checkout.metrics", version: "1.0")
public let exemplarTrace = TraceID(high: 0x0102_0304_0506_0708, low: 0x090a_0b0c_0d0e_0f10)

/// One point of each kind, two series of the counter, exemplars with and without trace context.
public func sampleMetricPoints(at time: UInt64 = 1_700_000_000_000_000_000) -> [MetricPoint] {
    let counter = Metric(name: "http.server.requests", description: "requests handled", unit: "{request}", kind: .sum, temporality: .cumulative, isMonotonic: true)
    let duration = Metric(name: "http.server.request.duration", unit: "s", kind: .histogram, temporality: .delta)
    let exponential = Metric(name: "db.latency", unit: "ms", kind: .exponentialHistogram, temporality: .cumulative)
    return [
        MetricPoint(metric: counter, resource: metricsResource, scope: metricsScope, attributes: [Attribute("http.response.status_code", .int(200))],
                    startTimeUnixNano: time - 10_000_000_000, timeUnixNano: time, value: .int(41)),
        MetricPoint(metric: counter, resource: metricsResource, scope: metricsScope, attributes: [Attribute("http.response.status_code", .int(500))],
                    startTimeUnixNano: time - 10_000_000_000, timeUnixNano: time, value: .int(2)),
        MetricPoint(metric: Metric(name: "queue.depth", kind: .gauge), resource: metricsResource, scope: metricsScope, timeUnixNano: time, value: .double(3.5)),
        MetricPoint(metric: Metric(name: "inflight", kind: .sum, temporality: .cumulative), resource: metricsResource, scope: metricsScope, timeUnixNano: time, flags: 1, value: .int(-4)),
        MetricPoint(metric: duration, resource: metricsResource, scope: metricsScope, startTimeUnixNano: time - 10_000_000_000, timeUnixNano: time,
                    value: .histogram(.init(count: 6, sum: 0.75, min: 0.001, max: 0.5, bounds: [0.005, 0.01, 0.1], counts: [2, 1, 2, 1])),
                    exemplars: [Exemplar(timeUnixNano: time - 1_000, value: 0.5, traceID: exemplarTrace, spanID: SpanID(0x1112_1314_1516_1718),
                                         filteredAttributes: [Attribute("user", .string("ada"))]),
                                Exemplar(timeUnixNano: time - 2_000, value: 0.002)]),
        MetricPoint(metric: exponential, resource: metricsResource, scope: metricsScope, timeUnixNano: time,
                    value: .exponentialHistogram(.init(count: 9, sum: 40, min: 0, max: .infinity, scale: 3, zeroCount: 1, zeroThreshold: 0.001,
                                                       positive: .init(offset: -2, counts: [1, 0, 5]), negative: .init(offset: 1, counts: [2])))),
        MetricPoint(metric: Metric(name: "rpc.latency", unit: "ms", kind: .summary), resource: metricsResource, scope: metricsScope, timeUnixNano: time,
                    value: .summary(.init(count: 10, sum: 123.5, quantiles: [.init(quantile: 0.5, value: 11), .init(quantile: 0.99, value: 40.25)]))),
    ]
}
