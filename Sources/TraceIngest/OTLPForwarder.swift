import OTLP
import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// Sends every accepted request on to another OTLP/HTTP collector, after it is stored locally.
/// A collector that is down or slow only costs counted failures: the queue is bounded and
/// never makes the receiver wait.
public final class OTLPForwarder: Service, Sendable {
    struct Payload: Sendable {
        var body: Data
        var contentType: OTLPContentType
    }

    public let endpoint: String
    let statistics: IngestStatistics
    private let stream: AsyncStream<Payload>
    private let continuation: AsyncStream<Payload>.Continuation
    private let requestTimeout: TimeAmount
    private let drainTimeout: Duration

    /// `endpoint` is a collector's base URL (`http://host:4318`) or its full `/v1/traces` URL.
    public init(endpoint: String, statistics: IngestStatistics, queueLimit: Int = 10_000, requestTimeout: TimeAmount = .seconds(5), drainTimeout: Duration = .seconds(10)) {
        self.endpoint = OTLPEndpoint.tracesURL(for: endpoint)
        self.statistics = statistics
        (stream, continuation) = AsyncStream.makeStream(of: Payload.self, bufferingPolicy: .bufferingOldest(queueLimit))
        self.requestTimeout = requestTimeout
        self.drainTimeout = drainTimeout
    }

    func enqueue(body: Data, contentType: OTLPContentType) {
        if case .dropped = continuation.yield(Payload(body: body, contentType: contentType)) {
            statistics.update {
                $0.forwardFailures += 1
                $0.lastForwardError = "forwarding queue full"
            }
        }
    }

    public func run() async throws {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let clock = ContinuousClock()
        let deadline = LockedDeadline()
        await withGracefulShutdownHandler {
            for await payload in stream {
                if let end = deadline.value, clock.now > end {
                    statistics.update {
                        $0.forwardFailures += 1
                        $0.lastForwardError = "not sent before shutdown"
                    }
                    continue
                }
                await send(payload, with: client)
            }
        } onGracefulShutdown: { [continuation, drainTimeout] in
            deadline.set(clock.now.advanced(by: drainTimeout))
            continuation.finish()
        }
        try await client.shutdown()
    }

    private func send(_ payload: Payload, with client: HTTPClient) async {
        var request = HTTPClientRequest(url: endpoint)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: payload.contentType.rawValue)
        request.body = .bytes(ByteBuffer(data: payload.body))
        do {
            let response = try await client.execute(request, timeout: requestTimeout)
            _ = try? await response.body.collect(upTo: 1 << 20)
            if (200..<300).contains(response.status.code) {
                statistics.update { $0.requestsForwarded += 1 }
            } else {
                statistics.update {
                    $0.forwardFailures += 1
                    $0.lastForwardError = "\(endpoint) answered \(response.status.code)"
                }
            }
        } catch {
            statistics.update {
                $0.forwardFailures += 1
                $0.lastForwardError = "\(endpoint): \(error)"
            }
        }
    }
}

private final class LockedDeadline: Sendable {
    private let storage = Mutex<ContinuousClock.Instant?>(nil)
    var value: ContinuousClock.Instant? { storage.withLock { $0 } }
    func set(_ instant: ContinuousClock.Instant) { storage.withLock { $0 = instant } }
}
