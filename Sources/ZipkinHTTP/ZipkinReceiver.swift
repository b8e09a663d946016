import Hummingbird
import Logging
import NIOCore
import OTLPHTTP
import TraceIngest

/// Zipkin's span intake, `POST /api/v2/spans` (v2 JSON, optionally gzip), for apps instrumented
/// with Zipkin libraries (Brave, Sleuth, zipkin-go) or an OpenTelemetry SDK's Zipkin exporter: the
/// spans go through the same ingestion as OTLP's, answered as Zipkin answers (202 Accepted).
public enum ZipkinReceiver {
    public static func buildApplication(
        configuration: ReceiverAddress,
        ingestor: Ingestor,
        logger: Logger = Logger(label: "trace.zipkin"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        OTLPReceiver.application(serving: buildRouter(ingestor: ingestor), on: configuration, logger: logger, onServerRunning: onServerRunning)
    }

    public static func buildRouter(ingestor: Ingestor) -> Router<OTLPRequestContext> {
        let router = Router(context: OTLPRequestContext.self)
        router.post("/api/v2/spans") { request, context -> Response in
            await handle(request, context: context, ingestor: ingestor)
        }
        return router
    }

    static func handle(_ request: Request, context: OTLPRequestContext, ingestor: Ingestor) async -> Response {
        let mediaType = request.headers[.contentType]?.split(separator: ";").first?.trimmingCharacters(in: .whitespaces).lowercased()
        // Zipkin's own clients always say application/json; curl users often say nothing.
        guard mediaType == nil || mediaType == "application/json" else {
            return failure(.unsupportedMediaType("Content-Type must be application/json (Zipkin v2 JSON); Zipkin's protobuf encoding is not supported"))
        }
        let encoding = request.headers[.contentEncoding]?.lowercased() ?? "identity"
        guard ["gzip", "identity"].contains(encoding) else {
            return failure(.unsupportedMediaType("Content-Encoding \(encoding) is not supported; use gzip or none"))
        }
        guard let body = await context.body(of: request, limit: ingestor.maxBodyBytes) else {
            var response = failure(.tooLarge(limit: ingestor.maxBodyBytes))
            response.headers[.connection] = "close"
            return response
        }
        do {
            try await ingestor.ingest(.zipkin(body: body, gzipped: encoding == "gzip"))
            return Response(status: .accepted)
        } catch {
            return failure(error)
        }
    }

    /// A refusal with the status `IngestError` maps it to, and its message as plain text (Zipkin's own way).
    private static func failure(_ error: IngestError) -> Response {
        var response = Response(status: HTTPResponse.Status(code: error.httpStatus), headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: error.message + "\n")))
        if let seconds = error.retryAfterSeconds { response.headers[.retryAfter] = String(seconds) }
        return response
    }
}
