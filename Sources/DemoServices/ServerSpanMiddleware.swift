import Hummingbird
import NIOCore
import Tracing

/// Starts a server span for each request on an explicitly given tracer (Hummingbird's own
/// TracingMiddleware uses the global one, and the two demo services need one each), continuing
/// any W3C trace context the caller sent.
public struct ServerSpanMiddleware: RouterMiddleware {
    public typealias Context = DemoRequestContext
    let tracer: any Tracer
    let spanName: String?

    /// `spanName` nil names spans `METHOD path`, the HTTP semantic conventions' default.
    public init(tracer: any Tracer, spanName: String? = nil) {
        self.tracer = tracer
        self.spanName = spanName
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var parent = ServiceContext.topLevel
        tracer.extract(request.headers, into: &parent, using: HTTPFieldsExtractor())
        let span = tracer.startSpan(spanName ?? "\(request.method.rawValue) \(request.uri.path)", context: parent, ofKind: .server)
        span.updateRecordedAttributes { attributes in
            attributes["http.request.method"] = request.method.rawValue
            attributes["url.path"] = request.uri.path
            attributes["url.scheme"] = "http"
            attributes["http.route"] = request.uri.path
            attributes["network.protocol.version"] = "1.1"
            if let host = request.head.authority {
                let parts = host.split(separator: ":")
                attributes["server.address"] = String(parts.first ?? "")
                if parts.count == 2, let port = Int(parts[1]) { attributes["server.port"] = port }
            }
            if let remote = context.remoteAddress {
                attributes["network.peer.address"] = remote.ipAddress
                attributes["network.peer.port"] = remote.port
                attributes["client.address"] = remote.ipAddress
            }
            if let agent = request.headers[.userAgent] { attributes["user_agent.original"] = agent }
            if let length = request.headers[.contentLength].flatMap(Int.init) { attributes["http.request.body.size"] = length }
        }
        var context = context
        context.serverSpan = span
        do {
            let response = try await ServiceContext.$current.withValue(span.context) {
                try await next(request, context)
            }
            finish(span, status: response.status.code, bodySize: response.body.contentLength)
            return response
        } catch {
            span.recordError(error)
            finish(span, status: (error as? any HTTPResponseError)?.status.code ?? 500, bodySize: nil)
            throw error
        }
    }

    private func finish(_ span: any Tracing.Span, status: Int, bodySize: Int?) {
        span.updateRecordedAttributes { attributes in
            attributes["http.response.status_code"] = status
            if let bodySize { attributes["http.response.body.size"] = bodySize }
        }
        // Server spans count only 5xx as errors (HTTP semantic conventions).
        if status >= 500 { span.setStatus(SpanStatus(code: .error, message: "HTTP \(status)")) }
        span.end()
    }
}

extension Tracing.Span {
    /// `updateAttributes`, worked out only for a span that keeps them (not under `--untraced`,
    /// where computing a dozen attributes per request for a no-op span was 6% of the run).
    func updateRecordedAttributes(_ update: (inout SpanAttributes) -> Void) {
        if isRecording { updateAttributes(update) }
    }
}
