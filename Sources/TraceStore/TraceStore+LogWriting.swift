import Foundation
import GRDB
import TraceModel

/// One request's log records, ready for the single writer.
public struct PreparedLogs: Sendable {
    let records: [LogRecord]

    public var count: Int { records.count }
}

extension TraceStore {
    public func prepare(_ records: [LogRecord]) -> PreparedLogs {
        PreparedLogs(records: records)
    }

    /// Stores log records in one transaction: all of them or, on error, none. A record already
    /// stored (an exporter's retry: the same record, field for field) is counted, not stored twice.
    @discardableResult
    public func insert(_ records: [LogRecord]) throws -> InsertOutcome {
        try insert(spans: [], logs: [prepare(records)]).logs.reduce(InsertOutcome(), +)
    }

    /// Several requests' spans and log records in one transaction (one commit for all), each counted apart.
    public func insert(spans: [PreparedSpans], logs: [PreparedLogs]) throws -> (spans: [InsertOutcome], logs: [InsertOutcome]) {
        do {
            let (spanOutcomes, logOutcomes, keys) = try writer.write { db in try storeWriter.insert(spans: spans, logs: logs, in: db) }
            committedKeys.publish(keys)
            return (spanOutcomes, logOutcomes)
        } catch {
            storeWriter.reset()
            throw error
        }
    }

    /// The same, without blocking a Swift concurrency thread while SQLite writes.
    public func insert(spans: [PreparedSpans], logs: [PreparedLogs]) async throws -> (spans: [InsertOutcome], logs: [InsertOutcome]) {
        do {
            let (spanOutcomes, logOutcomes, keys) = try await writer.write { [storeWriter] db in try storeWriter.insert(spans: spans, logs: logs, in: db) }
            committedKeys.publish(keys)
            return (spanOutcomes, logOutcomes)
        } catch {
            storeWriter.reset()
            throw error
        }
    }
}

extension StoreWriter {
    func insert(spans: [PreparedSpans], logs: [PreparedLogs], in db: Database) throws -> ([InsertOutcome], [InsertOutcome], [String: Int64]) {
        let spanOutcomes: [InsertOutcome]
        var keys: [String: Int64]
        if spans.contains(where: { $0.count > 0 }) {
            (spanOutcomes, keys) = try insert(spans, in: db)
        } else {
            spanOutcomes = spans.map { _ in InsertOutcome() }
            try forgetWhatOthersChanged(in: db)
            keys = [:]
        }
        let logOutcomes = try logs.map { try insert($0, in: db) }
        keys = knownKeys
        return (spanOutcomes, logOutcomes, keys)
    }

    private func insert(_ batch: PreparedLogs, in db: Database) throws -> InsertOutcome {
        guard batch.count > 0 else { return InsertOutcome() }
        let insertLog = try RawStatement(db, sql: """
            INSERT OR IGNORE INTO logs (fingerprint, time_ns, observed_ns, severity_number, severity_text, body, body_value, attributes,
                dropped_attributes_count, flags, trace_id, span_id, event_name, service_id, resource_id, scope_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var json = CompactJSON.Writer(keyID: { [unowned self] key in try self.keyID(key, db: db) })
        var inserted = 0
        var lastResource: (Resource, Int64, Int64)?
        var lastScope: (InstrumentationScope, Int64)?
        for record in batch.records {
            let (resourceID, serviceID): (Int64, Int64)
            if let last = lastResource, last.0 == record.resource { (resourceID, serviceID) = (last.1, last.2) } else {
                resourceID = try resources[record.resource] ?? self.resourceID(for: record.resource, json: &json, db: db)
                serviceID = try id(of: record.serviceName, in: &services, table: "services", column: "name", db: db)
                lastResource = (record.resource, resourceID, serviceID)
            }
            let scopeID: Int64
            if let last = lastScope, last.0 == record.scope { scopeID = last.1 } else {
                scopeID = try scopes[record.scope] ?? self.scopeID(for: record.scope, json: &json, db: db)
                lastScope = (record.scope, scopeID)
            }
            let attributes = record.attributes.isEmpty ? nil : try json.attributesText(record.attributes)
            let (body, bodyValue) = bodyColumns(record.body, json: &json)
            var fingerprint = Fingerprint()
            fingerprint.add(resourceID)
            fingerprint.add(scopeID)
            fingerprint.add(Int64(bitPattern: record.timeUnixNano))
            fingerprint.add(Int64(bitPattern: record.observedTimeUnixNano))
            fingerprint.add(Int64(record.severityNumber))
            fingerprint.add(record.severityText)
            fingerprint.add(body ?? "")
            fingerprint.add(bodyValue ?? "")
            fingerprint.add(attributes ?? "")
            fingerprint.add(Int64(record.droppedAttributesCount))
            fingerprint.add(Int64(record.flags))
            fingerprint.add(Int64(bitPattern: record.traceID?.high ?? 0))
            fingerprint.add(Int64(bitPattern: record.traceID?.low ?? 0))
            fingerprint.add(Int64(bitPattern: record.spanID?.value ?? 0))
            fingerprint.add(record.eventName)
            insertLog.bind(1, fingerprint.value)
            insertLog.bind(2, Int64(bitPattern: record.timeUnixNano))
            insertLog.bind(3, Int64(bitPattern: record.observedTimeUnixNano))
            insertLog.bind(4, Int64(record.severityNumber))
            insertLog.bind(5, text: record.severityText.isEmpty ? nil : record.severityText)
            insertLog.bind(6, text: body)
            insertLog.bind(7, text: bodyValue)
            insertLog.bind(8, text: attributes)
            insertLog.bind(9, Int64(record.droppedAttributesCount))
            insertLog.bind(10, Int64(record.flags))
            if let traceID = record.traceID { insertLog.bind(11, bigEndian: traceID.high, traceID.low) } else { insertLog.bindNull(11) }
            if let spanID = record.spanID { insertLog.bind(12, bigEndian: spanID.value) } else { insertLog.bindNull(12) }
            insertLog.bind(13, text: record.eventName.isEmpty ? nil : record.eventName)
            insertLog.bind(14, serviceID)
            insertLog.bind(15, resourceID)
            insertLog.bind(16, scopeID)
            try insertLog.execute(db)
            if db.changesCount == 1 { inserted += 1 }
        }
        return InsertOutcome(inserted: inserted, duplicates: batch.count - inserted)
    }

    /// A string body as its text; any other value as compact JSON (no key ids: a kvlist's keys
    /// are written out); an empty body as neither.
    private func bodyColumns(_ body: AttributeValue, json: inout CompactJSON.Writer) -> (String?, String?) {
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

/// FNV-1a over a record's stored columns: the same in every process (Swift's `Hasher` is
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
