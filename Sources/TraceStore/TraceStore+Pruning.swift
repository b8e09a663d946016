import GRDB

/// Which traces a prune removes.
public enum PruneSelection: Sendable, Equatable {
    /// Traces that started before this instant.
    case startedBefore(unixNano: UInt64)
    /// Traces that started at or after one instant and before another: a run's.
    case startedWithin(atOrAfterUnixNano: UInt64, beforeUnixNano: UInt64)
    /// All but the newest `count` traces (by start).
    case allButNewest(count: Int)
    /// The traces a search found.
    case traces(TraceSet)
}

/// What a prune removed (or would remove).
public struct PruneOutcome: Sendable, Equatable {
    public var traces: Int
    public var spans: Int
    /// Traces left in the database.
    public var remaining: Int
}

extension PruneSelection {
    /// The span of time a selection by time covers: its log records and metric points go with its traces.
    var timeWindow: (from: UInt64, before: UInt64)? {
        switch self {
        case .startedBefore(let instant): (0, instant)
        case .startedWithin(let from, let before): (from, before)
        case .allButNewest, .traces: nil
        }
    }
}

extension TraceStore {
    /// Deletes whole traces, their spans, log records and summaries in one transaction, so no half
    /// trace is ever left; resources and scopes nothing uses any more go too. Pruning by age also
    /// deletes the log records of no stored trace, and the metric points, from before that instant. With `dryRun`, only counts.
    @discardableResult
    public func prune(_ selection: PruneSelection, dryRun: Bool = false) throws -> PruneOutcome {
        let (condition, arguments): (String, StatementArguments) = switch selection {
        case .startedBefore(let instant): ("start_ns < ?", [Int64(clamping: instant)])
        case .startedWithin(let from, let before): ("start_ns >= ? AND start_ns < ?", [Int64(clamping: from), Int64(clamping: before)])
        case .allButNewest(let count): ("id NOT IN (SELECT id FROM traces ORDER BY start_ns DESC, id LIMIT ?)", [Int64(max(0, count))])
        case .traces(let set): ("id IN (SELECT value FROM json_each(?))", [set.jsonArray])
        }
        // Resource and scope ids may go: the writer must not reuse the ones it remembers.
        defer { storeWriter.reset() }
        return try writer.write { db in
            try db.execute(sql: "CREATE TEMP TABLE doomed (id INTEGER PRIMARY KEY)")
            defer { try? db.execute(sql: "DROP TABLE temp.doomed") }
            try db.execute(sql: "INSERT INTO doomed SELECT id FROM traces WHERE \(condition)", arguments: arguments)
            let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(span_count), 0) FROM traces WHERE id IN doomed")
            let total = try Int.fetchOne(db, sql: "SELECT count(*) FROM traces") ?? 0
            let outcome = PruneOutcome(traces: row?[0] ?? 0, spans: row?[1] ?? 0, remaining: total - (row?[0] ?? 0))
            guard !dryRun else { return outcome }
            if let (from, before) = selection.timeWindow {
                let window: StatementArguments = [Int64(clamping: from), Int64(clamping: before)]
                // Records of no stored trace (none at all, or one whose spans never arrived) go by their own time.
                try db.execute(sql: """
                    DELETE FROM logs WHERE time_ns >= ? AND time_ns < ? AND (trace_ref IS NULL OR trace_ref IN
                        (SELECT lt.id FROM log_traces lt WHERE NOT EXISTS (SELECT 1 FROM traces t WHERE t.trace_id = lt.trace_id)))
                    """, arguments: window)
                // Metric points go by their time; their series stay, a few rows each.
                try db.execute(sql: "DELETE FROM metric_exemplars WHERE point_time_ns >= ? AND point_time_ns < ?", arguments: window)
                try db.execute(sql: "DELETE FROM metric_points WHERE series_id IN (SELECT id FROM metric_series) AND time_ns >= ? AND time_ns < ?", arguments: window)
                if db.changesCount > 0 {
                    try db.execute(sql: "UPDATE metric_series SET point_count = (SELECT count(*) FROM metric_points WHERE series_id = metric_series.id)")
                }
            }
            try db.execute(sql: """
                DELETE FROM logs WHERE trace_ref IN (SELECT lt.id FROM log_traces lt JOIN traces t ON t.trace_id = lt.trace_id WHERE t.id IN doomed);
                DELETE FROM log_traces WHERE id NOT IN (SELECT trace_ref FROM logs WHERE trace_ref IS NOT NULL);
                """)
            guard outcome.traces > 0 else { return outcome }
            try db.execute(sql: """
                DELETE FROM spans WHERE trace_ref IN doomed;
                DELETE FROM trace_services WHERE trace_ref IN doomed;
                DELETE FROM traces WHERE id IN doomed;
                UPDATE store_totals SET traces = (SELECT count(*) FROM traces), spans = (SELECT coalesce(sum(span_count), 0) FROM traces);
                DELETE FROM resources WHERE id NOT IN (SELECT resource_id FROM spans UNION SELECT resource_id FROM logs UNION SELECT resource_id FROM metric_series);
                DELETE FROM scopes WHERE id NOT IN (SELECT scope_id FROM spans UNION SELECT scope_id FROM logs UNION SELECT scope_id FROM metric_series);
                """)
            // Deleted trace refs may be handed out again: the index is rebuilt from what is left.
            try AttributeIndex.rebuild(in: db)
            return outcome
        }
    }

    /// Gives the space of deleted rows back to the file system (VACUUM, then an emptied WAL).
    public func reclaimSpace() throws {
        try writer.writeWithoutTransaction { db in try db.execute(sql: "VACUUM") }
        try foldWriteAheadLog()
    }

    /// Copies the write-ahead log into the database file and empties it, so a command that wrote
    /// leaves one whole file behind, not up to 40 MB of log beside it.
    public func foldWriteAheadLog() throws {
        try writer.writeWithoutTransaction { db in try db.execute(sql: "PRAGMA wal_checkpoint(TRUNCATE)") }
    }
}
