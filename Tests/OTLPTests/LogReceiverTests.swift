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

/// OTLP logs over both transports, through the same door as spans: every encoding stores the
/// same rows; what cannot be decoded stores nothing; a record with a bad id is refused alone.
@Suite struct LogReceiverTests {
    let records = sampleLogs(id: 5)

    func logsURL(_ tracesURL: String) -> String { tracesURL.replacingOccurrences(of: "/v1/traces", with: "/v1/logs") }

    @Test func everyEncodingAndTransportStoresTheSameRecords() async throws {
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let request = ExportLogsServiceRequest(records: records)
        var files: [String] = []
        for (name, body, contentType, headers) in try everyHTTPEncoding(of: request) {
            let path = directory.appendingPathComponent("\(name).db").path
            let store = try TraceStore.openForWriting(path: path)
            let (first, retried) = try await withReceiver(store: store) { url, _ in
                (try await post(logsURL(url), body: body, contentType: contentType, headers: headers),
                 try await post(logsURL(url), body: body, contentType: contentType, headers: headers))
            }
            #expect(first.status == 200 && retried.status == 200, "\(name)")
            #expect(try store.logTotals().records == 4, "\(name): a retried request is stored once")
            #expect(Set(try store.logRecords(matching: LogQuery()).map(\.record)) == Set(records), "\(name)")
            files.append(path)
        }
        let grpcPath = directory.appendingPathComponent("grpc.db").path
        let overGRPC = try TraceStore.openForWriting(path: grpcPath)
        for compression in [CompressionAlgorithm.none, .gzip] {
            try await withGRPCReceiver(store: overGRPC) { client in
                var options = CallOptions.defaults
                options.compression = compression
                let response = try await Opentelemetry_Proto_Collector_Logs_V1_LogsService.Client(wrapping: client).export(request, options: options)
                #expect(response == ExportLogsServiceResponse())
            }
        }
        files.append(grpcPath)
        for table in ["logs", "resources", "scopes", "services", "attribute_keys"] {
            let dumps = try files.map { try sqlite($0, "SELECT * FROM \(table) ORDER BY 1") }
            #expect(Set(dumps).count == 1, "\(table) differs between transports")
        }
    }

    @Test func undecodableBodiesAreRefusedAndStoreNothing() async throws {
        let store = try TraceStore.inMemory()
        let results = try await withReceiver(store: store) { url, _ in
            [try await post(logsURL(url), body: Data("not protobuf at all \u{1}\u{2}".utf8), contentType: "application/x-protobuf"),
             try await post(logsURL(url), body: Data(#"{"resourceLogs": [{"scopeLogs": [{"logRecords": [{"traceId": "zz"}]}]}]}"#.utf8), contentType: "application/json"),
             try await post(logsURL(url), body: Data([0x1f, 0x8b, 0, 0]), contentType: "application/x-protobuf", headers: [("Content-Encoding", "gzip")]),
             try await post(logsURL(url), body: Data("{}".utf8), contentType: "text/plain")]
        }
        #expect(results.map(\.status) == [400, 400, 400, 415])
        let status = try Google_Rpc_Status(serializedBytes: results[0].body)
        #expect(status.code == 3 && status.message == "body is not a protobuf ExportLogsServiceRequest")
        #expect(try store.logTotals().records == 0)
    }

    @Test func aRecordWithAMalformedIdIsRefusedAloneAndReported() async throws {
        let store = try TraceStore.inMemory()
        var request = ExportLogsServiceRequest(records: records)
        request.resourceLogs[0].scopeLogs[0].logRecords[0].spanID = Data([1, 2, 3])
        let partlyBad = request
        let response = try await withGRPCReceiver(store: store) { client in
            try await Opentelemetry_Proto_Collector_Logs_V1_LogsService.Client(wrapping: client).export(partlyBad)
        }
        #expect(response.partialSuccess.rejectedLogRecords == 1)
        #expect(response.partialSuccess.errorMessage == "1 of 4 log records rejected: resourceLogs[0].scopeLogs[0].logRecords[0]: spanId must be empty or 8 bytes, got 3 bytes")
        #expect(try store.logTotals().records == 3)
        // A request none of whose records can be used is malformed as a whole: INVALID_ARGUMENT.
        var allBad = ExportLogsServiceRequest(records: [records[0]])
        allBad.resourceLogs[0].scopeLogs[0].logRecords[0].traceID = Data([9])
        let unusable = allBad
        let code = try await withGRPCReceiver(store: store) { client in
            do {
                _ = try await Opentelemetry_Proto_Collector_Logs_V1_LogsService.Client(wrapping: client).export(unusable)
                return RPCError.Code?.none
            } catch let error as RPCError { return error.code }
        }
        #expect(code == .invalidArgument)
    }
}
