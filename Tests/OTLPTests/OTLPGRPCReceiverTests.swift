import CompressNIO
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import NIOCore
import OTLP
import OTLPExport
import OTLPGRPC
import Synchronization
import Logging
import ServiceLifecycle
import TraceIngest
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
        for compression in [CompressionAlgorithm.none, .gzip, .deflate] {
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
        // The attribute index is written about once a second: now, so its rows are compared too.
        try overGRPC.writePendingIndexes()
        try overHTTP.writePendingIndexes()
        #expect(try sqlite(directory.appendingPathComponent("http.db").path, "SELECT count(*) > 0 FROM attribute_postings") == "1")
        // Every column of every table, as sqlite3 prints them: the two files hold the same rows.
        for table in ["spans", "traces", "trace_services", "span_names", "services", "attribute_keys", "resources", "scopes", "store_totals",
                      "attribute_postings", "attribute_index_state"] {
            let dump = { (name: String) in try sqlite(directory.appendingPathComponent(name).path, "SELECT * FROM \(table) ORDER BY 1") }
            #expect(try dump("grpc.db") == dump("http.db"), "\(table)")
        }
        #expect(try sqlite(directory.appendingPathComponent("grpc.db").path, "SELECT count(*) FROM spans") == "6")
    }

    @Test func malformedAndOversizedMessagesGetTheirStatusAndStoreNothing() async throws {
        let store = try TraceStore.inMemory()
        var badID = ExportTraceServiceRequest(spans: spans)
        for r in badID.resourceSpans.indices {
            for index in badID.resourceSpans[r].scopeSpans[0].spans.indices { badID.resourceSpans[r].scopeSpans[0].spans[index].spanID = Data([1, 2, 3]) }
        }
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
        #expect(codes == [.invalidArgument, .invalidArgument, .resourceExhausted, .resourceExhausted])
        #expect(try store.totals().spans == 0)
    }

    @Test func aMixedRequestIsAPartialSuccess() async throws {
        let store = try TraceStore.inMemory()
        var mixed = ExportTraceServiceRequest(spans: spans)
        mixed.resourceSpans[1].scopeSpans[0].spans[0].spanID = Data([9])
        let request = mixed
        let response = try await withGRPCReceiver(store: store) { client in
            try await Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client).export(request)
        }
        #expect(response.partialSuccess.rejectedSpans == 1)
        #expect(response.partialSuccess.errorMessage == "1 of 3 spans rejected: resourceSpans[1].scopeSpans[0].spans[0]: spanId must be 8 bytes and not all zero, got 1 bytes")
        #expect(try store.totals().spans == 2)
    }

    /// The limit counts the message as the receiver decodes it, whether or how it was compressed.
    @Test func theLimitIsExactAsSentAndInflated() async throws {
        var padded = ExportTraceServiceRequest(spans: spans)
        padded.resourceSpans[0].resource.attributes.append(.with { $0.key = "padding"; $0.value.stringValue = String(repeating: "y", count: 200_000) })
        let bytes = Array(try padded.serializedData())
        for (limit, expected) in [(bytes.count, RPCError.Code?.none), (bytes.count - 1, .resourceExhausted)] {
            let store = try TraceStore.inMemory()
            let codes = try await withGRPCReceiver(store: store, maxMessageBytes: limit) { client in
                [try await exportRaw(bytes, client: client), try await exportRaw(bytes, client: client, compression: .gzip),
                 try await exportRaw(bytes, client: client, compression: .deflate)]
            }
            #expect(codes == [expected, expected, expected], "limit \(limit) for a \(bytes.count)-byte message")
            #expect(try store.totals().spans == (expected == nil ? spans.count : 0))
        }
    }

    /// Shutting down, the receiver answers UNAVAILABLE, the code well-behaved exporters retry: to
    /// new calls, and to a call still waiting for its message (grpc-swift cancels those); what it
    /// acknowledged before is stored.
    @Test func whileShuttingDownCallsGetUnavailable() async throws {
        let store = try TraceStore.inMemory()
        var logger = Logger(label: "grpc-shutdown-test")
        logger.logLevel = .error
        let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let receiver = OTLPGRPCReceiver(configuration: .init(host: "127.0.0.1", port: 0), ingestor: Ingestor(store: store),
                                        onServerRunning: { portContinuation.yield($0) })
        let group = ServiceGroup(configuration: .init(services: [.init(service: receiver)], gracefulShutdownSignals: [], logger: logger))
        let (held, before) = (sampleTrace(id: 501), sampleTrace(id: 502))
        let heldBytes = Array(try ExportTraceServiceRequest(spans: held).serializedData())
        let (producing, producingContinuation) = AsyncStream.makeStream(of: Void.self)
        let (gate, gateContinuation) = AsyncStream.makeStream(of: Void.self)
        let codes = try await withThrowingTaskGroup(of: RPCError.Code?.self) { tasks in
            tasks.addTask { try await group.run(); return nil }
            var portIterator = ports.makeAsyncIterator()
            let port = try #require(await portIterator.next())
            let transport = try HTTP2ClientTransport.Posix(target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext)
            return try await withGRPCClient(transport: transport) { client in
                let service = Opentelemetry_Proto_Collector_Trace_V1_TraceService.Client(wrapping: client)
                // A call whose message waits at the gate: open when the shutdown begins.
                let heldCall = Task {
                    do {
                        _ = try await client.clientStreaming(
                            request: StreamingClientRequest(producer: { writer in
                                producingContinuation.yield()
                                for await _ in gate { break }
                                try await writer.write(heldBytes)
                            }),
                            descriptor: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
                            serializer: RawMessage(), deserializer: RawMessage(), options: .defaults) { try $0.message }
                        return RPCError.Code?.none
                    } catch let error as RPCError {
                        return error.code
                    }
                }
                for await _ in producing { break }
                // Answered on the same connection after the held call's headers, so the server has that call.
                _ = try await service.export(ExportTraceServiceRequest(spans: before))
                await group.triggerGracefulShutdown()
                var refused: RPCError.Code?
                for attempt in 0..<10_000 where refused == nil {
                    do {
                        _ = try await service.export(ExportTraceServiceRequest(spans: sampleTrace(id: 600 + UInt64(attempt))))
                    } catch let error as RPCError {
                        refused = error.code
                    }
                }
                gateContinuation.yield()
                let heldCode = try await heldCall.value
                try await tasks.waitForAll()
                return [refused, heldCode]
            }
        }
        #expect(codes == [.unavailable, .unavailable])
        #expect(try store.trace(before[0].traceID) != nil)
        #expect(try store.trace(held[0].traceID) == nil)
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

/// A collector that refuses as told, then accepts: for the export client's retry rules.
final class RefusingTraceService: Opentelemetry_Proto_Collector_Trace_V1_TraceService.SimpleServiceProtocol, Sendable {
    let refusals: Mutex<[RPCError]>
    let calls = Mutex(0)

    init(refusals: [RPCError]) { self.refusals = Mutex(refusals) }

    func export(request: ExportTraceServiceRequest, context: ServerContext) async throws -> ExportTraceServiceResponse {
        calls.withLock { $0 += 1 }
        if let refusal = refusals.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) { throw refusal }
        return ExportTraceServiceResponse()
    }
}

