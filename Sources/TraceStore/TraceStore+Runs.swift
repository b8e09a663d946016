import GRDB
import TraceModel

extension TraceStore {
    /// v8: the recording sessions (`trace run`, `exec`, `collect`) a file has seen, so runs can be
    /// listed, selected and compared; a run's telemetry is found by its time window, not tagged row by row.
    static func migrateToV8(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE runs (
                id INTEGER PRIMARY KEY,
                kind TEXT NOT NULL,
                label TEXT,
                command_line TEXT NOT NULL,
                start_ns INTEGER NOT NULL,
                end_ns INTEGER,
                exit_code INTEGER,
                traces INTEGER,
                spans INTEGER,
                error_traces INTEGER,
                log_records INTEGER,
                metric_points INTEGER
            );
            CREATE INDEX runs_by_label ON runs(label, id);
            """)
    }

    /// Records that a run has begun; it selects what starts from now until `finishRun`.
    public func beginRun(_ kind: RecordedRun.Kind, label: String?, commandLine: String, startUnixNano: UInt64) throws -> RecordedRun {
        try writer.write { db in
            try db.execute(literal: """
                INSERT INTO runs (kind, label, command_line, start_ns) VALUES (\(kind.rawValue), \(label), \(commandLine), \(Int64(clamping: startUnixNano)))
                """)
            return RecordedRun(id: db.lastInsertedRowID, kind: kind, label: label, commandLine: commandLine, startUnixNano: startUnixNano)
        }
    }

    /// Closes a run's window and counts what it recorded.
    @discardableResult
    public func finishRun(_ id: Int64, endUnixNano: UInt64, exitCode: Int32?) throws -> RecordedRun? {
        try writer.write { db in
            guard let start = try Int64.fetchOne(db, sql: "SELECT start_ns FROM runs WHERE id = ?", arguments: [id]) else { return nil }
            let end = Int64(clamping: endUnixNano)
            try db.execute(literal: """
                UPDATE runs SET end_ns = \(end), exit_code = \(exitCode),
                    (traces, spans, error_traces) = (SELECT count(*), coalesce(sum(span_count), 0), count(*) FILTER (WHERE error_count > 0)
                                                     FROM traces WHERE start_ns BETWEEN \(start) AND \(end)),
                    log_records = (SELECT count(*) FROM logs WHERE time_ns BETWEEN \(start) AND \(end)),
                    metric_points = (SELECT count(*) FROM metric_points WHERE time_ns BETWEEN \(start) AND \(end))
                WHERE id = \(id)
                """)
            return try Self.runs(in: db, literal: "WHERE id = \(id)").first
        }
    }

    /// Every run, oldest first.
    public func runs() throws -> [RecordedRun] {
        try writer.read { db in try Self.runs(in: db, literal: "ORDER BY id") }
    }

    /// The run a selector names, or nil when there is none.
    public func run(_ selector: RunSelector) throws -> RecordedRun? {
        try writer.read { db in
            switch selector {
            case .id(let id): try Self.runs(in: db, literal: "WHERE id = \(id)").first
            case .label(let label): try Self.runs(in: db, literal: "WHERE label = \(label) ORDER BY id DESC LIMIT 1").first
            case .last(let back): try Self.runs(in: db, literal: "ORDER BY id DESC LIMIT 1 OFFSET \(back)").first
            }
        }
    }

    /// Forgets a run (its telemetry stays unless pruned).
    public func deleteRun(_ id: Int64) throws {
        try writer.write { db in try db.execute(literal: "DELETE FROM runs WHERE id = \(id)") }
    }

    private static func runs(in db: Database, literal clause: SQL) throws -> [RecordedRun] {
        let sql: SQL = """
            SELECT id, kind, label, command_line, start_ns, end_ns, exit_code, traces, spans, error_traces, log_records, metric_points
            FROM runs \(clause)
            """
        let (text, arguments) = try sql.build(db)
        return try Row.fetchAll(db, sql: text, arguments: arguments).map { row in
            let traces: Int? = row[7]
            return RecordedRun(
                id: row[0], kind: RecordedRun.Kind(rawValue: row[1]) ?? .collect, label: row[2], commandLine: row[3],
                startUnixNano: UInt64(clamping: row[4] as Int64), endUnixNano: (row[5] as Int64?).map { UInt64(clamping: $0) }, exitCode: row[6],
                totals: traces.map { RecordedRun.Totals(traces: $0, spans: row[8], errorTraces: row[9], logRecords: row[10], metricPoints: row[11]) })
        }
    }
}

extension TraceQuery {
    /// Narrowed to the traces that started within a run (up to now while it records).
    public func within(_ run: RecordedRun) -> TraceQuery {
        var query = self
        query.startedAtOrAfterUnixNano = Swift.max(query.startedAtOrAfterUnixNano ?? 0, run.startUnixNano)
        if let end = run.endExclusiveUnixNano { query.startedBeforeUnixNano = Swift.min(query.startedBeforeUnixNano ?? .max, end) }
        return query
    }
}

extension LogQuery {
    /// Narrowed to the records logged within a run (up to now while it records).
    public func within(_ run: RecordedRun) -> LogQuery {
        var query = self
        query.since = Swift.max(query.since ?? 0, run.startUnixNano)
        if let end = run.endExclusiveUnixNano { query.before = Swift.min(query.before ?? .max, end) }
        return query
    }
}
