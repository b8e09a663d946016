import Foundation
import TraceModel

/// An OTLP/protobuf metrics request read straight into model points, as `OTLPProtobufSpans` reads
/// spans: SwiftProtobuf's generic decoding was most of a metric point's cost in `collect`, taking
/// processor time from the spans beside it. The encoding every SDK writes is read here; anything
/// else (a oneof or message field repeated, unpacked where it merges, a bad wire type or UTF-8) is
/// left to SwiftProtobuf, so both give the same points and errors.
public enum OTLPProtobufMetrics {
    /// The request's valid points and what is wrong with the others, as
    /// `ExportMetricsServiceRequest.decodedMetricPoints()` gives them. Throws when the body is not a request.
    public static func decodedMetricPoints(from body: Data) throws -> (points: [MetricPoint], rejected: [OTLPDecodingError]) {
        if let direct = decodedDirectly(body) { return direct }
        return try ExportMetricsServiceRequest(serializedBytes: body).decodedMetricPoints()
    }

    /// Nil where the body is not in the encoding this reads, and SwiftProtobuf should decide.
    static func decodedDirectly(_ body: Data) -> (points: [MetricPoint], rejected: [OTLPDecodingError])? {
        body.withUnsafeBytes { bytes in
            var reader = ProtobufWireReader(bytes)
            var decoded = DecodedPoints()
            guard (try? reader.metricsRequest(into: &decoded)) != nil else { return nil }
            return (decoded.points, decoded.rejected)
        }
    }
}

private struct DecodedPoints {
    var points: [MetricPoint] = []
    var rejected: [OTLPDecodingError] = []
}

/// A data point as read, before its metric's name, buckets and exemplar ids are checked.
private struct WirePoint {
    var attributes: [Attribute] = []
    var start: UInt64 = 0
    var time: UInt64 = 0
    var flags: UInt32 = 0
    var value = MetricValue.int(0)
    var exemplars: [Result<Exemplar, OTLPDecodingError>] = []
    /// A histogram's buckets that do not match its bounds.
    var problem: OTLPDecodingError?

    func checked(metric: Metric, resource: Resource, scope: InstrumentationScope) throws(OTLPDecodingError) -> MetricPoint {
        guard !metric.name.isEmpty else { throw .metricWithoutName }
        if let problem { throw problem }
        var decoded: [Exemplar] = []
        decoded.reserveCapacity(exemplars.count)
        for exemplar in exemplars { decoded.append(try exemplar.get()) }
        return MetricPoint(metric: metric, resource: resource, scope: scope, attributes: attributes, startTimeUnixNano: start, timeUnixNano: time,
                           flags: flags, value: value, exemplars: decoded)
    }
}

extension ProtobufWireReader {
    /// `ExportMetricsServiceRequest`.
    fileprivate mutating func metricsRequest(into decoded: inout DecodedPoints) throws(NotCanonical) {
        var r = 0
        while let (field, wireType) = try tag() {
            guard field == 1 else { try skip(wireType); continue }
            var resourceMetrics = try repeatedMessage(wireType)
            try resourceMetrics.resourceMetrics(index: r, into: &decoded)
            r += 1
        }
    }

    /// `ResourceMetrics`.
    private mutating func resourceMetrics(index r: Int, into decoded: inout DecodedPoints) throws(NotCanonical) {
        let (resource, scopes) = try resourceAndScopes()
        for (s, var scopeMetrics) in scopes.enumerated() {
            let (scope, metrics) = try scopeMetrics.scopeAndItems()
            for (m, var reader) in metrics.enumerated() {
                try reader.metric(resource: resource, scope: scope, place: { "resourceMetrics[\(r)].scopeMetrics[\(s)].metrics[\(m)]" }, into: &decoded)
            }
        }
    }

