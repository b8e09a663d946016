import Foundation
import GRDB
import Synchronization
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

/// One request's spans with their JSON columns already encoded, so the single writer does little
/// more than bind and step. Made by `TraceStore.prepare(_:)` on the caller's thread.
public struct PreparedSpans: Sendable {
    let spans: [Span]
    /// Per span; nil where a key had no id yet, to be encoded inside the transaction.
    let columns: [EncodedColumns?]
    /// The attribute index's entries for these spans (span indexes per key and value); nil when
    /// a key had no id yet.
    let postings: [AttributeIndex.Key: [Int]]?
    /// Keys whose entries `postings` leaves out: the index had given up on them when this was
    /// made. The writer uses `postings` only if it still has.
    let postingsLeaveOut: Set<Int64>

    public var count: Int { spans.count }

    init(spans: [Span], columns: [EncodedColumns?], postings: [AttributeIndex.Key: [Int]]?, postingsLeaveOut: Set<Int64> = []) {
        self.spans = spans
        self.columns = columns
        self.postings = postings
        self.postingsLeaveOut = postingsLeaveOut
    }

    /// Spans to be encoded inside the transaction (converting a v1 file).
    init(unencoded spans: [Span]) {
        self.init(spans: spans, columns: spans.map { _ in nil }, postings: nil)
    }
}

struct EncodedColumns: Sendable {
    var attributes: String?
    var events: String?
    var links: String?
}

extension TraceStore {
    /// Encodes what can be encoded without the database, using the attribute key ids already committed.
    public func prepare(_ spans: [Span]) -> PreparedSpans {
        let known = committedKeys.snapshot()
        let knownID = { (key: String) throws -> Int64 in
            guard let id = known[key] else { throw CompactJSONError.unknownKey(key) }
            return id
        }
        var json = CompactJSON.Writer(keyID: knownID)
        // Ports, URLs and ids make an entry per span that writing the index would only drop.
        let unindexed = storeWriter.publishedUnindexedKeyIDs.withLock { $0 }
        var columns: [EncodedColumns?] = []
        columns.reserveCapacity(spans.count)
        var postings: [AttributeIndex.Key: [Int]]? = [:]
        for (index, span) in spans.enumerated() {
            let encoded = try? json.columns(for: span)
            columns.append(encoded)
            // A key without an id yet leaves both to the writer.
            guard encoded != nil else { postings = nil; continue }
            if postings != nil {
                AttributeIndex.add(span, at: index, keyIDs: json.recordedKeyIDs, leavingOut: unindexed, to: &postings!)
            }
        }
        return PreparedSpans(spans: spans, columns: columns, postings: postings, postingsLeaveOut: unindexed)
    }

    /// Stores a batch of spans in one transaction: all of them or, on error, none.
    @discardableResult
    public func insert(_ spans: [Span]) throws -> InsertOutcome {
        try insert([prepare(spans)]).reduce(InsertOutcome(), +)
    }

    /// The same as `insert(_:)`, without blocking a Swift concurrency thread while SQLite writes.
    @discardableResult
    public func insert(_ spans: [Span]) async throws -> InsertOutcome {
        try await insert([prepare(spans)]).reduce(InsertOutcome(), +)
    }

    /// Stores several requests' spans in one transaction (one commit for all), each counted apart.
    public func insert(_ batches: [PreparedSpans]) throws -> [InsertOutcome] {
        guard batches.contains(where: { $0.count > 0 }) else { return batches.map { _ in InsertOutcome() } }
        return try insert(spans: batches, logs: [], metrics: []).spans
    }

    /// Writes the attribute index's pending entries and the log records' word index now, as a
    /// writing command does before it ends (readers find the rows past either index either way;
    /// this keeps that tail short).
    public func writePendingIndexes() throws {
        do {
            try writer.write { db in
                try storeWriter.writeIndex(in: db)
                try storeWriter.writeTextIndex(in: db)
            }
        } catch {
            storeWriter.reset()
            throw error
        }
    }

