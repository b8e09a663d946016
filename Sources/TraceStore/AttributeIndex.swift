import GRDB
import TraceModel

/// The attribute index: for each attribute key and scalar value, the traces that have a span
/// with it. Stored as posting lists (table `attribute_postings`): numbered chunks of trace refs
/// coded as varint deltas, so a value most traces share costs about a byte a trace, where an index row
/// per span would cost as much as the span itself.
enum AttributeIndex {
    /// A chunk is closed once it holds this many bytes of refs; a new one starts after it.
    static let chunkBytes = 1_024
    /// A key with more distinct values than this (ports, URLs, ids) is not indexed: nearly every
    /// trace would add a row of its own, which costs as much as storing the span. A match on such
    /// a key reads the spans instead (`unindexed_attribute_keys`).
    static let maximumValuesPerKey = 1_000

    /// A scalar attribute value as the index keys it: booleans as the text `true`/`false`, as
    /// the `span_attribute` view shows them.
    enum Value: Hashable, Comparable {
        case int(Int64)
        case real(Double)
        case text(String)

        init?(_ value: AttributeValue) {
            switch value {
            case .string(let text): self = .text(text)
            case .int(let number): self = .int(number)
            // SQLite keeps NaN as NULL: infinities and NaN are left out of the index. A whole
            // double is keyed as the integer SQLite finds equal to it: one row, not two rows that
            // the table's primary key would take for the same one.
            case .double(let number) where number.isFinite:
                self = number.rounded() == number && number.magnitude < 9.2e18 ? .int(Int64(number)) : .real(number)
            case .bool(let flag): self = .text(flag ? "true" : "false")
            default: return nil
            }
        }

        func bind(to statement: RawStatement, at index: Int32) {
            switch self {
            case .int(let number): statement.bind(index, number)
            case .real(let number): statement.bind(index, real: number)
            case .text(let text): statement.bind(index, text: text)
            }
        }

        /// What a user's `key=value` can mean: the text, and the number it spells if it is one.
        static func candidates(for text: String) -> [Value] {
            var values: [Value] = [.text(text)]
            if let number = Int64(text) { values.append(.int(number)) } else if let number = Double(text), let value = Value(.double(number)) { values.append(value) }
            return values
        }

        private var order: (Int, Int64, Double, String) {
            switch self {
            case .int(let number): (0, number, 0, "")
            case .real(let number): (1, 0, number, "")
            case .text(let text): (2, 0, 0, text)
            }
        }

        static func < (a: Value, b: Value) -> Bool { a.order < b.order }
    }

    struct Key: Hashable, Comparable {
        var keyID: Int64
        var value: Value
        static func < (a: Key, b: Key) -> Bool { (a.keyID, a.value) < (b.keyID, b.value) }
    }

    /// Appends `refs` to `blob` as zigzag varint deltas from `last` (a ref equal to the one before
    /// it is skipped); returns the new last ref.
    static func append(_ refs: [Int64], after last: Int64, to blob: inout [UInt8]) -> Int64 {
        var previous = last
        for ref in refs where ref != previous {
            let delta = ref &- previous
            var zigzag = UInt64(bitPattern: (delta << 1) ^ (delta >> 63))
            while zigzag >= 0x80 {
                blob.append(UInt8(zigzag & 0x7F) | 0x80)
                zigzag >>= 7
            }
            blob.append(UInt8(zigzag))
            previous = ref
        }
        return previous
    }

    /// The refs of one chunk, in the order they were appended.
    static func refs(in blob: some Collection<UInt8>) -> [Int64] {
        var refs: [Int64] = []
        var previous: Int64 = 0
        var value: UInt64 = 0
        var shift: UInt64 = 0
        for byte in blob {
            value |= UInt64(byte & 0x7F) << shift
            if byte & 0x80 != 0 { shift += 7; continue }
            let delta = Int64(bitPattern: (value >> 1) ^ (0 &- (value & 1)))
            previous &+= delta
            refs.append(previous)
            (value, shift) = (0, 0)
        }
        return refs
    }

