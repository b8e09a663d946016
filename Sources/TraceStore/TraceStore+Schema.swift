import GRDB

extension TraceStore {
    /// Migrations are append-only: a shipped one is never edited, a change is a new one.
    static let migrator: DatabaseMigrator = {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(sql: """
                CREATE TABLE resource (
                    id INTEGER PRIMARY KEY,
                    fingerprint TEXT NOT NULL UNIQUE,
                    service_name TEXT NOT NULL,
                    attributes TEXT NOT NULL,
                    dropped_attributes_count INTEGER NOT NULL,
                    schema_url TEXT NOT NULL
                );
                CREATE TABLE scope (
                    id INTEGER PRIMARY KEY,
                    fingerprint TEXT NOT NULL UNIQUE,
                    name TEXT NOT NULL,
                    version TEXT NOT NULL,
                    attributes TEXT NOT NULL,
                    dropped_attributes_count INTEGER NOT NULL,
                    schema_url TEXT NOT NULL
                );
                CREATE TABLE span (
                    trace_id TEXT NOT NULL,
                    span_id TEXT NOT NULL,
                    parent_span_id TEXT,
                    trace_state TEXT NOT NULL,
                    flags INTEGER NOT NULL,
                    name TEXT NOT NULL,
                    kind INTEGER NOT NULL,
                    start_ns INTEGER NOT NULL,
                    end_ns INTEGER NOT NULL,
                    status_code INTEGER NOT NULL,
                    status_message TEXT NOT NULL,
                    attributes TEXT NOT NULL,
                    dropped_attributes_count INTEGER NOT NULL,
                    events TEXT NOT NULL,
                    dropped_events_count INTEGER NOT NULL,
                    links TEXT NOT NULL,
                    dropped_links_count INTEGER NOT NULL,
                    resource_id INTEGER NOT NULL REFERENCES resource(id),
                    scope_id INTEGER NOT NULL REFERENCES scope(id),
                    PRIMARY KEY (trace_id, span_id)
                ) WITHOUT ROWID;
                CREATE TABLE trace (
                    trace_id TEXT NOT NULL PRIMARY KEY,
                    start_ns INTEGER NOT NULL,
                    end_ns INTEGER NOT NULL,
                    span_count INTEGER NOT NULL,
                    error_count INTEGER NOT NULL,
                    root_span_id TEXT,
                    root_service TEXT,
                    root_name TEXT
                ) WITHOUT ROWID;
                CREATE INDEX trace_by_start ON trace(start_ns);
                CREATE INDEX trace_by_duration ON trace(end_ns - start_ns);
                CREATE TABLE trace_service (
                    trace_id TEXT NOT NULL,
                    service_name TEXT NOT NULL,
                    span_count INTEGER NOT NULL,
                    PRIMARY KEY (trace_id, service_name)
                ) WITHOUT ROWID;
                CREATE INDEX trace_service_by_service ON trace_service(service_name, trace_id);
                CREATE VIEW span_attribute AS
                    SELECT span.trace_id, span.span_id, kv.value ->> '$.key' AS key, kv.value -> '$.value' AS value
                    FROM span, json_each(span.attributes) AS kv;
                """)
        }
        migrator.registerMigration("v2", migrate: TraceStore.migrateToV2)
        migrator.registerMigration("v3", migrate: TraceStore.migrateToV3)
        migrator.registerMigration("v4", migrate: TraceStore.migrateToV4)
        migrator.registerMigration("v5", migrate: TraceStore.migrateToV5)
        migrator.registerMigration("v6", migrate: TraceStore.migrateToV6)
        migrator.registerMigration("v7", migrate: TraceStore.migrateToV7)
        migrator.registerMigration("v8", migrate: TraceStore.migrateToV8)
        return migrator
    }()

    enum SchemaState: Equatable {
        case empty, outdated, current, foreign
        case newer(unknown: [String])
    }

    static func schemaState(of db: Database) throws -> SchemaState {
        let applied = try migrator.appliedIdentifiers(db)
        let known = Set(migrator.migrations)
        let unknown = applied.subtracting(known)
        if !unknown.isEmpty { return .newer(unknown: unknown.sorted()) }
        if applied.isEmpty {
            // A file `trace` began and was stopped before its first migration committed holds
            // nothing, or only GRDB's empty migrations table: it is ours, and empty.
            let tables = try Int.fetchOne(db, sql: "SELECT count(*) FROM sqlite_master WHERE type IN ('table','view') AND name != 'grdb_migrations'") ?? 0
            return tables == 0 ? .empty : .foreign
        }
        return applied == known ? .current : .outdated
    }
}
