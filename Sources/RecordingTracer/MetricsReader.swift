import ServiceLifecycle
import TraceModel
import Tracing

/// The in-process metric reader: every `interval`, and once more when it stops, it reads every
/// instrument of its backends and hands the points to `store`. It must stop after the services
/// that measure into them, so their last measurements are read.
public final class MetricsReader: Service, Sendable {
    public typealias Store = @Sendable ([MetricPoint]) async throws -> Void

    private let backends: [RecordingMetrics]
    private let interval: Duration
    private let store: Store

    public init(_ backends: [RecordingMetrics], interval: Duration = .seconds(1), store: @escaping Store) {
        self.backends = backends
        self.interval = interval
        self.store = store
    }

    public func run() async throws {
        do {
            try await cancelWhenGracefulShutdown {
                while true {
                    try await Task.sleep(for: self.interval)
                    try await self.read()
                }
            }
        } catch is CancellationError {}
        try await read()
    }

    /// Hands every instrument's current point to the store, if any was measured.
    public func read() async throws {
        let now = DefaultTracerClock.now.nanosecondsSinceEpoch
        let points = backends.flatMap { $0.points(at: now) }
        if !points.isEmpty { try await store(points) }
    }
}