@Suite struct OTLPGRPCExportClientTests {
    /// Runs the client against a server refusing with `refusals`; the waits it took and the calls made.
    func export(refusals: [RPCError]) async throws -> (result: Result<Int, OTLPExportClient.ExportError>, waits: [Duration], calls: Int) {
        let service = RefusingTraceService(refusals: refusals)
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: "127.0.0.1", port: 0), transportSecurity: .plaintext)
        let server = GRPCServer(transport: transport, services: [service])
        return try await withThrowingDiscardingTaskGroup { group in
            group.addTask { try await server.serve() }
            let port = try await transport.listeningAddress.ipv4!.port
            let waits = Mutex<[Duration]>([])
            var configuration = patientConfiguration
            configuration.maxAttempts = 4
            let client = try OTLPGRPCExportClient(endpoint: "http://127.0.0.1:\(port)", configuration: configuration,
                                                  sleep: { wait in waits.withLock { $0.append(wait) } })
            let result: Result<Int, OTLPExportClient.ExportError>
            do { result = .success(try await client.send(sampleTrace(id: 5))) } catch let error as OTLPExportClient.ExportError { result = .failure(error) }
            try await client.shutdown()
            server.beginGracefulShutdown()
            return (result, waits.withLock { $0 }, service.calls.withLock { $0 })
        }
    }

    @Test func retriesWhatTheSpecificationCallsRetryable() async throws {
        let outcome = try await export(refusals: [RPCError(code: .unavailable, message: "busy"), RPCError(code: .deadlineExceeded, message: "slow")])
        #expect(try outcome.result.get() == 2)
        #expect(outcome.waits == [.milliseconds(500), .seconds(1)])
        #expect(outcome.calls == 3)
    }

    @Test func resourceExhaustedIsRetriedOnlyWithRetryInfoAndAfterItsDelay() async throws {
        let plain = try await export(refusals: [RPCError(code: .resourceExhausted, message: "full")])
        #expect(plain.calls == 1)
        #expect(throws: OTLPExportClient.ExportError.self) { try plain.result.get() }

        // google.rpc.Status { details: [Any { type_url: ".../google.rpc.RetryInfo", value: RetryInfo { retry_delay: 3s } }] }
        let retryInfo: [UInt8] = [0x0A, 0x02, 0x08, 0x03]
        let typeURL = Array("type.googleapis.com/google.rpc.RetryInfo".utf8)
        let any = [0x0A, UInt8(typeURL.count)] + typeURL + [0x12, UInt8(retryInfo.count)] + retryInfo
        let status = [0x08, 0x08, 0x1A, UInt8(any.count)] + any
        var metadata = Metadata()
        metadata.addBinary(status, forKey: "grpc-status-details-bin")
        let throttled = try await export(refusals: [RPCError(code: .resourceExhausted, message: "slow down", metadata: metadata)])
        #expect(try throttled.result.get() == 1)
        #expect(throttled.waits == [.seconds(3)])
    }

    @Test func invalidArgumentIsFinal() async throws {
        let outcome = try await export(refusals: [RPCError(code: .invalidArgument, message: "bad span")])
        #expect(outcome.calls == 1)
        #expect(throws: OTLPExportClient.ExportError.self) { try outcome.result.get() }
    }
}
