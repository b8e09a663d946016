/// Colour for text output: one colour per service, on a terminal only.
public struct TextStyle: Sendable {
    public let colors: Bool

    public init(colors: Bool) { self.colors = colors }

    public static let plain = TextStyle(colors: false)

    /// ANSI foreground codes for `ServicePalette`'s colours: cyan, magenta, yellow, green, blue, bright cyan.
    private static let palette = ["36", "35", "33", "32", "34", "96"]

    /// A stable colour per service, by name, so a service keeps its colour across commands.
    public func service(_ text: String, service: String) -> String {
        guard colors else { return text }
        return "\u{1B}[\(Self.palette[ServicePalette.index(for: service)])m\(text)\u{1B}[0m"
    }

    /// The colour of a chart's `index`th line, so lines stay apart; on a terminal only.
    public func series(_ text: String, index: Int) -> String {
        guard colors else { return text }
        return "\u{1B}[\(Self.palette[index % Self.palette.count])m\(text)\u{1B}[0m"
    }

    public func error(_ text: String) -> String { colors ? "\u{1B}[31m\(text)\u{1B}[0m" : text }
    public func warning(_ text: String) -> String { colors ? "\u{1B}[33m\(text)\u{1B}[0m" : text }
    public func dim(_ text: String) -> String { colors ? "\u{1B}[2m\(text)\u{1B}[0m" : text }
    public func bold(_ text: String) -> String { colors ? "\u{1B}[1m\(text)\u{1B}[0m" : text }
}
