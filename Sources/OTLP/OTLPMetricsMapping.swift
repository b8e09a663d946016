import Foundation
import TraceModel

public typealias ExportMetricsServiceRequest = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceRequest
public typealias ExportMetricsServiceResponse = Opentelemetry_Proto_Collector_Metrics_V1_ExportMetricsServiceResponse

private typealias ProtoMetric = Opentelemetry_Proto_Metrics_V1_Metric

extension ExportMetricsServiceRequest {
    /// The request's valid points, and what is wrong with each of the others (an exemplar id of
    /// the wrong length, buckets that do not match their bounds): what a receiver stores and reports in `partial_success`.
    public func decodedMetricPoints() -> (points: [MetricPoint], rejected: [OTLPDecodingError]) {
        var points: [MetricPoint] = []
        var rejected: [OTLPDecodingError] = []
        for (r, resourceMetrics) in resourceMetrics.enumerated() {
            let resource = Resource(proto: resourceMetrics.resource, schemaURL: resourceMetrics.schemaURL)
            for (s, scopeMetrics) in resourceMetrics.scopeMetrics.enumerated() {
                let scope = InstrumentationScope(proto: scopeMetrics.scope, schemaURL: scopeMetrics.schemaURL)
                for (m, proto) in scopeMetrics.metrics.enumerated() {
                    let place = "resourceMetrics[\(r)].scopeMetrics[\(s)].metrics[\(m)]"
                    guard let data = proto.data else { continue }
                    let metric = Metric(proto: proto, data: data)
                    func add(_ index: Int, _ point: () throws(OTLPDecodingError) -> MetricPoint) {
                        do throws(OTLPDecodingError) {
                            guard !proto.name.isEmpty else { throw .metricWithoutName }
                            points.append(try point())
                        } catch {
                            rejected.append(OTLPDecodingError("\(place).dataPoints[\(index)]: \(error.description)"))
                        }
                    }
                    func point(_ attributes: [Opentelemetry_Proto_Common_V1_KeyValue], start: UInt64, time: UInt64, flags: UInt32,
                               value: MetricValue, exemplars: [Opentelemetry_Proto_Metrics_V1_Exemplar]) throws(OTLPDecodingError) -> MetricPoint {
                        var decoded: [Exemplar] = []
                        for exemplar in exemplars { decoded.append(try Exemplar(proto: exemplar)) }
                        return MetricPoint(metric: metric, resource: resource, scope: scope, attributes: attributes.map(Attribute.init(proto:)),
                                           startTimeUnixNano: start, timeUnixNano: time, flags: flags, value: value, exemplars: decoded)
                    }
                    switch data {
                    case .gauge(let gauge):
                        for (index, p) in gauge.dataPoints.enumerated() {
                            add(index) { () throws(OTLPDecodingError) in try point(p.attributes, start: p.startTimeUnixNano, time: p.timeUnixNano, flags: p.flags, value: MetricValue(p.value), exemplars: p.exemplars) }
                        }
                    case .sum(let sum):
                        for (index, p) in sum.dataPoints.enumerated() {
                            add(index) { () throws(OTLPDecodingError) in try point(p.attributes, start: p.startTimeUnixNano, time: p.timeUnixNano, flags: p.flags, value: MetricValue(p.value), exemplars: p.exemplars) }
                        }
                    case .histogram(let histogram):
                        for (index, p) in histogram.dataPoints.enumerated() {
                            add(index) { () throws(OTLPDecodingError) in
                                try MetricValue.Histogram.checkBuckets(counts: p.bucketCounts.count, bounds: p.explicitBounds.count)
                                let value = MetricValue.Histogram(count: p.count, sum: p.hasSum ? p.sum : nil, min: p.hasMin ? p.min : nil, max: p.hasMax ? p.max : nil,
                                                                  bounds: p.explicitBounds, counts: p.bucketCounts)
                                return try point(p.attributes, start: p.startTimeUnixNano, time: p.timeUnixNano, flags: p.flags, value: .histogram(value), exemplars: p.exemplars)
                            }
                        }
                    case .exponentialHistogram(let histogram):
                        for (index, p) in histogram.dataPoints.enumerated() {
                            add(index) { () throws(OTLPDecodingError) in
                                let value = MetricValue.ExponentialHistogram(
                                    count: p.count, sum: p.hasSum ? p.sum : nil, min: p.hasMin ? p.min : nil, max: p.hasMax ? p.max : nil, scale: p.scale,
                                    zeroCount: p.zeroCount, zeroThreshold: p.zeroThreshold,
                                    positive: .init(offset: p.positive.offset, counts: p.positive.bucketCounts),
                                    negative: .init(offset: p.negative.offset, counts: p.negative.bucketCounts))
                                return try point(p.attributes, start: p.startTimeUnixNano, time: p.timeUnixNano, flags: p.flags, value: .exponentialHistogram(value), exemplars: p.exemplars)
                            }
                        }
                    case .summary(let summary):
                        for (index, p) in summary.dataPoints.enumerated() {
                            add(index) { () throws(OTLPDecodingError) in
                                let value = MetricValue.Summary(count: p.count, sum: p.sum, quantiles: p.quantileValues.map { .init(quantile: $0.quantile, value: $0.value) })
                                return try point(p.attributes, start: p.startTimeUnixNano, time: p.timeUnixNano, flags: p.flags, value: .summary(value), exemplars: [])
                            }
                        }
                    }
                }
            }
        }
        return (points, rejected)
    }