    public func insert(_ batches: [PreparedSpans]) async throws -> [InsertOutcome] {
        guard batches.contains(where: { $0.count > 0 }) else { return batches.map { _ in InsertOutcome() } }
        return try await insert(spans: batches, logs: [], metrics: []).spans
    }
}

/// What one transaction did for each request it held, by signal, in the order given.
public struct InsertOutcomes: Sendable {
    public var spans: [InsertOutcome]
    public var logs: [InsertOutcome]
    public var metrics: [InsertOutcome]
}

extension TraceStore {
    /// Several requests' spans, log records and metric points in one transaction (one commit for all), each counted apart.
    public func insert(spans: [PreparedSpans], logs: [PreparedLogs], metrics: [PreparedMetrics]) throws -> InsertOutcomes {
        do {
            let (outcomes, keys) = try writer.write { db in try storeWriter.insert(spans: spans, logs: logs, metrics: metrics, in: db) }
            committedKeys.publish(keys)
            return outcomes
        } catch {
            storeWriter.reset()
            throw error
        }
    }

    /// The same, without blocking a Swift concurrency thread while SQLite writes.
    public func insert(spans: [PreparedSpans], logs: [PreparedLogs], metrics: [PreparedMetrics]) async throws -> InsertOutcomes {
        do {
            let (outcomes, keys) = try await writer.write { [storeWriter] db in try storeWriter.insert(spans: spans, logs: logs, metrics: metrics, in: db) }
            committedKeys.publish(keys)
            return outcomes
        } catch {
            storeWriter.reset()
            throw error
        }
    }
}

extension StoreWriter {
    /// Every kind of row in the caller's transaction; the key ids to publish once it commits.
    func insert(spans: [PreparedSpans], logs: [PreparedLogs], metrics: [PreparedMetrics], in db: Database) throws -> (InsertOutcomes, [String: Int64]) {
        let spanOutcomes: [InsertOutcome]
        if spans.contains(where: { $0.count > 0 }) {
            spanOutcomes = try insert(spans, in: db)
        } else {
            try forgetWhatOthersChanged(in: db)
            spanOutcomes = spans.map { _ in InsertOutcome() }
        }
        let logOutcomes = try logs.map { try insert($0, in: db) }
        pendingTextRows += logOutcomes.reduce(0) { $0 + $1.inserted }
        if pendingTextRows >= Self.textIndexFlushRows || (pendingTextRows > 0 && ContinuousClock.now - lastTextIndexWrite >= .seconds(1)) {
            try writeTextIndex(in: db)
        }
        let metricOutcomes = try metrics.map { try insert($0, in: db) }
        return (InsertOutcomes(spans: spanOutcomes, logs: logOutcomes, metrics: metricOutcomes), knownKeys)
    }
}

/// Attribute key ids known to be committed, readable from any thread: ids are never reused or
/// removed, so encoding with them outside the write transaction is safe.
final class CommittedKeys: Sendable {
    private let keys = Mutex([String: Int64]())

    func snapshot() -> [String: Int64] { keys.withLock { $0 } }

    func publish(_ newer: [String: Int64]) {
        keys.withLock { if newer.count > $0.count { $0 = newer } }
    }
}

extension CompactJSON.Writer {
    /// One attribute list as its own JSON text.
    mutating func attributesText(_ attributes: [Attribute]) throws -> String {
        discard()
        try self.attributes(attributes)
        return text()
    }

    mutating func columns(for span: Span) throws -> EncodedColumns {
        discard()
        defer { discard() }
        var columns = EncodedColumns()
        recordedKeyIDs.removeAll(keepingCapacity: true)
        if !span.attributes.isEmpty {
            recordsKeyIDs = true
            defer { recordsKeyIDs = false }
            try attributes(span.attributes)
            columns.attributes = text()
        }
        if !span.events.isEmpty { try events(span.events, spanStart: span.startTimeUnixNano); columns.events = text() }
        if !span.links.isEmpty { try links(span.links); columns.links = text() }
        return columns
    }
}

