import CompressNIO
import Foundation
import NIOCore
@testable import OTLP
@testable import OTLPExport
import SwiftProtobuf
import Testing
import TraceFixtures
import TraceModel
import TraceStore

@Suite struct OTLPReceiverTests {
    let spans = sampleTrace(id: 42, error: true)

    func storedSpans(_ store: TraceStore) throws -> Set<Span> {
        Set(try store.trace(spans[0].traceID)?.spans ?? [])
    }

    @Test func acceptsProtobuf() async throws {
        let store = try TraceStore.inMemory()
        let body = try ExportTraceServiceRequest(spans: spans).serializedData()
        let result = try await withReceiver(store: store) { url, _ in try await post(url, body: body, contentType: "application/x-protobuf") }
        #expect(result.status == 200)
        #expect(result.contentType == "application/x-protobuf")
        #expect(try ExportTraceServiceResponse(serializedBytes: result.body) == ExportTraceServiceResponse())
        #expect(try storedSpans(store) == Set(spans))
    }

    @Test func acceptsJSONAndAnswersInJSON() async throws {
        let store = try TraceStore.inMemory()
        let body = try OTLPJSON.encode(ExportTraceServiceRequest(spans: spans))
        let result = try await withReceiver(store: store) { url, _ in try await post(url, body: body, contentType: "application/json; charset=utf-8") }
        #expect(result.status == 200)
        #expect(result.contentType == "application/json")
        #expect(String(decoding: result.body, as: UTF8.self) == "{}")
        #expect(try storedSpans(store) == Set(spans))
    }

