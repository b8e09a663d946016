/// A dictionary that remembers where each position's key was found last: the traces of one
/// endpoint have the same shape, so a whole-file read finds most keys with a comparison where
/// a hash was a tenth of its time.
struct PositionMemoDictionary<Key: Hashable & Sendable, Value: Sendable>: Sendable {
    private(set) var dictionary: [Key: Value] = [:]
    private var memo: [(key: Key, index: Dictionary<Key, Value>.Index)?] = []

    init(_ dictionary: [Key: Value] = [:]) {
        self.dictionary = dictionary
    }

    /// `body` on every value in place; the keys stay where they are.
    mutating func updateAll(_ body: (inout Value) -> Void) {
        var index = dictionary.startIndex
        while index != dictionary.endIndex {
            body(&dictionary.values[index])
            index = dictionary.index(after: index)
        }
    }

    mutating func merge(_ other: [Key: Value], uniquingKeysWith combine: (Value, Value) -> Value) {
        dictionary.merge(other, uniquingKeysWith: combine)
        memo.removeAll()
    }

    /// `body` on the value of `key`, made from `initial` if new; `position` is where the key
    /// stands in what is being added (a span's index in its trace).
    mutating func update(_ key: Key, at position: Int, initial: @autoclosure () -> Value, _ body: (inout Value) -> Void) {
        if position < memo.count, let known = memo[position], known.key == key {
            body(&dictionary.values[known.index])
            return
        }
        let index: Dictionary<Key, Value>.Index
        if let found = dictionary.index(forKey: key) {
            index = found
        } else {
            // An insertion can move every entry: what the memo knows is no longer where it was.
            dictionary[key] = initial()
            index = dictionary.index(forKey: key)!
            memo.removeAll(keepingCapacity: true)
        }
        body(&dictionary.values[index])
        if position >= memo.count { memo.append(contentsOf: repeatElement(nil, count: position - memo.count + 1)) }
        memo[position] = (key, index)
    }
}
