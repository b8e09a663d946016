import GRDB

/// Why a database could not be used; each case reads as one line a user can act on.
public enum TraceStoreError: Error, Equatable, CustomStringConvertible {
    case missing(path: String)
    case notATraceDatabase(path: String)
    case newerSchema(path: String, unknown: [String])
    case cannotOpen(path: String, reason: String)
    /// The file holds something v2's writer never writes.
    case corrupt(String)

    public var description: String {
        switch self {
        case .missing(let path):
            "no trace database at \(path) (record one with `trace run` or `trace collect`, or pass --db PATH)"
        case .notATraceDatabase(let path):
            "\(path) is not a trace database"
        case .newerSchema(let path, let unknown):
            "\(path) was written by a newer version of trace (schema \(unknown.joined(separator: ", "))); upgrade trace to read it"
        case .cannotOpen(let path, let reason):
            "cannot open \(path): \(reason)"
        case .corrupt(let what):
            "the database is damaged: it holds \(what)"
        }
    }
}

extension TraceStore {
    /// Why a write failed when the cause is the storage rather than the rows: the disk is full, the
    /// file turned read-only, the disk failed or another process holds the lock. Such a write may
    /// succeed later, unchanged, so senders should retry; nil for any other failure.
    public static func storageProblem(in error: any Error) -> String? {
        guard let error = error as? DatabaseError else { return nil }
        switch error.resultCode {
        case .SQLITE_FULL: return "the disk is full"
        case .SQLITE_READONLY: return "the database file is read-only"
        case .SQLITE_IOERR: return "the disk cannot be written (\(error.message ?? "I/O error"))"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "another process holds the database's write lock"
        case .SQLITE_CANTOPEN: return "the database's files cannot be opened (\(error.message ?? "cannot open"))"
        default: return nil
        }
    }
}