    /// Which of `spans` (by index) have each key and scalar value; ids from `keyID`, which may
    /// throw (a key with no id yet).
    static func postings(of spans: [Span], leavingOut unindexed: Set<Int64> = [], keyID: (String) throws -> Int64) rethrows -> [Key: [Int]] {
        var postings: [Key: [Int]] = [:]
        for (index, span) in spans.enumerated() {
            let keyIDs = try span.attributes.map { try keyID($0.key) }
            add(span, at: index, keyIDs: keyIDs, leavingOut: unindexed, to: &postings)
        }
        return postings
    }

    /// One span's entries, given its attributes' key ids in order.
    static func add(_ span: Span, at index: Int, keyIDs: [Int64], leavingOut unindexed: Set<Int64>, to postings: inout [Key: [Int]]) {
        for (attribute, id) in zip(span.attributes, keyIDs) where !unindexed.contains(id) {
            if let value = Value(attribute.value) {
                postings[Key(keyID: id, value: value), default: []].append(index)
            } else if case .array(let elements) = attribute.value {
                // An array is indexed by its scalar elements: `key = element` finds it. A ref
                // repeated (two equal elements) is written once, as `append` skips repeats.
                for element in elements {
                    guard let value = Value(element) else { continue }
                    postings[Key(keyID: id, value: value), default: []].append(index)
                }
            }
        }
    }

    /// The last chunk of a key, as the writer last left it: read once, then kept, so a commit
    /// costs one UPDATE per key rather than a SELECT and an UPDATE.
    struct OpenChunk {
        var chunk: Int64
        var last: Int64
        var blob: [UInt8]
    }

    /// Adds each key's trace refs to its last chunk, or starts the next one when that is full;
    /// keys in order, so the same spans give the same rows however they arrived.
    static func add(_ postings: [Key: [Int64]], open: inout [Key: OpenChunk], in db: Database) throws {
        guard !postings.isEmpty else { return }
        let postings = try withoutUnindexedKeys(postings, in: db)
        let lastChunk = try RawStatement(db, sql: """
            SELECT chunk, last_trace_ref, trace_refs FROM attribute_postings WHERE key_id = ? AND value = ? ORDER BY chunk DESC LIMIT 1
            """)
        let extend = try RawStatement(db, sql: """
            UPDATE attribute_postings SET last_trace_ref = ?, trace_refs = ? WHERE key_id = ? AND value = ? AND chunk = ?
            """)
        let start = try RawStatement(db, sql: """
            INSERT INTO attribute_postings (key_id, value, chunk, last_trace_ref, trace_refs) VALUES (?, ?, ?, ?, ?)
            """)
        for (key, refs) in postings.sorted(by: { $0.key < $1.key }) {
            var current = open[key]
            if current == nil {
                lastChunk.bind(1, key.keyID)
                key.value.bind(to: lastChunk, at: 2)
                if try lastChunk.step(db) {
                    current = OpenChunk(chunk: lastChunk.int64(0), last: lastChunk.int64(1), blob: lastChunk.blob(2))
                    lastChunk.reset()
                }
            }
            guard var chunk = current else {
                var blob: [UInt8] = []
                let last = append(refs, after: 0, to: &blob)
                try insert(key, chunk: 0, last: last, blob: blob, with: start, db: db)
                open[key] = OpenChunk(chunk: 0, last: last, blob: blob)
                continue
            }
            let before = chunk.blob.count
            if before < chunkBytes {
                chunk.last = append(refs, after: chunk.last, to: &chunk.blob)
                guard chunk.blob.count > before else { continue }
                extend.bind(1, chunk.last)
                extend.bind(2, blob: chunk.blob)
                extend.bind(3, key.keyID)
                key.value.bind(to: extend, at: 4)
                extend.bind(5, chunk.chunk)
                try extend.execute(db)
                open[key] = chunk
            } else {
                // Full: the next chunk starts from zero, refs equal to this one's last skipped.
                let rest = Array(refs.drop { $0 == chunk.last })
                guard !rest.isEmpty else { continue }
                var next = OpenChunk(chunk: chunk.chunk + 1, last: 0, blob: [])
                next.last = append(rest, after: 0, to: &next.blob)
                try insert(key, chunk: next.chunk, last: next.last, blob: next.blob, with: start, db: db)
                open[key] = next
            }
        }
    }

