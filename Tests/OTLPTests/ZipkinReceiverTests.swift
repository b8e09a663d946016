import CompressNIO
import Foundation
import Logging
import NIOCore
import OTLP
import Testing
import TraceIngest
import TraceModel
import TraceStore
import ZipkinHTTP

/// A real Zipkin receiver on an ephemeral loopback port, for the length of `body`.
func withZipkinReceiver<T: Sendable>(store: TraceStore, maxBodyBytes: Int = 64 << 20, _ body: @Sendable (_ url: String, _ statistics: IngestStatistics) async throws -> T) async throws -> T {
    var logger = Logger(label: "zipkin-test")
    logger.logLevel = .error
    let statistics = IngestStatistics()
    let ingestor = Ingestor(store: store, statistics: statistics, maxBodyBytes: maxBodyBytes)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = ZipkinReceiver.buildApplication(configuration: .init(host: "127.0.0.1", port: 0), ingestor: ingestor, logger: logger,
                                              onServerRunning: { portContinuation.yield($0) })
    return try await withServices([app], reportingPortTo: ports, logger: logger) { port in
        try await body("http://127.0.0.1:\(port)/api/v2/spans", statistics)
    }
}

/// Zipkin v2 JSON in, through the same ingestion as OTLP: mapped as the OpenTelemetry Collector's
/// zipkin receiver maps it, shared spans kept apart, bad bodies refused with nothing stored.
@Suite struct ZipkinReceiverTests {
    /// Brave-style: a 64-bit trace id, a client span and the server's shared half under the same id, an error tag.
    let sharedSpans = Data("""
        [{"traceId":"5af7183fb1d4cf5f","id":"6b221d5bc9e6496c","name":"get","kind":"CLIENT","timestamp":1700000000000000,"duration":4000,
          "localEndpoint":{"serviceName":"frontend","ipv4":"10.0.0.1"},"remoteEndpoint":{"serviceName":"backend","ipv4":"10.0.0.2","port":8080},
          "tags":{"http.method":"GET","otel.scope.name":"brave","otel.scope.version":"6.0"},
          "annotations":[{"timestamp":1700000000001000,"value":"wire.send"},{"timestamp":1700000000002500,"value":"{\\"retry\\": {\\"attempt\\": 2, \\"final\\": true}}"}]},
         {"traceId":"5af7183fb1d4cf5f","id":"6b221d5bc9e6496c","name":"get /api","kind":"SERVER","shared":true,"timestamp":1700000000000500.5,"duration":2500,
          "localEndpoint":{"serviceName":"backend"},"tags":{"http.path":"/api","error":"lookup failed"}}]
        """.utf8)

    @Test func spansAreMappedAsTheCollectorMapsThemAndSharedHalvesKeptApart() async throws {
        let store = try TraceStore.inMemory()
        try await withZipkinReceiver(store: store) { url, statistics in
            let response = try await post(url, body: sharedSpans, contentType: "application/json")
            #expect(response.status == 202 && response.body.isEmpty)
            #expect(statistics.snapshot.spansStored == 2)
        }
        let traceID = TraceID(high: 0, low: 0x5af7_183f_b1d4_cf5f)
        let trace = try #require(try store.traces(withIDs: [traceID]).first)
        let client = try #require(trace.spans.first { $0.kind == .client })
        let server = try #require(trace.spans.first { $0.kind == .server })
        #expect(client.spanID == SpanID(0x6b22_1d5b_c9e6_496c) && client.parentSpanID == nil)
        #expect(server.parentSpanID == client.spanID && server.spanID != client.spanID, "the shared half is its own span, under the client's")
        #expect(client.resource.serviceName == "frontend" && server.resource.serviceName == "backend")
        #expect(client.scope == InstrumentationScope(name: "brave", version: "6.0"))
        #expect(client.startTimeUnixNano == 1_700_000_000_000_000_000 && client.endTimeUnixNano == 1_700_000_000_004_000_000)
        #expect(server.startTimeUnixNano == 1_700_000_000_000_500_500, "microseconds with a fraction")
        #expect(client.attributes == [Attribute("http.method", .string("GET")), Attribute("peer.service", .string("backend")),
                                      Attribute("network.peer.address", .string("10.0.0.2")), Attribute("network.peer.port", .int(8080))])
        #expect(client.events == [SpanEvent(timeUnixNano: 1_700_000_000_001_000_000, name: "wire.send"),
                                  SpanEvent(timeUnixNano: 1_700_000_000_002_500_000, name: "retry",
                                            attributes: [Attribute("attempt", .int(2)), Attribute("final", .bool(true))])])
        #expect(server.status == SpanStatus(code: .error, message: "lookup failed") && server.attributes == [Attribute("http.path", .string("/api"))])
        #expect(client.status.code == .unset)
    }

    @Test func aRetryIsStoredOnceAndGzipIsRead() async throws {
        let store = try TraceStore.inMemory()
        var buffer = ByteBuffer(data: sharedSpans)
        let zipped = Data(buffer: try buffer.compress(with: .gzip()))
        try await withZipkinReceiver(store: store) { url, statistics in
            let plain = try await post(url, body: sharedSpans, contentType: "application/json")
            let retried = try await post(url, body: zipped, contentType: "application/json", headers: [("Content-Encoding", "gzip")])
            #expect(plain.status == 202 && retried.status == 202)
            #expect(statistics.snapshot.spansStored == 2 && statistics.snapshot.spansDuplicate == 2)
        }
        #expect(try store.totals().spans == 2)
    }

    @Test func badBodiesAreRefusedAndStoreNothing() async throws {
        let store = try TraceStore.inMemory()
        try await withZipkinReceiver(store: store, maxBodyBytes: 4_096) { url, _ in
            let notJSON = try await post(url, body: Data("not json".utf8), contentType: "application/json")
            #expect(notJSON.status == 400 && String(decoding: notJSON.body, as: UTF8.self) == "body is not JSON: a Zipkin v2 body is an array of spans\n")
            let object = try await post(url, body: Data(#"{"traceId":"1"}"#.utf8), contentType: "application/json")
            #expect(object.status == 400)
            let badID = try await post(url, body: Data(#"[{"traceId":"xyz","id":"6b221d5bc9e6496c"}]"#.utf8), contentType: "application/json")
            #expect(badID.status == 400 && String(decoding: badID.body, as: UTF8.self).hasPrefix("span 0: traceId must be 16 or 32 hex digits"))
            let proto = try await post(url, body: sharedSpans, contentType: "application/x-protobuf")
            #expect(proto.status == 415)
            let large = try await post(url, body: Data(repeating: UInt8(ascii: " "), count: 5_000), contentType: "application/json")
            #expect(large.status == 413)
        }
        #expect(try store.totals().spans == 0)
        // One bad span among good ones: the others are stored (Zipkin has no partial answer; the request is accepted).
        try await withZipkinReceiver(store: store) { url, statistics in
            let mixed = Data(#"[{"traceId":"00000000000000000000000000000000","id":"6b221d5bc9e6496c"},{"traceId":"5af7183fb1d4cf5f","id":"0000000000000001","name":"ok"}]"#.utf8)
            let accepted = try await post(url, body: mixed, contentType: "application/json")
            #expect(accepted.status == 202)
            #expect(statistics.snapshot.spansStored == 1 && statistics.snapshot.spansRejected == 1)
        }
    }
}
