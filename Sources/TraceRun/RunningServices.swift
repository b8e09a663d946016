import Logging
import ServiceLifecycle
import Synchronization

/// A ServiceGroup started in the background, stopped on demand: lets `DemoStack` start its
/// parts in order (each needs the port of the one before) and stop them in reverse.
public final class RunningServices: Sendable {
    private let group: ServiceGroup
    private let task: Task<Void, any Error>
    private let failure: FirstFailure

    private init(group: ServiceGroup, task: Task<Void, any Error>, failure: FirstFailure) {
        self.group = group
        self.task = task
        self.failure = failure
    }

    /// Starts `services`; they are shut down in reverse order of the list.
    public static func start(_ services: [any Service], logger: Logger, onExit: @escaping @Sendable () -> Void) -> RunningServices {
        // A service that fails (a store that cannot take rows) stops the others gracefully, not by cancelling them mid-request.
        let group = ServiceGroup(configuration: .init(services: services.map { .init(service: $0, failureTerminationBehavior: .gracefullyShutdownGroup) },
                                                      gracefulShutdownSignals: [], logger: logger))
        let failure = FirstFailure()
        let task = Task {
            defer { onExit() }
            do { try await group.run() } catch {
                failure.error.withLock { $0 = error }
                throw error
            }
        }
        return RunningServices(group: group, task: task, failure: failure)
    }

    /// The error a service ended the group with, as soon as it has (nil while all run, or after a clean stop).
    public var failed: (any Error)? { failure.error.withLock { $0 } }

    /// Graceful shutdown, waiting until every service has finished.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        try await task.value
    }

    /// The error the group ended with, once it has ended.
    public func result() async throws {
        try await task.value
    }
}

/// Where a group's ending error is kept for anyone to look at while it runs.
private final class FirstFailure: Sendable {
    let error = Mutex<(any Error)?>(nil)
}

/// The port a server reports once it listens, or nil if it ended before that.
public final class PortSignal: Sendable {
    private let stream: AsyncStream<Int>
    private let continuation: AsyncStream<Int>.Continuation

    public init() { (stream, continuation) = AsyncStream.makeStream(of: Int.self, bufferingPolicy: .bufferingNewest(1)) }

    public func report(_ port: Int) { continuation.yield(port) }
    public func finish() { continuation.finish() }

    public func wait() async -> Int? {
        for await port in stream { return port }
        return nil
    }
}
