import CoreMetrics
import Hummingbird
import Logging
import Tracing

/// What the backend does to give traces something to explain.
public struct BackendBehavior: Sendable {
    /// Artificial work per request, recorded inside the backend's server span.
    public var latency: Duration
    /// Fraction of requests, 0...1, answered with 500.
    public var errorRate: Double

    public init(latency: Duration = .zero, errorRate: Double = 0) {
        self.latency = latency
        self.errorRate = errorRate
    }
}

/// The demo's backend: continues the caller's trace, records its span and an event, answers `OK`.
public enum Backend {
    public static let serviceName = "backend"

    /// `beforeEachRequest`, if given, holds each request before its span starts (`RequestHoldMiddleware`).
    /// `log` is the service's own log, whose records carry the active span's context; `metrics`, if given, measures its requests.
    public static func buildRouter(tracer: any Tracer, log: Logger, metrics: (any MetricsFactory)? = nil, behavior: BackendBehavior,
                                   beforeEachRequest: (@Sendable () async -> Void)? = nil) -> Router<DemoRequestContext> {
        let router = Router(context: DemoRequestContext.self)
        if let beforeEachRequest { router.middlewares.add(RequestHoldMiddleware(until: beforeEachRequest)) }
        router.middlewares.add(ServerSpanMiddleware(tracer: tracer))
        if let metrics { router.middlewares.add(ServerMetricsMiddleware(metrics: metrics)) }
        router.get("/") { _, context -> Response in
            context.serverSpan?.addEvent(SpanEvent(name: "handling request"))
            log.info("handling request")
            if behavior.latency > .zero { try await Task.sleep(for: behavior.latency) }
            if behavior.errorRate > 0, Double.random(in: 0..<1) < behavior.errorRate {
                context.serverSpan?.addEvent(SpanEvent(name: "injected failure", attributes: ["error.rate": .double(behavior.errorRate)]))
                log.error("injected failure: answering 500 (--error-rate \(behavior.errorRate))", metadata: ["error.rate": .stringConvertible(behavior.errorRate)])
                return Response(status: .internalServerError, headers: [.contentType: "text/plain"], body: .init(byteBuffer: .init(string: "backend error\n")))
            }
            return Response(status: .ok, headers: [.contentType: "text/plain"], body: .init(byteBuffer: .init(string: "OK")))
        }
        return router
    }

    public static func buildApplication(
        host: String, port: Int, tracer: any Tracer, log: Logger, metrics: (any MetricsFactory)? = nil, behavior: BackendBehavior, logger: Logger,
        beforeEachRequest: (@Sendable () async -> Void)? = nil, onServerRunning: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        Application(
            router: buildRouter(tracer: tracer, log: log, metrics: metrics, behavior: behavior, beforeEachRequest: beforeEachRequest),
            configuration: .init(address: .hostname(host, port: port), serverName: serviceName),
            onServerRunning: { await onServerRunning($0.localAddress?.port ?? port) },
            logger: logger)
    }
}
