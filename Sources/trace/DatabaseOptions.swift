import ArgumentParser
import Foundation
import TraceStore

/// `--db`, shared by every command: --db beats $TRACE_DB beats ./traces.db.
struct DatabaseOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The trace database file (default: $TRACE_DB, else ./traces.db).", valueName: "path"))
    var db: String?

    var path: String {
        if let db { return db }
        if let fromEnvironment = ProcessInfo.processInfo.environment["TRACE_DB"], !fromEnvironment.isEmpty { return fromEnvironment }
        return "traces.db"
    }

    func validate() throws {
        if let db, db.isEmpty { throw ValidationError("--db needs a file path") }
    }

    /// `concurrentReads: false` for a command that reads once or a few times in a row.
    func openForReading(concurrentReads: Bool = true) throws -> TraceStore {
        do { return try TraceStore.openForReading(path: path, concurrentReads: concurrentReads) } catch { throw UserFacingError.wrapping(error) }
    }

    /// Opens for recording; a file this call created is removed again if `body` fails before
    /// anything was stored, so a failed start leaves nothing behind.
    func withStoreForWriting<T>(_ body: (TraceStore) async throws -> T) async throws -> T {
        let existed = FileManager.default.fileExists(atPath: path)
        let store: TraceStore
        do { store = try TraceStore.openForWriting(path: path) } catch { throw UserFacingError.wrapping(error) }
        do {
            let result = try await body(store)
            // What was stored is kept either way; the indexes' tail is read past if this fails.
            try? store.close()
            return result
        } catch {
            let isEmpty = !existed && (try? store.totals().traces) == 0
            try? store.close()
            if isEmpty {
                for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: path + suffix) }
            }
            throw error
        }
    }
}
