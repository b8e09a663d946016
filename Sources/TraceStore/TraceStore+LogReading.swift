import Foundation
import GRDB
import TraceModel

/// Which log records a read selects. Every filter is answered by an index (the trace, service,
/// severity and time indexes, the body's word index).
public struct LogQuery: Sendable, Equatable {
    public var traceID: TraceID?
    /// Only records logged outside any trace.
    public var withoutTrace = false
    public var service: String?
    /// Records at this severity number or above.
    public var minimumSeverityNumber: Int?
    /// Words that must all appear in the body (full-text, whole words, any case).
    public var words: [String] = []
    /// Each of `words` may be the start of a word (`tim` finds "timeout"): a filter as it is typed.
    public var wordsArePrefixes = false
    /// Records at or after this instant (their own time, else observed time).
    public var since: UInt64?
    /// Records before this instant.
    public var before: UInt64?
    /// Records stored after this one, for following.
    public var storedAfter: Int64?
    /// And no later than this one: a follower reads up to what was there when it looked.
    public var storedThrough: Int64?
    public var limit: Int?
    public var newestFirst = true

    public init(traceID: TraceID? = nil, withoutTrace: Bool = false, service: String? = nil, minimumSeverityNumber: Int? = nil, words: [String] = [],
                wordsArePrefixes: Bool = false, since: UInt64? = nil, storedAfter: Int64? = nil, limit: Int? = nil, newestFirst: Bool = true) {
        self.traceID = traceID
        self.withoutTrace = withoutTrace
        self.service = service
        self.minimumSeverityNumber = minimumSeverityNumber
        self.words = words
        self.wordsArePrefixes = wordsArePrefixes
        self.since = since
        self.storedAfter = storedAfter
        self.limit = limit
        self.newestFirst = newestFirst
    }
}

/// A record as stored, with its place in the file (for following).
public struct StoredLogRecord: Sendable, Equatable {
    public var storedID: Int64
    public var record: LogRecord
}

/// How many log records a database holds, and how many of them are warnings or worse.
public struct LogTotals: Sendable, Equatable {
    public var records: Int
    public var warnOrAbove: Int
    public var errorOrAbove: Int

    public init(records: Int, warnOrAbove: Int, errorOrAbove: Int) {
        self.records = records
        self.warnOrAbove = warnOrAbove
        self.errorOrAbove = errorOrAbove
    }
}

extension TraceStore {
    public func logRecords(matching query: LogQuery) throws -> [StoredLogRecord] {
        var conditions: [SQL] = []
        if let traceID = query.traceID { conditions.append("l.trace_ref = (SELECT id FROM log_traces WHERE trace_id = \(Data(traceID.bytes)))") }
        if query.withoutTrace { conditions.append("l.trace_ref IS NULL") }
        if let minimum = query.minimumSeverityNumber { conditions.append(LogColumns.severity(atLeast: minimum)) }
        if let since = query.since { conditions.append(SQL(sql: "l.time_ns >= ?", arguments: [Int64(clamping: since)])) }
        if let before = query.before { conditions.append(SQL(sql: "l.time_ns < ?", arguments: [Int64(clamping: before)])) }
        if let after = query.storedAfter { conditions.append("l.id > \(after)") }
        if let through = query.storedThrough { conditions.append("l.id <= \(through)") }
        if let words = LogWords.condition(query.words, prefixes: query.wordsArePrefixes) { conditions.append(words) }
        let direction = query.newestFirst ? "DESC" : "ASC"
        // Following reads in storage order: a late record with an early time is still printed once.
        let (order, outerOrder) = query.storedAfter != nil ? ("l.id ASC", "1 ASC") : ("l.time_ns \(direction), l.id \(direction)", "2 \(direction), 1 \(direction)")
        func select(_ conditions: [SQL]) -> SQL {
            var sql: SQL = "SELECT \(sql: Self.logColumns) FROM \(sql: Self.logTables)"
            if !conditions.isEmpty { sql = sql + " WHERE " + conditions.joined(separator: " AND ") }
            sql = sql + SQL(sql: " ORDER BY \(order)")
            if let limit = query.limit { sql = sql + " LIMIT \(limit)" }
            return sql
        }
        return try writer.read { db in
            var sql = select(conditions)
            if let service = query.service {
                let resources = try Int64.fetchAll(db, sql: "SELECT r.id FROM resources r JOIN services s ON s.id = r.service_id WHERE s.name = ?", arguments: [service])
                if resources.isEmpty { return [] }
                if resources.count > 1, let limit = query.limit {
                    // Each resource's newest in its index's order, merged: an IN list would sort all of the service's records.
                    let parts = resources.map { "SELECT * FROM (" + select(conditions + ["l.resource_id = \($0)"]) + ")" }
                    sql = parts.joined(separator: " UNION ALL ") + SQL(sql: " ORDER BY \(outerOrder) LIMIT \(limit)")
                } else {
                    sql = select(conditions + ["l.resource_id IN \(resources)"])
                }
            }
            let (text, arguments) = try sql.build(db)
            let rows = try RawStatement(db, sql: text)
            try rows.bind(arguments)
            var context = ReadContext(db: db, dictionary: dictionary)
            var found: [StoredLogRecord] = []
            while try rows.step(db) { found.append(StoredLogRecord(storedID: rows.int64(0), record: try context.logRecord(from: rows))) }
            return found
        }
    }

