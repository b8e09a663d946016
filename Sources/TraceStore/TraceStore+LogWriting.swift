import Foundation
import GRDB
import TraceModel

/// One request's log records with their columns encoded and the request's fingerprint begun, so
/// the single writer does little more than bind and step. Made by `TraceStore.prepare(_:)` on the caller's thread.
public struct PreparedLogs: Sendable {
    let records: [LogRecord]
    /// Per record; the attributes are nil where a key had no id yet, to be encoded inside the transaction.
    let columns: [EncodedLogColumns]
    /// Over every column but the resource and scope ids (which only the writer knows); nil when
    /// some attributes are left to the writer.
    let contentFingerprint: Fingerprint?

    public var count: Int { records.count }
}

/// A record's columns as stored (see `LogColumns`).
struct EncodedLogColumns: Sendable {
    var time: Int64
    var observedDelta: Int64?
    var severityText: String?
    var body: String?
    var bodyValue: String?
    var attributes: String?
    /// The attributes could not be encoded yet (a key without an id).
    var attributesPending: Bool
}

extension TraceStore {
    /// Encodes what can be encoded without the database, using the attribute key ids already committed.
    public func prepare(_ records: [LogRecord]) -> PreparedLogs {
        let known = committedKeys.snapshot()
        var json = CompactJSON.Writer(keyID: { key in
            guard let id = known[key] else { throw CompactJSONError.unknownKey(key) }
            return id
        })
        let columns = records.map { EncodedLogColumns(record: $0, json: &json) }
        return PreparedLogs(records: records, columns: columns,
                            contentFingerprint: columns.contains { $0.attributesPending } ? nil : Fingerprint(records: records, columns: columns))
    }

    /// Stores log records in one transaction: all of them or, on error, none. A request stored
    /// before (an exporter's retry: the same records, field for field) is counted, not stored twice.
    @discardableResult
    public func insert(_ records: [LogRecord]) throws -> InsertOutcome {
        try insert(spans: [], logs: [prepare(records)], metrics: []).logs.reduce(InsertOutcome(), +)
    }
}

extension StoreWriter {
    /// Records are indexed for word search this many at a time, or a second after the last time.
    static let textIndexFlushRows = 20_000

    /// Indexes the bodies of every record past the word index's mark, whoever stored them.
    func writeTextIndex(in db: Database) throws {
        try db.execute(sql: """
            INSERT INTO logs_text(rowid, body)
                SELECT id, coalesce(body, body_value, '') FROM logs WHERE id > (SELECT indexed_through FROM log_text_state);
            UPDATE log_text_state SET indexed_through = (SELECT coalesce(max(id), 0) FROM logs);
            """)
        pendingTextRows = 0
        lastTextIndexWrite = .now
    }

