import GRDB
import Synchronization

/// Span names and attribute keys by dictionary id, shared by every read of one store. Ids are
/// never reused, so an entry once read stays right; a missing one is fetched.
final class DictionaryCache: Sendable {
    private struct State {
        var names: [Int64: String] = [:]
        var keys: [Int64: String] = [:]
        var highestKey: Int64 = 0
    }

    private let state = Mutex(State())

    func name(_ id: Int64, _ db: Database) throws -> String {
        if let name = state.withLock({ $0.names[id] }) { return name }
        guard let name = try String.fetchOne(db, sql: "SELECT name FROM span_names WHERE id = ?", arguments: [id]) else {
            throw TraceStoreError.corrupt("a span whose name \(id) is missing")
        }
        state.withLock { $0.names[id] = name }
        return name
    }

    /// Every attribute key, topped up with those added since the last call.
    func keyNames(_ db: Database) throws -> [Int64: String] {
        let (keys, highest) = state.withLock { ($0.keys, $0.highestKey) }
        guard let newest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM attribute_keys"), newest > highest else { return keys }
        let added = try Row.fetchAll(db, sql: "SELECT id, key FROM attribute_keys WHERE id > ?", arguments: [highest])
        return state.withLock { state in
            for row in added { state.keys[row[0]] = row[1] }
            state.highestKey = max(state.highestKey, newest)
            return state.keys
        }
    }
}
