import NIOCore
import NIOPosix
import Synchronization

/// One loopback port for both OTLP transports, so an SDK's default protocol works whichever it is
/// (gRPC for Python and .NET, http/protobuf for Java, JavaScript, Go): a connection that opens with
/// HTTP/2's preface is passed to the gRPC receiver, any other to the HTTP one.
public final class SharedOTLPPort: Sendable {
    public let port: Int
    private let channel: any Channel
    private let connections: ConnectionCount

    /// The client connection preface every HTTP/2 (so gRPC) connection starts with (RFC 9113 §3.4).
    static let http2Preface = Array("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".utf8)

    private init(port: Int, channel: any Channel, connections: ConnectionCount) {
        self.port = port
        self.channel = channel
        self.connections = connections
    }

    /// Listens on a free loopback port, passing connections to `grpcPort` or `httpPort`.
    public static func start(host: String = "127.0.0.1", grpcPort: Int, httpPort: Int,
                             group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) async throws -> SharedOTLPPort {
        let connections = ConnectionCount()
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.autoRead, value: true)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.addHandler(
                        ProtocolSniffer(host: host, grpcPort: grpcPort, httpPort: httpPort, connections: connections))
                }
            }
            .bind(host: host, port: 0).get()
        return SharedOTLPPort(port: channel.localAddress?.port ?? 0, channel: channel, connections: connections)
    }

    /// Connections open now: an exporter still connected may still send.
    public var openConnections: Int { connections.value }

    public func close() async {
        try? await channel.close()
    }
}

/// Counted from any event loop.
final class ConnectionCount: Sendable {
    private let count = Atomic<Int>(0)
    var value: Int { count.load(ordering: .acquiring) }
    func add(_ delta: Int) { count.add(delta, ordering: .releasing) }
}

/// Reads until the first bytes tell HTTP/2 from HTTP/1.1, connects to the matching receiver, then
/// only relays: what came first is sent first, and each side's close closes the other.
private final class ProtocolSniffer: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let host: String
    private let grpcPort: Int
    private let httpPort: Int
    private let connections: ConnectionCount
    private var buffered: ByteBuffer?
    private var upstream: (any Channel)?
    private var connecting = false

    init(host: String, grpcPort: Int, httpPort: Int, connections: ConnectionCount) {
        self.host = host
        self.grpcPort = grpcPort
        self.httpPort = httpPort
        self.connections = connections
    }

    func channelActive(context: ChannelHandlerContext) {
        connections.add(1)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        connections.add(-1)
        upstream?.close(promise: nil)
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        var bytes = unwrapInboundIn(data)
        if let upstream {
            upstream.writeAndFlush(bytes, promise: nil)
            return
        }
        if buffered == nil { buffered = bytes } else { buffered!.writeBuffer(&bytes) }
        guard !connecting, let seen = buffered else { return }
        let prefix = seen.readableBytesView.prefix(SharedOTLPPort.http2Preface.count)
        let isHTTP2 = prefix.elementsEqual(SharedOTLPPort.http2Preface.prefix(prefix.count))
        // Undecided until the bytes so far could still be the preface or the whole of it is here.
        guard !isHTTP2 || prefix.count == SharedOTLPPort.http2Preface.count else { return }
        connecting = true
        let downstream = context.channel
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        ClientBootstrap(group: context.eventLoop)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture { try channel.pipeline.syncOperations.addHandler(Relay(to: downstream)) }
            }
            .connect(host: host, port: isHTTP2 ? grpcPort : httpPort)
            .hop(to: context.eventLoop)
            .whenComplete { result in
                let sniffer = loopBound.value
                switch result {
                case .success(let channel):
                    sniffer.upstream = channel
                    if let first = sniffer.buffered { channel.writeAndFlush(first, promise: nil) }
                    sniffer.buffered = nil
                    if !downstream.isActive { channel.close(promise: nil) }
                case .failure:
                    downstream.close(promise: nil)
                }
            }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}

/// The receiver's side: what it answers goes back to the exporter.
private final class Relay: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    private let downstream: any Channel

    init(to downstream: any Channel) { self.downstream = downstream }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        downstream.writeAndFlush(unwrapInboundIn(data), promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        downstream.close(promise: nil)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