/// Turns spans (and log records) into rows. It remembers the dictionary ids it has seen, so a span costs one
/// INSERT; only ever used inside a write transaction, which the database serialises.
final class StoreWriter: @unchecked Sendable {
    private var services: [String: Int64] = [:]
    /// `log_traces` ids by trace id.
    var logTraces: [TraceID: Int64] = [:]
    /// `metrics` and `metric_series` ids: never deleted, so only a rollback makes them stale.
    var metricIDs: [Metric: Int64] = [:]
    var metricSeries: [SeriesKey: Int64] = [:]
    /// Log records stored since the word index was last written, and when that was.
    var pendingTextRows = 0
    var lastTextIndexWrite = ContinuousClock.now
    private var names: [String: Int64] = [:]
    private var keys: [String: Int64] = [:]
    /// Attribute key ids this writer has seen, to publish once its transaction commits.
    var knownKeys: [String: Int64] { keys }
    var resources: [Resource: Int64] = [:]
    var scopes: [InstrumentationScope: Int64] = [:]
    /// SQLite's count of other connections' commits, when this writer last looked.
    private var dataVersion: Int64?
    /// Bounds the caches when a sender makes up a new name for every span.
    private static let cacheLimit = 100_000
    /// Off only while v2 converts a v1 file, before the index's table exists (v3 builds it).
    private let indexesAttributes: Bool
    /// The attribute index's last chunk per key, as this writer left it.
    private var openChunks: [AttributeIndex.Key: AttributeIndex.OpenChunk] = [:]
    /// Index entries of the spans committed since the index was last written (readers cover
    /// them by reading those spans, past `attribute_index_state.indexed_through`): writing the
    /// index once per many commits touches each of its pages once, not once a commit.
    private var pending: [AttributeIndex.Key: [Int64]] = [:]
    /// Keys with too many values to index (ports, URLs), as the index last said: their entries
    /// are dropped before they are gathered, as writing the index would drop them. Nil until
    /// read, and again after the index is written or another process wrote.
    private var unindexedKeyIDs: Set<Int64>?
    /// The same as last read, for `prepare` on other threads; it may be stale, so the writer
    /// checks what a prepared batch left out (`PreparedSpans.postingsLeaveOut`).
    let publishedUnindexedKeyIDs = Mutex(Set<Int64>())
    private var pendingSpans = 0
    /// The rowid of the first span in `pending`.
    private var pendingFrom: Int64?
    private var lastIndexWrite = ContinuousClock.now
    /// The index is written when this many spans are pending, or this long after it last was.
    var indexFlushSpans = 50_000
    var indexFlushInterval: Duration = .seconds(1)

    init(indexesAttributes: Bool = true) {
        self.indexesAttributes = indexesAttributes
    }

    /// Forgets every id, after a rollback or a prune may have removed rows they point at.
    func reset() {
        services = [:]
        names = [:]
        keys = [:]
        resources = [:]
        scopes = [:]
        logTraces = [:]
        metricIDs = [:]
        metricSeries = [:]
        openChunks = [:]
        unindexedKeyIDs = nil
        forgetPending()
    }

    /// Drops the index entries not yet written; they are found again from the spans past the
    /// index's mark.
    private func forgetPending() {
        pending = [:]
        pendingSpans = 0
        pendingFrom = nil
    }

    /// Inserts each batch, returning what each did (the key ids to publish once committed are `knownKeys`).
    func insert(_ batches: [PreparedSpans], in db: Database) throws -> [InsertOutcome] {
        try forgetWhatOthersChanged(in: db)
        if indexesAttributes, unindexedKeyIDs == nil {
            let keyIDs = Set(try Int64.fetchAll(db, sql: "SELECT key_id FROM unindexed_attribute_keys"))
            unindexedKeyIDs = keyIDs
            publishedUnindexedKeyIDs.withLock { $0 = keyIDs }
        }
        var postings: [AttributeIndex.Key: [Int64]] = [:]
        var firstRowID: Int64?
        let outcomes = try batches.map { try insert($0, postings: &postings, firstRowID: &firstRowID, in: db) }
        guard indexesAttributes, let firstRowID else { return outcomes }
        for (key, refs) in postings { pending[key, default: []].appendSkippingRepeats(refs) }
        pendingSpans += outcomes.reduce(0) { $0 + $1.inserted }
        if pendingFrom == nil { pendingFrom = firstRowID }
        if pendingSpans >= indexFlushSpans || ContinuousClock.now - lastIndexWrite >= indexFlushInterval { try writeIndex(in: db) }
        return outcomes
    }

