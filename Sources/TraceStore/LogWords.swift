import Foundation
import GRDB

/// Word search over log bodies. The word index answers for the records it has taken in; the few
/// stored since (past `log_text_state`'s mark) are matched by `trace_log_words`, which splits
/// and folds text as the index's tokenizer (FTS5's unicode61) does.
enum LogWords {
    /// The query's words, split where the tokenizer splits (anything but letters and digits).
    static func tokens(_ words: [String]) -> [String] {
        words.flatMap { $0.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).map(String.init) }
    }

    /// Whether every word is a word of `text` (or, with `prefixes`, the start of one).
    static func matches(_ text: String, words: [String], prefixes: Bool) -> Bool {
        let body = Set(tokens([text]).map(folded))
        return words.map(folded).allSatisfy { word in prefixes ? body.contains { $0.hasPrefix(word) } : body.contains(word) }
    }

    private static func folded(_ word: String) -> String {
        word.folding(options: [.caseInsensitive, .diacriticInsensitive], locale: nil)
    }

    /// `trace_log_words(text, words separated by spaces, prefixes)`, on every connection.
    static let function = DatabaseFunction("trace_log_words", argumentCount: 3, pure: true) { values in
        guard let text = String.fromDatabaseValue(values[0]), let words = String.fromDatabaseValue(values[1]) else { return false }
        return matches(text, words: words.split(separator: " ").map(String.init), prefixes: Bool.fromDatabaseValue(values[2]) ?? false)
    }

    /// The condition on `logs l` that its body has every word, through the index and past it; nil without words.
    static func condition(_ words: [String], prefixes: Bool) -> SQL? {
        let tokens = tokens(words)
        guard !tokens.isEmpty else { return nil }
        // Each word quoted, so none is read as query syntax.
        let match = tokens.map { "\"\($0)\"" + (prefixes ? "*" : "") }.joined(separator: " AND ")
        // One set of ids from both, so the planner looks each up by rowid rather than scanning `logs`
        // to test an OR of the two.
        return """
            l.id IN (SELECT rowid FROM logs_text WHERE logs_text MATCH \(match)
                     UNION ALL
                     SELECT u.id FROM logs u WHERE u.id > (SELECT indexed_through FROM log_text_state)
                         AND trace_log_words(coalesce(u.body, u.body_value, ''), \(tokens.joined(separator: " ")), \(prefixes)))
            """
    }
}
