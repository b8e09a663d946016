import GRDB
import TraceModel

extension TraceStore {
    /// v2: spans appended in arrival order, binary ids, names and keys kept once, compact JSON.
    /// The v1 tables' names become views of the same shape, so queries written for v1 still run.
    static func migrateToV2(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE services (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
            CREATE TABLE span_names (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
            CREATE TABLE attribute_keys (id INTEGER PRIMARY KEY, key TEXT NOT NULL UNIQUE);
            CREATE TABLE resources (
                id INTEGER PRIMARY KEY,
                fingerprint TEXT NOT NULL UNIQUE,
                service_id INTEGER NOT NULL REFERENCES services(id),
                attributes TEXT NOT NULL,
                dropped_attributes_count INTEGER NOT NULL,
                schema_url TEXT NOT NULL
            );
            CREATE TABLE scopes (
                id INTEGER PRIMARY KEY,
                fingerprint TEXT NOT NULL UNIQUE,
                name TEXT NOT NULL,
                version TEXT NOT NULL,
                attributes TEXT NOT NULL,
                dropped_attributes_count INTEGER NOT NULL,
                schema_url TEXT NOT NULL
            );
            CREATE TABLE traces (
                id INTEGER PRIMARY KEY,
                trace_id BLOB NOT NULL UNIQUE,
                start_ns INTEGER NOT NULL,
                end_ns INTEGER NOT NULL,
                span_count INTEGER NOT NULL,
                error_count INTEGER NOT NULL,
                root_span_id BLOB,
                root_service_id INTEGER REFERENCES services(id),
                root_name_id INTEGER REFERENCES span_names(id)
            );
            CREATE INDEX traces_by_start ON traces(start_ns DESC);
            CREATE INDEX traces_by_duration ON traces(end_ns - start_ns DESC);
            CREATE TABLE trace_services (
                trace_ref INTEGER NOT NULL REFERENCES traces(id),
                service_id INTEGER NOT NULL REFERENCES services(id),
                span_count INTEGER NOT NULL,
                PRIMARY KEY (trace_ref, service_id)
            ) WITHOUT ROWID;
            CREATE INDEX trace_services_by_service ON trace_services(service_id, trace_ref);
            CREATE TABLE spans (
                trace_ref INTEGER NOT NULL REFERENCES traces(id),
                span_id BLOB NOT NULL,
                parent_span_id BLOB,
                name_id INTEGER NOT NULL REFERENCES span_names(id),
                resource_id INTEGER NOT NULL REFERENCES resources(id),
                scope_id INTEGER NOT NULL REFERENCES scopes(id),
                kind INTEGER NOT NULL,
                start_ns INTEGER NOT NULL,
                duration_ns INTEGER NOT NULL,
                status_code INTEGER NOT NULL,
                status_message TEXT,
                trace_state TEXT,
                flags INTEGER NOT NULL,
                attributes TEXT,
                dropped_attributes_count INTEGER NOT NULL,
                events TEXT,
                dropped_events_count INTEGER NOT NULL,
                links TEXT,
                dropped_links_count INTEGER NOT NULL
            );
            CREATE UNIQUE INDEX spans_by_trace ON spans(trace_ref, span_id);
            CREATE INDEX spans_by_name ON spans(name_id);
            CREATE TABLE store_totals (id INTEGER PRIMARY KEY CHECK (id = 1), traces INTEGER NOT NULL, spans INTEGER NOT NULL);
            INSERT INTO store_totals VALUES (1, 0, 0);
            """)
        try convertV1Tables(db)
        // (The attribute index comes with v3, which builds it for the spans converted here.)
        try db.execute(sql: """
            CREATE VIEW trace AS
                SELECT lower(hex(t.trace_id)) AS trace_id, t.start_ns, t.end_ns, t.end_ns - t.start_ns AS duration_ns,
                       t.span_count, t.error_count,
                       CASE WHEN t.root_span_id IS NULL THEN NULL ELSE lower(hex(t.root_span_id)) END AS root_span_id,
                       rs.name AS root_service, rn.name AS root_name
                FROM traces t LEFT JOIN services rs ON rs.id = t.root_service_id LEFT JOIN span_names rn ON rn.id = t.root_name_id;
            CREATE VIEW trace_service AS
                SELECT lower(hex(t.trace_id)) AS trace_id, sv.name AS service_name, ts.span_count
                FROM trace_services ts JOIN traces t ON t.id = ts.trace_ref JOIN services sv ON sv.id = ts.service_id;
            CREATE VIEW resource AS
                SELECT r.id, sv.name AS service_name, \(readableAttributes("r.attributes")) AS attributes,
                       r.dropped_attributes_count, r.schema_url
                FROM resources r JOIN services sv ON sv.id = r.service_id;
            CREATE VIEW scope AS
                SELECT c.id, c.name, c.version, \(readableAttributes("c.attributes")) AS attributes, c.dropped_attributes_count, c.schema_url
                FROM scopes c;
            CREATE VIEW span AS
                SELECT lower(hex(t.trace_id)) AS trace_id, lower(hex(s.span_id)) AS span_id,
                       CASE WHEN s.parent_span_id IS NULL THEN NULL ELSE lower(hex(s.parent_span_id)) END AS parent_span_id,
                       coalesce(s.trace_state, '') AS trace_state, s.flags, n.name, s.kind,
                       s.start_ns, s.start_ns + s.duration_ns AS end_ns, s.duration_ns,
                       s.status_code, coalesce(s.status_message, '') AS status_message,
                       \(readableAttributes("s.attributes")) AS attributes, s.dropped_attributes_count,
                       (SELECT json_group_array(json_object(
                            'timeUnixNano', s.start_ns + (e.value ->> 0), 'name', e.value ->> 1,
                            'attributes', json(\(readableAttributes("e.value -> 2"))),
                            'droppedAttributesCount', coalesce(e.value ->> 3, 0)))
                        FROM json_each(coalesce(s.events, '[]')) e) AS events,
                       s.dropped_events_count,
                       (SELECT json_group_array(json_object(
                            'traceId', l.value ->> 0, 'spanId', l.value ->> 1, 'traceState', l.value ->> 2,
                            'attributes', json(\(readableAttributes("l.value -> 3"))),
                            'droppedAttributesCount', l.value ->> 4, 'flags', l.value ->> 5))
                        FROM json_each(coalesce(s.links, '[]')) l) AS links,
                       s.dropped_links_count, s.resource_id, s.scope_id
                FROM spans s JOIN traces t ON t.id = s.trace_ref JOIN span_names n ON n.id = s.name_id;
            CREATE VIEW span_attribute AS
                SELECT lower(hex(t.trace_id)) AS trace_id, lower(hex(s.span_id)) AS span_id,
                       (SELECT key FROM attribute_keys WHERE id = CAST(a.key AS INTEGER)) AS key,
                       CASE a.type WHEN 'true' THEN 'true' WHEN 'false' THEN 'false' ELSE a.value END AS value,
                       a.type
                FROM spans s JOIN traces t ON t.id = s.trace_ref, json_each(coalesce(s.attributes, '{}')) a;
            """)
    }

    /// v3: the attribute index, `attribute_postings`: for each attribute key and scalar value,
    /// the traces with a span that has it (numbered chunks of delta-coded trace refs), built here
    /// for the spans already stored; writers bring it up to date every second or so, and
    /// `attribute_index_state` marks the last span it covers.
    static func migrateToV3(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE attribute_postings (
                key_id INTEGER NOT NULL REFERENCES attribute_keys(id),
                value NOT NULL,
                chunk INTEGER NOT NULL,
                last_trace_ref INTEGER NOT NULL,
                trace_refs BLOB NOT NULL,
                PRIMARY KEY (key_id, value, chunk)
            ) WITHOUT ROWID;
            CREATE TABLE attribute_index_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL);
            INSERT INTO attribute_index_state VALUES (1, 0);
            CREATE TABLE unindexed_attribute_keys (key_id INTEGER PRIMARY KEY REFERENCES attribute_keys(id));
            """)
        try AttributeIndex.rebuild(in: db)
    }

    /// v4: arrays are indexed by their elements (a search for `key = element` finds them), so
    /// the index v3 built without them is built again.
    static func migrateToV4(_ db: Database) throws {
        try AttributeIndex.rebuild(in: db)
    }

    /// SQL that turns a compact attributes object (`{"<key id>": value}`) into `{"<key>": value}`,
    /// in the sender's order: the key is looked up per member, so no join can reorder them.
    private static func readableAttributes(_ column: String) -> String {
        """
        (SELECT json_group_object((SELECT key FROM attribute_keys WHERE id = CAST(a.key AS INTEGER)),
                    CASE a.type WHEN 'true' THEN json('true') WHEN 'false' THEN json('false')
                    WHEN 'null' THEN json('null') WHEN 'object' THEN json(a.value) WHEN 'array' THEN json(a.value) ELSE a.value END)
         FROM json_each(coalesce(\(column), '{}')) a)
        """
    }

    /// Moves every v1 span into the v2 tables, then drops the v1 tables so their names can become views.
    private static func convertV1Tables(_ db: Database) throws {
        guard try db.tableExists("span") else { return }
        let writer = StoreWriter(indexesAttributes: false)
        var batch: [Span] = []
        let rows = try Row.fetchCursor(db, sql: LegacyV1.spanSelect + " ORDER BY span.trace_id, span.start_ns")
        var resources: [Int64: Resource] = [:]
        var scopes: [Int64: InstrumentationScope] = [:]
        while let row = try rows.next() {
            batch.append(try LegacyV1.span(from: row, resources: &resources, scopes: &scopes))
            if batch.count == 10_000 {
                _ = try writer.insert([PreparedSpans(unencoded: batch)], in: db)
                batch.removeAll(keepingCapacity: true)
            }
        }
        _ = try writer.insert([PreparedSpans(unencoded: batch)], in: db)
        try db.execute(sql: """
            DROP VIEW span_attribute;
            DROP TABLE trace_service;
            DROP TABLE trace;
            DROP TABLE span;
            DROP TABLE scope;
            DROP TABLE resource;
            """)
    }
}
