import OTLP
import Foundation
import SwiftProtobuf
import ServiceLifecycle
import Synchronization

/// What a forwarder tells about each request it sends on (ingestion counts them with the rest).
public protocol ForwardingObserver: Sendable {
    func forwarded()
    func forwardFailed(_ reason: String)
}

/// Sends every accepted request, of every signal, on to another OTLP collector (gRPC or HTTP, whichever exporter it
/// is given), after it is stored locally. A collector that is down or slow only costs counted
/// failures: the queue is bounded and never makes the receiver wait.
public final class OTLPForwarder: Service, Sendable {
    private let exporter: any OTLPExporting
    private let observer: any ForwardingObserver
    private let stream: AsyncStream<(Signal, Data)>
    private let continuation: AsyncStream<(Signal, Data)>.Continuation
    private let drainTimeout: Duration

    public var endpoint: String { exporter.endpoint }

    /// `exporter` should make one attempt per request (`OTLPExportClient.Configuration.forwarding`).
    public init(exporter: any OTLPExporting, observer: any ForwardingObserver, queueLimit: Int = 10_000, drainTimeout: Duration = .seconds(10)) {
        self.exporter = exporter
        self.observer = observer
        (stream, continuation) = AsyncStream.makeStream(of: (Signal, Data).self, bufferingPolicy: .bufferingOldest(queueLimit))
        self.drainTimeout = drainTimeout
    }

    /// Queues a stored request: its body as it arrived when that is already in the exporter's
    /// encoding, else (or when it never was a body) the request encoded, built only then.
    public func enqueue(_ signal: Signal, _ request: () -> some SwiftProtobuf.Message, arrivedAs body: (data: Data, contentType: OTLPContentType)?) {
        let encoded: Data
        if let body, body.contentType == exporter.encoding {
            encoded = body.data
        } else {
            do { encoded = try exporter.encoded(request()) } catch {
                return observer.forwardFailed("could not encode a request: \(error)")
            }
        }
        if case .dropped = continuation.yield((signal, encoded)) {
            observer.forwardFailed("forwarding queue full")
        }
    }

    public func run() async throws {
        let clock = ContinuousClock()
        let deadline = LockedDeadline()
        await withGracefulShutdownHandler {
            for await (signal, payload) in stream {
                if let end = deadline.value, clock.now > end {
                    observer.forwardFailed("not sent before shutdown")
                    continue
                }
                await send(payload, signal: signal)
            }
        } onGracefulShutdown: { [continuation, drainTimeout] in
            deadline.set(clock.now.advanced(by: drainTimeout))
            continuation.finish()
        }
        try await exporter.shutdown()
    }

    private func send(_ body: Data, signal: Signal) async {
        do {
            try await exporter.send(encodedRequest: body, signal: signal)
            observer.forwarded()
        } catch {
            observer.forwardFailed("\(error)")
        }
    }
}

private final class LockedDeadline: Sendable {
    private let storage = Mutex<ContinuousClock.Instant?>(nil)
    var value: ContinuousClock.Instant? { storage.withLock { $0 } }
    func set(_ instant: ContinuousClock.Instant) { storage.withLock { $0 = instant } }
}
