import GRDB

extension TraceStore {
    /// v5: log records. Resources, scopes and attribute keys are the spans' own dictionaries; the
    /// body is indexed for word search by a contentless FTS5 table kept by triggers, so a row's
    /// text is stored once; writers index it in batches behind `log_text_state`'s mark (a
    /// segment a second rather than one a commit), and readers match the records past the mark
    /// themselves. A record points at its trace through `log_traces`, so the random
    /// trace id is indexed once a trace and the records' own index grows in order. A request's
    /// fingerprint (`log_requests`) keeps an exporter's retry from being stored twice. Only WARN
    /// and above has a severity index: a lower floor keeps most records, which the time index reads as well.
    static func migrateToV5(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE logs (
                id INTEGER PRIMARY KEY,
                time_ns INTEGER NOT NULL,
                observed_delta_ns INTEGER,
                severity_number INTEGER NOT NULL,
                severity_text TEXT,
                body TEXT,
                body_value TEXT,
                attributes TEXT,
                dropped_attributes_count INTEGER NOT NULL,
                flags INTEGER NOT NULL,
                trace_ref INTEGER REFERENCES log_traces(id),
                span_id BLOB,
                event_name TEXT,
                resource_id INTEGER NOT NULL REFERENCES resources(id),
                scope_id INTEGER NOT NULL REFERENCES scopes(id)
            );
            CREATE INDEX logs_by_time ON logs(time_ns);
            CREATE TABLE log_traces (id INTEGER PRIMARY KEY, trace_id BLOB NOT NULL UNIQUE);
            CREATE INDEX logs_by_trace ON logs(trace_ref) WHERE trace_ref IS NOT NULL;
            CREATE INDEX logs_by_resource ON logs(resource_id, time_ns);
            CREATE INDEX logs_at_warn ON logs(severity_number, time_ns) WHERE severity_number >= 13;
            CREATE TABLE log_requests (fingerprint INTEGER PRIMARY KEY);
            CREATE VIRTUAL TABLE logs_text USING fts5(body, content='', detail=none, columnsize=0);
            CREATE TABLE log_text_state (id INTEGER PRIMARY KEY CHECK (id = 1), indexed_through INTEGER NOT NULL);
            INSERT INTO log_text_state VALUES (1, 0);
            CREATE TRIGGER logs_text_delete AFTER DELETE ON logs WHEN old.id <= (SELECT indexed_through FROM log_text_state) BEGIN
                INSERT INTO logs_text(logs_text, rowid, body) VALUES ('delete', old.id, coalesce(old.body, old.body_value, ''));
            END;
            CREATE VIEW log AS
                SELECT l.id, l.time_ns,
                       CASE WHEN l.observed_delta_ns IS NULL THEN 0 ELSE l.time_ns END AS sent_time_ns,
                       l.time_ns + coalesce(l.observed_delta_ns, 0) AS observed_ns,
                       l.severity_number,
                       coalesce(l.severity_text, CASE (l.severity_number - 1) / 4 WHEN 0 THEN 'TRACE' WHEN 1 THEN 'DEBUG' WHEN 2 THEN 'INFO'
                           WHEN 3 THEN 'WARN' WHEN 4 THEN 'ERROR' WHEN 5 THEN 'FATAL' END, '') AS severity_text,
                       coalesce(l.body, l.body_value) AS body, sv.name AS service_name,
                       CASE WHEN lt.trace_id IS NULL THEN NULL ELSE lower(hex(lt.trace_id)) END AS trace_id,
                       CASE WHEN l.span_id IS NULL THEN NULL ELSE lower(hex(l.span_id)) END AS span_id,
                       (SELECT json_group_object((SELECT key FROM attribute_keys WHERE id = CAST(a.key AS INTEGER)),
                            CASE a.type WHEN 'true' THEN json('true') WHEN 'false' THEN json('false')
                            WHEN 'null' THEN json('null') WHEN 'object' THEN json(a.value) WHEN 'array' THEN json(a.value) ELSE a.value END)
                        FROM json_each(coalesce(l.attributes, '{}')) a) AS attributes,
                       l.flags, coalesce(l.event_name, '') AS event_name, l.resource_id, l.scope_id
                FROM logs l JOIN resources r ON r.id = l.resource_id JOIN services sv ON sv.id = r.service_id
                LEFT JOIN log_traces lt ON lt.id = l.trace_ref;
            """)
    }
}
