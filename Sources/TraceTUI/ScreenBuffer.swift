import TraceModel
import TraceViews

/// How a cell is drawn; `color` indexes `ScreenBuffer.Color`.
public struct CellStyle: Hashable, Sendable {
    public var color: Int
    public var bold: Bool
    public var reverse: Bool
    public var dim: Bool

    public init(color: Int = 0, bold: Bool = false, reverse: Bool = false, dim: Bool = false) {
        self.color = color
        self.bold = bold
        self.reverse = reverse
        self.dim = dim
    }

    public static let plain = CellStyle()
    public static let heading = CellStyle(bold: true)
    public static let faint = CellStyle(dim: true)
    public static let error = CellStyle(color: ScreenBuffer.Color.error)
    public static let warning = CellStyle(color: ScreenBuffer.Color.warning)

    /// A log record's colour by its level: errors red, warnings yellow, the rest plain.
    public static func severity(_ record: LogRecord) -> CellStyle {
        switch record.severity {
        case .some(let level) where level >= .error: .error
        case .some(.warn): .warning
        default: .plain
        }
    }
    public static let selected = CellStyle(reverse: true)

    /// The colour of a service, the same one `trace show` uses.
    public static func service(_ name: String) -> CellStyle {
        CellStyle(color: ScreenBuffer.Color.firstService + ServicePalette.index(for: name))
    }
}

/// A virtual terminal screen: what the TUI draws, independent of ncurses, so the screen logic
/// can be tested on its text. Wide characters take two cells; text is escaped as it is written.
public struct ScreenBuffer: Sendable {
    public enum Color {
        public static let error = 1
        public static let firstService = 2
        /// After the six service colours.
        public static let warning = 8
    }

    public struct Cell: Hashable, Sendable {
        /// One grapheme, or "" for the second half of a wide character.
        public var text: String
        public var style: CellStyle
    }

    public let width: Int
    public let height: Int
    public private(set) var rows: [[Cell]]

    public init(width: Int, height: Int) {
        self.width = max(0, width)
        self.height = max(0, height)
        rows = Array(repeating: Array(repeating: Cell(text: " ", style: .plain), count: self.width), count: self.height)
    }

    /// Writes `text` (escaped for the terminal) from column `x`, clipped to `maxWidth` columns and
    /// to the screen; returns the columns used.
    @discardableResult
    public mutating func write(_ text: String, x: Int, y: Int, style: CellStyle = .plain, maxWidth: Int? = nil) -> Int {
        guard y >= 0, y < height, x < width else { return 0 }
        let limit = min(width, x + (maxWidth ?? width))
        var column = max(0, x)
        // Only what can show is escaped: a value of megabytes costs no more than a short one.
        let visible = text.utf8.count > 1024 ? String(text.prefix(max(0, limit - column) + 256)) : text
        for character in TerminalText.escaped(visible) {
            let cellText = String(character)
            let cellWidth = TerminalText.width(cellText)
            if cellWidth == 0 {
                if column > 0 { rows[y][column - 1].text += cellText }
                continue
            }
            guard column + cellWidth <= limit else {
                if column < limit { rows[y][column] = Cell(text: " ", style: style); column += 1 }
                break
            }
            rows[y][column] = Cell(text: cellText, style: style)
            if cellWidth == 2 { rows[y][column + 1] = Cell(text: "", style: style) }
            column += cellWidth
        }
        return column - max(0, x)
    }

    /// Repaints `count` cells from `x` with a style, keeping their text (e.g. a selection bar).
    public mutating func restyle(x: Int, y: Int, count: Int, _ change: (inout CellStyle) -> Void) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + count) { change(&rows[y][column].style) }
    }

    public mutating func fill(x: Int, y: Int, count: Int, style: CellStyle) {
        guard y >= 0, y < height else { return }
        for column in max(0, x)..<min(width, x + count) { rows[y][column] = Cell(text: " ", style: style) }
    }

    /// A framed box centred on the screen over whatever is below; `style` picks each line's style.
    public mutating func drawCenteredBox(lines: [String], margin: Int, footer: String? = nil, style: (String, Int) -> CellStyle) {
        let boxWidth = min(width - margin, (lines.map { TerminalText.width($0) }.max() ?? 20) + 4)
        let boxHeight = min(height - margin, lines.count + 2)
        let x = (width - boxWidth) / 2
        let y = (height - boxHeight) / 2
        for row in 0..<boxHeight {
            fill(x: x, y: y + row, count: boxWidth, style: .plain)
            let border = row == 0 ? "┌" + String(repeating: "─", count: boxWidth - 2) + "┐"
                : row == boxHeight - 1 ? "└" + String(repeating: "─", count: boxWidth - 2) + "┘" : "│"
            write(border, x: x, y: y + row, style: .faint)
            if row > 0, row < boxHeight - 1 {
                write("│", x: x + boxWidth - 1, y: y + row, style: .faint)
                write(lines[row - 1], x: x + 2, y: y + row, style: style(lines[row - 1], row - 1), maxWidth: boxWidth - 4)
            }
        }
        if let footer { write(footer, x: x + boxWidth - TerminalText.width(footer) - 2, y: y + boxHeight - 1, style: .faint) }
    }

    /// The text of one row, as a terminal would show it.
    public func line(_ y: Int) -> String { rows[y].map(\.text).joined() }

    public var lines: [String] { (0..<height).map(line) }
}
