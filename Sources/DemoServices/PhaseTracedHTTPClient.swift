#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A small HTTP/1.1 client on SwiftNIO that reports when each network step really happened:
/// name lookup, TCP connect, request written, first response byte, response read.
/// It keeps idle connections for reuse unless `keepAlive` is off.
public final class PhaseTracedHTTPClient: Sendable {
    public let host: String
    public let port: Int
    public let keepAlive: Bool
    private let group: any EventLoopGroup
    private let idle = Mutex<[Connection]>([])

    struct Connection: Sendable {
        var channel: any Channel
        var peerAddress: String?
        var peerPort: Int?
    }

    /// `http://host:port/`, as a client span's `url.full` names it.
    public let rootURL: String

    public init(host: String, port: Int, keepAlive: Bool = true, group: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton) {
        self.host = host
        self.port = port
        rootURL = "http://\(host):\(port)/"
        self.keepAlive = keepAlive
        self.group = group
    }

    /// `GET path` with extra headers (the injected trace context, for one).
    public func get(_ path: String, headers: [(String, String)] = []) async throws -> HTTPExchange {
        var phases: [HTTPPhase] = []
        let reused: Bool
        let connection: Connection
        if let pooled = takeIdle() {
            connection = pooled
            reused = true
        } else {
            connection = try await connect(recording: &phases)
            reused = false
        }
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: "\(host):\(port)")
        head.headers.add(name: "Connection", value: keepAlive ? "keep-alive" : "close")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        let promise = connection.channel.eventLoop.makePromise(of: TimedResponse.self)
        connection.channel.writeAndFlush(PendingExchange(head: head, promise: promise), promise: nil)
        let response: TimedResponse
        do {
            response = try await promise.futureResult.get()
        } catch {
            connection.channel.close(promise: nil)
            throw error
        }
        if keepAlive, response.keepAlive, connection.channel.isActive {
            idle.withLock { $0.append(connection) }
        } else {
            connection.channel.close(promise: nil)
        }
        phases.append(HTTPPhase(name: "http.send", start: response.sendStart, end: response.sendEnd))
        phases.append(HTTPPhase(name: "http.wait", start: response.sendEnd, end: response.firstByte))
        phases.append(HTTPPhase(name: "http.receive", start: response.firstByte, end: response.receiveEnd))
        return HTTPExchange(status: response.status, body: response.body, requestBodySize: 0, phases: phases,
                            reusedConnection: reused, peerAddress: connection.peerAddress, peerPort: connection.peerPort)
    }

    /// Closes idle connections; in-flight requests finish on their own.
    public func shutdown() async {
        let connections = idle.withLock { pool in defer { pool.removeAll() }; return pool }
        for connection in connections { try? await connection.channel.close() }
    }

    /// Prefers a connection on the caller's own event loop: the request and the task awaiting it
    /// then stay on one thread instead of handing over to another loop and back.
    private func takeIdle() -> Connection? {
        idle.withLock { pool in
            pool.removeAll { !$0.channel.isActive }
            if let local = pool.lastIndex(where: { $0.channel.eventLoop.inEventLoop }) {
                return pool.remove(at: local)
            }
            return pool.popLast()
        }
    }

    private func connect(recording phases: inout [HTTPPhase]) async throws -> Connection {
        let addresses: [SocketAddress]
        if let literal = try? SocketAddress(ipAddress: host, port: port) {
            addresses = [literal]
        } else {
            let start = WallInstant.now()
            addresses = try await NIOThreadPool.singleton.runIfActive { [host, port] in try Self.resolve(host: host, port: port) }
            phases.append(HTTPPhase(name: "http.dns", start: start, end: .now()))
        }
        let start = WallInstant.now()
        var lastError: (any Error)?
        for address in addresses {
            do {
                let channel = try await ClientBootstrap(group: group)
                    .channelOption(.socketOption(.tcp_nodelay), value: 1)
                    .channelInitializer { channel in
                        channel.eventLoop.makeCompletedFuture {
                            let clock = ExchangeClock()
                            try channel.pipeline.syncOperations.addHandler(FirstByteTimer(clock: clock))
                            // The headers are this demo's own (and a trace context that arrived as a valid
                            // header), so NIO's check of every outgoing header is skipped, as Hummingbird does.
                            try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                            try channel.pipeline.syncOperations.addHandler(HTTPExchangeHandler(clock: clock))
                        }
                    }
                    .connect(to: address).get()
                phases.append(HTTPPhase(name: "http.connect", start: start, end: .now()))
                return Connection(channel: channel, peerAddress: address.ipAddress, peerPort: address.port)
            } catch {
                lastError = error
            }
        }
        throw lastError ?? ChannelError.connectTimeout(.seconds(0))
    }

    /// getaddrinfo, returning every address so a refused one can fall through to the next.
    static func resolve(host: String, port: Int) throws -> [SocketAddress] {
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var result: UnsafeMutablePointer<addrinfo>?
        let status = getaddrinfo(host, String(port), &hints, &result)
        guard status == 0, let first = result else {
            throw ResolutionError(host: host, reason: String(cString: gai_strerror(status)))
        }
        defer { freeaddrinfo(first) }
        var addresses: [SocketAddress] = []
        var cursor: UnsafeMutablePointer<addrinfo>? = first
        while let info = cursor {
            if let address = info.pointee.ai_addr {
                switch info.pointee.ai_family {
                case AF_INET:
                    address.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { addresses.append(SocketAddress($0.pointee, host: host)) }
                case AF_INET6:
                    address.withMemoryRebound(to: sockaddr_in6.self, capacity: 1) { addresses.append(SocketAddress($0.pointee, host: host)) }
                default: break
                }
            }
            cursor = info.pointee.ai_next
        }
        return addresses
    }
}

public struct ResolutionError: Error, CustomStringConvertible {
    public var host: String
    public var reason: String
    public var description: String { "cannot resolve \(host): \(reason)" }
}
