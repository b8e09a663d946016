import GRDB

extension TraceStore {
    /// v5: log records. Resources, scopes, services and attribute keys are the spans' own
    /// dictionaries; the body is indexed for word search by a contentless FTS5 table kept by
    /// triggers, so a row's text is stored once.
    static func migrateToV5(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE logs (
                id INTEGER PRIMARY KEY,
                fingerprint INTEGER NOT NULL,
                time_ns INTEGER NOT NULL,
                observed_ns INTEGER NOT NULL,
                severity_number INTEGER NOT NULL,
                severity_text TEXT,
                body TEXT,
                body_value TEXT,
                attributes TEXT,
                dropped_attributes_count INTEGER NOT NULL,
                flags INTEGER NOT NULL,
                trace_id BLOB,
                span_id BLOB,
                event_name TEXT,
                service_id INTEGER NOT NULL REFERENCES services(id),
                resource_id INTEGER NOT NULL REFERENCES resources(id),
                scope_id INTEGER NOT NULL REFERENCES scopes(id)
            );
            CREATE UNIQUE INDEX logs_by_fingerprint ON logs(fingerprint);
            CREATE INDEX logs_by_time ON logs(\(LogColumn.time));
            CREATE INDEX logs_by_trace ON logs(trace_id, \(LogColumn.time)) WHERE trace_id IS NOT NULL;
            CREATE INDEX logs_by_service ON logs(service_id, \(LogColumn.time));
            CREATE INDEX logs_by_severity ON logs(severity_number, \(LogColumn.time));
            CREATE VIRTUAL TABLE logs_text USING fts5(body, content='', detail=none);
            CREATE TRIGGER logs_text_insert AFTER INSERT ON logs BEGIN
                INSERT INTO logs_text(rowid, body) VALUES (new.id, coalesce(new.body, new.body_value, ''));
            END;
            CREATE TRIGGER logs_text_delete AFTER DELETE ON logs BEGIN
                INSERT INTO logs_text(logs_text, rowid, body) VALUES ('delete', old.id, coalesce(old.body, old.body_value, ''));
            END;
            CREATE VIEW log AS
                SELECT l.id, \(LogColumn.time) AS time_ns, l.time_ns AS sent_time_ns, l.observed_ns, l.severity_number,
                       coalesce(l.severity_text, '') AS severity_text, coalesce(l.body, l.body_value) AS body,
                       sv.name AS service_name,
                       CASE WHEN l.trace_id IS NULL THEN NULL ELSE lower(hex(l.trace_id)) END AS trace_id,
                       CASE WHEN l.span_id IS NULL THEN NULL ELSE lower(hex(l.span_id)) END AS span_id,
                       (SELECT json_group_object((SELECT key FROM attribute_keys WHERE id = CAST(a.key AS INTEGER)),
                            CASE a.type WHEN 'true' THEN json('true') WHEN 'false' THEN json('false')
                            WHEN 'null' THEN json('null') WHEN 'object' THEN json(a.value) WHEN 'array' THEN json(a.value) ELSE a.value END)
                        FROM json_each(coalesce(l.attributes, '{}')) a) AS attributes,
                       l.flags, coalesce(l.event_name, '') AS event_name, l.resource_id, l.scope_id
                FROM logs l JOIN services sv ON sv.id = l.service_id;
            """)
    }
}

/// SQL for the `logs` table's derived columns, written once so queries match the indexes.
enum LogColumn {
    /// When a record happened: its own time, else when it was observed (OTLP allows either unset).
    static let time = "coalesce(nullif(time_ns, 0), observed_ns)"
}
