import GRPCCore
import NIOCore
import NIOHTTP2
import GRPCNIOTransportHTTP2
import GRPCProtobuf
import OTLP
import ServiceLifecycle
import TraceIngest

/// The OTLP/gRPC endpoints (`TraceService/Export`, `LogsService/Export`, `MetricsService/Export`), on the same ingestion as OTLP/HTTP.
/// A long-running service: it serves until graceful shutdown, during which new calls, and calls
/// still waiting for their message, get UNAVAILABLE so exporters retry elsewhere or later.
public struct OTLPGRPCReceiver: Service {
    private let server: GRPCServer<HTTP2ServerTransport.Posix>
    private let transport: HTTP2ServerTransport.Posix
    private let onServerRunning: @Sendable (Int) async -> Void

    public init(configuration: ReceiverAddress, ingestor: Ingestor,
                onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }) {
        transport = HTTP2ServerTransport.Posix(
            address: .ipv4(host: configuration.host, port: configuration.port),
            transportSecurity: .plaintext,
            config: .defaults { config in
                config.compression.enabledAlgorithms = .all
                // The ingestor's limit, measured after decompression (inflating stops there, so a
                // bomb never reaches memory).
                config.rpc.maxRequestPayloadSize = ingestor.maxBodyBytes
                // Export requests run to megabytes: HTTP/2's default 16 KiB frames and 64 KiB
                // window would cut each into dozens of frames and window updates.
                config.http2.maxFrameSize = 1 << 20
                config.http2.targetWindowSize = 8 << 20
                // The limit, gzip and deflate are applied in front of grpc-swift's own handling, so
                // an oversized message gets RESOURCE_EXHAUSTED rather than a reset stream.
                config.channelDebuggingCallbacks.onAcceptHTTP2Stream = { [limit = ingestor.maxBodyBytes] stream in
                    stream.eventLoop.makeCompletedFuture {
                        try stream.pipeline.syncOperations.addHandler(RequestMessageGuard(limit: limit), position: .first)
                    }
                }
            })
        server = GRPCServer(transport: transport, services: [OTLPExportServices(ingestor: ingestor)])
        self.onServerRunning = onServerRunning
    }

    /// The socket could not be bound: `errno` says why (EADDRINUSE, EACCES, ...).
    public struct CannotListen: Error {
        public let errno: Int32
    }

    public func run() async throws {
        do {
            try await withGracefulShutdownHandler {
                try await withThrowingDiscardingTaskGroup { group in
                    group.addTask { try await server.serve() }
                    // If binding failed, serve() throws the reason; this only learns that it stopped.
                    guard let address = try? await transport.listeningAddress else { return }
                    await onServerRunning(address.ipv4?.port ?? address.ipv6?.port ?? 0)
                }
            } onGracefulShutdown: {
                server.beginGracefulShutdown()
            }
        } catch {
            if let cause = socketError(under: error) { throw CannotListen(errno: cause.errnoCode) }
            throw error
        }
    }
}

/// `TraceService/Export`, `LogsService/Export` and `MetricsService/Export`: every request goes through the `Ingestor`,
/// and its refusals become the status codes `IngestError` assigns. The request message reaches
/// the ingestor as bytes, read as an OTLP/HTTP protobuf body is, not as a SwiftProtobuf message first.
struct OTLPExportServices: RegistrableRPCService {
    let ingestor: Ingestor

    func registerMethods<Transport: ServerTransport>(with router: inout RPCRouter<Transport>) {
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
            deserializer: MessageBytes(), serializer: ProtobufSerializer<ExportTraceServiceResponse>(),
            handler: { request, _ in
                let single = try await ServerRequest(stream: request)
                return StreamingServerResponse(single: ServerResponse(message: try await export(single.message, signal: .traces).traceResponse))
            })
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Logs_V1_LogsService.Method.Export.descriptor,
            deserializer: MessageBytes(), serializer: ProtobufSerializer<ExportLogsServiceResponse>(),
            handler: { request, _ in
                let single = try await ServerRequest(stream: request)
                return StreamingServerResponse(single: ServerResponse(message: try await export(single.message, signal: .logs).logsResponse))
            })
        router.registerHandler(
            forMethod: Opentelemetry_Proto_Collector_Metrics_V1_MetricsService.Method.Export.descriptor,
            deserializer: MessageBytes(), serializer: ProtobufSerializer<ExportMetricsServiceResponse>(),
            handler: { request, _ in
                let single = try await ServerRequest(stream: request)
                return StreamingServerResponse(single: ServerResponse(message: try await export(single.message, signal: .metrics).metricsResponse))
            })
    }

    /// The request's bytes, already inflated and held to the size limit (`RequestMessageGuard`).
    func export(_ message: ByteBuffer, signal: Signal) async throws -> IngestOutcome {
        do {
            return try await ingestor.ingest(.encoded(signal, body: message, contentType: .protobuf))
        } catch {
            let code = Status.Code(rawValue: error.grpcStatusCode).flatMap(RPCError.Code.init) ?? .internalError
            throw RPCError(code: code, message: error.message)
        }
    }
}

/// A request message as the bytes it arrived as.
private struct MessageBytes: MessageDeserializer {
    func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> ByteBuffer {
        serializedMessageBytes.withUnsafeBytes { ByteBuffer(bytes: $0) }
    }
}
