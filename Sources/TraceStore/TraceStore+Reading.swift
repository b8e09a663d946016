import Foundation
import GRDB
import TraceModel

/// How many traces and spans a database holds.
public struct StoreTotals: Equatable, Sendable {
    public var traces: Int
    public var spans: Int

    public init(traces: Int, spans: Int) {
        self.traces = traces
        self.spans = spans
    }
}

extension TraceStore {
    /// The traces a query selects, without loading their spans.
    public func traces(matching query: TraceQuery) throws -> [TraceSummary] {
        try writer.read { db in
            let selection = try Self.selection(for: query, in: db)
            // The page is chosen first and summarised after, so the per-trace subqueries run for
            // its rows only, however many traces the filters let through.
            let sql = "SELECT \(Self.summaryColumns) FROM traces t WHERE t.id IN (SELECT t.id \(selection.sql)) ORDER BY \(selection.order)"
            // Read through the C API: names are text as the sender sent it, NUL included.
            let rows = try RawStatement(db, sql: sql)
            try rows.bind(selection.arguments)
            var summaries: [TraceSummary] = []
            while try rows.step(db) { summaries.append(try Self.summary(from: rows)) }
            return summaries
        }
    }

    /// A trace's summary, as `summary(from:)` reads it, from `traces t`.
    private static let summaryColumns = """
        t.trace_id, t.start_ns, t.end_ns, t.span_count, t.error_count,
        (SELECT name FROM services WHERE id = t.root_service_id) AS root_service,
        (SELECT name FROM span_names WHERE id = t.root_name_id) AS root_name,
        (SELECT json_group_array(name) FROM (SELECT sv.name FROM trace_services ts JOIN services sv ON sv.id = ts.service_id
             WHERE ts.trace_ref = t.id ORDER BY sv.name)) AS services
        """

    /// The SQL clauses that select a query's traces from `trace t`.
    struct Selection {
        /// `WHERE ...` over `traces t`, or empty.
        var whereClause: String
        var filter: String
        var order: String
        var limit: String
        var arguments: StatementArguments
        /// `FROM trace t WHERE ... ORDER BY ... LIMIT ...`
        var sql: String { "\(filter) ORDER BY \(order) \(limit)" }
    }

    /// The selection, with the query's attribute matches answered by the attribute index: the
    /// traces that have them all, as a list of refs.
    static func selection(for query: TraceQuery, in db: Database) throws -> Selection {
        selection(for: query, traceRefs: try indexedRefs(for: query, in: db))
    }

    /// The traces the query's index-answered parts allow (attribute matches, candidates, a found
    /// set), intersected; nil when it has none.
    private static func indexedRefs(for query: TraceQuery, in db: Database) throws -> Set<Int64>? {
        var refs: Set<Int64>?
        func narrow(to found: Set<Int64>) { refs = refs.map { $0.intersection(found) } ?? found }
        for match in query.attributes {
            narrow(to: try AttributeIndex.traceRefs(key: match.key, values: AttributeIndex.Value.candidates(for: match.value), in: db))
        }
        if let candidates = query.candidates, let found = try candidateRefs(candidates, in: db) { narrow(to: found) }
        if let within = query.within { narrow(to: Set(within.refs)) }
        return refs
    }

