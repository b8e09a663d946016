import TraceIngest
import OTLP
import Foundation
import Hummingbird
import Logging
import NIOCore
import SwiftProtobuf

/// Where an OTLP/HTTP receiver listens (how much it accepts is the ingestor's `maxBodyBytes`).
public struct OTLPReceiverConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; the bound one is reported through `onServerRunning`.
    public var port: Int

    public init(host: String = "127.0.0.1", port: Int = 4318) {
        self.host = host
        self.port = port
    }
}

/// The OTLP/HTTP endpoints (`POST /v1/traces`, `POST /v1/logs`, `POST /v1/metrics`), as the OTLP specification describes them.
public enum OTLPReceiver {
    /// Builds the receiver; the tests and the `trace` commands all call this.
    public static func buildApplication(
        configuration: OTLPReceiverConfiguration,
        ingestor: Ingestor,
        logger: Logger = Logger(label: "trace.receiver"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(ingestor: ingestor),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "trace"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
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
        // An oversized body is refused before it is read (when its length is declared) or as soon as
        // it passes the limit, and the connection is closed rather than drained.
        let tooLarge = failure(.tooLarge(limit: ingestor.maxBodyBytes), as: contentType, closing: true)
        if let declared = request.headers[.contentLength].flatMap({ Int($0) }), declared > ingestor.maxBodyBytes {
            context.stopReading()
            return tooLarge
        }
        let body: ByteBuffer
        do {
            body = try await request.body.collect(upTo: ingestor.maxBodyBytes)
        } catch {
            context.stopReading()
            return tooLarge
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
