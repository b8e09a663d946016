import Foundation
import GRDB
import TraceModel

/// What one insert did: spans already present (exporters retry) are counted, not stored twice.
public struct InsertOutcome: Equatable, Sendable {
    public var inserted: Int
    public var duplicates: Int

    public init(inserted: Int = 0, duplicates: Int = 0) {
        self.inserted = inserted
        self.duplicates = duplicates
    }

    static func + (lhs: InsertOutcome, rhs: InsertOutcome) -> InsertOutcome {
        InsertOutcome(inserted: lhs.inserted + rhs.inserted, duplicates: lhs.duplicates + rhs.duplicates)
    }
}

extension TraceStore {
    /// Stores a batch of spans in one transaction: all of them or, on error, none.
    @discardableResult
    public func insert(_ spans: [Span]) throws -> InsertOutcome {
        try insert(batches: [spans]).reduce(InsertOutcome(), +)
    }

    /// The same as `insert(_:)`, without blocking a Swift concurrency thread while SQLite writes.
    @discardableResult
    public func insert(_ spans: [Span]) async throws -> InsertOutcome {
        try await insert(batches: [spans]).reduce(InsertOutcome(), +)
    }

    /// Stores several requests' spans in one transaction (one commit for all), each counted apart.
    public func insert(batches: [[Span]]) throws -> [InsertOutcome] {
        guard batches.contains(where: { !$0.isEmpty }) else { return batches.map { _ in InsertOutcome() } }
        do {
            return try writer.write { db in try batches.map { try spanWriter.insert($0, in: db) } }
        } catch {
            spanWriter.reset()
            throw error
        }
    }

    public func insert(batches: [[Span]]) async throws -> [InsertOutcome] {
        guard batches.contains(where: { !$0.isEmpty }) else { return batches.map { _ in InsertOutcome() } }
        do {
            return try await writer.write { [spanWriter] db in try batches.map { try spanWriter.insert($0, in: db) } }
        } catch {
            spanWriter.reset()
            throw error
        }
    }
}

/// Turns spans into v2 rows. It remembers the dictionary ids it has seen, so a span costs one
/// INSERT; only ever used inside a write transaction, which the database serialises.
final class SpanWriter: @unchecked Sendable {
    private var services: [String: Int64] = [:]
    private var names: [String: Int64] = [:]
    private var keys: [String: Int64] = [:]
    private var resources: [Resource: Int64] = [:]
    private var scopes: [InstrumentationScope: Int64] = [:]
    /// Bounds the caches when a sender makes up a new name for every span.
    private static let cacheLimit = 100_000

    /// Forgets every id, after a rollback or a prune may have removed rows they point at.
    func reset() {
        services = [:]
        names = [:]
        keys = [:]
        resources = [:]
        scopes = [:]
    }