    /// The refs of the traces the candidates allow; nil for every trace.
    private static func candidateRefs(_ candidates: TraceCandidates, in db: Database) throws -> Set<Int64>? {
        func refs(_ sql: String, _ arguments: StatementArguments = []) throws -> Set<Int64> { Set(try Int64.fetchAll(db, sql: sql, arguments: arguments)) }
        func list(_ texts: [String]) throws -> String { String(decoding: try JSONEncoder().encode(texts), as: UTF8.self) }
        switch candidates {
        case .all: return nil
        case .none: return []
        case .attribute(let key, let values): return try AttributeIndex.candidateRefs(key: key, values: values, in: db)
        case .spanNames(let names):
            return try refs("SELECT DISTINCT trace_ref FROM spans WHERE name_id IN (SELECT id FROM span_names WHERE name IN (SELECT value FROM json_each(?)))", [try list(names)])
        case .services(let names):
            return try refs("SELECT DISTINCT trace_ref FROM trace_services WHERE service_id IN (SELECT id FROM services WHERE name IN (SELECT value FROM json_each(?)))", [try list(names)])
        case .errors: return try refs("SELECT id FROM traces WHERE error_count > 0")
        case .logs(let minimum, let words):
            var conditions: [SQL] = ["l.trace_ref IS NOT NULL"]
            if let minimum { conditions.append(LogColumns.severity(atLeast: minimum)) }
            if let words = LogWords.condition(words, prefixes: true) { conditions.append(words) }
            let request: SQL = """
                SELECT t.id FROM traces t WHERE t.trace_id IN
                    (SELECT lt.trace_id FROM logs l JOIN log_traces lt ON lt.id = l.trace_ref WHERE \(conditions.joined(separator: " AND ")))
                """
            let (sql, arguments) = try request.build(db)
            return try refs(sql, arguments)
        case .traceDuration(let minimum, let maximum):
            return try refs("SELECT id FROM traces WHERE end_ns - start_ns BETWEEN ? AND ?", [Int64(clamping: minimum ?? 0), Int64(clamping: maximum ?? UInt64.max)])
        case .and(let parts):
            var found: Set<Int64>?
            for part in parts {
                guard let refs = try candidateRefs(part, in: db) else { continue }
                found = found.map { $0.intersection(refs) } ?? refs
                if found?.isEmpty == true { return [] }
            }
            return found
        case .or(let parts):
            var found = Set<Int64>()
            for part in parts {
                guard let refs = try candidateRefs(part, in: db) else { return nil }
                found.formUnion(refs)
            }
            return found
        }
    }

    /// What the attribute index knows of a key's values: a search picks the ones it wants.
    public func indexedValues(ofAttribute key: String) throws -> IndexedAttributeValues {
        try writer.read { db in try AttributeIndex.values(ofKey: key, in: db) }
    }

    /// Every span name stored, once each.
    public func spanNames() throws -> [String] {
        try writer.read { db in try Self.texts(db, sql: "SELECT name FROM span_names") }
    }

    /// Every service name stored, once each.
    public func serviceNames() throws -> [String] {
        try writer.read { db in try Self.texts(db, sql: "SELECT name FROM services") }
    }

    /// Column 0 of every row, read through the C API: as sent, NUL included.
    private static func texts(_ db: Database, sql: String) throws -> [String] {
        let rows = try RawStatement(db, sql: sql)
        var texts: [String] = []
        while try rows.step(db) { texts.append(rows.text(0) ?? "") }
        return texts
    }

