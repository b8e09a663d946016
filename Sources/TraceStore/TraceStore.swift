import CSQLiteSetup
import Foundation
import GRDB
import GRDBSQLite
import Synchronization
import TraceModel

/// The SQLite file that holds spans: owns the schema and every read and write of it.
public final class TraceStore: Sendable {
    public let path: String
    let writer: any DatabaseWriter
    let storeWriter = StoreWriter()
    let committedKeys = CommittedKeys()
    let dictionary = DictionaryCache()
    /// A store opened for reading tidies up as it closes (see `close()`).
    private let readsOnly: Bool
    private let closed = Mutex(false)

    private init(path: String, writer: any DatabaseWriter, readsOnly: Bool = false) {
        self.path = path
        self.writer = writer
        self.readsOnly = readsOnly
    }

    /// A reader tidies up if nobody closed it (`close()`). A writer's connections close with
    /// it, but writing on the way out is left to an explicit `close()`: a last reference let go
    /// inside one of its own writes would make that write reentrant.
    deinit {
        if readsOnly { try? close() }
    }

    /// Ends the store's use, and returns once the file stands alone: a writer's pending index
    /// entries are written and its write-ahead log folded into the file, every connection is
    /// closed, and no `-wal` or `-shm` is left beside it (unless another process has the file
    /// open). Reads and writes after it throw; a second call does nothing.
    ///
    /// SQLite removes the log with the last connection to close, if that one may write: a pool's
    /// readers close after its writer, read-only, and cannot. One writable connection that reads
    /// and closes then does, when no other process has the file open (otherwise it leaves them to
    /// that process); where it cannot open (a file the user may not write) nothing changes. A bare
    /// SQLite connection, since it only opens, reads once and closes: it reads the header's schema
    /// cookie, which opens the log without parsing the schema.
    public func close() throws {
        guard closed.withLock({ closed in
            defer { closed = true }
            return !closed
        }) else { return }
        if !readsOnly {
            do {
                try writePendingIndexes()
                try foldWriteAheadLog()
            } catch {
                try? writer.close()
                throw error
            }
        }
        try writer.close()
        guard path != ":memory:" else { return }
        var connection: OpaquePointer?
        if sqlite3_open_v2(path, &connection, SQLITE_OPEN_READWRITE, nil) == SQLITE_OK {
            sqlite3_busy_timeout(connection, 100)
            sqlite3_exec(connection, "PRAGMA schema_version", nil, nil, nil)
        }
        sqlite3_close(connection)
    }

    /// Opens an existing database for reading; never creates a file, but brings an older or empty
    /// one to the current schema first. Without `concurrentReads` it reads through one connection,
    /// which a command that reads once opens sooner (a connection pool opens two).
    public static func openForReading(path: String, concurrentReads: Bool = true) throws -> TraceStore {
        try openForReading(path: path, concurrentReads: concurrentReads, recovered: false)
    }

    private static func openForReading(path: String, concurrentReads: Bool, recovered: Bool) throws -> TraceStore {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else { throw TraceStoreError.missing(path: path) }
        guard !isDirectory.boolValue else { throw TraceStoreError.cannotOpen(path: path, reason: "it is a directory") }
        var configuration = Configuration()
        configuration.readonly = true
        configuration.prepareDatabase { db in db.add(function: LogWords.function) }
        let reader: any DatabaseWriter
        do {
            reader = try open(path: path, recoverable: !recovered) {
                let reader: any DatabaseWriter = concurrentReads
                    ? try DatabasePool(path: path, configuration: configuration)
                    : try DatabaseQueue(path: path, configuration: configuration)
                try reader.read { _ = try Int.fetchOne($0, sql: "SELECT count(*) FROM sqlite_master") }
                return reader
            }
        } catch NeedsRecovery.writableOpen {
            // A writer was killed mid-write (a hot journal, an unrecovered write-ahead log), and a
            // read-only connection may not repair that: one writable open does, then we read.
            _ = try openForWriting(path: path)
            return try openForReading(path: path, concurrentReads: concurrentReads, recovered: true)
        }
        let state = try check(path: path) { try reader.read { try schemaState(of: $0) } }
        if state == .outdated || state == .empty {
            // A file from an older release is converted in place (one transaction), then read; an
            // empty one (a creation that was cut short, or a blank file) is given the schema.
            try reader.close()
            _ = try openForWriting(path: path)
            return try openForReading(path: path, concurrentReads: concurrentReads, recovered: true)
        }
        return TraceStore(path: path, writer: reader, readsOnly: true)
    }