    /// Drops cached ids another process may have invalidated: a `trace prune` may have deleted
    /// resources and scopes since this connection last wrote; names and keys are never deleted.
    func forgetWhatOthersChanged(in db: Database) throws {
        if names.count + keys.count + services.count + logTraces.count + metricSeries.count + openChunks.count > Self.cacheLimit { reset() }
        let version = try Int64.fetchOne(db, sql: "PRAGMA data_version")
        if version != dataVersion {
            resources = [:]
            scopes = [:]
            logTraces = [:]
            openChunks = [:]
            unindexedKeyIDs = nil
            // Another process's spans may sit between this writer's: pending no longer covers the tail.
            forgetPending()
            dataVersion = version
        }
    }

    /// Brings the attribute index up to the last stored span: from `pending` when it covers
    /// everything past the index's mark, else (another process wrote, or one stopped before
    /// writing its pending entries) from the spans themselves.
    func writeIndex(in db: Database) throws {
        guard indexesAttributes else { return }
        let mark = try Int64.fetchOne(db, sql: "SELECT indexed_through FROM attribute_index_state") ?? 0
        let last = try Int64.fetchOne(db, sql: "SELECT coalesce(max(rowid), 0) FROM spans") ?? 0
        if let pendingFrom, pendingFrom == mark + 1 {
            try AttributeIndex.add(pending, open: &openChunks, in: db)
        } else if last > mark {
            try AttributeIndex.add(AttributeIndex.postings(ofSpansAfter: mark, in: db), open: &openChunks, in: db)
        }
        try db.execute(sql: "UPDATE attribute_index_state SET indexed_through = ?", arguments: [last])
        forgetPending()
        unindexedKeyIDs = nil
        lastIndexWrite = .now
    }