    private static func selection(for query: TraceQuery, traceRefs: Set<Int64>?) -> Selection {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let traceRefs {
            conditions.append("t.id IN (SELECT value FROM json_each(?))")
            arguments.append(TraceSet(refs: traceRefs.sorted()).jsonArray)
        }
        if let service = query.service {
            conditions.append("""
                EXISTS (SELECT 1 FROM trace_services ts WHERE ts.trace_ref = t.id AND ts.service_id = (SELECT id FROM services WHERE name = ?))
                """)
            arguments.append(service)
        }
        if let text = query.nameContains {
            // The names dictionary is small: match it first, then reach the spans through their name index.
            conditions.append("t.id IN (SELECT trace_ref FROM spans WHERE name_id IN (SELECT id FROM span_names WHERE instr(name, ?) > 0))")
            arguments.append(text)
        }
        if let minimum = query.minDurationNanos {
            conditions.append("t.end_ns - t.start_ns >= ?")
            arguments.append(Int64(clamping: minimum))
        }
        if let maximum = query.maxDurationNanos {
            conditions.append("t.end_ns - t.start_ns <= ?")
            arguments.append(Int64(clamping: maximum))
        }
        if query.errorsOnly { conditions.append("t.error_count > 0") }
        if let text = query.text, !text.isEmpty {
            conditions.append("""
                (lower(hex(t.trace_id)) LIKE ? ESCAPE '\\'
                 OR t.id IN (SELECT trace_ref FROM trace_services WHERE service_id IN (SELECT id FROM services WHERE instr(name, ?) > 0))
                 OR t.id IN (SELECT trace_ref FROM spans WHERE name_id IN (SELECT id FROM span_names WHERE instr(name, ?) > 0))
                 OR EXISTS (SELECT 1 FROM spans s WHERE s.trace_ref = t.id AND instr(s.attributes, ?) > 0))
                """)
            let escaped = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            arguments += [escaped + "%", text, text, text]
        }
        if let since = query.startedAtOrAfterUnixNano {
            conditions.append("t.start_ns >= ?")
            arguments.append(Int64(clamping: since))
        }
        if let before = query.startedBeforeUnixNano {
            conditions.append("t.start_ns < ?")
            arguments.append(Int64(clamping: before))
        }
        if let cursor = query.arrivedAfter {
            conditions.append("t.id > ?")
            arguments.append(cursor.ref)
        }
        if let part = query.part {
            conditions.append("t.id >= ? AND t.id < ?")
            arguments += [part.refs.lowerBound, part.refs.upperBound]
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let order = switch (query.order, query.fromTheEnd) {
        case _ where query.arrivedAfter != nil: "t.id"
        // Ties go by arrival (`id`), the last column of every index: both orders, and their
        // reverses, are read straight off an index, so a short page never sorts the table.
        case (.start, false): "t.start_ns DESC, t.id"
        case (.start, true): "t.start_ns ASC, t.id DESC"
        case (.duration, false): "t.end_ns - t.start_ns DESC, t.id"
        case (.duration, true): "t.end_ns - t.start_ns ASC, t.id DESC"
        }
        let limit = query.limit.map { "LIMIT \(max(0, $0)) OFFSET \(max(0, query.offset))" } ?? ""
        return Selection(whereClause: whereClause, filter: "FROM traces t \(whereClause)", order: order, limit: limit, arguments: StatementArguments(arguments))
    }

    /// Where the newest stored trace stands in arrival order: following starts after it.
    public func arrivalCursor() throws -> ArrivalCursor {
        try writer.read { db in ArrivalCursor(ref: try Int64.fetchOne(db, sql: "SELECT max(id) FROM traces") ?? 0) }
    }

    /// The traces the query selects that arrived after `cursor`, in arrival order, each with its
    /// own place (its `limit` and `order` are not used).
    public func traces(arrivedAfter cursor: ArrivalCursor, matching query: TraceQuery) throws -> [(summary: TraceSummary, cursor: ArrivalCursor)] {
        var query = query
        query.arrivedAfter = cursor
        query.limit = nil
        return try writer.read { db in
            let selection = try Self.selection(for: query, in: db)
            let sql = "SELECT \(Self.summaryColumns), t.id \(selection.sql)"
            let rows = try RawStatement(db, sql: sql)
            try rows.bind(selection.arguments)
            var found: [(TraceSummary, ArrivalCursor)] = []
            while try rows.step(db) { found.append((try Self.summary(from: rows), ArrivalCursor(ref: rows.int64(8)))) }
            return found
        }
    }

    /// Full trace ids that start with a hex prefix, at most `limit` of them. Sixteen digits that
    /// start none also name a 64-bit id (Zipkin's, as its apps log them), stored padded to 128 bits.
    public func traceIDs(withPrefix prefix: String, limit: Int = 10) throws -> [TraceID] {
        let found = try traceIDs(startingWith: prefix, limit: limit)
        guard found.isEmpty, prefix.count == 16 else { return found }
        return try traceIDs(startingWith: String(repeating: "0", count: 16) + prefix, limit: limit)
    }

    private func traceIDs(startingWith prefix: String, limit: Int) throws -> [TraceID] {
        let lower = prefix.lowercased()
        guard lower.count <= 32, lower.allSatisfy(\.isHexDigit) else { return [] }
        let padding = 32 - lower.count
        guard let first = TraceID(hex: lower + String(repeating: "0", count: padding)),
              let last = TraceID(hex: lower + String(repeating: "f", count: padding)) else { return [] }
        return try writer.read { db in
            try Data.fetchAll(db, sql: "SELECT trace_id FROM traces WHERE trace_id BETWEEN ? AND ? ORDER BY trace_id LIMIT ?",
                              arguments: [Data(first.bytes), Data(last.bytes), limit])
                .compactMap { TraceID(bytes: $0) }
        }
    }

    /// Every stored span of one trace; nil when the trace is unknown.
    /// Without `details`, attributes, events and links are left empty, which is much cheaper.
    public func trace(_ traceID: TraceID, details: Bool = true) throws -> Trace? {
        try traces(withIDs: [traceID], details: SpanDetails(details)).first
    }

    /// Calls `body` with every trace the query selects, one at a time and in no particular order,
    /// reading all of them in one pass so memory stays flat on any number of traces.
    public func forEachTrace(matching query: TraceQuery, details: Bool = false, _ body: (Trace) throws -> Void) throws {
        try forEachStoredTrace(matching: query, details: SpanDetails(details)) { try body($1) }
    }

    /// `forEachTrace`, with each trace's place in the file, to make a `TraceSet` of.
    public func forEachStoredTrace(matching query: TraceQuery, details: SpanDetails = .none, _ body: (TraceRef, Trace) throws -> Void) throws {
        try writer.read { db in
            let selection = try Self.selection(for: query, in: db)
            // The filter applies to the outer `traces t` directly: no order or limit is needed here,
            // and walking traces by id reads each one's spans through the (trace_ref, span_id) index.
            let filter = query.limit == nil ? selection.whereClause : "WHERE t.id IN (SELECT t.id \(selection.sql))"
            let sql = """
                SELECT t.trace_id, \(Self.spanColumns(details: details)) FROM traces t JOIN spans s ON s.trace_ref = t.id
                \(filter) ORDER BY t.id
                """
            var context = ReadContext(db: db, dictionary: dictionary)
            var current: [Span] = []
            var currentID: TraceID?
            var currentRef: Int64?
            let rows = try RawStatement(db, sql: sql)
            try rows.bind(selection.arguments)
            while try rows.step(db) {
                // Rows come trace by trace: the id is decoded once a trace, where its ref changes.
                let ref = rows.int64(SpanColumn.traceRef)
                if ref != currentRef {
                    if let id = currentID, let currentRef {
                        try body(TraceRef(value: currentRef), Trace(traceID: id, spans: current, logs: details.logs ? try context.logRecords(ofTrace: id) : []))
                        current.removeAll(keepingCapacity: true)
                    }
                    currentRef = ref
                    currentID = try Self.traceID(in: rows)
                }
                current.append(try context.span(from: rows, traceID: currentID!, details: details))
            }
            if let id = currentID, let currentRef {
                try body(TraceRef(value: currentRef), Trace(traceID: id, spans: current, logs: details.logs ? try context.logRecords(ofTrace: id) : []))
            }
        }
    }

    /// `forEachTrace` over `parts` disjoint parts of the selection at once, one reader each, every
    /// part filling its own accumulator (`start`, then `add` a trace at a time, then `finish`).
    public func forEachTrace<Partial: Sendable>(
        matching query: TraceQuery, inParallel parts: Int, details: Bool = false, start: @escaping @Sendable () -> Partial,
        add: @escaping @Sendable (inout Partial, Trace) -> Void, finish: @escaping @Sendable (inout Partial) -> Void = { _ in }
    ) async throws -> [Partial] {
        try await forEachStoredTrace(matching: query, inParallel: parts, details: SpanDetails(details), start: start, add: { add(&$0, $2) }, finish: finish)
    }

    /// `forEachTrace(inParallel:)`, with each trace's place in the file.
    public func forEachStoredTrace<Partial: Sendable>(
        matching query: TraceQuery, inParallel parts: Int, details: SpanDetails = .none, start: @escaping @Sendable () -> Partial,
        add: @escaping @Sendable (inout Partial, TraceRef, Trace) -> Void, finish: @escaping @Sendable (inout Partial) -> Void = { _ in }
    ) async throws -> [Partial] {
        try await readInParallel(matching: query, parts: parts) { store, part in
            var partial = start()
            try store.forEachStoredTrace(matching: part, details: details) { add(&partial, $0, $1) }
            finish(&partial)
            return partial
        }
    }

    /// `read` over `parts` disjoint parts of the selection at once, one reader each.
    func readInParallel<Partial: Sendable>(
        matching query: TraceQuery, parts: Int, read: @escaping @Sendable (TraceStore, TraceQuery) throws -> Partial
    ) async throws -> [Partial] {
        // The indexes are asked once, not once a part.
        let asked = query
        var query = query
        let (indexed, stored) = try await writer.read { db in
            // A page (limit and offset) is one page of the whole selection, not one a part.
            let refs = asked.limit == nil ? try Self.indexedRefs(for: asked, in: db) : Set(try Self.refs(selectedBy: asked, in: db))
            return (refs, try Row.fetchOne(db, sql: "SELECT (SELECT min(id) FROM traces), (SELECT max(id) FROM traces)").map { ($0[0] as Int64?, $0[1] as Int64?) })
        }
        if let refs = indexed {
            (query.attributes, query.candidates, query.within, query.limit, query.offset) = ([], nil, TraceSet(refs: refs.sorted()), nil, 0)
        }
        // Equal ranges of refs (of the indexed traces, when the indexes chose): equal shares of
        // the traces that arrived at an even pace.
        let refs: ClosedRange<Int64> = if let indexed, let first = indexed.min(), let last = indexed.max() {
            first...last
        } else if let stored, let first = stored.0, let last = stored.1 { first...last } else { 0...0 }
        let count = max(1, parts)
        let narrowed = query
        return try await inParallel(count) { store, index in
            var part = narrowed
            part.part = TraceQuery.Part(refs: Self.part(index, of: count, refs))
            return try read(store, part)
        }
    }

    /// The refs of the traces a query selects, its page only.
    static func refs(selectedBy query: TraceQuery, in db: Database) throws -> [Int64] {
        let selection = try selection(for: query, in: db)
        let rows = try RawStatement(db, sql: "SELECT t.id \(selection.sql)")
        try rows.bind(selection.arguments)
        var refs: [Int64] = []
        while try rows.step(db) { refs.append(rows.int64(0)) }
        return refs
    }

    /// `body(store, index)` for each index below `count`, at once, one reader each.
    func inParallel<Partial: Sendable>(_ count: Int, _ body: @escaping @Sendable (TraceStore, Int) throws -> Partial) async throws -> [Partial] {
        try await withThrowingTaskGroup(of: (Int, Partial).self) { group in
            for index in 0..<count {
                group.addTask(executorPreference: ReadingExecutor.shared) { (index, try body(self, index)) }
            }
            var results = [Partial?](repeating: nil, count: count)
            for try await (index, partial) in group { results[index] = partial }
            return results.map { $0! }
        }
    }

    /// The `index`th of `count` ranges of nearly equal length that cover `ids` together (empty
    /// when there are fewer ids than ranges).
    static func part(_ index: Int, of count: Int, _ ids: ClosedRange<Int64>) -> Range<Int64> {
        let total = ids.upperBound - ids.lowerBound + 1, count = Int64(count), index = Int64(index)
        func start(_ part: Int64) -> Int64 { ids.lowerBound + total / count * part + min(part, total % count) }
        return start(index)..<start(index + 1)
    }

    /// The trace of median duration (nearest rank) among those with the same root operation
    /// (service and span name) as `traceID`, and how many such traces there are.
    public func medianTrace(sameRootAs traceID: TraceID) throws -> (traceID: TraceID, among: Int)? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT root_service_id, root_name_id FROM traces WHERE trace_id = ?", arguments: [Data(traceID.bytes)]),
                  let service = row[0] as Int64?, let name = row[1] as Int64?
            else { return nil }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM traces WHERE root_service_id = ? AND root_name_id = ?", arguments: [service, name]) ?? 0
            guard count > 0 else { return nil }
            let id = try Data.fetchOne(db, sql: """
                SELECT trace_id FROM traces WHERE root_service_id = ? AND root_name_id = ?
                ORDER BY end_ns - start_ns, trace_id LIMIT 1 OFFSET ?
                """, arguments: [service, name, (count + 1) / 2 - 1])
            return try id.map { (try Self.traceID($0), count) }
        }
    }

    /// The trace of median duration (nearest rank) among those a query selects, and how many it selects.
    public func medianTrace(matching query: TraceQuery) throws -> (traceID: TraceID, among: Int)? {
        try writer.read { db in
            var query = query
            query.limit = nil
            let selection = try Self.selection(for: query, in: db)
            let count = try Int.fetchOne(db, sql: "SELECT count(*) \(selection.filter)", arguments: selection.arguments) ?? 0
            guard count > 0 else { return nil }
            var arguments = selection.arguments
            _ = arguments.append(contentsOf: [(count + 1) / 2 - 1])
            let id = try Data.fetchOne(db, sql: "SELECT t.trace_id \(selection.filter) ORDER BY t.end_ns - t.start_ns, t.trace_id LIMIT 1 OFFSET ?", arguments: arguments)
            return try id.map { (try Self.traceID($0), count) }
        }
    }

    /// The ids of the traces a query selects, in its order: a fixed list to work through while
    /// new traces may still arrive.
    public func traceIDs(matching query: TraceQuery) throws -> [TraceID] {
        try writer.read { db in
            let selection = try Self.selection(for: query, in: db)
            return try Data.fetchAll(db, sql: "SELECT t.trace_id \(selection.sql)", arguments: selection.arguments).map(Self.traceID)
        }
    }

    /// Whole traces by id, in the order given; ids not stored are skipped.
    public func traces(withIDs ids: [TraceID], details: SpanDetails = .all) throws -> [Trace] {
        var byID: [TraceID: [Span]] = [:]
        var logsByID: [TraceID: [LogRecord]] = [:]
        let sql = """
            SELECT t.trace_id, \(Self.spanColumns(details: details)) FROM traces t JOIN spans s ON s.trace_ref = t.id
            WHERE t.trace_id = ? ORDER BY s.rowid
            """
        try writer.read { db in
            var context = ReadContext(db: db, dictionary: dictionary)
            let rows = try RawStatement(db, sql: sql)
            for id in ids where byID[id] == nil {
                rows.bind(1, bigEndian: id.high, id.low)
                var spans: [Span] = []
                while try rows.step(db) { spans.append(try context.span(from: rows, traceID: id, details: details)) }
                if !spans.isEmpty { byID[id] = spans }
                if !spans.isEmpty, details.logs { logsByID[id] = try context.logRecords(ofTrace: id) }
            }
        }
        return ids.compactMap { id in byID[id].map { Trace(traceID: id, spans: $0, logs: logsByID[id] ?? []) } }
    }

    /// How many traces a query selects, ignoring its limit.
    public func count(matching query: TraceQuery) throws -> Int {
        try writer.read { db in
            let selection = try Self.selection(for: query, in: db)
            return try Int.fetchOne(db, sql: "SELECT count(*) \(selection.filter)", arguments: selection.arguments) ?? 0
        }
    }

    /// Where a trace sits in a query's order (0-based), or nil if the query does not select it.
    public func position(of traceID: TraceID, in query: TraceQuery) throws -> Int? {
        try writer.read { db in
            let selection = try Self.selection(for: query, in: db)
            let sql = "SELECT position FROM (SELECT t.trace_id, row_number() OVER (ORDER BY \(selection.order)) - 1 AS position \(selection.filter)) WHERE trace_id = ?"
            var arguments = selection.arguments
            _ = arguments.append(contentsOf: [Data(traceID.bytes)])
            return try Int.fetchOne(db, sql: sql, arguments: arguments)
        }
    }

    public func totals(startedAtOrAfterUnixNano since: UInt64? = nil) throws -> StoreTotals {
        try writer.read { db in
            // The whole file's totals are kept in one row, so a first screen need not count 200,000 traces.
            if since == nil, let row = try Row.fetchOne(db, sql: "SELECT traces, spans FROM store_totals") {
                return StoreTotals(traces: row[0], spans: row[1])
            }
            let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(span_count), 0) FROM traces WHERE start_ns >= ?",
                                       arguments: [Int64(clamping: since ?? 0)])
            return StoreTotals(traces: row?[0] ?? 0, spans: row?[1] ?? 0)
        }
    }

    // MARK: Row mapping

    /// Columns by position (`SpanColumn`, after the trace id): reading rows by index instead of
    /// by name halves the cost of a big trace. Without details, the JSON columns are not read at all.
    private static func spanColumns(details: SpanDetails) -> String {
        """
        s.span_id, s.parent_span_id, s.trace_state, s.flags, s.name_id, s.kind, s.start_ns, s.duration_ns, s.status_code,
        s.status_message, s.dropped_attributes_count, s.dropped_events_count, s.dropped_links_count, s.resource_id, s.scope_id,
        s.trace_ref\(details.readsJSON ? ", s.attributes, s.events, s.links" : "")
        """
    }

    fileprivate enum SpanColumn {
        static let spanID: Int32 = 1, parentSpanID: Int32 = 2, traceState: Int32 = 3, flags: Int32 = 4, nameID: Int32 = 5
        static let kind: Int32 = 6, start: Int32 = 7, duration: Int32 = 8, statusCode: Int32 = 9, statusMessage: Int32 = 10
        static let droppedAttributes: Int32 = 11, droppedEvents: Int32 = 12, droppedLinks: Int32 = 13
        static let resourceID: Int32 = 14, scopeID: Int32 = 15, traceRef: Int32 = 16, attributes: Int32 = 17, events: Int32 = 18, links: Int32 = 19
    }

    fileprivate static func traceID(_ blob: Data) throws -> TraceID {
        guard let id = TraceID(bytes: blob) else { throw TraceStoreError.corrupt("a trace id of \(blob.count) bytes") }
        return id
    }

    /// The trace id in column 0 of a span row.
    fileprivate static func traceID(in row: RawStatement) throws -> TraceID {
        guard let (high, low) = row.bigEndianPair(0) else { throw TraceStoreError.corrupt("a trace id that is not 16 bytes") }
        return TraceID(high: high, low: low)
    }

    private static func summary(from row: RawStatement) throws -> TraceSummary {
        let services = try row.text(7).map { try JSONDecoder().decode([String].self, from: Data($0.utf8)) } ?? []
        return TraceSummary(
            traceID: try traceID(in: row),
            startTimeUnixNano: UInt64(bitPattern: row.int64(1)),
            endTimeUnixNano: UInt64(bitPattern: row.int64(2)),
            spanCount: Int(row.int64(3)),
            errorCount: Int(row.int64(4)),
            services: services,
            rootService: row.text(5),
            rootName: row.text(6))
    }
}

