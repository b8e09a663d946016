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
        // A cached statement an earlier reader left part way (its loop threw) starts over.
        sqlite3_reset(statement.sqliteStatement)
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

    func bind(_ index: Int32, real value: Double) { sqlite3_bind_double(handle, index, value) }

    func bind(_ index: Int32, blob bytes: [UInt8]) {
        bytes.withUnsafeBytes { _ = sqlite3_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32($0.count), Self.transient) }
    }

    enum Value {
        case int(Int64)
        case text(String?)
    }

    func bind(_ index: Int32, _ value: Value) {
        switch value {
        case .int(let number): bind(index, number)
        case .text(let text): bind(index, text: text)
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

    /// Binds GRDB arguments (the filters a query built) once, before stepping.
    func bind(_ arguments: StatementArguments) throws {
        try statement.setArguments(arguments)
    }

    /// Steps to the next row: true while there is one. Read it with the column accessors.
    func step(_ db: Database) throws -> Bool {
        switch sqlite3_step(handle) {
        case SQLITE_ROW: return true
        case SQLITE_DONE:
            sqlite3_reset(handle)
            return false
        case let code:
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: String(cString: sqlite3_errmsg(db.sqliteConnection)), sql: statement.sql)
        }
    }

    /// Ends a read that stopped at its first row, so the statement holds nothing open.
    func reset() { sqlite3_reset(handle) }

    func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }
    func double(_ column: Int32) -> Double { sqlite3_column_double(handle, column) }
    func isInteger(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_INTEGER }
    func isReal(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_FLOAT }

    /// A BLOB's bytes; empty for NULL.
    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(handle, column))
        guard count > 0, let pointer = sqlite3_column_blob(handle, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: pointer, count: count))
    }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }

    /// Text with its stored length, so a NUL inside it is kept; nil for NULL.
    func text(_ column: Int32) -> String? {
        guard let pointer = sqlite3_column_text(handle, column) else { return nil }
        return String(decoding: UnsafeBufferPointer(start: pointer, count: Int(sqlite3_column_bytes(handle, column))), as: UTF8.self)
    }

    /// An 8-byte big-endian BLOB as the integer it encodes; nil for NULL or another length.
    func bigEndianUInt64(_ column: Int32) -> UInt64? {
        guard sqlite3_column_bytes(handle, column) == 8, let pointer = sqlite3_column_blob(handle, column) else { return nil }
        return UInt64(bigEndian: UnsafeRawPointer(pointer).loadUnaligned(as: UInt64.self))
    }

    /// A 16-byte BLOB as the two big-endian halves of a trace id; nil for anything else.
    func bigEndianPair(_ column: Int32) -> (UInt64, UInt64)? {
        guard sqlite3_column_bytes(handle, column) == 16, let pointer = sqlite3_column_blob(handle, column) else { return nil }
        let raw = UnsafeRawPointer(pointer)
        return (UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)), UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)))
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