    /// A trace's records in time order, oldest first.
    public func logRecords(inTrace traceID: TraceID) throws -> [LogRecord] {
        try writer.read { db in
            var context = ReadContext(db: db, dictionary: dictionary)
            return try context.logRecords(ofTrace: traceID)
        }
    }

    /// The last record stored so far: following starts after it.
    public func lastStoredLogID() throws -> Int64 {
        try writer.read { db in try Int64.fetchOne(db, sql: "SELECT max(id) FROM logs") ?? 0 }
    }

    /// Records stored after `storedID` (all of them for 0).
    public func logTotals(storedAfter storedID: Int64 = 0) throws -> LogTotals {
        try logTotals(where: "id > \(storedID)")
    }

    /// The records logged within a run's window (up to now while it records).
    public func logTotals(within run: RecordedRun) throws -> LogTotals {
        try logTotals(where: "time_ns >= \(Int64(clamping: run.startUnixNano)) AND time_ns < \(Int64(clamping: run.endExclusiveUnixNano ?? .max))")
    }

    private func logTotals(where condition: SQL) throws -> LogTotals {
        try writer.read { db in
            let sql: SQL = """
                SELECT count(*), count(*) FILTER (WHERE severity_number >= \(Severity.warn.lowestNumber)),
                       count(*) FILTER (WHERE severity_number >= \(Severity.error.lowestNumber))
                FROM logs WHERE \(condition)
                """
            let row = try SQLRequest<Row>(literal: sql).fetchOne(db)
            return LogTotals(records: row?[0] ?? 0, warnOrAbove: row?[1] ?? 0, errorOrAbove: row?[2] ?? 0)
        }
    }

    /// The count of records at ERROR or above in each of these traces (absent where none).
    public func errorLogCounts(inTraces traceIDs: [TraceID]) throws -> [TraceID: Int] {
        guard !traceIDs.isEmpty else { return [:] }
        return try writer.read { db in
            let ids = traceIDs.map { Data($0.bytes) }
            let rows = try SQLRequest<Row>(literal: """
                SELECT lt.trace_id, count(*) FROM log_traces lt JOIN logs l ON l.trace_ref = lt.id
                WHERE lt.trace_id IN \(ids) AND l.severity_number >= \(Severity.error.lowestNumber)
                GROUP BY lt.trace_id
                """).fetchAll(db)
            var counts: [TraceID: Int] = [:]
            for row in rows {
                if let id = TraceID(bytes: [UInt8](row[0] as Data)) { counts[id] = row[1] }
            }
            return counts
        }
    }

    static let logColumns = """
        l.id, l.time_ns, l.observed_delta_ns, l.severity_number, l.severity_text, l.body, l.body_value, l.attributes,
        l.dropped_attributes_count, l.flags, lt.trace_id, l.span_id, l.event_name, l.resource_id, l.scope_id
        """