/// What one read needs besides the span rows: dictionary names, resources and scopes, each
/// fetched once when first referenced.
struct ReadContext {
    let db: Database
    let dictionary: DictionaryCache
    private(set) var resources = IDCache<Resource>()
    private(set) var scopes = IDCache<InstrumentationScope>()
    /// Names seen in this read, without taking the shared cache's lock for every span.
    var names = IDCache<String>()
    /// Attribute keys, fetched once a read: a read sees one snapshot, so none can appear during it.
    var keys: [Int64: String]?
    /// The ids of the attribute keys a read decodes, when it decodes only some.
    var keptKeyIDs: Set<Int64>?

    init(db: Database, dictionary: DictionaryCache) {
        self.db = db
        self.dictionary = dictionary
    }

    mutating func span(from row: RawStatement, traceID: TraceID, details: SpanDetails) throws -> Span {
        typealias C = TraceStore.SpanColumn
        let resourceID = row.int64(C.resourceID)
        let scopeID = row.int64(C.scopeID)
        let resource = try resources[resourceID] ?? self.resource(resourceID)
        let scope = try scopes[scopeID] ?? self.scope(scopeID)
        let start = UInt64(bitPattern: row.int64(C.start))
        let keys = details.readsJSON ? try keyNames() : [:]
        guard let spanID = row.bigEndianUInt64(C.spanID) else { throw TraceStoreError.corrupt("a span id that is not 8 bytes") }
        var parentSpanID: SpanID?
        if !row.isNull(C.parentSpanID) {
            guard let parent = row.bigEndianUInt64(C.parentSpanID) else { throw TraceStoreError.corrupt("a parent span id that is not 8 bytes") }
            parentSpanID = SpanID(parent)
        }
        return Span(
            traceID: traceID,
            spanID: SpanID(spanID),
            parentSpanID: parentSpanID,
            traceState: row.text(C.traceState) ?? "",
            flags: UInt32(truncatingIfNeeded: row.int64(C.flags)),
            name: try name(row.int64(C.nameID)),
            kind: SpanKind(rawValue: Int(row.int64(C.kind))) ?? .unspecified,
            startTimeUnixNano: start,
            endTimeUnixNano: start &+ UInt64(bitPattern: row.int64(C.duration)),
            attributes: try attributes(row.text(C.attributes), details: details, keys: keys),
            droppedAttributesCount: UInt32(truncatingIfNeeded: row.int64(C.droppedAttributes)),
            events: details.events ? try CompactJSON.events(row.text(C.events), spanStart: start, keys: keys) : [],
            droppedEventsCount: UInt32(truncatingIfNeeded: row.int64(C.droppedEvents)),
            links: details.links ? try CompactJSON.links(row.text(C.links), keys: keys) : [],
            droppedLinksCount: UInt32(truncatingIfNeeded: row.int64(C.droppedLinks)),
            status: SpanStatus(code: SpanStatus.Code(rawValue: Int(row.int64(C.statusCode))) ?? .unset, message: row.text(C.statusMessage) ?? ""),
            resource: resource,
            scope: scope)
    }

