import AsyncHTTPClient
import CompressNIO
import Foundation
import GRPCCore
import GRPCNIOTransportHTTP2
import OTLPGRPC
import Glibc
import Hummingbird
import Logging
import NIOCore
import OTLP
import OTLPExport
import OTLPHTTP
import TraceIngest
import ServiceLifecycle
import SwiftProtobuf
import TraceStore

/// A real receiver on an ephemeral loopback port, for the length of `body`.
func withReceiver<T: Sendable>(
    store: TraceStore, maxBodyBytes: Int = 64 << 20, forwardTo endpoint: String? = nil, over forwarding: OTLPProtocol = .httpProtobuf,
    _ body: @Sendable (_ url: String, _ statistics: IngestStatistics) async throws -> T
) async throws -> T {
    var logger = Logger(label: "receiver-test")
    logger.logLevel = .error
    let statistics = IngestStatistics()
    let forwarder = try endpoint.map { try forwarding.forwarder(to: $0, observer: statistics) }
    let ingestor = Ingestor(store: store, forwarder: forwarder, statistics: statistics, maxBodyBytes: maxBodyBytes)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = OTLPReceiver.buildApplication(
        configuration: .init(host: "127.0.0.1", port: 0), ingestor: ingestor, logger: logger,
        onServerRunning: { portContinuation.yield($0) })
    let services: [any Service] = [forwarder].compactMap { $0 } + [app]
    return try await withServices(services, reportingPortTo: ports, logger: logger) { port in
        try await body("http://127.0.0.1:\(port)/v1/traces", statistics)
    }
}

/// Runs `services` until `body`, given the port a receiver among them reported, is done; then
/// shuts them down gracefully, whether `body` returned or threw.
func withServices<T: Sendable>(
    _ services: [any Service], reportingPortTo ports: AsyncStream<Int>, logger: Logger,
    _ body: (_ port: Int) async throws -> T
) async throws -> T {
    let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            let result = try await body(port)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return result
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
    }
}

struct PostResult: Sendable {
    var status: Int
    var contentType: String?
    var body: Data
    var retryAfter: String? = nil
}

func post(_ url: String, body: Data, contentType: String, headers: [(String, String)] = []) async throws -> PostResult {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: contentType)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    request.body = .bytes(ByteBuffer(data: body))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    return PostResult(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"), body: Data(buffer: bytes),
                      retryAfter: response.headers.first(name: "Retry-After"))
}

/// A plain TCP client for requests an HTTP client library will not send (a body shorter than
/// its Content-Length). Reads until the peer closes or 10 s pass, the failure case's bound.
enum LoopbackSocket {
    struct Failure: Error { let step: String }

    /// Sends `request` and reads until the server closes. The blocking calls run on a thread of
    /// their own: on Swift's cooperative pool (two threads on two cores) they could hold up the
    /// very tasks the server needs to answer, which under load made the answer come too late.
    static func exchange(port: Int, send request: Data) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try blockingExchange(port: port, send: request) }) }
        }
    }

    private static func blockingExchange(port: Int, send request: Data) throws -> String {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw Failure(step: "socket") }
        defer { close(socket) }
        var timeout = timeval(tv_sec: 10, tv_usec: 0)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw Failure(step: "connect") }
        let written = request.withUnsafeBytes { Glibc.send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
        guard written == request.count else { throw Failure(step: "send") }
        var received = Data()
        var buffer = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received.append(contentsOf: buffer[0..<count])
        }
        return String(decoding: received, as: UTF8.self)
    }
}

/// A real OTLP/gRPC receiver on an ephemeral loopback port and a gRPC client connected to it,
/// for the length of `body`.
func withGRPCReceiver<T: Sendable>(
    store: TraceStore, maxMessageBytes: Int = 64 << 20,
    _ body: @Sendable (_ client: GRPCClient<HTTP2ClientTransport.Posix>) async throws -> T
) async throws -> T {
    try await withGRPCReceiverListening(store: store, maxMessageBytes: maxMessageBytes) { port, _ in
        let transport = try HTTP2ClientTransport.Posix(
            target: .ipv4(address: "127.0.0.1", port: port), transportSecurity: .plaintext,
            config: .defaults { $0.compression.enabledAlgorithms = .all })
        return try await withGRPCClient(transport: transport) { client in try await body(client) }
    }
}

/// A real OTLP/gRPC receiver on an ephemeral loopback port, forwarding if told to, for the
/// length of `body`.
func withGRPCReceiverListening<T: Sendable>(
    store: TraceStore, maxMessageBytes: Int = 64 << 20, forwardTo endpoint: String? = nil, over forwarding: OTLPProtocol = .httpProtobuf,
    _ body: @Sendable (_ port: Int, _ statistics: IngestStatistics) async throws -> T
) async throws -> T {
    var logger = Logger(label: "grpc-receiver-test")
    logger.logLevel = .error
    let statistics = IngestStatistics()
    let forwarder = try endpoint.map { try forwarding.forwarder(to: $0, observer: statistics) }
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let receiver = OTLPGRPCReceiver(
        configuration: .init(host: "127.0.0.1", port: 0),
        ingestor: Ingestor(store: store, forwarder: forwarder, statistics: statistics, maxBodyBytes: maxMessageBytes),
        onServerRunning: { portContinuation.yield($0) })
    let services: [any Service] = [forwarder].compactMap { $0 } + [receiver]
    return try await withServices(services, reportingPortTo: ports, logger: logger) { port in try await body(port, statistics) }
}

/// Bytes sent as they are: the way to send a gRPC message no protobuf library would write.
struct RawMessage: MessageSerializer, MessageDeserializer {
    func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes { Bytes(message) }
    func deserialize<Bytes: GRPCContiguousBytes>(_ bytes: Bytes) throws -> [UInt8] { bytes.withUnsafeBytes { Array($0) } }
}

/// Calls TraceService/Export with `bytes` as the request message; the status that came back.
func exportRaw(_ bytes: [UInt8], client: GRPCClient<HTTP2ClientTransport.Posix>, compression: GRPCCore.CompressionAlgorithm? = nil) async throws -> RPCError.Code? {
    var options = CallOptions.defaults
    options.compression = compression
    do {
        _ = try await client.unary(
            request: ClientRequest(message: bytes), descriptor: Opentelemetry_Proto_Collector_Trace_V1_TraceService.Method.Export.descriptor,
            serializer: RawMessage(), deserializer: RawMessage(), options: options) { try $0.message }
        return nil
    } catch let error as RPCError {
        return error.code
    }
}

/// One request as each OTLP/HTTP body may carry it: protobuf, OTLP/JSON, and gzip-compressed
/// protobuf, each with its content type and headers.
func everyHTTPEncoding(of request: some SwiftProtobuf.Message) throws -> [(name: String, body: Data, contentType: String, headers: [(String, String)])] {
    let protobuf = try request.serializedData()
    var gzipped = ByteBuffer(data: protobuf)
    return [
        ("protobuf", protobuf, "application/x-protobuf", []),
        ("json", try OTLPJSON.encode(request), "application/json", []),
        ("gzip", Data(buffer: try gzipped.compress(with: .gzip())), "application/x-protobuf", [("Content-Encoding", "gzip")]),
    ]
}
