import Synchronization

/// The end user: fires requests at the frontend, untraced, and measures what the user waits.
public struct LoadGenerator: Sendable {
    public struct Result: Sendable {
        public var completed: Int
        public var errors: Int
        /// Client-side latency of every completed request, in nanoseconds, in completion order.
        public var latenciesNanos: [UInt64]
        public var wallNanos: UInt64
        public var interrupted: Bool
    }

    public let client: PhaseTracedHTTPClient
    public let requests: Int
    public let concurrency: Int
    public init(client: PhaseTracedHTTPClient, requests: Int, concurrency: Int) {
        self.client = client
        self.requests = requests
        self.concurrency = max(1, concurrency)
    }

    /// Runs until all requests are done, the task is cancelled or `stopped` says so; `progress` gets the completed count.
    public func run(progress: @escaping @Sendable (Int) -> Void = { _ in }, stopped: @escaping @Sendable () -> Bool = { false }) async -> Result {
        let next = TicketCounter()
        let clock = ContinuousClock()
        let start = clock.now
        let perWorker = await withTaskGroup(of: (latencies: [UInt64], errors: Int).self) { group in
            for _ in 0..<min(concurrency, max(requests, 1)) {
                group.addTask {
                    var latencies: [UInt64] = []
                    latencies.reserveCapacity(requests / concurrency + 1)
                    var errors = 0
                    while !Task.isCancelled, !stopped() {
                        let index = next.take()
                        guard index < requests else { break }
                        let began = clock.now
                        do {
                            let exchange = try await client.get("/")
                            if exchange.status != 200 { errors += 1 }
                        } catch {
                            errors += 1
                        }
                        latencies.append(UInt64((clock.now - began).nanoseconds))
                        progress(index + 1)
                    }
                    return (latencies, errors)
                }
            }
            return await group.reduce(into: []) { $0.append($1) }
        }
        let latencies = perWorker.flatMap(\.latencies)
        return Result(
            completed: latencies.count,
            errors: perWorker.reduce(0) { $0 + $1.errors },
            latenciesNanos: latencies,
            wallNanos: UInt64((clock.now - start).nanoseconds),
            interrupted: (Task.isCancelled || stopped()) && latencies.count < requests)
    }
}

extension Duration {
    /// Whole nanoseconds, saturating for the durations this tool deals with.
    public var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1_000_000_000 + attoseconds / 1_000_000_000
    }
}

/// Hands out request numbers to the workers.
private final class TicketCounter: Sendable {
    private let next = Atomic<Int>(0)
    func take() -> Int { next.wrappingAdd(1, ordering: .relaxed).oldValue }
}
