import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import NIOCore
import OTLP
import Testing
import TraceFixtures
import TraceIngest
import TraceModel
import TraceStore

/// Every door into the store is the same door: one request's spans and log records, sent over
/// OTLP/HTTP and OTLP/gRPC and handed over decoded (as `trace import` and the builtin tracer do),
/// leave the same rows in every table.
@Suite struct OneDoorTests {
    let spans = sampleTrace(id: 31, error: true) + sampleTrace(id: 32)
    let records = sampleLogs(id: 31) + sampleLogs(id: 32)

    @Test func everyDoorStoresTheSameRows() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let traces = try ExportTraceServiceRequest(spans: spans).serializedData()
        let logs = try ExportLogsServiceRequest(records: records).serializedData()
        func open(_ name: String) throws -> (TraceStore, String) {
            let path = directory.appendingPathComponent(name).path
            return (try TraceStore.openForWriting(path: path), path)
        }
        let (decoded, decodedPath) = try open("decoded.db")
        let ingestor = Ingestor(store: decoded)
        try await ingestor.ingest(.spans(spans))
        try await ingestor.ingest(.logRecords(records))

        let (overHTTP, httpPath) = try open("http.db")
        let answers = try await withReceiver(store: overHTTP) { url, _ in
            [try await post(url, body: traces, contentType: "application/x-protobuf"),
             try await post(url.replacingOccurrences(of: "/v1/traces", with: "/v1/logs"), body: logs, contentType: "application/x-protobuf")]
        }
        #expect(answers.map(\.status) == [200, 200])

        let (overGRPC, grpcPath) = try open("grpc.db")
        try await withGRPCReceiver(store: overGRPC) { client in
            _ = try await Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client).export(ExportTraceServiceRequest(serializedBytes: traces))
            _ = try await Opentelemetry_Proto_Collector_Logs_V1_LogsService.Client(wrapping: client).export(ExportLogsServiceRequest(serializedBytes: logs))
        }
        for store in [decoded, overHTTP, overGRPC] { try store.writePendingIndexes() }
        for table in ["spans", "traces", "trace_services", "span_names", "services", "attribute_keys", "resources", "scopes", "store_totals",
                      "attribute_postings", "logs"] {
            // A request groups its records by resource, so their arrival order (the id) may differ; nothing else may.
            let select = table == "logs" ? "SELECT time_ns, observed_ns, severity_number, severity_text, body, attributes, flags, trace_id, span_id, resource_id, scope_id FROM log ORDER BY 1, 5" : "SELECT * FROM \(table) ORDER BY 1, 2"
            let dumps = try [decodedPath, httpPath, grpcPath].map { try sqlite($0, select) }
            #expect(dumps[0] == dumps[1] && dumps[1] == dumps[2], "\(table) differs between doors")
            #expect(!dumps[0].isEmpty, "\(table) is empty")
        }
    }
}