    /// Opens a database for recording, creating and migrating it when it is new or empty.
    /// A file that holds something other than traces is refused, not converted.
    public static func openForWriting(path: String) throws -> TraceStore {
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            db.add(function: LogWords.function)
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
        }
        // Two writers (a `collect` and an `import` or `prune`) take turns instead of failing at once.
        configuration.busyMode = .timeout(10)
        // The writer assigns every id it references from rows it made itself, so SQLite need not
        // look each parent up again on every insert (a fifth of a log record's cost); the tests
        // hold the schema's references with `PRAGMA foreign_key_check`.
        configuration.foreignKeysEnabled = false
        var isDirectory: ObjCBool = false
        let existed = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if existed, isDirectory.boolValue { throw TraceStoreError.cannotOpen(path: path, reason: "it is a directory") }
        if !existed {
            let directory = (path as NSString).deletingLastPathComponent
            if !directory.isEmpty, !(FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) && isDirectory.boolValue) {
                throw TraceStoreError.cannotOpen(path: path, reason: "directory \(directory) does not exist")
            }
        }
        let pool: DatabasePool
        do {
            pool = try open(path: path) { try DatabasePool(path: path, configuration: configuration) }
            let state = try check(path: path) { try pool.read { try schemaState(of: $0) } }
            if state != .current { try migrator.migrate(pool) }
            // For the one writing connection only (readers keep SQLite's 2 MB): 24 MiB of page cache
            // keeps the indexes that inserts touch in memory, and a 40 MB WAL lets a page that many
            // commits touch reach the database file once, not once per commit.
            try pool.writeWithoutTransaction { db in
                try db.execute(sql: "PRAGMA cache_size = -24576")
                try db.execute(sql: "PRAGMA wal_autocheckpoint = 10000")
            }
        } catch {
            if !existed { removeFiles(at: path) }
            throw error
        }
        return TraceStore(path: path, writer: pool)
    }

    /// A private in-memory database, for tests that need no file.
    public static func inMemory() throws -> TraceStore {
        var configuration = Configuration()
        configuration.prepareDatabase { db in db.add(function: LogWords.function) }
        let queue = try DatabaseQueue(configuration: configuration)
        try migrator.migrate(queue)
        return TraceStore(path: ":memory:", writer: queue)
    }

    private enum NeedsRecovery: Error { case writableOpen }

    /// Set once, before the process's first connection: each connection is used by one thread at
    /// a time (GRDB's queues), so SQLite need not lock a mutex in every call nor count its
    /// memory under another (a tenth of the writer's time under `collect`). Too late, if SQLite
    /// was used first, it changes nothing.
    private static let multiThreadSQLite: Void = { _ = trace_sqlite3_configure_for_one_thread_per_connection() }()

    private static func open<T>(path: String, recoverable: Bool = false, _ body: () throws -> T) throws -> T {
        _ = multiThreadSQLite
        do {
            return try body()
        } catch let error as DatabaseError where recoverable && error.resultCode == .SQLITE_READONLY {
            throw NeedsRecovery.writableOpen
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw TraceStoreError.notATraceDatabase(path: path)
        } catch let error as DatabaseError {
            throw TraceStoreError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        }
    }

    @discardableResult
    private static func check(path: String, _ body: () throws -> SchemaState) throws -> SchemaState {
        let state: SchemaState
        do {
            state = try body()
        } catch let error as DatabaseError where error.resultCode == .SQLITE_NOTADB {
            throw TraceStoreError.notATraceDatabase(path: path)
        } catch let error as DatabaseError {
            throw TraceStoreError.cannotOpen(path: path, reason: error.message ?? "\(error.resultCode)")
        }
        switch state {
        case .foreign: throw TraceStoreError.notATraceDatabase(path: path)
        case .newer(let unknown): throw TraceStoreError.newerSchema(path: path, unknown: unknown)
        case .empty, .outdated, .current: return state
        }
    }

    private static func removeFiles(at path: String) {
        for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
    }
}
