import GRDB
import TraceModel

/// What one insert did: spans already present (exporters retry) are counted, not stored twice.
public struct InsertOutcome: Equatable, Sendable {
    public var inserted: Int
    public var duplicates: Int
}

extension TraceStore {
    /// Stores a batch of spans in one transaction: all of them or, on error, none.
    @discardableResult
    public func insert(_ spans: [Span]) throws -> InsertOutcome {
        guard !spans.isEmpty else { return InsertOutcome(inserted: 0, duplicates: 0) }
        return try writer.write { try Self.insert(spans, in: $0) }
    }

    /// The same as `insert(_:)`, without blocking a Swift concurrency thread while SQLite writes.
    @discardableResult
    public func insert(_ spans: [Span]) async throws -> InsertOutcome {
        guard !spans.isEmpty else { return InsertOutcome(inserted: 0, duplicates: 0) }
        return try await writer.write { try Self.insert(spans, in: $0) }
    }

    private static func insert(_ spans: [Span], in db: Database) throws -> InsertOutcome {
        var resourceIDs: [Resource: Int64] = [:]
        var scopeIDs: [InstrumentationScope: Int64] = [:]
        let insertSpan = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO span (trace_id, span_id, parent_span_id, trace_state, flags, name, kind, start_ns, end_ns,
                status_code, status_message, attributes, dropped_attributes_count, events, dropped_events_count,
                links, dropped_links_count, resource_id, scope_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let upsertTrace = try db.cachedStatement(sql: """
            INSERT INTO trace (trace_id, start_ns, end_ns, span_count, error_count, root_span_id, root_service, root_name)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (trace_id) DO UPDATE SET
                start_ns = min(start_ns, excluded.start_ns),
                end_ns = max(end_ns, excluded.end_ns),
                span_count = span_count + excluded.span_count,
                error_count = error_count + excluded.error_count,
                root_span_id = coalesce(root_span_id, excluded.root_span_id),
                root_service = CASE WHEN root_span_id IS NULL THEN excluded.root_service ELSE root_service END,
                root_name = CASE WHEN root_span_id IS NULL THEN excluded.root_name ELSE root_name END
            """)
        let upsertService = try db.cachedStatement(sql: """
            INSERT INTO trace_service (trace_id, service_name, span_count) VALUES (?, ?, ?)
            ON CONFLICT (trace_id, service_name) DO UPDATE SET span_count = span_count + excluded.span_count
            """)
        var inserted = 0
        var summaries: [String: TraceDelta] = [:]
        var serviceCounts: [ServiceKey: Int] = [:]
        for span in spans {
            let resourceID = try resourceIDs[span.resource] ?? {
                let id = try Self.resourceID(for: span.resource, in: db)
                resourceIDs[span.resource] = id
                return id
            }()
            let scopeID = try scopeIDs[span.scope] ?? {
                let id = try Self.scopeID(for: span.scope, in: db)
                scopeIDs[span.scope] = id
                return id
            }()
            let traceID = span.traceID.hex
            try insertSpan.execute(arguments: [
                traceID, span.spanID.hex, span.parentSpanID?.hex, span.traceState, Int64(span.flags), span.name,
                span.kind.rawValue, Int64(bitPattern: span.startTimeUnixNano), Int64(bitPattern: span.endTimeUnixNano),
                span.status.code.rawValue, span.status.message,
                StoredJSON.encode(span.attributes), Int64(span.droppedAttributesCount),
                StoredJSON.encode(span.events), Int64(span.droppedEventsCount),
                StoredJSON.encode(span.links), Int64(span.droppedLinksCount),
                resourceID, scopeID,
            ])
            guard db.changesCount == 1 else { continue }
            inserted += 1
            summaries[traceID, default: TraceDelta()].add(span)
            serviceCounts[ServiceKey(traceID: traceID, service: span.serviceName), default: 0] += 1
        }
        // One summary update per trace and per (trace, service) per batch, not per span.
        for (traceID, delta) in summaries {
            try upsertTrace.execute(arguments: [
                traceID, Int64(bitPattern: delta.start), Int64(bitPattern: delta.end), delta.count, delta.errors,
                delta.root?.spanID.hex, delta.root?.serviceName, delta.root?.name,
            ])
        }
        for (key, count) in serviceCounts {
            try upsertService.execute(arguments: [key.traceID, key.service, count])
        }
        return InsertOutcome(inserted: inserted, duplicates: spans.count - inserted)
    }

    private static func resourceID(for resource: Resource, in db: Database) throws -> Int64 {
        let attributes = StoredJSON.encode(resource.attributes)
        let fingerprint = "\(resource.droppedAttributesCount)|\(resource.schemaURL)|\(attributes)"
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM resource WHERE fingerprint = ?", arguments: [fingerprint]) { return id }
        try db.execute(
            sql: "INSERT INTO resource (fingerprint, service_name, attributes, dropped_attributes_count, schema_url) VALUES (?, ?, ?, ?, ?)",
            arguments: [fingerprint, resource.serviceName, attributes, Int64(resource.droppedAttributesCount), resource.schemaURL])
        return db.lastInsertedRowID
    }

    private static func scopeID(for scope: InstrumentationScope, in db: Database) throws -> Int64 {
        let attributes = StoredJSON.encode(scope.attributes)
        let fingerprint = "\(scope.name)|\(scope.version)|\(scope.droppedAttributesCount)|\(scope.schemaURL)|\(attributes)"
        if let id = try Int64.fetchOne(db, sql: "SELECT id FROM scope WHERE fingerprint = ?", arguments: [fingerprint]) { return id }
        try db.execute(
            sql: "INSERT INTO scope (fingerprint, name, version, attributes, dropped_attributes_count, schema_url) VALUES (?, ?, ?, ?, ?, ?)",
            arguments: [fingerprint, scope.name, scope.version, attributes, Int64(scope.droppedAttributesCount), scope.schemaURL])
        return db.lastInsertedRowID
    }
}

/// What one batch adds to a trace's summary row.
private struct TraceDelta {
    var start = UInt64.max
    var end: UInt64 = 0
    var count = 0
    var errors = 0
    /// The first root span in the batch.
    var root: Span?

    mutating func add(_ span: Span) {
        start = min(start, span.startTimeUnixNano)
        end = max(end, span.endTimeUnixNano)
        count += 1
        if span.isError { errors += 1 }
        if root == nil, span.parentSpanID == nil { root = span }
    }
}

private struct ServiceKey: Hashable {
    var traceID: String
    var service: String
}