    /// What `logColumns` reads from.
    static let logTables = "logs l LEFT JOIN log_traces lt ON lt.id = l.trace_ref"
}

extension ReadContext {
    /// A trace's records in time order, in this read.
    mutating func logRecords(ofTrace id: TraceID) throws -> [LogRecord] {
        let rows = try RawStatement(db, sql: """
            SELECT \(TraceStore.logColumns) FROM \(TraceStore.logTables)
            WHERE l.trace_ref = (SELECT id FROM log_traces WHERE trace_id = ?) ORDER BY l.time_ns, l.id
            """)
        rows.bind(1, bigEndian: id.high, id.low)
        var records: [LogRecord] = []
        while try rows.step(db) { records.append(try logRecord(from: rows)) }
        return records
    }

    /// A record from a row of `TraceStore.logColumns`.
    mutating func logRecord(from row: RawStatement) throws -> LogRecord {
        let resourceID = row.int64(13)
        let scopeID = row.int64(14)
        let body: AttributeValue
        if let text = row.text(5) {
            body = .string(text)
        } else if let value = row.text(6) {
            body = try CompactJSON.attributeValue(CompactJSON.Parser.parse(value))
        } else {
            body = .empty
        }
        var traceID: TraceID?
        if !row.isNull(10) {
            guard let (high, low) = row.bigEndianPair(10) else { throw TraceStoreError.corrupt("a log record's trace id that is not 16 bytes") }
            traceID = TraceID(high: high, low: low)
        }
        var spanID: SpanID?
        if !row.isNull(11) {
            guard let value = row.bigEndianUInt64(11) else { throw TraceStoreError.corrupt("a log record's span id that is not 8 bytes") }
            spanID = SpanID(value)
        }
        // The stored time is the record's own; without a delta, it was unset and this is when it was observed.
        let time = UInt64(bitPattern: row.int64(1))
        let severityNumber = Int(row.int64(3))
        return LogRecord(
            timeUnixNano: row.isNull(2) ? 0 : time,
            observedTimeUnixNano: time &+ UInt64(bitPattern: row.int64(2)),
            severityNumber: severityNumber,
            severityText: row.text(4) ?? LogColumns.canonicalText(severityNumber),
            body: body,
            attributes: try CompactJSON.attributes(row.text(7), keys: try keyNames()),
            droppedAttributesCount: UInt32(truncatingIfNeeded: row.int64(8)),
            flags: UInt32(truncatingIfNeeded: row.int64(9)),
            traceID: traceID,
            spanID: spanID,
            eventName: row.text(12) ?? "",
            resource: try resources[resourceID] ?? resource(resourceID),
            scope: try scopes[scopeID] ?? scope(scopeID))
    }
}

/// How a record's fields are stored more compactly than sent, written and read in one place.
enum LogColumns {
    /// The text a level's own name is stored as NULL; any other text (an empty one too) as it is.
    static func storedText(_ text: String, number: Int) -> String? {
        text == canonicalText(number) && !text.isEmpty ? nil : text
    }

    static func canonicalText(_ number: Int) -> String { Severity(number: number)?.name ?? "" }

    /// Records of `l` at `minimum` or above; from WARN up the condition names the partial index's
    /// own floor as a literal, which is what lets SQLite choose `logs_at_warn`.
    static func severity(atLeast minimum: Int) -> SQL {
        let indexed = Severity.warn.lowestNumber
        return minimum >= indexed ? "l.severity_number >= \(minimum) AND \(sql: "l.severity_number >= \(indexed)")" : "l.severity_number >= \(minimum)"
    }

    /// The time indexed and read by (the record's own, else when observed), and the observed
    /// time as a difference from it, NULL when the record's own time was unset.
    static func times(_ record: LogRecord) -> (time: Int64, observedDelta: Int64?) {
        guard record.timeUnixNano != 0 else { return (Int64(bitPattern: record.observedTimeUnixNano), nil) }
        return (Int64(bitPattern: record.timeUnixNano), Int64(bitPattern: record.observedTimeUnixNano &- record.timeUnixNano))
    }
}