    /// Groups points by resource, scope and metric, as an SDK would export them.
    public init(points: [MetricPoint]) {
        self.init()
        resourceMetrics = groupedByResourceAndScope(points, resource: \.resource, scope: \.scope).map { resource, scopes in
            Opentelemetry_Proto_Metrics_V1_ResourceMetrics.with {
                $0.resource = resource.proto
                $0.schemaURL = resource.schemaURL
                $0.scopeMetrics = scopes.map { scope, points in
                    Opentelemetry_Proto_Metrics_V1_ScopeMetrics.with {
                        $0.scope = scope.proto
                        $0.schemaURL = scope.schemaURL
                        var order: [Metric] = []
                        var byMetric: [Metric: [MetricPoint]] = [:]
                        for point in points {
                            if byMetric[point.metric] == nil { order.append(point.metric) }
                            byMetric[point.metric, default: []].append(point)
                        }
                        $0.metrics = order.map { ProtoMetric(metric: $0, points: byMetric[$0]!) }
                    }
                }
            }
        }
    }
}

extension Metric {
    fileprivate init(proto: ProtoMetric, data: ProtoMetric.OneOf_Data) {
        let (kind, temporality, monotonic): (Kind, Opentelemetry_Proto_Metrics_V1_AggregationTemporality, Bool) = switch data {
        case .gauge: (.gauge, .unspecified, false)
        case .sum(let sum): (.sum, sum.aggregationTemporality, sum.isMonotonic)
        case .histogram(let histogram): (.histogram, histogram.aggregationTemporality, false)
        case .exponentialHistogram(let histogram): (.exponentialHistogram, histogram.aggregationTemporality, false)
        case .summary: (.summary, .unspecified, false)
        }
        self.init(name: proto.name, description: proto.description_p, unit: proto.unit, kind: kind,
                  temporality: Temporality(rawValue: temporality.rawValue) ?? .unspecified, isMonotonic: monotonic)
    }
}

extension ProtoMetric {
    /// One metric's points (all of the metric's kind) as one message.
    fileprivate init(metric: Metric, points: [MetricPoint]) {
        self.init()
        name = metric.name
        description_p = metric.description
        unit = metric.unit
        let temporality = Opentelemetry_Proto_Metrics_V1_AggregationTemporality(rawValue: metric.temporality.rawValue) ?? .unspecified
        func number(_ point: MetricPoint) -> Opentelemetry_Proto_Metrics_V1_NumberDataPoint {
            .with {
                $0.attributes = point.attributes.map(\.proto)
                $0.startTimeUnixNano = point.startTimeUnixNano
                $0.timeUnixNano = point.timeUnixNano
                $0.flags = point.flags
                switch point.value {
                case .int(let value): $0.asInt = value
                case .double(let value): $0.asDouble = value
                default: break
                }
                $0.exemplars = point.exemplars.map(\.proto)
            }
        }
        switch metric.kind {
        case .gauge:
            gauge = .with { $0.dataPoints = points.map(number) }
        case .sum:
            sum = .with {
                $0.dataPoints = points.map(number)
                $0.aggregationTemporality = temporality
                $0.isMonotonic = metric.isMonotonic
            }
        case .histogram:
            histogram = .with {
                $0.aggregationTemporality = temporality
                $0.dataPoints = points.compactMap { point in
                    guard case .histogram(let value) = point.value else { return nil }
                    return .with {
                        $0.attributes = point.attributes.map(\.proto)
                        $0.startTimeUnixNano = point.startTimeUnixNano
                        $0.timeUnixNano = point.timeUnixNano
                        $0.flags = point.flags
                        $0.count = value.count
                        if let sum = value.sum { $0.sum = sum }
                        if let min = value.min { $0.min = min }
                        if let max = value.max { $0.max = max }
                        $0.explicitBounds = value.bounds
                        $0.bucketCounts = value.counts
                        $0.exemplars = point.exemplars.map(\.proto)
                    }
                }
            }
        case .exponentialHistogram:
            exponentialHistogram = .with {
                $0.aggregationTemporality = temporality
                $0.dataPoints = points.compactMap { point in
                    guard case .exponentialHistogram(let value) = point.value else { return nil }
                    return .with {
                        $0.attributes = point.attributes.map(\.proto)
                        $0.startTimeUnixNano = point.startTimeUnixNano
                        $0.timeUnixNano = point.timeUnixNano
                        $0.flags = point.flags
                        $0.count = value.count
                        if let sum = value.sum { $0.sum = sum }
                        if let min = value.min { $0.min = min }
                        if let max = value.max { $0.max = max }
                        $0.scale = value.scale
                        $0.zeroCount = value.zeroCount
                        $0.zeroThreshold = value.zeroThreshold
                        $0.positive = .with { $0.offset = value.positive.offset; $0.bucketCounts = value.positive.counts }
                        $0.negative = .with { $0.offset = value.negative.offset; $0.bucketCounts = value.negative.counts }
                        $0.exemplars = point.exemplars.map(\.proto)
                    }
                }
            }
        case .summary:
            summary = .with {
                $0.dataPoints = points.compactMap { point in
                    guard case .summary(let value) = point.value else { return nil }
                    return .with {
                        $0.attributes = point.attributes.map(\.proto)
                        $0.startTimeUnixNano = point.startTimeUnixNano
                        $0.timeUnixNano = point.timeUnixNano
                        $0.flags = point.flags
                        $0.count = value.count
                        $0.sum = value.sum
                        $0.quantileValues = value.quantiles.map { quantile in .with { $0.quantile = quantile.quantile; $0.value = quantile.value } }
                    }
                }
            }
        }
    }
}