    /// A request's records, unless the same request (every record, field for field) was stored
    /// before: an exporter retrying it is answered as if stored, and nothing is written twice.
    func insert(_ batch: PreparedLogs, in db: Database) throws -> InsertOutcome {
        guard batch.count > 0 else { return InsertOutcome() }
        var json = CompactJSON.Writer(keyID: { [unowned self] key in try self.keyID(key, db: db) })
        var columns = batch.columns
        for index in columns.indices where columns[index].attributesPending {
            columns[index].attributes = try json.attributesText(batch.records[index].attributes)
            columns[index].attributesPending = false
        }
        var lastResource: (Resource, Int64)?
        var lastScope: (InstrumentationScope, Int64)?
        var places = Fingerprint()
        var resourceIDs: [Int64] = [], scopeIDs: [Int64] = []
        resourceIDs.reserveCapacity(batch.count)
        scopeIDs.reserveCapacity(batch.count)
        for record in batch.records {
            let resourceID: Int64
            if let last = lastResource, last.0 == record.resource { resourceID = last.1 } else {
                resourceID = try resources[record.resource] ?? self.resourceID(for: record.resource, json: &json, db: db)
                lastResource = (record.resource, resourceID)
            }
            let scopeID: Int64
            if let last = lastScope, last.0 == record.scope { scopeID = last.1 } else {
                scopeID = try scopes[record.scope] ?? self.scopeID(for: record.scope, json: &json, db: db)
                lastScope = (record.scope, scopeID)
            }
            places.add(resourceID)
            places.add(scopeID)
            resourceIDs.append(resourceID)
            scopeIDs.append(scopeID)
        }
        var request = batch.contentFingerprint ?? Fingerprint(records: batch.records, columns: columns)
        request.add(places.value)
        let remember = try RawStatement(db, sql: "INSERT OR IGNORE INTO log_requests (fingerprint) VALUES (?)")
        remember.bind(1, request.value)
        try remember.execute(db)
        guard db.changesCount == 1 else { return InsertOutcome(inserted: 0, duplicates: batch.count) }
        let insertLog = try RawStatement(db, sql: """
            INSERT INTO logs (time_ns, observed_delta_ns, severity_number, severity_text, body, body_value, attributes,
                dropped_attributes_count, flags, trace_ref, span_id, event_name, resource_id, scope_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        for index in batch.records.indices {
            insertLog.bind(1, columns[index].time)
            insertLog.bind(2, columns[index].observedDelta)
            insertLog.bind(3, Int64(batch.records[index].severityNumber))
            insertLog.bind(4, text: columns[index].severityText)
            insertLog.bind(5, text: columns[index].body)
            insertLog.bind(6, text: columns[index].bodyValue)
            insertLog.bind(7, text: columns[index].attributes)
            insertLog.bind(8, Int64(batch.records[index].droppedAttributesCount))
            insertLog.bind(9, Int64(batch.records[index].flags))
            insertLog.bind(10, try batch.records[index].traceID.map { try logTraceRef($0, db: db) })
            if let spanID = batch.records[index].spanID { insertLog.bind(11, bigEndian: spanID.value) } else { insertLog.bindNull(11) }
            insertLog.bind(12, text: batch.records[index].eventName.isEmpty ? nil : batch.records[index].eventName)
            insertLog.bind(13, resourceIDs[index])
            insertLog.bind(14, scopeIDs[index])
            try insertLog.execute(db)
        }
        return InsertOutcome(inserted: batch.count, duplicates: 0)
    }

    /// The `log_traces` id of a trace, added on its first record.
    private func logTraceRef(_ traceID: TraceID, db: Database) throws -> Int64 {
        try rowID(of: traceID, in: &logTraces, table: "log_traces", column: "trace_id", db: db) { $0.bind(1, bigEndian: traceID.high, traceID.low) }
    }
}

/// FNV-1a over a request's stored columns: the same in every process (Swift's `Hasher` is
/// seeded per process), so a retry from a restarted exporter is still recognised.
struct Fingerprint {
    private var hash: UInt64 = 0xcbf2_9ce4_8422_2325

    var value: Int64 { Int64(bitPattern: hash) }

    mutating func add(_ number: Int64) {
        var number = UInt64(bitPattern: number)
        for _ in 0..<8 {
            mix(UInt8(truncatingIfNeeded: number))
            number >>= 8
        }
    }

    mutating func add(_ text: String) {
        add(Int64(text.utf8.count))
        for byte in text.utf8 { mix(byte) }
    }

    private mutating func mix(_ byte: UInt8) {
        hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
    }
}

extension EncodedLogColumns {
    init(record: LogRecord, json: inout CompactJSON.Writer) {
        (time, observedDelta) = LogColumns.times(record)
        severityText = LogColumns.storedText(record.severityText, number: record.severityNumber)
        (body, bodyValue) = Self.bodyColumns(record.body, json: &json)
        attributesPending = false
        if record.attributes.isEmpty {
            attributes = nil
        } else if let text = try? json.attributesText(record.attributes) {
            attributes = text
        } else {
            attributes = nil
            attributesPending = true
        }
    }

    /// A string body as its text; any other value as compact JSON (no key ids: a kvlist's keys
    /// are written out); an empty body as neither.
    private static func bodyColumns(_ body: AttributeValue, json: inout CompactJSON.Writer) -> (String?, String?) {
        switch body {
        case .string(let text): return (text, nil)
        case .empty: return (nil, nil)
        default:
            json.discard()
            json.value(body)
            return (nil, json.text())
        }
    }
}

extension Fingerprint {
    /// A request's records, column for column as stored, in order.
    init(records: [LogRecord], columns: [EncodedLogColumns]) {
        self.init()
        for index in records.indices {
            let row = columns[index]
            add(row.time)
            add(row.observedDelta ?? Int64.min)
            add(Int64(records[index].severityNumber))
            add(row.severityText ?? "\u{0}")
            add(row.body ?? "\u{0}")
            add(row.bodyValue ?? "\u{0}")
            add(row.attributes ?? "\u{0}")
            add(Int64(records[index].droppedAttributesCount))
            add(Int64(records[index].flags))
            add(Int64(bitPattern: records[index].traceID?.high ?? 0))
            add(Int64(bitPattern: records[index].traceID?.low ?? 0))
            add(Int64(bitPattern: records[index].spanID?.value ?? 0))
            add(records[index].eventName)
        }
    }
}