    func insert(_ spans: [Span], in db: Database) throws -> InsertOutcome {
        guard !spans.isEmpty else { return InsertOutcome() }
        if names.count + keys.count + services.count > Self.cacheLimit { reset() }
        let findTrace = try db.cachedStatement(sql: "SELECT id FROM traces WHERE trace_id = ?")
        let createTrace = try db.cachedStatement(sql: """
            INSERT INTO traces (trace_id, start_ns, end_ns, span_count, error_count) VALUES (?, \(Int64.max), \(Int64.min), 0, 0)
            """)
        let insertSpan = try db.cachedStatement(sql: """
            INSERT OR IGNORE INTO spans (trace_ref, span_id, parent_span_id, name_id, resource_id, scope_id, kind, start_ns, duration_ns,
                status_code, status_message, trace_state, flags, attributes, dropped_attributes_count, events, dropped_events_count,
                links, dropped_links_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let updateTrace = try db.cachedStatement(sql: """
            UPDATE traces SET
                start_ns = min(start_ns, ?), end_ns = max(end_ns, ?),
                span_count = span_count + ?, error_count = error_count + ?,
                root_service_id = CASE WHEN root_span_id IS NULL THEN ? ELSE root_service_id END,
                root_name_id = CASE WHEN root_span_id IS NULL THEN ? ELSE root_name_id END,
                root_span_id = coalesce(root_span_id, ?)
            WHERE id = ?
            """)
        let upsertService = try db.cachedStatement(sql: """
            INSERT INTO trace_services (trace_ref, service_id, span_count) VALUES (?, ?, ?)
            ON CONFLICT (trace_ref, service_id) DO UPDATE SET span_count = span_count + excluded.span_count
            """)

        var traceRefs: [TraceID: Int64] = [:]
        var deltas: [Int64: TraceDelta] = [:]
        var serviceCounts: [TraceService: Int] = [:]
        var json = CompactJSON.Writer(keyID: { [unowned self] key in try self.id(of: key, in: &self.keys, table: "attribute_keys", column: "key", db: db) })
        var inserted = 0
        for span in spans {
            let traceRef = try traceRefs[span.traceID] ?? {
                let blob = Data(span.traceID.bytes)
                let ref = try Int64.fetchOne(findTrace, arguments: [blob]) ?? {
                    try createTrace.execute(arguments: [blob])
                    return db.lastInsertedRowID
                }()
                traceRefs[span.traceID] = ref
                return ref
            }()
            let resourceID = try resources[span.resource] ?? resourceID(for: span.resource, json: &json, db: db)
            let scopeID = try scopes[span.scope] ?? scopeID(for: span.scope, json: &json, db: db)
            let nameID = try id(of: span.name, in: &names, table: "span_names", column: "name", db: db)
            var attributes: String?
            if !span.attributes.isEmpty { try json.attributes(span.attributes); attributes = json.text() }
            var events: String?
            if !span.events.isEmpty { try json.events(span.events, spanStart: span.startTimeUnixNano); events = json.text() }
            var links: String?
            if !span.links.isEmpty { try json.links(span.links); links = json.text() }
            try insertSpan.execute(arguments: [
                traceRef, Data(span.spanID.bytes), span.parentSpanID.map { Data($0.bytes) }, nameID, resourceID, scopeID,
                span.kind.rawValue, Int64(bitPattern: span.startTimeUnixNano),
                Int64(bitPattern: span.endTimeUnixNano &- span.startTimeUnixNano),
                span.status.code.rawValue, span.status.message.isEmpty ? nil : span.status.message,
                span.traceState.isEmpty ? nil : span.traceState, Int64(span.flags),
                attributes, Int64(span.droppedAttributesCount), events, Int64(span.droppedEventsCount),
                links, Int64(span.droppedLinksCount),
            ])
            guard db.changesCount == 1 else { continue }
            inserted += 1
            let serviceID = try id(of: span.serviceName, in: &services, table: "services", column: "name", db: db)
            deltas[traceRef, default: TraceDelta()].add(span, serviceID: serviceID, nameID: nameID)
            serviceCounts[TraceService(traceRef: traceRef, serviceID: serviceID), default: 0] += 1
        }
        // One summary update per trace and per (trace, service) per batch, not per span.
        for (traceRef, delta) in deltas {
            try updateTrace.execute(arguments: [
                Int64(bitPattern: delta.start), Int64(bitPattern: delta.end), delta.count, delta.errors,
                delta.root?.serviceID, delta.root?.nameID, delta.root.map { Data($0.spanID.bytes) }, traceRef,
            ])
        }
        for (key, count) in serviceCounts {
            try upsertService.execute(arguments: [key.traceRef, key.serviceID, count])
        }
        return InsertOutcome(inserted: inserted, duplicates: spans.count - inserted)
    }

    /// The dictionary id of a name, service or attribute key, adding it on first sight.
    private func id(of text: String, in cache: inout [String: Int64], table: String, column: String, db: Database) throws -> Int64 {
        if let id = cache[text] { return id }
        let find = try db.cachedStatement(sql: "SELECT id FROM \(table) WHERE \(column) = ?")
        let id = try Int64.fetchOne(find, arguments: [text]) ?? {
            try db.cachedStatement(sql: "INSERT INTO \(table) (\(column)) VALUES (?)").execute(arguments: [text])
            return db.lastInsertedRowID
        }()
        cache[text] = id
        return id
    }

    private func resourceID(for resource: Resource, json: inout CompactJSON.Writer, db: Database) throws -> Int64 {
        try json.attributes(resource.attributes)
        let attributes = json.text()
        let fingerprint = "\(resource.droppedAttributesCount)|\(resource.schemaURL)|\(attributes)"
        let serviceID = try id(of: resource.serviceName, in: &services, table: "services", column: "name", db: db)
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM resources WHERE fingerprint = ?", arguments: [fingerprint]) ?? {
            try db.execute(
                sql: "INSERT INTO resources (fingerprint, service_id, attributes, dropped_attributes_count, schema_url) VALUES (?, ?, ?, ?, ?)",
                arguments: [fingerprint, serviceID, attributes, Int64(resource.droppedAttributesCount), resource.schemaURL])
            return db.lastInsertedRowID
        }()
        if resources.count > Self.cacheLimit { resources = [:] }
        resources[resource] = id
        return id
    }

    private func scopeID(for scope: InstrumentationScope, json: inout CompactJSON.Writer, db: Database) throws -> Int64 {
        try json.attributes(scope.attributes)
        let attributes = json.text()
        let fingerprint = "\(scope.name)|\(scope.version)|\(scope.droppedAttributesCount)|\(scope.schemaURL)|\(attributes)"
        let id = try Int64.fetchOne(db, sql: "SELECT id FROM scopes WHERE fingerprint = ?", arguments: [fingerprint]) ?? {
            try db.execute(
                sql: "INSERT INTO scopes (fingerprint, name, version, attributes, dropped_attributes_count, schema_url) VALUES (?, ?, ?, ?, ?, ?)",
                arguments: [fingerprint, scope.name, scope.version, attributes, Int64(scope.droppedAttributesCount), scope.schemaURL])
            return db.lastInsertedRowID
        }()
        if scopes.count > Self.cacheLimit { scopes = [:] }
        scopes[scope] = id
        return id
    }
}

/// What one batch adds to a trace's summary row.
private struct TraceDelta {
    var start = UInt64(Int64.max)
    var end: UInt64 = 0
    var count = 0
    var errors = 0
    /// The first root span in the batch.
    var root: (spanID: SpanID, serviceID: Int64, nameID: Int64)?

    mutating func add(_ span: Span, serviceID: Int64, nameID: Int64) {
        start = min(start, span.startTimeUnixNano)
        end = max(end, span.endTimeUnixNano)
        count += 1
        if span.isError { errors += 1 }
        if root == nil, span.parentSpanID == nil { root = (span.spanID, serviceID, nameID) }
    }
}

private struct TraceService: Hashable {
    var traceRef: Int64
    var serviceID: Int64
}
