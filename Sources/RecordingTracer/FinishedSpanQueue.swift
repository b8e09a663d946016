import ServiceLifecycle
import Synchronization
import TraceModel

/// The in-process exporter: finished spans wait here until its service hands them to `store`,
/// one batch at a time. On graceful shutdown (or cancellation) it stores what is left and
/// returns, so it must stop after everything whose spans end into it; a failing store ends the
/// service with the error. Spans are never dropped: the servers whose spans it records keep pace
/// with the store by awaiting `waitForRoom()` before each request.
public final class FinishedSpanQueue: Service, Sendable {
    public typealias Store = @Sendable ([TraceModel.Span]) async throws -> Void

    private let store: Store
    private let gathering: Duration
    private let batchSize: Int
    private let backlogLimit: Int
    private let state = Mutex(State())

    private struct State {
        var spans: [TraceModel.Span] = []
        var waiter: CheckedContinuation<Void, Never>?
        var waitingForRoom: [CheckedContinuation<Void, Never>] = []
        var stopping = false
    }

    /// A batch starts with the first span to arrive; when fewer than `batchSize` are waiting,
    /// the rest of `gathering` lets more join it, so the store commits fewer, larger transactions.
    /// Past `backlogLimit` waiting spans, `waitForRoom()` holds its callers until the store catches up.
    public init(gathering: Duration = .milliseconds(20), batchSize: Int = 4096, backlogLimit: Int = 65_536, store: @escaping Store) {
        self.store = store
        self.gathering = gathering
        self.batchSize = batchSize
        self.backlogLimit = backlogLimit
    }

    /// Spans waiting to be stored.
    var backlog: Int { state.withLock { $0.spans.count } }

    var callersWaitingForRoom: Int { state.withLock { $0.waitingForRoom.count } }

    /// Returns at once unless more than the backlog limit of spans wait; then once the store has
    /// taken them.
    public func waitForRoom() async {
        guard state.withLock({ $0.spans.count > backlogLimit && !$0.stopping }) else { return }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let roomy = state.withLock { state in
                if state.spans.count <= backlogLimit || state.stopping { return true }
                state.waitingForRoom.append(waiter)
                return false
            }
            if roomy { waiter.resume() }
        }
    }

    func append(_ span: TraceModel.Span) {
        let waiter = state.withLock { state in
            state.spans.append(span)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                while true {
                    await waitForSpans()
                    var (batch, last) = takeWaiting()
                    if !last, batch.count < batchSize {
                        // Cancellation ends the wait early; what is waiting then is taken all the same.
                        try? await Task.sleep(for: gathering)
                        let more = takeWaiting()
                        (batch, last) = (batch + more.spans, more.last)
                    }
                    if !batch.isEmpty { try await store(batch) }
                    if last { return }
                }
            } onCancel: {
                self.stop()
            }
        } onGracefulShutdown: {
            self.stop()
        }
    }

    private func stop() {
        let (waiter, waitingForRoom) = state.withLock { state in
            state.stopping = true
            defer { (state.waiter, state.waitingForRoom) = (nil, []) }
            return (state.waiter, state.waitingForRoom)
        }
        waiter?.resume()
        for waiter in waitingForRoom { waiter.resume() }
    }

    /// Everything waiting (which makes room); `last` once stopping, since nothing arrives after that.
    private func takeWaiting() -> (spans: [TraceModel.Span], last: Bool) {
        let (taken, waitingForRoom) = state.withLock { state in
            defer { (state.spans, state.waitingForRoom) = ([], []) }
            return ((state.spans, state.stopping), state.waitingForRoom)
        }
        for waiter in waitingForRoom { waiter.resume() }
        return taken
    }

    /// Returns once a span is waiting or the queue is stopping.
    private func waitForSpans() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if !state.spans.isEmpty || state.stopping { return true }
                state.waiter = waiter
                return false
            }
            if ready { waiter.resume() }
        }
    }
}