    /// `postings` less the keys that have, or with these would have, too many values; those are
    /// marked unindexed and their rows deleted.
    private static func withoutUnindexedKeys(_ postings: [Key: [Int64]], in db: Database) throws -> [Key: [Int64]] {
        let unindexed = Set(try Int64.fetchAll(db, sql: "SELECT key_id FROM unindexed_attribute_keys"))
        var kept = postings.filter { !unindexed.contains($0.key.keyID) }
        let newValues = Dictionary(grouping: kept.keys, by: \.keyID).mapValues(\.count)
        let countValues = try RawStatement(db, sql: "SELECT count(*) FROM attribute_postings WHERE key_id = ? AND chunk = 0")
        for (keyID, added) in newValues.sorted(by: { $0.key < $1.key }) {
            // New values past the limit need no exact count of the old ones.
            var total = added
            if total <= maximumValuesPerKey {
                countValues.bind(1, keyID)
                total += Int(try countValues.fetchInt64(db) ?? 0)
            }
            guard total > maximumValuesPerKey else { continue }
            try db.execute(sql: "INSERT OR IGNORE INTO unindexed_attribute_keys VALUES (?)", arguments: [keyID])
            try db.execute(sql: "DELETE FROM attribute_postings WHERE key_id = ?", arguments: [keyID])
            kept = kept.filter { $0.key.keyID != keyID }
        }
        return kept
    }

    private static func insert(_ key: Key, chunk: Int64, last: Int64, blob: [UInt8], with statement: RawStatement, db: Database) throws {
        statement.bind(1, key.keyID)
        key.value.bind(to: statement, at: 2)
        statement.bind(3, chunk)
        statement.bind(4, last)
        statement.bind(5, blob: blob)
        try statement.execute(db)
    }

    /// The refs of the traces with a span whose attribute `key` has one of `values`: from the
    /// postings, and from the spans stored since they were last written; empty when the key was
    /// never seen.
    static func traceRefs(key: String, values: [Value], in db: Database) throws -> Set<Int64> {
        guard let (keyID, unindexed) = try indexedKey(key, in: db) else { return [] }
        var refs = try postedRefs(keyID: keyID, values: values, in: db)
        // Spans past the index's mark are read (a rowid range); for an unindexed key, every span.
        let mark = unindexed ? 0 : try indexedThrough(db)
        let tail = try RawStatement(db, sql: """
            \(scalarEntries) SELECT trace_ref FROM entries
            WHERE key = ? AND (CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' WHEN 'text' THEN value
                   WHEN 'integer' THEN value WHEN 'real' THEN value END) = ?
              AND (CASE WHEN type IN ('true', 'false') THEN 'text' WHEN type IN ('integer', 'real') THEN 'number' ELSE type END) = ?
            """)
        for value in values {
            tail.bind(1, mark)
            tail.bind(2, text: String(keyID))
            value.bind(to: tail, at: 3)
            switch value {
            case .text: tail.bind(4, text: "text")
            case .int, .real: tail.bind(4, text: "number")
            }
            while try tail.step(db) { refs.insert(tail.int64(0)) }
        }
        return refs
    }

    /// `entries(span, key, type, value, trace_ref)`: every top-level attribute of the spans after
    /// rowid `?1`, and every element of those that are arrays, as `json_each` types and values them.
    private static let scalarEntries = """
        WITH entries(span, key, type, value, trace_ref) AS (
            SELECT s.rowid, a.key, a.type, a.value, s.trace_ref FROM spans s, json_each(s.attributes) a WHERE s.rowid > ?1 AND a.type != 'array'
            UNION ALL
            SELECT s.rowid, a.key, e.type, e.value, s.trace_ref FROM spans s, json_each(s.attributes) a, json_each(a.value) e
            WHERE s.rowid > ?1 AND a.type = 'array')
        """

    /// A key's id and whether it is left out of the index; nil when no span ever had it.
    private static func indexedKey(_ key: String, in db: Database) throws -> (id: Int64, unindexed: Bool)? {
        let findKey = try RawStatement(db, sql: "SELECT id, EXISTS (SELECT 1 FROM unindexed_attribute_keys u WHERE u.key_id = k.id) FROM attribute_keys k WHERE key = ?")
        findKey.bind(1, text: key)
        // Reset once read: a statement left on its row would hold the table it reads open.
        defer { findKey.reset() }
        guard try findKey.step(db) else { return nil }
        return (findKey.int64(0), findKey.int64(1) != 0)
    }

