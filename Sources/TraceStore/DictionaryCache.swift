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
        let select = try RawStatement(db, sql: "SELECT name FROM span_names WHERE id = ?")
        select.bind(1, id)
        defer { select.reset() }
        guard try select.step(db), let name = select.text(0) else {
            throw TraceStoreError.corrupt("a span whose name \(id) is missing")
        }
        state.withLock { $0.names[id] = name }
        return name
    }

    /// Every attribute key, topped up with those added since the last call.
    func keyNames(_ db: Database) throws -> [Int64: String] {
        let (keys, highest) = state.withLock { ($0.keys, $0.highestKey) }
        guard let newest = try Int64.fetchOne(db, sql: "SELECT max(id) FROM attribute_keys"), newest > highest else { return keys }
        let select = try RawStatement(db, sql: "SELECT id, key FROM attribute_keys WHERE id > ?")
        select.bind(1, highest)
        var added: [(Int64, String)] = []
        while try select.step(db) { added.append((select.int64(0), select.text(1) ?? "")) }
        return state.withLock { state in
            for (id, key) in added { state.keys[id] = key }
            state.highestKey = max(state.highestKey, newest)
            return state.keys
        }
    }
}
