import Logging
import ServiceLifecycle

/// A ServiceGroup started in the background, stopped on demand: lets `DemoStack` start its
/// parts in order (each needs the port of the one before) and stop them in reverse.
final class RunningServices: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>

    private init(group: ServiceGroup, task: Task<Void, any Error>) {
        self.group = group
        self.task = task
    }

    /// Starts `services`; they are shut down in reverse order of the list.
    static func start(_ services: [any Service], logger: Logger, onExit: @escaping @Sendable () -> Void) -> RunningServices {
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0) }, gracefulShutdownSignals: [], logger: logger))
        let task = Task {
            defer { onExit() }
            try await group.run()
        }
        return RunningServices(group: group, task: task)
    }

    /// Graceful shutdown, waiting until every service has finished.
    func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// The error the group ended with, once it has ended.
    func result() async throws {
        try await task.value
    }
}

/// The port a server reports once it listens, or nil if it ended before that.
final class PortSignal: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    init() { (stream, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1)) }

    func report(_ port: Int) { continuation.yield(port) }
    func finish() { continuation.finish() }

    func wait() async -> Int? {
        for await port in stream { return port }
        return nil
    }
}
