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

@Suite struct OTLPGRPCReceiverTests {
    let spans = sampleTrace(id: 77, error: true)

    @Test func storesExactlyTheRowsOTLPHTTPStores() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let request = ExportTraceServiceRequest(spans: spans + sampleTrace(id: 78))
        let overGRPC = try TraceStore.openForWriting(path: directory.appendingPathComponent("grpc.db").path)
        let overHTTP = try TraceStore.openForWriting(path: directory.appendingPathComponent("http.db").path)
        for compression in [CompressionAlgorithm.none, .gzip] {
            try await withGRPCReceiver(store: overGRPC) { client in
                var options = CallOptions.defaults
                options.compression = compression
                let service = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client)
                let response = try await service.export(request, options: options)
                #expect(response == ExportTraceServiceResponse())
            }
        }
        let body = try request.serializedData()
        let result = try await withReceiver(store: overHTTP) { url, _ in try await post(url, body: body, contentType: "application/x-protobuf") }
        #expect(result.status == 200)
        // Every column of every table, as sqlite3 prints them: the two files hold the same rows.
        for table in ["spans", "traces", "trace_services", "span_names", "services", "attribute_keys", "resources", "scopes", "store_totals"] {
            let dump = { (name: String) in try sqlite(directory.appendingPathComponent(name).path, "SELECT * FROM \(table) ORDER BY 1") }
            #expect(try dump("grpc.db") == dump("http.db"), "\(table)")
        }
        #expect(try sqlite(directory.appendingPathComponent("grpc.db").path, "SELECT count(*) FROM spans") == "6")
    }

    @Test func malformedAndOversizedMessagesGetTheirStatusAndStoreNothing() async throws {
        let store = try TraceStore.inMemory()
        var badID = ExportTraceServiceRequest(spans: spans)
        badID.resourceSpans[0].scopeSpans[0].spans[0].spanID = Data([1, 2, 3])
        var padded = ExportTraceServiceRequest(spans: spans)
        padded.resourceSpans[0].resource.attributes.append(.with { $0.key = "padding"; $0.value.stringValue = String(repeating: "x", count: 300_000) })
        let (badBytes, paddedBytes) = (Array(try badID.serializedData()), Array(try padded.serializedData()))
        let codes = try await withGRPCReceiver(store: store, maxMessageBytes: 100_000) { client in
            [
                try await exportRaw([0xFF, 0xFF, 0xFF, 0x01], client: client),
                try await exportRaw(badBytes, client: client),
                try await exportRaw(paddedBytes, client: client),
                // Gzipped, the same message is a few kilobytes on the wire and still too large inflated.
                try await exportRaw(paddedBytes, client: client, compression: .gzip),
            ]
        }
        #expect(Array(codes.prefix(2)) == [.invalidArgument, .invalidArgument])
        // Over the limit, grpc-swift's transport resets the stream rather than sending a status:
        // the client sees UNAVAILABLE where the OTLP specification asks for RESOURCE_EXHAUSTED
        // (grpc-java had the same, grpc-java#11065). Refused, nothing inflated past the limit.
        #expect(Array(codes.suffix(2)) == [.unavailable, .unavailable])
        #expect(try store.totals().spans == 0)
    }

    @Test func aRetriedRequestIsStoredOnce() async throws {
        let store = try TraceStore.inMemory()
        let request = ExportTraceServiceRequest(spans: spans)
        try await withGRPCReceiver(store: store) { client in
            let service = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client)
            for _ in 0..<3 { _ = try await service.export(request) }
        }
        #expect(try store.totals().spans == spans.count)
    }
}
