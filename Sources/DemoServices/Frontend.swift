import CoreMetrics
import Hummingbird
import Logging
import NIOCore
import Tracing

/// The demo's frontend: `incoming call` for each request, a client span `backend call` whose
/// context travels to the backend in `traceparent`, and one span per network step under it.
public enum Frontend {
    public static let serviceName = "frontend"
    /// The instrumentation scope name of the classic demo. swift-otel 1.6 stamps every export with
    /// its own scope, so the name also travels as `otel.scope.name` on the demo's own spans.
    public static let scopeName = "OT-tracing-demo"

    /// `beforeEachRequest`, if given, holds each request before its span starts (`RequestHoldMiddleware`).
    /// `log` is the service's own log, whose records carry the active span's context; `metrics`, if
    /// given, measures its requests and its calls to the backend.
    public static func buildRouter(tracer: any Tracer, log: Logger, metrics: (any MetricsFactory)? = nil, backend: PhaseTracedHTTPClient,
                                   beforeEachRequest: (@Sendable () async -> Void)? = nil) -> Router<DemoRequestContext> {
        let router = Router(context: DemoRequestContext.self)
        if let beforeEachRequest { router.middlewares.add(RequestHoldMiddleware(until: beforeEachRequest)) }
        router.middlewares.add(ServerSpanMiddleware(tracer: tracer, spanName: "incoming call"))
        if let metrics { router.middlewares.add(ServerMetricsMiddleware(metrics: metrics)) }
        let clientDurations = metrics.map { metrics in ClientDurations(metrics: metrics, host: backend.host) }
        router.get("/") { _, context -> Response in
            let incoming = context.serverSpan
            if let incoming, incoming.isRecording { incoming.attributes["otel.scope.name"] = scopeName }
            incoming?.addEvent(SpanEvent(name: "request received"))
            log.info("request started", metadata: ["url.path": "/"])
            let (status, detail) = await callBackend(tracer: tracer, durations: clientDurations, backend: backend, parent: incoming?.context ?? .topLevel)
            incoming?.addEvent(SpanEvent(name: "backend responded", attributes: ["http.response.status_code": .int64(Int64(status))]))
            switch status {
            case 200..<400: log.info("backend answered \(status)", metadata: ["http.response.status_code": .stringConvertible(status)])
            case 0: log.error("backend unreachable: \(detail)")
            default: log.warning("backend answered \(status): \(detail)", metadata: ["http.response.status_code": .stringConvertible(status)])
            }
            let answer = status == 0 ? "frontend: backend unreachable (\(detail))\n" : "frontend: backend answered \(status) \(detail)\n"
            return Response(
                status: status == 200 ? .ok : .badGateway,
                headers: [.contentType: "text/plain"],
                body: .init(byteBuffer: ByteBuffer(string: answer)))
        }
        return router
    }

    /// Returns the backend's status (0 when it could not be reached) and its body or the error.
    static func callBackend(tracer: any Tracer, durations: ClientDurations?, backend: PhaseTracedHTTPClient, parent: ServiceContext) async -> (Int, String) {
        let call = tracer.startSpan("backend call", context: parent, ofKind: .client)
        let start = ContinuousClock.now
        /// Measured in the client span's context, so an exemplar names that span.
        func measure(_ status: Int) {
            guard let durations else { return }
            let duration = (ContinuousClock.now - start).nanoseconds
            ServiceContext.$current.withValue(call.context) { durations.timer(status: status).recordNanoseconds(duration) }
        }
        var attributes: SpanAttributes?
        if call.isRecording {
            var requestAttributes = SpanAttributes()
            requestAttributes.reserveCapacity(12)
            requestAttributes.set("otel.scope.name", value: .string(scopeName))
            requestAttributes.set("http.request.method", value: "GET")
            requestAttributes.set("url.full", value: .string(backend.rootURL))
            requestAttributes.set("server.address", value: .string(backend.host))
            requestAttributes.set("server.port", value: .int64(Int64(backend.port)))
            requestAttributes.set("http.request.body.size", value: 0)
            attributes = requestAttributes
        }
        call.addEvent(SpanEvent(name: "injecting trace context"))
        var headers: [(String, String)] = [("User-Agent", "trace-frontend")]
        tracer.inject(call.context, into: &headers, using: HeaderListInjector())
        do {
            let exchange = try await backend.get("/", headers: headers)
            for phase in exchange.phases {
                let span = tracer.startSpan(phase.name, context: call.context, ofKind: .internal, at: phase.start)
                span.end(at: phase.end)
            }
            if var attributes {
                attributes.set("http.response.status_code", value: .int64(Int64(exchange.status)))
                attributes.set("http.response.body.size", value: .int64(Int64(exchange.body.readableBytes)))
                attributes.set("http.connection.reused", value: .bool(exchange.reusedConnection))
                if let address = exchange.peerAddress { attributes.set("network.peer.address", value: .string(address)) }
                if let port = exchange.peerPort { attributes.set("network.peer.port", value: .int64(Int64(port))) }
                call.recordAttributes(attributes)
            }
            call.addEvent(SpanEvent(name: "response received", attributes: ["http.response.status_code": .int64(Int64(exchange.status))]))
            // Client spans count 4xx and 5xx as errors (HTTP semantic conventions).
            if exchange.status >= 400 { call.setStatus(SpanStatus(code: .error, message: "HTTP \(exchange.status)")) }
            measure(exchange.status)
            call.end()
            return (exchange.status, trimmedText(exchange.body))
        } catch {
            if let attributes { call.recordAttributes(attributes) }
            call.recordError(error)
            call.setStatus(SpanStatus(code: .error, message: "\(error)"))
            measure(0)
            call.end()
            return (0, "\(error)")
        }
    }

    /// The body as text without surrounding whitespace (the backend ends its error line with a newline).
    static func trimmedText(_ body: ByteBuffer) -> String {
        let bytes = body.readableBytesView
        let isBlank = { (byte: UInt8) in byte == UInt8(ascii: " ") || (0x09...0x0D).contains(byte) }
        guard let first = bytes.firstIndex(where: { !isBlank($0) }), let last = bytes.lastIndex(where: { !isBlank($0) }) else { return "" }
        return String(decoding: bytes[first...last], as: UTF8.self)
    }

    public static func buildApplication(
        host: String, port: Int, tracer: any Tracer, log: Logger, metrics: (any MetricsFactory)? = nil, backend: PhaseTracedHTTPClient, logger: Logger,
        beforeEachRequest: (@Sendable () async -> Void)? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(tracer: tracer, log: log, metrics: metrics, backend: backend, beforeEachRequest: beforeEachRequest),
            configuration: .init(address: .hostname(host, port: port), serverName: serviceName),
            onServerRunning: { await onServerRunning($0.localAddress?.port ?? port) },
            logger: logger)
    }
}

/// The HTTP semantic conventions' client duration (`http.client.request.duration`, seconds) of the
/// frontend's calls to the backend, by status.
struct ClientDurations: Sendable {
    let metrics: any MetricsFactory
    let host: String
    private let handles = MetricHandles<Int, CoreMetrics.Timer>()

    init(metrics: any MetricsFactory, host: String) {
        self.metrics = metrics
        self.host = host
    }

    func timer(status: Int) -> CoreMetrics.Timer {
        handles.handles(for: status) {
            CoreMetrics.Timer(label: "http.client.request.duration", dimensions: [
                ("unit", "s"), ("description", "Duration of HTTP client requests."), ("http.request.method", "GET"),
                ("http.response.status_code", String(status)), ("server.address", host),
            ], factory: metrics)
        }
    }
}