extension MetricValue {
    /// A number point's value; a point with neither (which the specification does not allow) reads as 0.
    fileprivate init(_ value: Opentelemetry_Proto_Metrics_V1_NumberDataPoint.OneOf_Value?) {
        switch value {
        case .asInt(let number): self = .int(number)
        case .asDouble(let number): self = .double(number)
        case nil: self = .int(0)
        }
    }
}

extension OTLPDecodingError {
    static let metricWithoutName = OTLPDecodingError("a metric needs a name")
}

extension MetricValue.Histogram {
    /// Either no buckets, or one more than there are bounds (the last is above every bound).
    static func checkBuckets(counts: Int, bounds: Int) throws(OTLPDecodingError) {
        guard counts == 0 || counts == bounds + 1 else {
            throw OTLPDecodingError("bucketCounts must have one more entry than explicitBounds, got \(counts) for \(bounds)")
        }
    }
}

extension Exemplar {
    fileprivate init(proto: Opentelemetry_Proto_Metrics_V1_Exemplar) throws(OTLPDecodingError) {
        let value: Double = switch proto.value {
        case .asInt(let number): Double(number)
        case .asDouble(let number): number
        case nil: 0
        }
        self = try .checked(timeUnixNano: proto.timeUnixNano, value: value, traceID: proto.traceID, spanID: proto.spanID,
                            filteredAttributes: proto.filteredAttributes.map(Attribute.init(proto:)))
    }

    /// Its ids are optional, but when present they must have OTLP's lengths; all-zero ids mean none.
    static func checked(timeUnixNano: UInt64, value: Double, traceID traceBytes: some Collection<UInt8>, spanID spanBytes: some Collection<UInt8>,
                        filteredAttributes: [Attribute]) throws(OTLPDecodingError) -> Exemplar {
        var traceID: TraceID?
        if !traceBytes.isEmpty {
            guard let id = TraceID(bytes: traceBytes) else {
                throw OTLPDecodingError("an exemplar's traceId must be empty or 16 bytes, got \(traceBytes.count) bytes")
            }
            traceID = id.isValid ? id : nil
        }
        var spanID: SpanID?
        if !spanBytes.isEmpty {
            guard let id = SpanID(bytes: spanBytes) else {
                throw OTLPDecodingError("an exemplar's spanId must be empty or 8 bytes, got \(spanBytes.count) bytes")
            }
            spanID = id.isValid ? id : nil
        }
        return Exemplar(timeUnixNano: timeUnixNano, value: value, traceID: traceID, spanID: spanID, filteredAttributes: filteredAttributes)
    }

    fileprivate var proto: Opentelemetry_Proto_Metrics_V1_Exemplar {
        .with {
            $0.timeUnixNano = timeUnixNano
            $0.asDouble = value
            if let traceID { $0.traceID = Data(traceID.bytes) }
            if let spanID { $0.spanID = Data(spanID.bytes) }
            $0.filteredAttributes = filteredAttributes.map(\.proto)
        }
    }
}