    private func insert(_ batch: PreparedSpans, postings: inout [AttributeIndex.Key: [Int64]], firstRowID: inout Int64?, in db: Database) throws -> InsertOutcome {
        guard batch.count > 0 else { return InsertOutcome() }
        let findTrace = try RawStatement(db, sql: "SELECT id FROM traces WHERE trace_id = ?")
        let createTrace = try RawStatement(db, sql: """
            INSERT INTO traces (trace_id, start_ns, end_ns, span_count, error_count, root_service_id, root_name_id, root_span_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let replaceTrace = try RawStatement(db, sql: """
            UPDATE traces SET start_ns = ?, end_ns = ?, span_count = ?, error_count = ?, root_service_id = ?, root_name_id = ?, root_span_id = ?
            WHERE id = ?
            """)
        let insertSpan = try RawStatement(db, sql: """
            INSERT OR IGNORE INTO spans (trace_ref, span_id, parent_span_id, name_id, resource_id, scope_id, kind, start_ns, duration_ns,
                status_code, status_message, trace_state, flags, attributes, dropped_attributes_count, events, dropped_events_count,
                links, dropped_links_count)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        let updateTrace = try RawStatement(db, sql: """
            UPDATE traces SET
                start_ns = min(start_ns, ?), end_ns = max(end_ns, ?),
                span_count = span_count + ?, error_count = error_count + ?,
                root_service_id = CASE WHEN root_span_id IS NULL THEN ? ELSE root_service_id END,
                root_name_id = CASE WHEN root_span_id IS NULL THEN ? ELSE root_name_id END,
                root_span_id = coalesce(root_span_id, ?)
            WHERE id = ?
            """)
        let upsertService = try RawStatement(db, sql: """
            INSERT INTO trace_services (trace_ref, service_id, span_count) VALUES (?, ?, ?)
            ON CONFLICT (trace_ref, service_id) DO UPDATE SET span_count = span_count + excluded.span_count
            """)

        var json = CompactJSON.Writer(keyID: { [unowned self] key in try self.keyID(key, db: db) })
        // Pass 1: dictionary ids for every span, and what each trace would gain if all its spans are new.
        var ids: [(name: Int64, resource: Int64, service: Int64, scope: Int64)] = []
        ids.reserveCapacity(batch.count)
        var expected: [TraceID: TraceDelta] = [:]
        // Traces in the order the batch first names them, so the same batch gets the same rows
        // however it arrived (dictionary order is not stable across processes).
        var traceOrder: [TraceID] = []
        var lastResource: (Resource, Int64, Int64)?
        var lastScope: (InstrumentationScope, Int64)?
        for span in batch.spans {
            // Spans of one resource and scope come together: compare with the last before hashing.
            let (resourceID, serviceID): (Int64, Int64)
            if let last = lastResource, last.0 == span.resource { (resourceID, serviceID) = (last.1, last.2) } else {
                resourceID = try resources[span.resource] ?? self.resourceID(for: span.resource, json: &json, db: db)
                serviceID = try id(of: span.serviceName, in: &services, table: "services", column: "name", db: db)
                lastResource = (span.resource, resourceID, serviceID)
            }
            let scopeID: Int64
            if let last = lastScope, last.0 == span.scope { scopeID = last.1 } else {
                scopeID = try scopes[span.scope] ?? self.scopeID(for: span.scope, json: &json, db: db)
                lastScope = (span.scope, scopeID)
            }
            let nameID = try id(of: span.name, in: &names, table: "span_names", column: "name", db: db)
            ids.append((nameID, resourceID, serviceID, scopeID))
            if expected[span.traceID] == nil { traceOrder.append(span.traceID) }
            expected[span.traceID, default: TraceDelta()].add(span, serviceID: serviceID, nameID: nameID)
        }
        // A trace seen for the first time gets its whole summary row in one INSERT, so its
        // indexed times are written once rather than inserted and then moved.
        var traceRefs: [TraceID: Int64] = [:]
        var newTraces: Set<Int64> = []
        for traceID in traceOrder {
            findTrace.bind(1, bigEndian: traceID.high, traceID.low)
            if let ref = try findTrace.fetchInt64(db) {
                traceRefs[traceID] = ref
                continue
            }
            createTrace.bind(1, bigEndian: traceID.high, traceID.low)
            expected[traceID]!.bindSummary(to: createTrace, from: 2)
            try createTrace.execute(db)
            traceRefs[traceID] = db.lastInsertedRowID
            newTraces.insert(db.lastInsertedRowID)
        }
        // Pass 2: the spans; a retried one is ignored.
        var actual: [Int64: TraceDelta] = [:]
        var serviceCounts: [TraceService: Int] = [:]
        var inserted = 0
        var stored = [Bool](repeating: false, count: batch.count)
        var spanTraceRefs = [Int64](repeating: 0, count: batch.count)
        for (index, span) in batch.spans.enumerated() {
            let traceRef = traceRefs[span.traceID]!
            spanTraceRefs[index] = traceRef
            let (nameID, resourceID, serviceID, scopeID) = ids[index]
            let columns = try batch.columns[index] ?? json.columns(for: span)
            insertSpan.bind(1, traceRef)
            insertSpan.bind(2, bigEndian: span.spanID.value)
            if let parent = span.parentSpanID { insertSpan.bind(3, bigEndian: parent.value) } else { insertSpan.bindNull(3) }
            insertSpan.bind(4, nameID)
            insertSpan.bind(5, resourceID)
            insertSpan.bind(6, scopeID)
            insertSpan.bind(7, Int64(span.kind.rawValue))
            insertSpan.bind(8, Int64(bitPattern: span.startTimeUnixNano))
            insertSpan.bind(9, Int64(bitPattern: span.endTimeUnixNano &- span.startTimeUnixNano))
            insertSpan.bind(10, Int64(span.status.code.rawValue))
            insertSpan.bind(11, text: span.status.message.isEmpty ? nil : span.status.message)
            insertSpan.bind(12, text: span.traceState.isEmpty ? nil : span.traceState)
            insertSpan.bind(13, Int64(span.flags))
            insertSpan.bind(14, text: columns.attributes)
            insertSpan.bind(15, Int64(span.droppedAttributesCount))
            insertSpan.bind(16, text: columns.events)
            insertSpan.bind(17, Int64(span.droppedEventsCount))
            insertSpan.bind(18, text: columns.links)
            insertSpan.bind(19, Int64(span.droppedLinksCount))
            try insertSpan.execute(db)
            guard db.changesCount == 1 else { continue }
            inserted += 1
            stored[index] = true
            if firstRowID == nil { firstRowID = db.lastInsertedRowID }
            actual[traceRef, default: TraceDelta()].add(span, serviceID: serviceID, nameID: nameID)
            serviceCounts[TraceService(traceRef: traceRef, serviceID: serviceID), default: 0] += 1
        }
        // The spans stored (a retried one was indexed with its first copy), each trace once in a row.
        if indexesAttributes, inserted > 0 {
            let unindexed = unindexedKeyIDs ?? []
            // Prepared entries leave out keys unindexed when they were made; after a prune
            // (which rebuilds the index) a key may be indexed again, and they are made anew.
            let prepared = batch.postings.flatMap { batch.postingsLeaveOut.isSubset(of: unindexed) ? $0 : nil }
            let entries = try prepared ?? AttributeIndex.postings(of: batch.spans, leavingOut: unindexed) { try keyID($0, db: db) }
            for (key, spans) in entries where !unindexed.contains(key.keyID) {
                let refs = spans.lazy.filter { stored[$0] }.map { spanTraceRefs[$0] }
                guard !refs.isEmpty else { continue }
                postings[key, default: []].appendSkippingRepeats(refs)
            }
        }
        // Known traces gain what was inserted; a new one is rewritten only if the batch repeated a span.
        for (traceID, traceRef) in traceRefs {
            let gained = actual[traceRef] ?? TraceDelta()
            if newTraces.contains(traceRef) {
                guard gained.count != expected[traceID]?.count else { continue }
                gained.bindSummary(to: replaceTrace, from: 1)
                replaceTrace.bind(8, traceRef)
                try replaceTrace.execute(db)
            } else if gained.count > 0 {
                gained.bindSummary(to: updateTrace, from: 1)
                updateTrace.bind(8, traceRef)
                try updateTrace.execute(db)
            }
        }
        for (key, count) in serviceCounts.sorted(by: { ($0.key.traceRef, $0.key.serviceID) < ($1.key.traceRef, $1.key.serviceID) }) {
            upsertService.bind(1, key.traceRef)
            upsertService.bind(2, key.serviceID)
            upsertService.bind(3, Int64(count))
            try upsertService.execute(db)
        }
        if inserted > 0 {
            let addTotals = try RawStatement(db, sql: "UPDATE store_totals SET traces = traces + ?, spans = spans + ?")
            addTotals.bind(1, Int64(newTraces.count))
            addTotals.bind(2, Int64(inserted))
            try addTotals.execute(db)
        }
        return InsertOutcome(inserted: inserted, duplicates: batch.count - inserted)
    }

    func keyID(_ key: String, db: Database) throws -> Int64 {
        try id(of: key, in: &keys, table: "attribute_keys", column: "key", db: db)
    }

    /// The dictionary id of a name, service or attribute key, adding it on first sight.
    private func id(of text: String, in cache: inout [String: Int64], table: String, column: String, db: Database) throws -> Int64 {
        // Bound with its length (RawStatement), so a name with a NUL in it is kept whole.
        try rowID(of: text, in: &cache, table: table, column: column, db: db) { $0.bind(1, text: text) }
    }

    /// The id of the row of `table` whose only other column holds `key` (bound by `bind`), added
    /// on first sight and remembered in `cache`.
    func rowID<Key: Hashable>(of key: Key, in cache: inout [Key: Int64], table: String, column: String, db: Database,
                              bind: (RawStatement) -> Void) throws -> Int64 {
        if let id = cache[key] { return id }
        let find = try RawStatement(db, sql: "SELECT id FROM \(table) WHERE \(column) = ?")
        bind(find)
        let id = try find.fetchInt64(db) ?? {
            let insert = try RawStatement(db, sql: "INSERT INTO \(table) (\(column)) VALUES (?)")
            bind(insert)
            try insert.execute(db)
            return db.lastInsertedRowID
        }()
        cache[key] = id
        return id
    }

    func resourceID(for resource: Resource, json: inout CompactJSON.Writer, db: Database) throws -> Int64 {
        let attributes = try json.attributesText(resource.attributes)
        let serviceID = try id(of: resource.serviceName, in: &services, table: "services", column: "name", db: db)
        let id = try sharedRowID(
            "resources", fingerprint: "\(resource.droppedAttributesCount)|\(resource.schemaURL)|\(attributes)",
            columns: ["service_id", "attributes", "dropped_attributes_count", "schema_url"],
            values: [.int(serviceID), .text(attributes), .int(Int64(resource.droppedAttributesCount)), .text(resource.schemaURL)], db: db)
        if resources.count > Self.cacheLimit { resources = [:] }
        resources[resource] = id
        return id
    }

    func scopeID(for scope: InstrumentationScope, json: inout CompactJSON.Writer, db: Database) throws -> Int64 {
        let attributes = try json.attributesText(scope.attributes)
        let id = try sharedRowID(
            "scopes", fingerprint: "\(scope.name)|\(scope.version)|\(scope.droppedAttributesCount)|\(scope.schemaURL)|\(attributes)",
            columns: ["name", "version", "attributes", "dropped_attributes_count", "schema_url"],
            values: [.text(scope.name), .text(scope.version), .text(attributes), .int(Int64(scope.droppedAttributesCount)), .text(scope.schemaURL)], db: db)
        if scopes.count > Self.cacheLimit { scopes = [:] }
        scopes[scope] = id
        return id
    }

    /// The id of the resource or scope row with this fingerprint, added with `values` on first sight.
    private func sharedRowID(_ table: String, fingerprint: String, columns: [String], values: [RawStatement.Value], db: Database) throws -> Int64 {
        let find = try RawStatement(db, sql: "SELECT id FROM \(table) WHERE fingerprint = ?")
        find.bind(1, text: fingerprint)
        if let id = try find.fetchInt64(db) { return id }
        let insert = try RawStatement(
            db, sql: "INSERT INTO \(table) (fingerprint, \(columns.joined(separator: ", "))) VALUES (?\(String(repeating: ", ?", count: columns.count)))")
        insert.bind(1, text: fingerprint)
        for (offset, value) in values.enumerated() { insert.bind(Int32(offset + 2), value) }
        try insert.execute(db)
        return db.lastInsertedRowID
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

    /// Binds start, end, count, errors, root service, root name and root span id, in that order.
    func bindSummary(to statement: RawStatement, from first: Int32) {
        statement.bind(first, Int64(bitPattern: start))
        statement.bind(first + 1, Int64(bitPattern: end))
        statement.bind(first + 2, Int64(count))
        statement.bind(first + 3, Int64(errors))
        statement.bind(first + 4, root?.serviceID)
        statement.bind(first + 5, root?.nameID)
        if let root { statement.bind(first + 6, bigEndian: root.spanID.value) } else { statement.bindNull(first + 6) }
    }

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

extension Array where Element == Int64 {
    /// Appends trace refs, skipping one equal to the ref before it (a trace's spans come together).
    mutating func appendSkippingRepeats(_ refs: some Sequence<Int64>) {
        for ref in refs where ref != last { append(ref) }
    }
}
