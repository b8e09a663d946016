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
        let selection = Self.selection(for: query)
        let sql = """
            SELECT t.*, (SELECT group_concat(service_name, ',') FROM
                (SELECT service_name FROM trace_service s WHERE s.trace_id = t.trace_id ORDER BY service_name)) AS services
            \(selection.sql)
            """
        return try writer.read { db in
            try Row.fetchAll(db, sql: sql, arguments: selection.arguments).compactMap(Self.summary(from:))
        }
    }

    /// The SQL clauses that select a query's traces from `trace t`.
    private struct Selection {
        var filter: String
        var order: String
        var limit: String
        var arguments: StatementArguments
        /// `FROM trace t WHERE ... ORDER BY ... LIMIT ...`
        var sql: String { "\(filter) ORDER BY \(order) \(limit)" }
    }

    private static func selection(for query: TraceQuery) -> Selection {
        var conditions: [String] = []
        var arguments: [any DatabaseValueConvertible] = []
        if let service = query.service {
            conditions.append("EXISTS (SELECT 1 FROM trace_service s WHERE s.trace_id = t.trace_id AND s.service_name = ?)")
            arguments.append(service)
        }
        if let text = query.nameContains {
            conditions.append("EXISTS (SELECT 1 FROM span WHERE span.trace_id = t.trace_id AND instr(span.name, ?) > 0)")
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
                (t.trace_id LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM trace_service s WHERE s.trace_id = t.trace_id AND instr(s.service_name, ?) > 0)
                 OR EXISTS (SELECT 1 FROM span WHERE span.trace_id = t.trace_id AND (instr(span.name, ?) > 0 OR instr(span.attributes, ?) > 0)))
                """)
            let escaped = text.lowercased().replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "%", with: "\\%").replacingOccurrences(of: "_", with: "\\_")
            arguments += [escaped + "%", text, text, text]
        }
        if let since = query.startedAtOrAfterUnixNano {
            conditions.append("t.start_ns >= ?")
            arguments.append(Int64(clamping: since))
        }
        let whereClause = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
        let order = switch (query.order, query.fromTheEnd) {
        case (.start, false): "t.start_ns DESC, t.trace_id"
        case (.start, true): "t.start_ns ASC, t.trace_id DESC"
        case (.duration, false): "t.end_ns - t.start_ns DESC, t.trace_id"
        case (.duration, true): "t.end_ns - t.start_ns ASC, t.trace_id DESC"
        }
        let limit = query.limit.map { "LIMIT \(max(0, $0)) OFFSET \(max(0, query.offset))" } ?? ""
        return Selection(filter: "FROM trace t \(whereClause)", order: order, limit: limit, arguments: StatementArguments(arguments))
    }

    /// Full trace ids that start with a hex prefix, at most `limit` of them.
    public func traceIDs(withPrefix prefix: String, limit: Int = 10) throws -> [TraceID] {
        let lower = prefix.lowercased()
        return try writer.read { db in
            try String.fetchAll(db, sql: "SELECT trace_id FROM trace WHERE trace_id >= ? AND trace_id < ? ORDER BY trace_id LIMIT ?",
                                arguments: [lower, lower + "g", limit])
                .compactMap { TraceID(hex: $0) }
        }
    }

    /// Every stored span of one trace; nil when the trace is unknown.
    /// Without `details`, attributes, events and links are left empty, which is much cheaper.
    public func trace(_ traceID: TraceID, details: Bool = true) throws -> Trace? {
        try traces(withIDs: [traceID], details: details).first
    }

    /// Calls `body` with every trace the query selects, one at a time and in no particular order,
    /// reading all of them in one pass so memory stays flat on any number of traces.
    public func forEachTrace(matching query: TraceQuery, details: Bool = false, _ body: (Trace) throws -> Void) throws {
        let selection = Self.selection(for: query)
        let sql = Self.spanSelect + " WHERE span.trace_id IN (SELECT t.trace_id \(selection.sql)) ORDER BY span.trace_id"
        try writer.read { db in
            var resources: [Int64: Resource] = [:]
            var scopes: [Int64: InstrumentationScope] = [:]
            var current: [Span] = []
            let rows = try Row.fetchCursor(db, sql: sql, arguments: selection.arguments)
            while let row = try rows.next() {
                let span = try Self.span(from: row, details: details, resources: &resources, scopes: &scopes, db: db)
                if let first = current.first, first.traceID != span.traceID {
                    try body(Trace(traceID: first.traceID, spans: current))
                    current.removeAll(keepingCapacity: true)
                }
                current.append(span)
            }
            if let first = current.first { try body(Trace(traceID: first.traceID, spans: current)) }
        }
    }

    /// The trace of median duration (nearest rank) among those with the same root operation
    /// (service and span name) as `traceID`, and how many such traces there are.
    public func medianTrace(sameRootAs traceID: TraceID) throws -> (traceID: TraceID, among: Int)? {
        try writer.read { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT root_service, root_name FROM trace WHERE trace_id = ?", arguments: [traceID.hex]),
                  let service = row[0] as String?, let name = row[1] as String?
            else { return nil }
            let count = try Int.fetchOne(db, sql: "SELECT count(*) FROM trace WHERE root_service = ? AND root_name = ?", arguments: [service, name]) ?? 0
            guard count > 0 else { return nil }
            let hex = try String.fetchOne(db, sql: """
                SELECT trace_id FROM trace WHERE root_service = ? AND root_name = ?
                ORDER BY end_ns - start_ns, trace_id LIMIT 1 OFFSET ?
                """, arguments: [service, name, (count + 1) / 2 - 1])
            return hex.flatMap { TraceID(hex: $0) }.map { ($0, count) }
        }
    }

    /// The ids of the traces a query selects, in its order: a fixed list to work through while
    /// new traces may still arrive.
    public func traceIDs(matching query: TraceQuery) throws -> [TraceID] {
        let selection = Self.selection(for: query)
        return try writer.read { db in
            try String.fetchAll(db, sql: "SELECT t.trace_id \(selection.sql)", arguments: selection.arguments).compactMap { TraceID(hex: $0) }
        }
    }

    /// Whole traces by id, in the order given; ids not stored are skipped.
    public func traces(withIDs ids: [TraceID], details: Bool = true) throws -> [Trace] {
        var byID: [TraceID: [Span]] = [:]
        try writer.read { db in
            var resources: [Int64: Resource] = [:]
            var scopes: [Int64: InstrumentationScope] = [:]
            // SQLite allows at most 32,766 bound variables; a chunk of ids per statement stays well below.
            for chunk in stride(from: 0, to: ids.count, by: 500).map({ ids[$0..<min($0 + 500, ids.count)] }) {
                let placeholders = Array(repeating: "?", count: chunk.count).joined(separator: ",")
                let rows = try Row.fetchCursor(db, sql: Self.spanSelect + " WHERE span.trace_id IN (\(placeholders))",
                                               arguments: StatementArguments(chunk.map(\.hex)))
                while let row = try rows.next() {
                    let span = try Self.span(from: row, details: details, resources: &resources, scopes: &scopes, db: db)
                    byID[span.traceID, default: []].append(span)
                }
            }
        }
        return ids.compactMap { id in byID[id].map { Trace(traceID: id, spans: $0) } }
    }

    /// How many traces a query selects, ignoring its limit.
    public func count(matching query: TraceQuery) throws -> Int {
        let selection = Self.selection(for: query)
        return try writer.read { db in try Int.fetchOne(db, sql: "SELECT count(*) \(selection.filter)", arguments: selection.arguments) ?? 0 }
    }

    /// Where a trace sits in a query's order (0-based), or nil if the query does not select it.
    public func position(of traceID: TraceID, in query: TraceQuery) throws -> Int? {
        let selection = Self.selection(for: query)
        let sql = "SELECT position FROM (SELECT t.trace_id, row_number() OVER (ORDER BY \(selection.order)) - 1 AS position \(selection.filter)) WHERE trace_id = ?"
        var arguments = selection.arguments
        _ = arguments.append(contentsOf: [traceID.hex])
        return try writer.read { db in try Int.fetchOne(db, sql: sql, arguments: arguments) }
    }

    public func totals(startedAtOrAfterUnixNano since: UInt64? = nil) throws -> StoreTotals {
        try writer.read { db in
            let row = try Row.fetchOne(db, sql: "SELECT count(*), coalesce(sum(span_count), 0) FROM trace WHERE start_ns >= ?",
                                       arguments: [Int64(clamping: since ?? 0)])
            return StoreTotals(traces: row?[0] ?? 0, spans: row?[1] ?? 0)
        }
    }

    // MARK: Row mapping

    /// Columns by position (`SpanColumn`): reading rows by index instead of by name halves the cost of a big trace.
    private static let spanSelect = """
        SELECT span.trace_id, span.span_id, span.parent_span_id, span.trace_state, span.flags, span.name, span.kind,
               span.start_ns, span.end_ns, span.status_code, span.status_message, span.attributes, span.dropped_attributes_count,
               span.events, span.dropped_events_count, span.links, span.dropped_links_count, span.resource_id, span.scope_id,
               resource.attributes, resource.dropped_attributes_count, resource.schema_url,
               scope.name, scope.version, scope.attributes, scope.dropped_attributes_count, scope.schema_url
        FROM span JOIN resource ON resource.id = span.resource_id JOIN scope ON scope.id = span.scope_id
        """

    private enum SpanColumn {
        static let traceID = 0, spanID = 1, parentSpanID = 2, traceState = 3, flags = 4, name = 5, kind = 6
        static let start = 7, end = 8, statusCode = 9, statusMessage = 10, attributes = 11, droppedAttributes = 12
        static let events = 13, droppedEvents = 14, links = 15, droppedLinks = 16, resourceID = 17, scopeID = 18
        static let resourceAttributes = 19, resourceDropped = 20, resourceSchema = 21
        static let scopeName = 22, scopeVersion = 23, scopeAttributes = 24, scopeDropped = 25, scopeSchema = 26
    }

    private static func summary(from row: Row) -> TraceSummary? {
        guard let traceID = TraceID(hex: row["trace_id"] as String) else { return nil }
        let services: String = row["services"] ?? ""
        return TraceSummary(
            traceID: traceID,
            startTimeUnixNano: UInt64(bitPattern: row["start_ns"]),
            endTimeUnixNano: UInt64(bitPattern: row["end_ns"]),
            spanCount: row["span_count"],
            errorCount: row["error_count"],
            services: services.isEmpty ? [] : services.split(separator: ",").map(String.init),
            rootService: row["root_service"],
            rootName: row["root_name"])
    }

    private static func span(from row: Row, details: Bool, resources: inout [Int64: Resource], scopes: inout [Int64: InstrumentationScope], db: Database) throws -> Span {
        typealias C = SpanColumn
        let resourceID: Int64 = row[C.resourceID]
        let scopeID: Int64 = row[C.scopeID]
        let resource = try resources[resourceID] ?? {
            let resource = Resource(
                attributes: try StoredJSON.decodeAttributes(row[C.resourceAttributes]),
                droppedAttributesCount: UInt32(row[C.resourceDropped] as Int64),
                schemaURL: row[C.resourceSchema])
            resources[resourceID] = resource
            return resource
        }()
        let scope = try scopes[scopeID] ?? {
            let scope = InstrumentationScope(
                name: row[C.scopeName], version: row[C.scopeVersion],
                attributes: try StoredJSON.decodeAttributes(row[C.scopeAttributes]),
                droppedAttributesCount: UInt32(row[C.scopeDropped] as Int64),
                schemaURL: row[C.scopeSchema])
            scopes[scopeID] = scope
            return scope
        }()
        let parentHex: String? = row[C.parentSpanID]
        return Span(
            traceID: TraceID(hex: row[C.traceID] as String) ?? TraceID(high: 0, low: 0),
            spanID: SpanID(hex: row[C.spanID] as String) ?? SpanID(0),
            parentSpanID: parentHex.flatMap { SpanID(hex: $0) },
            traceState: row[C.traceState],
            flags: UInt32(truncatingIfNeeded: row[C.flags] as Int64),
            name: row[C.name],
            kind: SpanKind(rawValue: row[C.kind]) ?? .unspecified,
            startTimeUnixNano: UInt64(bitPattern: row[C.start]),
            endTimeUnixNano: UInt64(bitPattern: row[C.end]),
            attributes: details ? try StoredJSON.decodeAttributes(row[C.attributes]) : [],
            droppedAttributesCount: UInt32(row[C.droppedAttributes] as Int64),
            events: details ? try StoredJSON.decodeEvents(row[C.events]) : [],
            droppedEventsCount: UInt32(row[C.droppedEvents] as Int64),
            links: details ? try StoredJSON.decodeLinks(row[C.links]) : [],
            droppedLinksCount: UInt32(row[C.droppedLinks] as Int64),
            status: SpanStatus(code: SpanStatus.Code(rawValue: row[C.statusCode]) ?? .unset, message: row[C.statusMessage]),
            resource: resource,
            scope: scope)
    }
}
