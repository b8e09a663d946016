import TraceStore

/// The single writer in front of the store. Requests that arrive while a transaction is being
/// written wait and then go in together, in one commit; each caller gets its own outcome, and
/// only once its spans are committed, so an acknowledgement means the spans are on disk.
public actor SpanCommitter {
    private let store: TraceStore
    private var waiting: [(batch: PreparedSpans, reply: CheckedContinuation<InsertOutcome, any Error>)] = []
    private var writing = false
    /// Transactions written so far; fewer than requests when requests shared commits.
    public private(set) var transactions = 0
    /// Caps one transaction, so a burst does not hold the write lock for long.
    private let maxSpansPerCommit: Int

    public init(store: TraceStore, maxSpansPerCommit: Int = 50_000) {
        self.store = store
        self.maxSpansPerCommit = maxSpansPerCommit
    }

    /// Stores one request's spans; returns when they are committed.
    public func commit(_ batch: PreparedSpans) async throws -> InsertOutcome {
        try await withCheckedThrowingContinuation { reply in
            waiting.append((batch, reply))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            var spans = 0
            let count = waiting.prefix { entry in
                defer { spans += entry.batch.count }
                return spans == 0 || spans + entry.batch.count <= maxSpansPerCommit
            }.count
            let group = Array(waiting.prefix(count))
            waiting.removeFirst(count)
            transactions += 1
            do {
                let outcomes = try await store.insert(group.map(\.batch))
                for (entry, outcome) in zip(group, outcomes) { entry.reply.resume(returning: outcome) }
            } catch where group.count > 1 {
                // One request's rows may be what failed: retry each alone, so only it is refused.
                for entry in group {
                    do { entry.reply.resume(returning: try await store.insert([entry.batch])[0]) } catch { entry.reply.resume(throwing: error) }
                }
            } catch {
                group.forEach { $0.reply.resume(throwing: error) }
            }
        }
        writing = false
    }
}
