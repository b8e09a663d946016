import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceStore

/// Zipkin from a client nobody here wrote: the OpenTelemetry SDK for Python's Zipkin exporter
/// (v2 JSON) into `trace collect --zipkin-port`, read back as a user reads it.
@Suite struct ZipkinInteropTests {
    @Test func collectStoresWhatThePythonZipkinExporterSent() throws {
        let sdkPython = try TestPython.interpreter()
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let collector = try RunningProcess(["collect", "--grpc-port", "off", "--http-port", "off", "--zipkin-port", "0", "--db", "zipkin.db"], in: directory)
        let banner = collector.waitForStderr(containing: "Ctrl-C to stop")
        #expect(banner.contains("/api/v2/spans (Zipkin)"))
        let port = try #require(listeningPort(in: banner))
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../share/examples/python_zipkin.py").standardized
        let python = try runPython([script.path], environment: ["OTEL_EXPORTER_ZIPKIN_ENDPOINT": "http://127.0.0.1:\(port)/api/v2/spans"], interpreter: sdkPython)
        #expect(python.status == 0, "share/examples/python_zipkin.py failed: \(python.stderr)")
        let stopped = collector.stop(with: SIGINT)
        #expect(stopped.status == 0 && stopped.stderr.contains("requests 2 accepted; spans 2 stored"), "\(stopped.stderr)")
        let traceID = python.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let store = try TraceStore.openForReading(path: directory.appendingPathComponent("zipkin.db").path)
        let id = try #require(TraceID(hex: traceID))
        let trace = try #require(try store.traces(withIDs: [id]).first)
        let root = try #require(trace.spans.first { $0.name == "GET /checkout" })
        let call = try #require(trace.spans.first { $0.name == "charge card" })
        #expect(root.kind == .server && call.kind == .client && call.parentSpanID == root.spanID)
        #expect(root.resource.serviceName == "python-zipkin" && call.scope.name == "shop.zipkin" && call.scope.version == "1.0")
        #expect(call.status == SpanStatus(code: .error, message: "card declined"))
        // Zipkin tags are strings: the exporter sent `attempts` as "2" (and its resource as tags, which stay attributes).
        #expect(call.attributes["attempts"] == .string("2") && call.attributes["peer.service"] == .string("payments"))
        #expect(call.events.map(\.name) == ["card declined"])
        #expect(call.events.first?.attributes == [Attribute("code", .string("51")), Attribute("retryable", .bool(false))])
        #expect(root.endTimeUnixNano >= call.endTimeUnixNano && call.startTimeUnixNano >= root.startTimeUnixNano)

        let shown = try TraceBinary.run(["show", traceID, "--db", "zipkin.db"], in: directory)
        #expect(shown.status == 0 && shown.stdout.contains("charge card") && shown.stdout.contains("python-zipkin"))
    }
}
