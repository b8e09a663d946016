import Foundation
@testable import OTLP
import SwiftProtobuf
import Testing
import TraceFixtures
import TraceModel

/// `collect` reads protobuf metrics bodies straight into points (`OTLPProtobufMetrics`);
/// SwiftProtobuf's messages and the mapping (`decodedMetricPoints()`) are the reference it must
/// agree with, point for point and error for error, whatever the body.
@Suite struct OTLPProtobufMetricsTests {
    typealias Wire = OTLPProtobufSpansTests

    /// Both ways agree: both refuse the body, or both give the same points and rejections. With
    /// `direct`, the body must also have been read without falling back to SwiftProtobuf.
    static func expectAgreement(_ body: Data, direct: Bool = true, _ label: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let reference = Result { try ExportMetricsServiceRequest(serializedBytes: body).decodedMetricPoints() }
        let read = Result { try OTLPProtobufMetrics.decodedMetricPoints(from: body) }
        switch (reference, read) {
        case (.success(let expected), .success(let actual)):
            // Compared as printed, so that a NaN a mutation made equals the same NaN (and not another).
            #expect(String(describing: actual.points) == String(describing: expected.points), "\(label): points", sourceLocation: sourceLocation)
            #expect(actual.rejected == expected.rejected, "\(label): rejections", sourceLocation: sourceLocation)
        case (.failure, .failure): break
        case (.success, .failure): Issue.record("\(label): refused a body SwiftProtobuf reads", sourceLocation: sourceLocation)
        case (.failure, .success): Issue.record("\(label): read a body SwiftProtobuf refuses", sourceLocation: sourceLocation)
        }
        if direct { #expect(OTLPProtobufMetrics.decodedDirectly(body) != nil, "\(label): read directly", sourceLocation: sourceLocation) }
    }

    static func body(_ points: [MetricPoint]) throws -> Data { try ExportMetricsServiceRequest(points: points).serializedData() }

    @Test func everyKindAndFieldReadsAsSwiftProtobufReadsIt() throws {
        Self.expectAgreement(try Self.body(sampleMetricPoints()), "one point of each kind")
        #expect(try OTLPProtobufMetrics.decodedMetricPoints(from: Self.body(sampleMetricPoints())).points == sampleMetricPoints())
        var request = ExportMetricsServiceRequest(points: sampleMetricPoints())
        request.resourceMetrics[0].scopeMetrics[0].metrics[0].sum.aggregationTemporality = .UNRECOGNIZED(9)
        request.resourceMetrics[0].scopeMetrics[0].metrics[1].metadata = [.with { $0.key = "m"; $0.value.stringValue = "v" }]
        request.resourceMetrics[0].scopeMetrics[0].metrics.append(.with { $0.name = "no data" })
        request.resourceMetrics[0].scopeMetrics[0].schemaURL = "https://example.com/scope"
        request.resourceMetrics[0].schemaURL = "https://example.com/resource"
        request.resourceMetrics[0].resource.droppedAttributesCount = 3
        Self.expectAgreement(try request.serializedData(), "unknown temporality, metadata, a metric without data, schema URLs")
        Self.expectAgreement(Data(), "an empty request")
    }

    @Test func badPointsAreRejectedOneByOneWithTheSameWords() throws {
        var request = ExportMetricsServiceRequest(points: sampleMetricPoints() + sampleMetricPoints(at: 1_800_000_000_000_000_000))
        var metrics = request.resourceMetrics[0].scopeMetrics[0].metrics
        let histogram = try #require(metrics.firstIndex { $0.name == "http.server.request.duration" })
        metrics[histogram].histogram.dataPoints[0].bucketCounts = [1, 2]
        metrics[histogram].histogram.dataPoints[1].exemplars[0].traceID = Data(count: 15)
        let counter = try #require(metrics.firstIndex { $0.name == "http.server.requests" })
        metrics[counter].sum.dataPoints[1].exemplars = [.with { $0.spanID = Data([1, 2, 3]); $0.asInt = 4 }]
        let gauge = try #require(metrics.firstIndex { $0.name == "queue.depth" })
        metrics[gauge].name = ""
        // All-zero exemplar ids mean none: not an error.
        metrics[counter].sum.dataPoints[0].exemplars = [.with { $0.traceID = Data(count: 16); $0.spanID = Data(count: 8); $0.asDouble = 1 }]
        request.resourceMetrics[0].scopeMetrics[0].metrics = metrics
        Self.expectAgreement(try request.serializedData(), "bad buckets, exemplar ids, a nameless metric")
        #expect(try OTLPProtobufMetrics.decodedMetricPoints(from: request.serializedData()).rejected.count == 5)
    }

    @Test func unknownFieldsAreSkippedAndUnpackedRepeatsAreRead() throws {
        let point = Array(try Opentelemetry_Proto_Metrics_V1_HistogramDataPoint.with {
            $0.timeUnixNano = 5
            $0.count = 3
        }.serializedBytes() as [UInt8])
        // Bounds and counts one by one rather than packed, as an old encoder might write them.
        let unpacked = point + Wire.field(7, wireType: 1, Array(withUnsafeBytes(of: (0.5).bitPattern.littleEndian, Array.init)))
            + Wire.field(6, wireType: 1, Array(withUnsafeBytes(of: UInt64(1).littleEndian, Array.init)))
            + Wire.field(6, wireType: 1, Array(withUnsafeBytes(of: UInt64(2).littleEndian, Array.init))) + Wire.unknownFields
        let metric = Wire.message(1, Array("h".utf8)) + Wire.message(9, Wire.message(1, unpacked) + Wire.field(2, wireType: 0, [2]) + Wire.unknownFields)
        let scope = Wire.message(2, metric + Wire.unknownFields) + Wire.message(1, Array(try Wire.scopeProto().serializedBytes() as [UInt8]))
        let resourceMetrics = Wire.message(2, scope) + Wire.message(1, Array(try Wire.frontendResourceProto().serializedBytes() as [UInt8]) + Wire.unknownFields)
        let body = Data(Wire.message(1, resourceMetrics) + Wire.unknownFields)
        Self.expectAgreement(body, "unknown fields, unpacked bounds and counts, the resource last")
        let read = try OTLPProtobufMetrics.decodedMetricPoints(from: body)
        #expect(read.points.first?.value == .histogram(.init(count: 3, bounds: [0.5], counts: [1, 2])))
        // The metric's name after its data.
        let nameLast = Data(Wire.message(1, Wire.message(2, Wire.message(2, Wire.message(5, Wire.message(1, Wire.field(4, wireType: 1, Array(repeating: 0, count: 8)))) + Wire.message(1, Array("late".utf8))))))
        Self.expectAgreement(nameLast, "the name after the data")
        #expect(try OTLPProtobufMetrics.decodedMetricPoints(from: nameLast).points.first?.metric.name == "late")
    }

    @Test func encodingsThatReplaceOrMergeAreLeftToSwiftProtobuf() throws {
        let gaugePoint = Wire.message(1, Wire.field(4, wireType: 1, Array(repeating: 0, count: 8)))
        let cases: [(String, [UInt8])] = [
            ("two data fields", Wire.message(1, Array("m".utf8)) + Wire.message(5, gaugePoint) + Wire.message(7, gaugePoint)),
            ("two values", Wire.message(1, Array("m".utf8)) + Wire.message(5, Wire.message(1, Wire.field(4, wireType: 1, Array(repeating: 0, count: 8))
                + Wire.field(6, wireType: 1, Array(repeating: 1, count: 8))))),
        ]
        for (label, metric) in cases {
            let body = Data(Wire.message(1, Wire.message(2, Wire.message(2, metric))))
            Self.expectAgreement(body, direct: false, label)
            #expect(OTLPProtobufMetrics.decodedDirectly(body) == nil, "\(label) falls back")
        }
    }

    @Test func randomRequestsReadTheSame() throws {
        var random = SeededRandom(seed: 20261207)
        for round in 0..<300 {
            let points = (0..<Int.random(in: 1...10, using: &random)).map { _ in Self.randomPoint(&random) }
            Self.expectAgreement(try Self.body(points), "random request \(round)")
        }
    }

    @Test func mutatedBodiesAreReadOrRefusedAsSwiftProtobufDoes() throws {
        var random = SeededRandom(seed: 12)
        let seeds = try [Self.body(sampleMetricPoints()), Self.body((0..<6).map { _ in Self.randomPoint(&random) })]
        for round in 0..<3_000 {
            Self.expectAgreement(Wire.mutated(seeds[round % seeds.count], &random), direct: false, "mutation \(round)")
        }
    }

    // MARK: Generators

    static func randomDouble(_ random: inout SeededRandom) -> Double {
        Double(Int64.random(in: -1_000_000...1_000_000, using: &random)) / 8
    }

    static func randomExemplars(_ random: inout SeededRandom) -> [Exemplar] {
        (0..<Int.random(in: 0...2, using: &random)).map { _ in
            Exemplar(timeUnixNano: random.next(), value: randomDouble(&random),
                     traceID: Bool.random(using: &random) ? TraceID(high: random.next() | 1, low: random.next()) : nil,
                     spanID: Bool.random(using: &random) ? SpanID(random.next() | 1) : nil,
                     filteredAttributes: Wire.randomAttributes(&random))
        }
    }

    static func randomPoint(_ random: inout SeededRandom) -> MetricPoint {
        let kind = Metric.Kind.allCases.randomElement(using: &random)!
        let temporality: Metric.Temporality = kind == .gauge || kind == .summary ? .unspecified : [.delta, .cumulative, .unspecified].randomElement(using: &random)!
        let metric = Metric(name: ["a", "http.server.request.duration", "日本"].randomElement(using: &random)!, description: Wire.randomText(&random),
                            unit: Wire.randomText(&random), kind: kind, temporality: temporality, isMonotonic: kind == .sum && Bool.random(using: &random))
        func optional(_ random: inout SeededRandom) -> Double? { Bool.random(using: &random) ? randomDouble(&random) : nil }
        let value: MetricValue
        switch kind {
        case .gauge, .sum: value = Bool.random(using: &random) ? .int(Int64(bitPattern: random.next())) : .double(randomDouble(&random))
        case .histogram:
            let bounds = (0..<Int.random(in: 0...4, using: &random)).map { Double($0) / 4 }
            value = .histogram(.init(count: random.next() >> 4, sum: optional(&random), min: optional(&random), max: optional(&random), bounds: bounds,
                                     counts: bounds.isEmpty && Bool.random(using: &random) ? [] : (0...bounds.count).map { _ in random.next() >> 8 }))
        case .exponentialHistogram:
            func buckets(_ random: inout SeededRandom) -> MetricValue.ExponentialHistogram.Buckets {
                .init(offset: Int32.random(in: -40...40, using: &random), counts: (0..<Int.random(in: 0...4, using: &random)).map { _ in random.next() >> 40 })
            }
            value = .exponentialHistogram(.init(count: random.next() >> 4, sum: optional(&random), min: optional(&random), max: optional(&random),
                                                scale: Int32.random(in: -10...20, using: &random), zeroCount: random.next() >> 50,
                                                zeroThreshold: Bool.random(using: &random) ? 0 : 0.001, positive: buckets(&random), negative: buckets(&random)))
        case .summary:
            value = .summary(.init(count: random.next() >> 4, sum: randomDouble(&random),
                                   quantiles: (0..<Int.random(in: 0...3, using: &random)).map { .init(quantile: Double($0) / 3, value: randomDouble(&random)) }))
        }
        let resource = Resource(attributes: [Attribute("service.name", .string(["frontend", "backend"].randomElement(using: &random)!))] + Wire.randomAttributes(&random))
        return MetricPoint(metric: metric, resource: resource,
                           scope: InstrumentationScope(name: Wire.randomText(&random), version: Bool.random(using: &random) ? "1.0" : ""),
                           attributes: Wire.randomAttributes(&random), startTimeUnixNano: random.next() >> 2, timeUnixNano: random.next() >> 1,
                           flags: UInt32.random(in: 0...1, using: &random), value: value, exemplars: kind == .summary ? [] : randomExemplars(&random))
    }
}
