import Hummingbird

/// Holds each request, before its span starts, until `wait` returns: a server whose spans come
/// faster than its store takes them answers more slowly instead of queueing spans without bound.
public struct RequestHoldMiddleware: RouterMiddleware {
    public typealias Context = DemoRequestContext
    let wait: @Sendable () async -> Void

    public init(until wait: @escaping @Sendable () async -> Void) {
        self.wait = wait
    }

    public func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        await wait()
        return try await next(request, context)
    }
}
