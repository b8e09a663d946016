import GRDB

extension TraceStore {
    /// v6: metric points. A series is a metric (its identity per OTLP: name, kind, unit,
    /// temporality, monotonicity) from one resource and scope with one set of attributes; its
    /// points are keyed by (series, time) in a table without rowids, so the key is the only index
    /// a point pays for and a retried request finds its points already there.
    static func migrateToV6(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE metrics (
                id INTEGER PRIMARY KEY,
                name TEXT NOT NULL,
                kind INTEGER NOT NULL,
                unit TEXT NOT NULL,
                temporality INTEGER NOT NULL,
                monotonic INTEGER NOT NULL,
                description TEXT NOT NULL,
                UNIQUE (name, kind, unit, temporality, monotonic)
            );
            CREATE TABLE metric_series (
                id INTEGER PRIMARY KEY,
                metric_id INTEGER NOT NULL REFERENCES metrics(id),
                resource_id INTEGER NOT NULL REFERENCES resources(id),
                scope_id INTEGER NOT NULL REFERENCES scopes(id),
                attributes TEXT NOT NULL,
                UNIQUE (metric_id, resource_id, scope_id, attributes)
            );
            CREATE TABLE metric_points (
                series_id INTEGER NOT NULL REFERENCES metric_series(id),
                time_ns INTEGER NOT NULL,
                start_delta_ns INTEGER,
                flags INTEGER NOT NULL,
                value,
                sum REAL,
                detail TEXT,
                PRIMARY KEY (series_id, time_ns)
            ) WITHOUT ROWID;
            CREATE TABLE metric_exemplars (
                series_id INTEGER NOT NULL,
                point_time_ns INTEGER NOT NULL,
                time_ns INTEGER NOT NULL,
                value REAL NOT NULL,
                trace_id BLOB,
                span_id BLOB,
                filtered_attributes TEXT,
                FOREIGN KEY (series_id, point_time_ns) REFERENCES metric_points(series_id, time_ns)
            );
            CREATE INDEX metric_exemplars_by_point ON metric_exemplars(series_id, point_time_ns);
            """)
    }

    /// v7: each series keeps how many points it holds, so listing a metric's series needs no scan
    /// of every point (a day of 100 series is 864,000 of them).
    static func migrateToV7(_ db: Database) throws {
        try db.execute(sql: """
            ALTER TABLE metric_series ADD COLUMN point_count INTEGER NOT NULL DEFAULT 0;
            UPDATE metric_series SET point_count = (SELECT count(*) FROM metric_points WHERE series_id = metric_series.id);
            """)
    }
}
