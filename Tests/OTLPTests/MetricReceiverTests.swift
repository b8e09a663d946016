import CompressNIO
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import NIOCore
import OTLP
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// OTLP metrics over both transports, through the same door as spans and logs: every encoding
/// stores the same rows; what cannot be decoded stores nothing; a bad point is refused alone.
@Suite struct MetricReceiverTests {
    let points = sampleMetricPoints()

    func metricsURL(_ tracesURL: String) -> String { tracesURL.replacingOccurrences(of: "/v1/traces", with: "/v1/metrics") }

    @Test func everyEncodingAndTransportStoresTheSamePoints() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let request = ExportMetricsServiceRequest(points: points)
        var files: [String] = []
        for (name, body, contentType, headers) in try everyHTTPEncoding(of: request) {
            let path = directory.appendingPathComponent("\(name).db").path
            let store = try TraceStore.openForWriting(path: path)
            let (first, retried) = try await withReceiver(store: store) { url, _ in
                (try await post(metricsURL(url), body: body, contentType: contentType, headers: headers),
                 try await post(metricsURL(url), body: body, contentType: contentType, headers: headers))
            }
            #expect(first.status == 200 && retried.status == 200, "\(name)")
            #expect(try sqlite(path, "SELECT count(*) FROM metric_points") == "7", "\(name): a retried request is stored once")
            for metric in Set(points.map(\.metric.name)) {
                #expect(try store.metricPoints(named: metric) == points.filter { $0.metric.name == metric }, "\(name): \(metric)")
            }
            files.append(path)
        }
        let grpcPath = directory.appendingPathComponent("grpc.db").path
        let overGRPC = try TraceStore.openForWriting(path: grpcPath)
        for compression in [CompressionAlgorithm.none, .gzip] {
            try await withGRPCReceiver(store: overGRPC) { client in
                var options = CallOptions.defaults
                options.compression = compression
                let response = try await Opentelemetry_Proto_Collector_Metrics_V1_MetricsService.Client(wrapping: client).export(request, options: options)
                #expect(response == ExportMetricsServiceResponse())
            }
        }
        files.append(grpcPath)
        for table in ["metrics", "metric_series", "metric_points", "metric_exemplars", "resources", "scopes", "attribute_keys"] {
            let dumps = try files.map { try sqlite($0, "SELECT * FROM \(table) ORDER BY 1, 2") }
            #expect(Set(dumps).count == 1, "\(table) differs between transports")
        }
    }

    @Test func undecodableBodiesAreRefusedAndStoreNothing() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.db").path
        let store = try TraceStore.openForWriting(path: path)
        let results = try await withReceiver(store: store) { url, _ in
            [try await post(metricsURL(url), body: Data("not protobuf at all \u{1}\u{2}".utf8), contentType: "application/x-protobuf"),
             try await post(metricsURL(url), body: Data(#"{"resourceMetrics": [{"scopeMetrics": [{"metrics": [{"name": 7}]}]}]}"#.utf8), contentType: "application/json"),
             try await post(metricsURL(url), body: Data([0x1f, 0x8b, 0, 0]), contentType: "application/x-protobuf", headers: [("Content-Encoding", "gzip")]),
             try await post(metricsURL(url), body: Data("{}".utf8), contentType: "text/plain")]
        }
        #expect(results.map(\.status) == [400, 400, 400, 415])
        let status = try Google_Rpc_Status(serializedBytes: results[0].body)
        #expect(status.code == 3 && status.message == "body is not a protobuf ExportMetricsServiceRequest")
        #expect(try sqlite(path, "SELECT (SELECT count(*) FROM metric_points) + (SELECT count(*) FROM metrics)") == "0")
    }

    @Test func aBadPointIsRefusedAloneAndReported() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("m.db").path
        let store = try TraceStore.openForWriting(path: path)
        var request = ExportMetricsServiceRequest(points: points)
        // The histogram's exemplar with a 3-byte span id, and a histogram whose buckets do not fit its bounds.
        let histogram = try #require(request.resourceMetrics[0].scopeMetrics[0].metrics.firstIndex { $0.name == "http.server.request.duration" })
        request.resourceMetrics[0].scopeMetrics[0].metrics[histogram].histogram.dataPoints[0].exemplars[0].spanID = Data([1, 2, 3])
        var misfit = request.resourceMetrics[0].scopeMetrics[0].metrics[histogram].histogram.dataPoints[0]
        misfit.exemplars = []
        misfit.timeUnixNano += 1
        misfit.bucketCounts = [1, 2]
        request.resourceMetrics[0].scopeMetrics[0].metrics[histogram].histogram.dataPoints.append(misfit)
        let partlyBad = request
        let response = try await withGRPCReceiver(store: store) { client in
            try await Opentelemetry_Proto_Collector_Metrics_V1_MetricsService.Client(wrapping: client).export(partlyBad)
        }
        #expect(response.partialSuccess.rejectedDataPoints == 2)
        #expect(response.partialSuccess.errorMessage == "2 of 8 data points rejected: resourceMetrics[0].scopeMetrics[0].metrics[\(histogram)].dataPoints[0]: "
            + "an exemplar's spanId must be empty or 8 bytes, got 3 bytes")
        #expect(try sqlite(path, "SELECT count(*) FROM metric_points") == "6")
        #expect(try store.metricPoints(named: "http.server.request.duration").isEmpty)
    }
}