    /// `Metric`: its name may follow its data, so the data is read after.
    private mutating func metric(resource: Resource, scope: InstrumentationScope, place: () -> String, into decoded: inout DecodedPoints) throws(NotCanonical) {
        var name = "", description = "", unit = ""
        var data: (field: UInt64, reader: ProtobufWireReader)?
        while let (field, wireType) = try tag() {
            switch field {
            case 1: name = try string(wireType)
            case 2: description = try string(wireType)
            case 3: unit = try string(wireType)
            case 5, 7, 9, 10, 11:
                // A second data field would replace or merge into the first: SwiftProtobuf's to decide.
                guard data == nil else { throw NotCanonical() }
                data = (field, try repeatedMessage(wireType))
            case 12: _ = try attribute(wireType)
            default: try skip(wireType)
            }
        }
        guard let (kindField, dataReader) = data else { return }
        var reader = dataReader
        var temporality = 0
        var monotonic = false
        var points: [WirePoint] = []
        while let (field, wireType) = try reader.tag() {
            switch (kindField, field) {
            case (_, 1): points.append(try reader.element(wireType) { point throws(NotCanonical) in try point.dataPoint(of: kindField) })
            case (7, 2), (9, 2), (10, 2): temporality = try reader.enumValue(wireType)
            case (7, 3): monotonic = try reader.bool(wireType)
            default: try reader.skip(wireType)
            }
        }
        let kind: Metric.Kind = switch kindField {
        case 5: .gauge
        case 7: .sum
        case 9: .histogram
        case 10: .exponentialHistogram
        default: .summary
        }
        let metric = Metric(name: name, description: description, unit: unit, kind: kind,
                            temporality: Metric.Temporality(rawValue: temporality) ?? .unspecified, isMonotonic: monotonic)
        decoded.points.reserveCapacity(decoded.points.count + points.count)
        for (index, point) in points.enumerated() {
            do throws(OTLPDecodingError) {
                decoded.points.append(try point.checked(metric: metric, resource: resource, scope: scope))
            } catch {
                decoded.rejected.append(OTLPDecodingError("\(place()).dataPoints[\(index)]: \(error.description)"))
            }
        }
    }

    /// A data point of the metric kind whose field is `kindField`.
    private mutating func dataPoint(of kindField: UInt64) throws(NotCanonical) -> WirePoint {
        switch kindField {
        case 5, 7: try numberDataPoint()
        case 9: try histogramDataPoint()
        case 10: try exponentialHistogramDataPoint()
        default: try summaryDataPoint()
        }
    }

    /// `NumberDataPoint`; a point with no value (which the specification does not allow) reads as 0.
    private mutating func numberDataPoint() throws(NotCanonical) -> WirePoint {
        var point = WirePoint()
        var hasValue = false
        while let (field, wireType) = try tag() {
            switch field {
            case 7: point.attributes.append(try attribute(wireType))
            case 2: point.start = try fixed64(wireType)
            case 3: point.time = try fixed64(wireType)
            case 4, 6:
                guard !hasValue else { throw NotCanonical() }
                hasValue = true
                let bits = try fixed64(wireType)
                point.value = field == 4 ? .double(Double(bitPattern: bits)) : .int(Int64(bitPattern: bits))
            case 5: point.exemplars.append(try element(wireType) { reader throws(NotCanonical) in try reader.exemplar() })
            case 8: point.flags = try uint32(wireType)
            default: try skip(wireType)
            }
        }
        return point
    }

    /// `HistogramDataPoint`.
    private mutating func histogramDataPoint() throws(NotCanonical) -> WirePoint {
        var point = WirePoint()
        var count: UInt64 = 0
        var sum: Double?, min: Double?, max: Double?
        var counts: [UInt64] = [], bounds: [UInt64] = []
        while let (field, wireType) = try tag() {
            switch field {
            case 9: point.attributes.append(try attribute(wireType))
            case 2: point.start = try fixed64(wireType)
            case 3: point.time = try fixed64(wireType)
            case 4: count = try fixed64(wireType)
            case 5: sum = try double(wireType)
            case 6: try appendFixed64s(wireType, to: &counts)
            case 7: try appendFixed64s(wireType, to: &bounds)
            case 8: point.exemplars.append(try element(wireType) { reader throws(NotCanonical) in try reader.exemplar() })
            case 10: point.flags = try uint32(wireType)
            case 11: min = try double(wireType)
            case 12: max = try double(wireType)
            default: try skip(wireType)
            }
        }
        do throws(OTLPDecodingError) { try MetricValue.Histogram.checkBuckets(counts: counts.count, bounds: bounds.count) } catch { point.problem = error }
        point.value = .histogram(.init(count: count, sum: sum, min: min, max: max, bounds: bounds.map(Double.init(bitPattern:)), counts: counts))
        return point
    }

