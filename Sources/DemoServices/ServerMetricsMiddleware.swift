import CoreMetrics
import Hummingbird
import Tracing

/// Measures each request as the HTTP semantic conventions' server metrics do: its duration
/// (`http.server.request.duration`, seconds) and a count (`http.server.requests`), by method and
/// status (`unit` and `description` are read as the metric's own, as swift-otel reads them). It runs inside the server span's middleware, so a backend that keeps exemplars keeps
/// that span's trace with the duration.
public struct ServerMetricsMiddleware: RouterMiddleware {
    public typealias Context = DemoRequestContext
    let metrics: any MetricsFactory
    private let handles = MetricHandles<Key, (duration: CoreMetrics.Timer, count: Counter)>()

    private struct Key: Hashable, Sendable {
        var method: String
        var status: Int
    }

    public init(metrics: any MetricsFactory) {
        self.metrics = metrics
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        do {
            let response = try await next(request, context)
            record(method: request.method.rawValue, status: response.status.code, since: start)
            return response
        } catch {
            record(method: request.method.rawValue, status: (error as? any HTTPResponseError)?.status.code ?? 500, since: start)
            throw error
        }
    }

    private func record(method: String, status: Int, since start: ContinuousClock.Instant) {
        let measures = handles.handles(for: Key(method: method, status: status)) {
            let attributes = [("http.request.method", method), ("http.response.status_code", String(status))]
            return (CoreMetrics.Timer(label: "http.server.request.duration", dimensions: [("unit", "s"), ("description", "Duration of HTTP server requests.")] + attributes,
                                      factory: metrics),
                    Counter(label: "http.server.requests", dimensions: [("unit", "{request}"), ("description", "HTTP server requests answered.")] + attributes,
                            factory: metrics))
        }
        measures.duration.recordNanoseconds((ContinuousClock.now - start).nanoseconds)
        measures.count.increment()
    }
}
