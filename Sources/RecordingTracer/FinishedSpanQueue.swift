import ServiceLifecycle
import Synchronization
import TraceModel

/// The in-process exporter: finished spans wait here until its service hands them to `store`,
/// one batch at a time. On graceful shutdown (or cancellation) it stores what is left and
/// returns, so it must stop after everything whose spans end into it; a failing store ends the
/// service with the error.
public final class FinishedSpanQueue: Service, Sendable {
    public typealias Store = @Sendable ([TraceModel.Span]) async throws -> Void

    private let store: Store
    private let gathering: Duration
    private let batchSize: Int
    private let state = Mutex(State())

    private struct State {
        var spans: [TraceModel.Span] = []
        var waiter: CheckedContinuation<Void, Never>?
        var stopping = false
        var peak = 0
    }

    /// A batch starts with the first span to arrive; when fewer than `batchSize` are waiting,
    /// the rest of `gathering` lets more join it, so the store commits fewer, larger transactions.
    public init(gathering: Duration = .milliseconds(20), batchSize: Int = 4096, store: @escaping Store) {
        self.store = store
        self.gathering = gathering
        self.batchSize = batchSize
    }

    /// The most spans that were waiting at once: how far the tracers ran ahead of the store.
    public var peakQueued: Int { state.withLock { $0.peak } }

    func append(_ span: TraceModel.Span) {
        let waiter = state.withLock { state in
            state.spans.append(span)
            state.peak = max(state.peak, state.spans.count)
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
        let waiter = state.withLock { state in
            state.stopping = true
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    /// Everything waiting; `last` once stopping, since nothing arrives after that.
    private func takeWaiting() -> (spans: [TraceModel.Span], last: Bool) {
        state.withLock { state in
            defer { state.spans = [] }
            return (state.spans, state.stopping)
        }
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
