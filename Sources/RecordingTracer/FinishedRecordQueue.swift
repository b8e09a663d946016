import ServiceLifecycle
import Synchronization
import TraceModel

/// The builtin tracer's queue of finished spans.
public typealias FinishedSpanQueue = FinishedRecordQueue<TraceModel.Span>

/// The in-process exporter: finished spans (or log records) wait here until its service hands
/// them to `store`, one batch at a time. On graceful shutdown (or cancellation) it stores what is
/// left and returns, so it must stop after everything whose records end into it; a failing store
/// ends the service with the error. Records are never dropped: the servers whose records it
/// takes keep pace with the store by awaiting `waitForRoom()` before each request.
public final class FinishedRecordQueue<Record: Sendable>: Service, Sendable {
    public typealias Store = @Sendable ([Record]) async throws -> Void

    private let store: Store
    private let gathering: Duration
    private let batchSize: Int
    private let backlogLimit: Int
    private let state = Mutex(State())

    private struct State {
        var records: [Record] = []
        var waiter: CheckedContinuation<Void, Never>?
        var waitingForRoom: [CheckedContinuation<Void, Never>] = []
        var stopping = false
    }

    /// A batch starts with the first span to arrive; when fewer than `batchSize` are waiting,
    /// the rest of `gathering` lets more join it, so the store commits fewer, larger transactions.
    /// Past `backlogLimit` waiting records, `waitForRoom()` holds its callers until the store catches up.
    public init(gathering: Duration = .milliseconds(20), batchSize: Int = 4096, backlogLimit: Int = 65_536, store: @escaping Store) {
        self.store = store
        self.gathering = gathering
        self.batchSize = batchSize
        self.backlogLimit = backlogLimit
    }

    /// Records waiting to be stored.
    var backlog: Int { state.withLock { $0.records.count } }

    var callersWaitingForRoom: Int { state.withLock { $0.waitingForRoom.count } }

    /// Returns at once unless more than the backlog limit of records wait; then once the store has
    /// taken them.
    public func waitForRoom() async {
        guard state.withLock({ $0.records.count > backlogLimit && !$0.stopping }) else { return }
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let roomy = state.withLock { state in
                if state.records.count <= backlogLimit || state.stopping { return true }
                state.waitingForRoom.append(waiter)
                return false
            }
            if roomy { waiter.resume() }
        }
    }

    func append(_ record: Record) {
        let waiter = state.withLock { state in
            state.records.append(record)
            defer { state.waiter = nil }
            return state.waiter
        }
        waiter?.resume()
    }

    public func run() async throws {
        try await withGracefulShutdownHandler {
            try await withTaskCancellationHandler {
                while true {
                    await waitForRecords()
                    var (batch, last) = takeWaiting()
                    if !last, batch.count < batchSize {
                        // Cancellation ends the wait early; what is waiting then is taken all the same.
                        try? await Task.sleep(for: gathering)
                        let more = takeWaiting()
                        (batch, last) = (batch + more.records, more.last)
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
    private func takeWaiting() -> (records: [Record], last: Bool) {
        let (taken, waitingForRoom) = state.withLock { state in
            defer { (state.records, state.waitingForRoom) = ([], []) }
            return ((state.records, state.stopping), state.waitingForRoom)
        }
        for waiter in waitingForRoom { waiter.resume() }
        return taken
    }

    /// Returns once a record is waiting or the queue is stopping.
    private func waitForRecords() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let ready = state.withLock { state in
                if !state.records.isEmpty || state.stopping { return true }
                state.waiter = waiter
                return false
            }
            if ready { waiter.resume() }
        }
    }
}