    private mutating func attributes(_ text: String?, details: SpanDetails, keys: [Int64: String]) throws -> [Attribute] {
        guard let wanted = details.attributeKeys else { return try CompactJSON.attributes(text, keys: keys) }
        guard !wanted.isEmpty else { return [] }
        if keptKeyIDs == nil { keptKeyIDs = Set(keys.filter { wanted.contains($0.value) }.keys) }
        return try CompactJSON.attributes(text, keys: keys, keeping: keptKeyIDs!)
    }

    mutating func keyNames() throws -> [Int64: String] {
        if let keys { return keys }
        let loaded = try dictionary.keyNames(db)
        keys = loaded
        return loaded
    }

    mutating func name(_ id: Int64) throws -> String {
        if let name = names[id] { return name }
        let name = try dictionary.name(id, db)
        names[id] = name
        return name
    }

    mutating func resource(_ id: Int64) throws -> Resource {
        let row = try RawStatement(db, sql: "SELECT attributes, dropped_attributes_count, schema_url FROM resources WHERE id = ?")
        row.bind(1, id)
        defer { row.reset() }
        guard try row.step(db) else { throw TraceStoreError.corrupt("a span of resource \(id), which is missing") }
        let resource = Resource(attributes: try CompactJSON.attributes(row.text(0), keys: try keyNames()),
                                droppedAttributesCount: UInt32(clamping: row.int64(1)), schemaURL: row.text(2) ?? "")
        resources[id] = resource
        return resource
    }

