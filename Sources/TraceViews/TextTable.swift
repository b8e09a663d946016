/// Columns aligned by display width for a terminal; cells are escaped by the caller.
public struct TextTable: Sendable {
    public var header: [String]
    public var rightAligned: Set<Int>
    /// Columns that may not grow past a width (longer cells are cut with `…`).
    public var maximumWidths: [Int: Int]
    public var rows: [[String]] = []

    public init(header: [String], rightAligned: Set<Int> = [], maximumWidths: [Int: Int] = [:]) {
        self.header = header
        self.rightAligned = rightAligned
        self.maximumWidths = maximumWidths
    }

    public mutating func append(_ row: [String]) { rows.append(row) }

    /// The header line, then one line per row, without trailing blanks.
    public func lines() -> (header: String, rows: [String]) {
        var widths = header.map(TerminalText.width)
        for row in rows { for (index, cell) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], TerminalText.width(cell)) } }
        for (index, limit) in maximumWidths where index < widths.count { widths[index] = min(widths[index], limit) }
        func line(_ cells: [String]) -> String {
            var text = ""
            for (index, cell) in cells.enumerated() where index < widths.count {
                text += (index > 0 ? "  " : "") + TerminalText.padded(cell, columns: widths[index], alignRight: rightAligned.contains(index))
            }
            return TerminalText.trimmedRight(text)
        }
        return (line(header), rows.map(line))
    }
}