    /// `ExponentialHistogramDataPoint`.
    private mutating func exponentialHistogramDataPoint() throws(NotCanonical) -> WirePoint {
        var point = WirePoint()
        var value = MetricValue.ExponentialHistogram(count: 0, scale: 0)
        var hasPositive = false, hasNegative = false
        while let (field, wireType) = try tag() {
            switch field {
            case 1: point.attributes.append(try attribute(wireType))
            case 2: point.start = try fixed64(wireType)
            case 3: point.time = try fixed64(wireType)
            case 4: value.count = try fixed64(wireType)
            case 5: value.sum = try double(wireType)
            case 6: value.scale = try sint32(wireType)
            case 7: value.zeroCount = try fixed64(wireType)
            case 8:
                var reader = try message(wireType, seen: &hasPositive)
                value.positive = try reader.buckets()
            case 9:
                var reader = try message(wireType, seen: &hasNegative)
                value.negative = try reader.buckets()
            case 10: point.flags = try uint32(wireType)
            case 11: point.exemplars.append(try element(wireType) { reader throws(NotCanonical) in try reader.exemplar() })
            case 12: value.min = try double(wireType)
            case 13: value.max = try double(wireType)
            case 14: value.zeroThreshold = try double(wireType)
            default: try skip(wireType)
            }
        }
        point.value = .exponentialHistogram(value)
        return point
    }

    /// `ExponentialHistogramDataPoint.Buckets`.
    private mutating func buckets() throws(NotCanonical) -> MetricValue.ExponentialHistogram.Buckets {
        var buckets = MetricValue.ExponentialHistogram.Buckets()
        while let (field, wireType) = try tag() {
            switch field {
            case 1: buckets.offset = try sint32(wireType)
            case 2: try appendVarints(wireType, to: &buckets.counts)
            default: try skip(wireType)
            }
        }
        return buckets
    }

    /// `SummaryDataPoint`: summaries carry no exemplars.
    private mutating func summaryDataPoint() throws(NotCanonical) -> WirePoint {
        var point = WirePoint()
        var value = MetricValue.Summary(count: 0, sum: 0)
        while let (field, wireType) = try tag() {
            switch field {
            case 7: point.attributes.append(try attribute(wireType))
            case 2: point.start = try fixed64(wireType)
            case 3: point.time = try fixed64(wireType)
            case 4: value.count = try fixed64(wireType)
            case 5: value.sum = try double(wireType)
            case 6: value.quantiles.append(try element(wireType) { reader throws(NotCanonical) in try reader.quantile() })
            case 8: point.flags = try uint32(wireType)
            default: try skip(wireType)
            }
        }
        point.value = .summary(value)
        return point
    }

    /// `SummaryDataPoint.ValueAtQuantile`.
    private mutating func quantile() throws(NotCanonical) -> MetricValue.Summary.Quantile {
        var quantile = MetricValue.Summary.Quantile(quantile: 0, value: 0)
        while let (field, wireType) = try tag() {
            switch field {
            case 1: quantile.quantile = try double(wireType)
            case 2: quantile.value = try double(wireType)
            default: try skip(wireType)
            }
        }
        return quantile
    }

    /// `Exemplar`, its ids checked here (a wrong length rejects the point, not the request).
    private mutating func exemplar() throws(NotCanonical) -> Result<Exemplar, OTLPDecodingError> {
        var time: UInt64 = 0
        var value: Double = 0
        var hasValue = false
        var traceID = UnsafeRawBufferPointer(start: nil, count: 0)
        var spanID = traceID
        var attributes: [Attribute] = []
        while let (field, wireType) = try tag() {
            switch field {
            case 7: attributes.append(try attribute(wireType))
            case 2: time = try fixed64(wireType)
            case 3, 6:
                guard !hasValue else { throw NotCanonical() }
                hasValue = true
                let bits = try fixed64(wireType)
                value = field == 3 ? Double(bitPattern: bits) : Double(Int64(bitPattern: bits))
            case 4: spanID = try bytesField(wireType)
            case 5: traceID = try bytesField(wireType)
            default: try skip(wireType)
            }
        }
        return Result { () throws(OTLPDecodingError) in
            try Exemplar.checked(timeUnixNano: time, value: value, traceID: traceID, spanID: spanID, filteredAttributes: attributes)
        }
    }
}
