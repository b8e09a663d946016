import Hummingbird
import NIOCore
import Tracing

/// The request context of both demo services: it knows the peer address and carries the
/// server span so handlers can add events to it.
public struct DemoRequestContext: RequestContext, RemoteAddressRequestContext {
    public var coreContext: CoreRequestContextStorage
    public let remoteAddress: SocketAddress?
    public var serverSpan: (any Tracing.Span)?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        remoteAddress = source.channel.remoteAddress
        serverSpan = nil
    }
}
