import TraceStore

/// The single writer in front of the store. Requests that arrive while a transaction is being
/// written wait and then go in together, spans, log records and metric points alike, in one commit; each caller
/// gets its own outcome, and only once its rows are committed, so an acknowledgement means they
/// are on disk.
public actor StoreCommitter {
    private enum Rows {
        case spans(PreparedSpans)
        case logs(PreparedLogs)
        case metrics(PreparedMetrics)

        var count: Int {
            switch self {
            case .spans(let spans): spans.count
            case .logs(let logs): logs.count
            case .metrics(let metrics): metrics.count
            }
        }
    }

    private let store: TraceStore
    private var waiting: [(rows: Rows, reply: CheckedContinuation<InsertOutcome, any Error>)] = []
    private var writing = false
    /// Transactions written so far; fewer than requests when requests shared commits.
    public private(set) var transactions = 0
    /// Caps one transaction, so a burst does not hold the write lock for long.
    private let maxRowsPerCommit: Int

    public init(store: TraceStore, maxRowsPerCommit: Int = 50_000) {
        self.store = store
        self.maxRowsPerCommit = maxRowsPerCommit
    }

    /// Stores one request's spans; returns when they are committed.
    public func commit(_ batch: PreparedSpans) async throws -> InsertOutcome {
        try await commit(.spans(batch))
    }

    /// Stores one request's log records; returns when they are committed.
    public func commit(_ batch: PreparedLogs) async throws -> InsertOutcome {
        try await commit(.logs(batch))
    }

    /// Stores one request's metric points; returns when they are committed.
    public func commit(_ batch: PreparedMetrics) async throws -> InsertOutcome {
        try await commit(.metrics(batch))
    }

    private func commit(_ rows: Rows) async throws -> InsertOutcome {
        try await withCheckedThrowingContinuation { reply in
            waiting.append((rows, reply))
            if !writing {
                writing = true
                Task { await drain() }
            }
        }
    }

    private func drain() async {
        while !waiting.isEmpty {
            var rows = 0
            let count = waiting.prefix { entry in
                defer { rows += entry.rows.count }
                return rows == 0 || rows + entry.rows.count <= maxRowsPerCommit
            }.count
            let group = Array(waiting.prefix(count))
            waiting.removeFirst(count)
            transactions += 1
            do {
                let outcomes = try await insert(group.map(\.rows))
                for (entry, outcome) in zip(group, outcomes) { entry.reply.resume(returning: outcome) }
            } catch where group.count > 1 {
                // One request's rows may be what failed: retry each alone, so only it is refused.
                for entry in group {
                    do { entry.reply.resume(returning: try await insert([entry.rows])[0]) } catch { entry.reply.resume(throwing: error) }
                }
            } catch {
                group.forEach { $0.reply.resume(throwing: error) }
            }
        }
        writing = false
    }

    /// One transaction for all of them; outcomes in the order given.
    private func insert(_ group: [Rows]) async throws -> [InsertOutcome] {
        var spans: [PreparedSpans] = []
        var logs: [PreparedLogs] = []
        var metrics: [PreparedMetrics] = []
        for rows in group {
            switch rows {
            case .spans(let batch): spans.append(batch)
            case .logs(let batch): logs.append(batch)
            case .metrics(let batch): metrics.append(batch)
            }
        }
        let outcomes = try await store.insert(spans: spans, logs: logs, metrics: metrics)
        // Each kind's outcomes come back in the order given: take them in turn.
        var (nextSpans, nextLogs, nextMetrics) = (outcomes.spans.makeIterator(), outcomes.logs.makeIterator(), outcomes.metrics.makeIterator())
        return group.map { rows in
            switch rows {
            case .spans: nextSpans.next()!
            case .logs: nextLogs.next()!
            case .metrics: nextMetrics.next()!
            }
        }
    }
}