    mutating func scope(_ id: Int64) throws -> InstrumentationScope {
        let row = try RawStatement(db, sql: "SELECT name, version, attributes, dropped_attributes_count, schema_url FROM scopes WHERE id = ?")
        row.bind(1, id)
        defer { row.reset() }
        guard try row.step(db) else { throw TraceStoreError.corrupt("a span of scope \(id), which is missing") }
        let scope = InstrumentationScope(name: row.text(0) ?? "", version: row.text(1) ?? "", attributes: try CompactJSON.attributes(row.text(2), keys: try keyNames()),
                                         droppedAttributesCount: UInt32(clamping: row.int64(3)), schemaURL: row.text(4) ?? "")
        scopes[id] = scope
        return scope
    }
}

/// Values by a dictionary table's id. The ids are rowids, small and dense, so an array serves
/// them: a whole-file read looks three up per span, where hashing each would cost more.
struct IDCache<Value> {
    private var dense: [Value?] = []
    private var sparse: [Int64: Value] = [:]

    subscript(id: Int64) -> Value? {
        get { id >= 0 && id < dense.count ? dense[Int(id)] : sparse[id] }
        set {
            guard id >= 0, id < 1 << 16 else { return sparse[id] = newValue }
            if Int(id) >= dense.count { dense += repeatElement(nil, count: Int(id) + 1 - dense.count) }
            dense[Int(id)] = newValue
        }
    }
}

