import TraceQL
import TraceViews

/// One rule of `trace check`, as written on the command line or in a rules file:
///
///     no '{ status = error }'
///     p99('{ name = "GET /checkout" }') < 50ms
///     count('{ }') >= 100
///     no slower
public struct CheckRule: Sendable, CustomStringConvertible {
    public enum Measure: String, Sendable, CaseIterable {
        case count, p50, p90, p95, p99, max, mean
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case lessOrEqual = "<=", greaterOrEqual = ">=", notEqual = "!=", less = "<", greater = ">", equal = "="
    }

    public enum Kind: Sendable {
        /// No span matches the query.
        case none(TraceQLQuery)
        /// A measure of the matching spans (their count, or a statistic of their durations) against a bound.
        case measure(Measure, TraceQLQuery, Comparison, Double)
        /// No operation is slower than in the baseline run (as `trace compare` decides).
        case noSlower
    }

    public let kind: Kind
    /// As written, for the report.
    public let description: String

    /// A rule that does not parse; `offset` is where in the rule the problem is.
    public struct SyntaxError: Error, CustomStringConvertible, Sendable {
        public var message: String
        public var rule: String
        public var offset: Int
        public var description: String { "rule '\(rule)', column \(offset + 1): \(message)" }
        public var caretLines: [String] { ["  " + rule, "  " + String(repeating: " ", count: min(offset, rule.count)) + "^"] }
    }

    public init(_ text: String) throws(SyntaxError) {
        let rule = text.trimmingCharacters(in: .whitespaces)
        description = rule
        var scanner = Scanner(rule)
        func fail(_ message: String, at offset: Int? = nil) -> SyntaxError { SyntaxError(message: message, rule: rule, offset: offset ?? scanner.offset) }
        guard let word = scanner.word() else {
            throw fail("a rule starts with no, count, p50, p90, p95, p99, max or mean")
        }
        if word == "no" {
            scanner.skipSpaces()
            if scanner.word() == "slower" {
                guard scanner.atEnd else { throw fail("nothing may follow 'no slower'") }
                kind = .noSlower
                return
            }
            let query = try Self.query(&scanner, rule: rule)
            guard scanner.atEnd else { throw fail("nothing may follow the query of a 'no' rule") }
            kind = .none(query)
            return
        }
        guard let measure = Measure(rawValue: word) else {
            throw fail("unknown rule '\(word)': a rule starts with no, count, p50, p90, p95, p99, max or mean", at: 0)
        }
        scanner.skipSpaces()
        guard scanner.take("(") else { throw fail("expected ( after \(word)") }
        scanner.skipSpaces()
        let query = try Self.query(&scanner, rule: rule)
        scanner.skipSpaces()
        guard scanner.take(")") else { throw fail("expected ) after the query") }
        scanner.skipSpaces()
        guard let comparison = Comparison.allCases.first(where: { scanner.take($0.rawValue) }) else {
            throw fail("expected a comparison: <, <=, >, >=, = or !=")
        }
        scanner.skipSpaces()
        let valueStart = scanner.offset
        let valueText = scanner.rest.trimmingCharacters(in: .whitespaces)
        let value: Double
        if measure == .count {
            guard let number = Double(valueText), number >= 0 else { throw fail("count compares with a number, e.g. 100", at: valueStart) }
            value = number
        } else {
            guard let nanos = DurationFormat.parse(valueText) else { throw fail("\(word) compares with a duration, e.g. 50ms", at: valueStart) }
            value = Double(nanos)
        }
        kind = .measure(measure, query, comparison, value)
    }

    /// A TraceQL query in single or double quotes; its own mistakes point into the rule.
    private static func query(_ scanner: inout Scanner, rule: String) throws(SyntaxError) -> TraceQLQuery {
        let start = scanner.offset
        guard let quote = scanner.peek, quote == "'" || quote == "\"" else {
            throw SyntaxError(message: "expected a TraceQL query in quotes, e.g. '{ status = error }'", rule: rule, offset: start)
        }
        guard let text = scanner.quoted(quote) else { throw SyntaxError(message: "the query's quote is not closed", rule: rule, offset: start) }
        do { return try TraceQLQuery(text) } catch {
            throw SyntaxError(message: "query, \(error.message)", rule: rule, offset: start + 1 + error.offset)
        }
    }

    /// Whether a measured value keeps the rule.
    public static func holds(_ measured: Double, _ comparison: Comparison, _ bound: Double) -> Bool {
        switch comparison {
        case .less: measured < bound
        case .lessOrEqual: measured <= bound
        case .greater: measured > bound
        case .greaterOrEqual: measured >= bound
        case .equal: measured == bound
        case .notEqual: measured != bound
        }
    }
}

/// Reads a rule character by character.
private struct Scanner {
    let characters: [Character]
    var offset = 0

    init(_ text: String) { characters = Array(text) }

    var atEnd: Bool { offset >= characters.count }
    var peek: Character? { atEnd ? nil : characters[offset] }
    var rest: String { String(characters[offset...]) }

    mutating func skipSpaces() { while let c = peek, c == " " || c == "\t" { offset += 1 } }

    mutating func word() -> String? {
        skipSpaces()
        let start = offset
        while let c = peek, c.isLetter || c.isNumber || c == "_" { offset += 1 }
        return offset > start ? String(characters[start..<offset]) : nil
    }

    mutating func take(_ text: String) -> Bool {
        let wanted = Array(text)
        guard offset + wanted.count <= characters.count, Array(characters[offset..<offset + wanted.count]) == wanted else { return false }
        offset += wanted.count
        return true
    }

    /// The text between `quote` and the next one; nil when it is not closed.
    mutating func quoted(_ quote: Character) -> String? {
        guard let end = characters[(offset + 1)...].firstIndex(of: quote) else { return nil }
        let text = String(characters[(offset + 1)..<end])
        offset = end + 1
        return text
    }
}
