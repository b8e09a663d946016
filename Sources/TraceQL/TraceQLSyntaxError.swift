/// A query that does not parse: where (a column, from 1) and what was expected there.
public struct TraceQLSyntaxError: Error, Equatable, Sendable, CustomStringConvertible {
    public var message: String
    /// The character offset in the query the message points at.
    public var offset: Int
    public var source: String

    public var column: Int { offset + 1 }

    /// One line: the message with its column.
    public var description: String { "column \(column): \(message)" }

    /// The query on one line and a caret under the column.
    public var caretLines: [String] {
        let line = source.replacingOccurrences(of: "\n", with: " ").replacingOccurrences(of: "\t", with: " ")
        return ["  " + line, "  " + String(repeating: " ", count: min(offset, line.count)) + "^"]
    }
}
