import TraceIngest
import OTLP
import Foundation
import Hummingbird
import Logging
import NIOCore
import SwiftProtobuf

/// Where an OTLP/HTTP receiver listens and how much it accepts.
public struct OTLPReceiverConfiguration: Sendable {
    public var host: String
    /// 0 picks a free port; the bound one is reported through `onServerRunning`.
    public var port: Int
    /// Largest body accepted, measured after gzip decompression.
    public var maxBodyBytes: Int

    public init(host: String = "127.0.0.1", port: Int = 4318, maxBodyBytes: Int = 64 << 20) {
        self.host = host
        self.port = port
        self.maxBodyBytes = maxBodyBytes
    }
}

/// The OTLP/HTTP trace endpoint (`POST /v1/traces`), as the OTLP specification describes it.
public enum OTLPReceiver {
    /// Builds the receiver; the tests and the `trace` commands all call this.
    public static func buildApplication(
        configuration: OTLPReceiverConfiguration,
        ingestor: TraceIngestor,
        logger: Logger = Logger(label: "trace.receiver"),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(ingestor: ingestor),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "trace"),
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? configuration.port) },
            logger: logger)
    }

    public static func buildRouter(ingestor: TraceIngestor) -> Router<OTLPRequestContext> {
        let router = Router(context: OTLPRequestContext.self)
        router.post("/v1/traces") { request, context -> Response in
            await handle(request, context: context, ingestor: ingestor)
        }
        return router
    }

    static func handle(_ request: Request, context: OTLPRequestContext, ingestor: TraceIngestor) async -> Response {
        guard let contentType = request.headers[.contentType].flatMap(OTLPContentType.init(header:)) else {
            return failure(.unsupportedMediaType, "Content-Type must be application/x-protobuf or application/json", as: .json)
        }
        let encoding = request.headers[.contentEncoding]?.lowercased() ?? "identity"
        guard ["gzip", "identity"].contains(encoding) else {
            return failure(.unsupportedMediaType, "Content-Encoding \(encoding) is not supported; use gzip or none", as: contentType)
        }
        // An oversized body is refused before it is read (when its length is declared) or as soon as
        // it passes the limit, and the connection is closed rather than drained.
        let tooLarge = failure(.contentTooLarge, "request body is larger than \(ingestor.maxBodyBytes) bytes", as: contentType, closing: true)
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
        let outcome: IngestOutcome
        do {
            outcome = try await ingestor.ingest(body: body, contentType: contentType, gzipped: encoding == "gzip")
        } catch IngestError.badRequest(let message) {
            return failure(.badRequest, message, as: contentType)
        } catch IngestError.tooLarge(let limit) {
            return failure(.contentTooLarge, "decompressed request body is larger than \(limit) bytes", as: contentType)
        } catch IngestError.unsupportedMediaType(let message) {
            return failure(.unsupportedMediaType, message, as: contentType)
        } catch {
            return failure(.internalServerError, "could not store spans: \(error)", as: contentType)
        }
        return respond(.ok, outcome.response, as: contentType)
    }

    private static func failure(_ status: HTTPResponse.Status, _ message: String, as contentType: OTLPContentType, closing: Bool = false) -> Response {
        let grpcCode: Int32 = switch status {
        case .badRequest: 3 // INVALID_ARGUMENT
        case .contentTooLarge: 8 // RESOURCE_EXHAUSTED
        case .unsupportedMediaType: 3
        default: 13 // INTERNAL
        }
        var response = respond(status, Google_Rpc_Status.with { $0.code = grpcCode; $0.message = message }, as: contentType)
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