    @Test func acceptsTheSpecificationsJSONMapping() async throws {
        let store = try TraceStore.inMemory()
        let example = try Data(contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../../share/examples/otlp-trace.json"))
        let result = try await withReceiver(store: store) { url, _ in try await post(url, body: example, contentType: "application/json") }
        #expect(result.status == 200)
        let trace = try #require(try store.trace(TraceID(hex: "5b8efff798038103d269b633813fc60c")!))
        #expect(trace.spans.count == 2)
        let root = trace.spans[0]
        #expect(root.spanID.hex == "eee19b7ec3c1b174")
        #expect(root.kind == .server)
        #expect(root.startTimeUnixNano == 1_544_712_660_000_000_000)
        #expect(root.attributes["http.response.status_code"] == .int(200))
        #expect(root.attributes["cart.items"] == .int(3))
        #expect(root.attributes["cart.total"] == .double(42.5))
        #expect(root.attributes["feature.flags"] == .array([.string("fast-path"), .bool(true)]))
        #expect(root.events.first?.attributes["cache.hit"] == .bool(false))
        #expect(root.resource.serviceName == "checkout")
        #expect(root.scope == InstrumentationScope(name: "example-instrumentation", version: "1.2.0"))
        #expect(trace.spans[1].parentSpanID == root.spanID)
        #expect(trace.spans[1].status == SpanStatus(code: .error, message: "card declined"))
    }

    /// Proto3 JSON's own mapping writes ids in base64, as swift-otel's http/json exporter does;
    /// padded base64 cannot be mistaken for hex, so it is taken too.
    @Test func acceptsIDsInBase64AsSomeExportersSendThem() async throws {
        let store = try TraceStore.inMemory()
        var options = JSONEncodingOptions()
        options.alwaysPrintEnumsAsInts = true
        let base64 = try ExportTraceServiceRequest(spans: spans).jsonUTF8Data(options: options)
        #expect(String(decoding: base64, as: UTF8.self).contains("=\""))
        let status = try await withReceiver(store: store) { url, _ in try await post(url, body: base64, contentType: "application/json").status }
        #expect(status == 200)
        #expect(try storedSpans(store) == Set(spans))
    }

    @Test func acceptsGzip() async throws {
        let store = try TraceStore.inMemory()
        var raw = ByteBuffer(data: try ExportTraceServiceRequest(spans: spans).serializedData())
        let compressed = Data(buffer: try raw.compress(with: .gzip()))
        let result = try await withReceiver(store: store) { url, _ in
            try await post(url, body: compressed, contentType: "application/x-protobuf", headers: [("Content-Encoding", "gzip")])
        }
        #expect(result.status == 200)
        #expect(try storedSpans(store) == Set(spans))
    }

    @Test func appliesTheSizeLimitAfterDecompression() async throws {
        let store = try TraceStore.inMemory()
        var request = ExportTraceServiceRequest(spans: spans)
        request.resourceSpans[0].resource.attributes.append(.with { $0.key = "padding"; $0.value.stringValue = String(repeating: "x", count: 200_000) })
        var raw = ByteBuffer(data: try request.serializedData())
        let plainBody = Data(buffer: raw)
        let compressed = Data(buffer: try raw.compress(with: .gzip()))
        #expect(compressed.count < 4096)
        let (zipped, plain) = try await withReceiver(store: store, maxBodyBytes: 64 << 10) { url, _ in
            (try await post(url, body: compressed, contentType: "application/x-protobuf", headers: [("Content-Encoding", "gzip")]),
             try await post(url, body: plainBody, contentType: "application/x-protobuf"))
        }
        #expect(zipped.status == 413)
        #expect(plain.status == 413)
        #expect(try Google_Rpc_Status(serializedBytes: zipped.body).message.contains("larger than 65536 bytes"))
        #expect(try store.totals().spans == 0)
    }

    func gzip(_ data: Data) throws -> Data {
        var buffer = ByteBuffer(data: data)
        return Data(buffer: try buffer.compress(with: .gzip()))
    }

    /// A request padded with a megabyte of one letter: it gzips to a few kilobytes.
    func paddedRequest(_ spans: [Span]) throws -> Data {
        var request = ExportTraceServiceRequest(spans: spans)
        request.resourceSpans[0].resource.attributes.append(.with { $0.key = "padding"; $0.value.stringValue = String(repeating: "x", count: 1 << 20) })
        return try request.serializedData()
    }

    @Test func theDecompressedLimitIsExactWhateverTheRatio() async throws {
        let plain = try paddedRequest(spans)
        let compressed = try gzip(plain)
        #expect(compressed.count * 100 < plain.count)
        for (limit, expected) in [(plain.count, 200), (plain.count - 1, 413)] {
            let store = try TraceStore.inMemory()
            let (zipped, unzipped) = try await withReceiver(store: store, maxBodyBytes: limit) { url, _ in
                (try await post(url, body: compressed, contentType: "application/x-protobuf", headers: [("Content-Encoding", "gzip")]),
                 try await post(url, body: plain, contentType: "application/x-protobuf"))
            }
            #expect(zipped.status == expected, "limit \(limit)")
            #expect(unzipped.status == expected, "limit \(limit)")
            #expect(try store.totals().spans == (expected == 200 ? spans.count : 0))
        }
    }

    @Test func aGzipStreamIsTakenWholeOrRefusedWhole() async throws {
        let body = try ExportTraceServiceRequest(spans: spans).serializedData()
        let compressed = try gzip(body)
        let other = sampleTrace(id: 43)
        var badCRC = compressed
        badCRC[badCRC.count - 8] ^= 0xFF
        let cases: [(String, Data, Int, String)] = [
            ("no trailer", compressed.dropLast(8), 400, "gzip body is truncated"),
            ("cut in half", compressed.prefix(compressed.count / 2), 400, "gzip body is truncated"),
            ("trailing garbage", compressed + Data("xx".utf8), 400, "gzip body has 2 bytes after the end of the stream"),
            ("a wrong CRC", badCRC, 400, "body is not valid gzip"),
            ("empty", Data(), 400, "gzip body is truncated"),
        ]
        for (what, data, status, message) in cases {
            let store = try TraceStore.inMemory()
            let result = try await withReceiver(store: store) { url, _ in
                try await post(url, body: data, contentType: "application/x-protobuf", headers: [("Content-Encoding", "gzip")])
            }
            #expect(result.status == status, "\(what)")
            #expect(try Google_Rpc_Status(serializedBytes: result.body).message.hasPrefix(message), "\(what)")
            #expect(try store.totals().spans == 0, "\(what)")
        }
        // Members one after another (RFC 1952) are one body: two requests' bytes, merged as protobuf merges.
        let store = try TraceStore.inMemory()
        let twoMembers = compressed + (try gzip(try ExportTraceServiceRequest(spans: other).serializedData()))
        let result = try await withReceiver(store: store) { url, _ in
            try await post(url, body: twoMembers, contentType: "application/x-protobuf", headers: [("Content-Encoding", "gzip")])
        }
        #expect(result.status == 200)
        #expect(try store.totals().spans == spans.count + other.count)
    }

    @Test func aDeclaredOversizedBodyIsRefusedBeforeItIsRead() async throws {
        // The header declares 10 MB and no body follows: an answer can only come from the
        // declared length, since a receiver that read on would wait for the body. (Body bytes
        // sent but never read would make the server's close a reset, which can reach this
        // client before the answer does and wipe it: a race of the test, not of the refusal.)
        let store = try TraceStore.inMemory()
        let answer = try await withReceiver(store: store, maxBodyBytes: 1_000) { url, _ in
            let port = Int(url.split(separator: ":").last!.split(separator: "/").first!)!
            let head = "POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: 10000000\r\n\r\n"
            return try await LoopbackSocket.exchange(port: port, send: Data(head.utf8))
        }
        #expect(answer.hasPrefix("HTTP/1.1 413"))
        #expect(answer.lowercased().contains("connection: close"))
        #expect(try store.totals().spans == 0)
    }

    @Test func rejectsMalformedRequestsAndStoresNothing() async throws {
        let store = try TraceStore.inMemory()
        var allBad = ExportTraceServiceRequest(spans: spans)
        for r in allBad.resourceSpans.indices {
            for index in allBad.resourceSpans[r].scopeSpans[0].spans.indices { allBad.resourceSpans[r].scopeSpans[0].spans[index].spanID = Data([1, 2, 3]) }
        }
        let allBadBody = try allBad.serializedData()
        let badHex = Data(#"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"zz","spanId":"00"}]}]}]}"#.utf8)
        let results = try await withReceiver(store: store) { url, statistics in
            let results = [
                try await post(url, body: Data([0xFF, 0xFF, 0xFF, 0x01]), contentType: "application/x-protobuf"),
                try await post(url, body: allBadBody, contentType: "application/x-protobuf"),
                try await post(url, body: badHex, contentType: "application/json"),
                try await post(url, body: Data("not json".utf8), contentType: "application/json"),
                try await post(url, body: Data([1, 2, 3]), contentType: "application/x-protobuf", headers: [("Content-Encoding", "gzip")]),
            ]
            #expect(statistics.snapshot.requestsRejected == 5)
            return results
        }
        #expect(results.map(\.status) == [400, 400, 400, 400, 400])
        #expect(try Google_Rpc_Status(serializedBytes: results[1].body).message
            == "resourceSpans[0].scopeSpans[0].spans[0]: spanId must be 8 bytes and not all zero, got 3 bytes (and 2 more spans like it)")
        let json = try JSONSerialization.jsonObject(with: results[2].body) as? [String: Any]
        #expect((json?["message"] as? String)?.contains("traceId must be a hex string") == true)
        #expect(try store.totals() == StoreTotals(traces: 0, spans: 0))
    }

    /// Spans with malformed ids are rejected one by one; the rest are stored and the answer says
    /// how many were not (OTLP's partial success), in the request's own encoding.
    @Test func storesTheValidSpansOfAMixedRequestAndReportsTheRest() async throws {
        let store = try TraceStore.inMemory()
        var mixed = ExportTraceServiceRequest(spans: spans)
        mixed.resourceSpans[0].scopeSpans[0].spans[1].traceID = Data(count: 16)
        let (protobuf, json) = (try mixed.serializedData(), try OTLPJSON.encode(mixed))
        let (results, statistics) = try await withReceiver(store: store) { url, statistics in
            ([try await post(url, body: protobuf, contentType: "application/x-protobuf"),
              try await post(url, body: json, contentType: "application/json")], statistics.snapshot)
        }
        #expect(results.map(\.status) == [200, 200])
        let expected = ExportTraceServiceResponse.with {
            $0.partialSuccess.rejectedSpans = 1
            $0.partialSuccess.errorMessage = "1 of 3 spans rejected: resourceSpans[0].scopeSpans[0].spans[1]: traceId must be 16 bytes and not all zero, got 16 bytes"
        }
        #expect(try ExportTraceServiceResponse(serializedBytes: results[0].body) == expected)
        #expect(try ExportTraceServiceResponse(jsonUTF8Data: results[1].body) == expected)
        #expect(statistics.spansRejected == 2 && statistics.spansStored == 2 && statistics.spansDuplicate == 2)
        let stored = try #require(try store.trace(spans[0].traceID)).spans
        #expect(Set(stored) == Set([spans[0], spans[2]]))
    }

    @Test func storesRetriedRequestsOnce() async throws {
        let store = try TraceStore.inMemory()
        let body = try ExportTraceServiceRequest(spans: spans).serializedData()
        let statistics = try await withReceiver(store: store) { url, statistics in
            let first = try await post(url, body: body, contentType: "application/x-protobuf")
            let second = try await post(url, body: body, contentType: "application/x-protobuf")
            #expect(first.status == 200 && second.status == 200)
            return statistics.snapshot
        }
        #expect(statistics.spansStored == 3)
        #expect(statistics.spansDuplicate == 3)
        #expect(try store.totals() == StoreTotals(traces: 1, spans: 3))
    }

    @Test func acceptsEmptyRequests() async throws {
        let store = try TraceStore.inMemory()
        let statuses = try await withReceiver(store: store) { url, _ in
            [try await post(url, body: Data(), contentType: "application/x-protobuf").status,
             try await post(url, body: Data("{}".utf8), contentType: "application/json").status,
             try await post(url, body: Data(#"{"resourceSpans":[]}"#.utf8), contentType: "application/json").status]
        }
        #expect(statuses == [200, 200, 200])
        #expect(try store.totals().spans == 0)
    }

    @Test func refusesOtherContentTypesAndEncodings() async throws {
        let store = try TraceStore.inMemory()
        let statuses = try await withReceiver(store: store) { url, _ in
            [try await post(url, body: Data("{}".utf8), contentType: "text/plain").status,
             try await post(url, body: Data("{}".utf8), contentType: "application/json", headers: [("Content-Encoding", "br")]).status]
        }
        #expect(statuses == [415, 415])
    }

    /// `trace show --format otlp-json` output must be accepted back unchanged.
    @Test func otlpJSONRoundTripsThroughAReceiver() async throws {
        let first = try TraceStore.inMemory()
        try await first.insert(spans)
        let exported = try OTLPJSON.encode(ExportTraceServiceRequest(spans: try #require(try first.trace(spans[0].traceID)).spans))
        let second = try TraceStore.inMemory()
        let status = try await withReceiver(store: second) { url, _ in try await post(url, body: exported, contentType: "application/json").status }
        #expect(status == 200)
        #expect(try second.trace(spans[0].traceID) == first.trace(spans[0].traceID))
    }

    @Test func forwardsWhatItStoresToAnotherCollector() async throws {
        let downstream = try TraceStore.inMemory()
        let local = try TraceStore.inMemory()
        let body = try ExportTraceServiceRequest(spans: spans).serializedData()
        let statistics = try await withReceiver(store: downstream) { downstreamURL, _ in
            try await withReceiver(store: local, forwardTo: downstreamURL) { url, statistics in
                let result = try await post(url, body: body, contentType: "application/x-protobuf")
                #expect(result.status == 200)
                return statistics
            }.snapshot
        }
        #expect(statistics.requestsForwarded == 1)
        #expect(statistics.forwardFailures == 0)
        #expect(try downstream.trace(spans[0].traceID) == local.trace(spans[0].traceID))
    }

    /// Forwarding speaks whichever protocol it is told: a JSON body received over HTTP goes on over
    /// gRPC, protobuf or JSON, and a request received over gRPC goes on over HTTP as JSON; the
    /// collector downstream stores what the local one stored.
    @Test(arguments: OTLPProtocol.allCases)
    func forwardsOverTheProtocolItIsGiven(_ forwarding: OTLPProtocol) async throws {
        let (downstream, local, fromGRPC) = (try TraceStore.inMemory(), try TraceStore.inMemory(), try TraceStore.inMemory())
        let json = try OTLPJSON.encode(ExportTraceServiceRequest(spans: spans))
        let other = sampleTrace(id: 43)
        let forwarded = try await withDownstream(store: downstream, speaking: forwarding) { endpoint in
            let overHTTP = try await withReceiver(store: local, forwardTo: endpoint, over: forwarding) { url, statistics in
                let status = try await post(url, body: json, contentType: "application/json").status
                #expect(status == 200)
                return statistics
            }.snapshot
            let overGRPC = try await withGRPCReceiverListening(store: fromGRPC, forwardTo: endpoint, over: forwarding) { port, statistics in
                let exporter = try OTLPProtocol.grpc.exporter(endpoint: "http://127.0.0.1:\(port)")
                try await exporter.send(other)
                try await exporter.shutdown()
                return statistics
            }.snapshot
            return (overHTTP, overGRPC)
        }
        for statistics in [forwarded.0, forwarded.1] {
            #expect(statistics.requestsForwarded == 1 && statistics.forwardFailures == 0, "\(statistics)")
        }
        #expect(try downstream.trace(spans[0].traceID) == local.trace(spans[0].traceID))
        #expect(try downstream.trace(other[0].traceID) == fromGRPC.trace(other[0].traceID))
        #expect(try downstream.totals() == StoreTotals(traces: 2, spans: 6))
    }

    @Test(arguments: OTLPProtocol.allCases)
    func logsAndMetricsAreForwardedAsSpansAre(_ forwarding: OTLPProtocol) async throws {
        let (downstream, local) = (try TraceStore.inMemory(), try TraceStore.inMemory())
        let logs = try ExportLogsServiceRequest(records: sampleLogs(id: 7)).serializedData()
        let metrics = try ExportMetricsServiceRequest(points: sampleMetricPoints()).serializedData()
        let statistics = try await withDownstream(store: downstream, speaking: forwarding) { endpoint in
            try await withReceiver(store: local, forwardTo: endpoint, over: forwarding) { url, statistics in
                let base = String(url.dropLast("/v1/traces".count))
                let logsStatus = try await post(base + "/v1/logs", body: logs, contentType: "application/x-protobuf").status
                let metricsStatus = try await post(base + "/v1/metrics", body: metrics, contentType: "application/x-protobuf").status
                #expect(logsStatus == 200 && metricsStatus == 200)
                return statistics
            }.snapshot
        }
        #expect(statistics.requestsForwarded == 2 && statistics.forwardFailures == 0, "\(statistics)")
        #expect(try downstream.logRecords(matching: LogQuery()).map(\.record) == local.logRecords(matching: LogQuery()).map(\.record))
        #expect(try downstream.logRecords(matching: LogQuery()).count == sampleLogs(id: 7).count)
        #expect(try downstream.metricSummaries() == local.metricSummaries())
        #expect(try downstream.metricSummaries().reduce(0) { $0 + $1.pointCount } == sampleMetricPoints().count)
    }

    /// A collector listening for `protocol`; `body` gets the endpoint to give an exporter.
    func withDownstream<T: Sendable>(store: TraceStore, speaking chosen: OTLPProtocol, _ body: @Sendable (String) async throws -> T) async throws -> T {
        switch chosen {
        case .grpc: try await withGRPCReceiverListening(store: store) { port, _ in try await body("http://127.0.0.1:\(port)") }
        case .httpProtobuf, .httpJSON: try await withReceiver(store: store) { url, _ in try await body(url) }
        }
    }

    @Test func aCollectorThatIsDownNeverCostsTheLocalCopy() async throws {
        let local = try TraceStore.inMemory()
        let body = try ExportTraceServiceRequest(spans: spans).serializedData()
        // Port 9 (discard) on loopback has no listener here: every forward is refused.
        let snapshot = try await withReceiver(store: local, forwardTo: "http://127.0.0.1:9") { url, statistics in
            let result = try await post(url, body: body, contentType: "application/x-protobuf")
            #expect(result.status == 200)
            return statistics
        }.snapshot
        #expect(snapshot.spansStored == 3)
        #expect(snapshot.forwardFailures == 1)
        #expect(snapshot.requestsForwarded == 0)
        #expect(try local.totals().spans == 3)
    }
}
