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
