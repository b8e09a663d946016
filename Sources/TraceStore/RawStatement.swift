import GRDB
import GRDBSQLite

/// A prepared statement bound straight through SQLite's C API. The span insert runs a million
/// times a minute; GRDB's general argument handling costs more than SQLite's own work there.
struct RawStatement {
    private let statement: Statement
    private var handle: OpaquePointer { statement.sqliteStatement }
    private static let transient = unsafeBitCast(OpaquePointer(bitPattern: -1), to: sqlite3_destructor_type.self)

    init(_ db: Database, sql: String) throws {
        statement = try db.cachedStatement(sql: sql)
    }

    func bind(_ index: Int32, _ value: Int64) { sqlite3_bind_int64(handle, index, value) }
    func bind(_ index: Int32, _ value: Int64?) { if let value { bind(index, value) } else { bindNull(index) } }
    func bindNull(_ index: Int32) { sqlite3_bind_null(handle, index) }

    func bind(_ index: Int32, text: String?) {
        guard var text else { return bindNull(index) }
        text.withUTF8 { bytes in
            guard let base = bytes.baseAddress, !bytes.isEmpty else { return _ = sqlite3_bind_text(handle, index, "", 0, Self.transient) }
            _ = sqlite3_bind_text(handle, index, UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self), Int32(bytes.count), Self.transient)
        }
    }

    /// An integer id as its big-endian bytes, the order in which ids are printed and sorted.
    func bind(_ index: Int32, bigEndian value: UInt64) {
        withUnsafeBytes(of: value.bigEndian) { _ = sqlite3_bind_blob(handle, index, $0.baseAddress, 8, Self.transient) }
    }

    func bind(_ index: Int32, bigEndian high: UInt64, _ low: UInt64) {
        withUnsafeBytes(of: (high.bigEndian, low.bigEndian)) { _ = sqlite3_bind_blob(handle, index, $0.baseAddress, 16, Self.transient) }
    }

    /// Runs a statement that returns no row; the bindings are kept for the caller to overwrite.
    func execute(_ db: Database) throws {
        let code = sqlite3_step(handle)
        sqlite3_reset(handle)
        guard code == SQLITE_DONE else {
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
    }

    /// Runs a one-column query and returns its first integer, if any row came back.
    func fetchInt64(_ db: Database) throws -> Int64? {
        let code = sqlite3_step(handle)
        defer { sqlite3_reset(handle) }
        switch code {
        case SQLITE_ROW: return sqlite3_column_int64(handle, 0)
        case SQLITE_DONE: return nil
        default:
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
    }
}