    /// The refs the postings hold for a key with any of `values`.
    private static func postedRefs(keyID: Int64, values: some Sequence<Value>, in db: Database) throws -> Set<Int64> {
        let chunks = try RawStatement(db, sql: "SELECT trace_refs FROM attribute_postings WHERE key_id = ? AND value = ?")
        var refs = Set<Int64>()
        for value in values {
            chunks.bind(1, keyID)
            value.bind(to: chunks, at: 2)
            while try chunks.step(db) { refs.formUnion(Self.refs(in: chunks.blob(0))) }
            chunks.reset()
        }
        return refs
    }

    /// The last span the postings cover.
    private static func indexedThrough(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT indexed_through FROM attribute_index_state") ?? 0
    }

    /// What the index knows of a key's values, for a search to pick the ones it wants.
    static func values(ofKey key: String, in db: Database) throws -> IndexedAttributeValues {
        guard let (keyID, unindexed) = try indexedKey(key, in: db) else { return .unknownKey }
        if unindexed { return .unindexed }
        // Values only the unindexed tail has are not listed: `candidateRefs` adds the tail's traces whole.
        let rows = try RawStatement(db, sql: "SELECT DISTINCT value FROM attribute_postings WHERE key_id = ?")
        rows.bind(1, keyID)
        var values: [AttributeValue] = []
        while try rows.step(db) {
            switch value(in: rows, at: 0) {
            case .int(let number): values.append(.int(number))
            case .real(let number): values.append(.double(number))
            case .text(let text): values.append(.string(text))
            }
            // Booleans are indexed as text: each is also offered as what it was.
            if case .string(let text) = values.last, text == "true" || text == "false" { values.append(.bool(text == "true")) }
        }
        return .values(values)
    }

    /// The traces with a span whose attribute `key` has one of `values` as the postings say, and
    /// every trace with spans past the index's mark (which a search reads anyway); nil when the
    /// key is not indexed.
    static func candidateRefs(key: String, values: [AttributeValue], in db: Database) throws -> Set<Int64>? {
        guard let (keyID, unindexed) = try indexedKey(key, in: db) else { return [] }
        if unindexed { return nil }
        var refs = try postedRefs(keyID: keyID, values: Set(values.compactMap(Value.init)), in: db)
        refs.formUnion(try Int64.fetchAll(db, sql: "SELECT DISTINCT trace_ref FROM spans WHERE rowid > ?", arguments: [try indexedThrough(db)]))
        return refs
    }

    /// The index entries of the spans stored after rowid `mark`, in the order they were stored.
    static func postings(ofSpansAfter mark: Int64, in db: Database) throws -> [Key: [Int64]] {
        let rows = try RawStatement(db, sql: """
            \(scalarEntries) SELECT CAST(key AS INTEGER), CASE type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE value END, trace_ref
            FROM entries WHERE type NOT IN ('array', 'object', 'null') AND value IS NOT NULL
            ORDER BY span
            """)
        rows.bind(1, mark)
        var postings: [Key: [Int64]] = [:]
        while try rows.step(db) {
            let key = Key(keyID: rows.int64(0), value: value(in: rows, at: 1))
            let ref = rows.int64(2)
            if postings[key]?.last != ref { postings[key, default: []].append(ref) }
        }
        return postings
    }

    private static func value(in rows: RawStatement, at column: Int32) -> Value {
        rows.isInteger(column) ? .int(rows.int64(column)) : rows.isReal(column) ? Value(.double(rows.double(column))) ?? .real(rows.double(column)) : .text(rows.text(column) ?? "")
    }

    /// Builds the whole index from the stored spans: for v3 on an older file, and after a prune
    /// (whose deleted trace refs could otherwise be reused). The same path as a writer's catching
    /// up, from the first span.
    static func rebuild(in db: Database) throws {
        try db.execute(sql: """
            DELETE FROM attribute_postings;
            DELETE FROM unindexed_attribute_keys;
            UPDATE attribute_index_state SET indexed_through = (SELECT coalesce(max(rowid), 0) FROM spans);
            """)
        var open: [Key: OpenChunk] = [:]
        try add(postings(ofSpansAfter: 0, in: db), open: &open, in: db)
    }
}

private extension AttributeValue {
    var isArray: Bool {
        if case .array = self { return true }
        return false
    }
}
