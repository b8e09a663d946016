import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import NIOCore
import OTLP
import OTLPHTTP
import TraceIngest
import ServiceLifecycle
import TraceStore

/// A real receiver on an ephemeral loopback port, for the length of `body`.
func withReceiver<T: Sendable>(
    store: TraceStore, maxBodyBytes: Int = 64 << 20, forwardTo endpoint: String? = nil,
    _ body: @Sendable (_ url: String, _ statistics: IngestStatistics) async throws -> T
) async throws -> T {
    var logger = Logger(label: "receiver-test")
    logger.logLevel = .error
    let statistics = IngestStatistics()
    let forwarder = endpoint.map { OTLPForwarder(endpoint: $0, statistics: statistics) }
    let ingestor = TraceIngestor(store: store, forwarder: forwarder, statistics: statistics, maxBodyBytes: maxBodyBytes)
    let (ports, portContinuation) = AsyncStream.makeStream(of: Int.self)
    let app = OTLPReceiver.buildApplication(
        configuration: .init(host: "127.0.0.1", port: 0, maxBodyBytes: maxBodyBytes), ingestor: ingestor, logger: logger,
        onServerRunning: { portContinuation.yield($0) })
    let services: [any Service] = [forwarder].compactMap { $0 } + [app]
    let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask { try await group.run() }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next() else { throw CancellationError() }
        do {
            let result = try await body("http://127.0.0.1:\(port)/v1/traces", statistics)
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
}

func post(_ url: String, body: Data, contentType: String, headers: [(String, String)] = []) async throws -> PostResult {
    var request = HTTPClientRequest(url: url)
    request.method = .POST
    request.headers.add(name: "Content-Type", value: contentType)
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    request.body = .bytes(ByteBuffer(data: body))
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 16 << 20)
    return PostResult(status: Int(response.status.code), contentType: response.headers.first(name: "Content-Type"), body: Data(buffer: bytes))
}
