import TraceIngest
import OTLP
import Foundation
import Hummingbird
import Logging
import NIOCore
import SwiftProtobuf

/// The OTLP/HTTP endpoints (`POST /v1/traces`, `POST /v1/logs`, `POST /v1/metrics`), as the OTLP specification describes them.
public enum OTLPReceiver {
    /// Builds the receiver; the tests and the `trace` commands all call this.
    public static func buildApplication(
        configuration: ReceiverAddress,
        ingestor: Ingestor,
        logger: Logger = Logger(label: "trace.receiver"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        application(serving: buildRouter(ingestor: ingestor), on: configuration, logger: logger, onServerRunning: onServerRunning)
    }

    /// A receiver's router served on an address, reporting the port it bound: every HTTP receiver's application.
    public static func application(serving router: Router<OTLPRequestContext>, on address: ReceiverAddress, logger: Logger,
                                   onServerRunning: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        Application(
            router: router,
            configuration: .init(address: .hostname(address.host, port: address.port), serverName: "trace"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? address.port) },
            logger: logger)
    }

    public static func buildRouter(ingestor: Ingestor) -> Router<OTLPRequestContext> {
        let router = Router(context: OTLPRequestContext.self)
        router.post("/v1/traces") { request, context -> Response in
            await handle(request, signal: .traces, context: context, ingestor: ingestor)
        }
        router.post("/v1/logs") { request, context -> Response in
            await handle(request, signal: .logs, context: context, ingestor: ingestor)
        }
        router.post("/v1/metrics") { request, context -> Response in
            await handle(request, signal: .metrics, context: context, ingestor: ingestor)
        }
        return router
    }

    static func handle(_ request: Request, signal: Signal, context: OTLPRequestContext, ingestor: Ingestor) async -> Response {
        guard let contentType = request.headers[.contentType].flatMap(OTLPContentType.init(header:)) else {
            return failure(.unsupportedMediaType("Content-Type must be application/x-protobuf or application/json"), as: .json)
        }
        let encoding = request.headers[.contentEncoding]?.lowercased() ?? "identity"
        guard ["gzip", "identity"].contains(encoding) else {
            return failure(.unsupportedMediaType("Content-Encoding \(encoding) is not supported; use gzip or none"), as: contentType)
        }
        guard let body = await context.body(of: request, limit: ingestor.maxBodyBytes) else {
            return failure(.tooLarge(limit: ingestor.maxBodyBytes), as: contentType, closing: true)
        }
        do {
            let outcome = try await ingestor.ingest(.encoded(signal, body: body, contentType: contentType, gzipped: encoding == "gzip"))
            switch signal {
            case .traces: return respond(.ok, outcome.traceResponse, as: contentType)
            case .logs: return respond(.ok, outcome.logsResponse, as: contentType)
            case .metrics: return respond(.ok, outcome.metricsResponse, as: contentType)
            }
        } catch {
            return failure(error, as: contentType)
        }
    }

    /// A refusal as `IngestError` maps it: its status, and a google.rpc.Status body.
    private static func failure(_ error: IngestError, as contentType: OTLPContentType, closing: Bool = false) -> Response {
        var response = respond(HTTPResponse.Status(code: error.httpStatus), Google_Rpc_Status.with {
            $0.code = Int32(error.grpcStatusCode)
            $0.message = error.message
        }, as: contentType)
        if closing { response.headers[.connection] = "close" }
        if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
        return response
    }

    private static func respond(_ status: HTTPResponse.Status, _ message: some SwiftProtobuf.Message, as contentType: OTLPContentType) -> Response {
        let data: Data = switch contentType {
        case .protobuf: (try? message.serializedData()) ?? Data()
        case .json: (try? OTLPJSON.encode(message)) ?? Data("{}".utf8)
        }
        return Response(
            status: status,
            headers: [.contentType: contentType.rawValue],
            body: .init(byteBuffer: ByteBuffer(data: data)))
    }
}
