import TraceModel

/// Makes untrusted text (span names, attribute values) safe to print on a terminal:
/// control characters and escape sequences become visible escapes instead of acting.
public enum TerminalText {
    /// A word as a user can paste it back into a shell: as it is when plain, else in single quotes
    /// (escaped for the terminal too, since it is printed).
    public static func shellQuoted(_ word: String) -> String {
        let plain = !word.isEmpty && word.unicodeScalars.allSatisfy { $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || "/._-+=:,@%".unicodeScalars.contains($0)) }
        return plain ? word : "'" + escaped(word).replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    public static func escaped(_ text: String) -> String {
        var needsWork = false
        for scalar in text.unicodeScalars where isUnsafe(scalar) {
            needsWork = true
            break
        }
        guard needsWork else { return text }
        var out = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{1B}": out += "\\e"
            case _ where isUnsafe(scalar):
                let hex = String(scalar.value, radix: 16)
                out += scalar.value <= 0xFF ? "\\x" + (hex.count < 2 ? "0" : "") + hex : "\\u{\(hex)}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }

    static func isUnsafe(_ scalar: Unicode.Scalar) -> Bool { TerminalSafety.isUnsafe(scalar) }

    /// Columns a string takes on a terminal: wide East Asian characters and emoji take two.
    public static func width(_ text: String) -> Int {
        text.unicodeScalars.reduce(0) { $0 + width(of: $1) }
    }

    static func width(of scalar: Unicode.Scalar) -> Int {
        let value = scalar.value
        if value == 0x200D || (0xFE00...0xFE0F).contains(value) || (0x0300...0x036F).contains(value) { return 0 }
        if (0x1100...0x115F).contains(value) || (0x2E80...0xA4CF).contains(value) || (0xAC00...0xD7A3).contains(value)
            || (0xF900...0xFAFF).contains(value) || (0xFE30...0xFE4F).contains(value) || (0xFF00...0xFF60).contains(value)
            || (0xFFE0...0xFFE6).contains(value) || (0x1F300...0x1FAFF).contains(value) || (0x20000...0x3FFFD).contains(value) {
            return 2
        }
        return 1
    }

    /// Cuts to at most `columns` terminal columns, marking the cut with `…`.
    public static func truncated(_ text: String, columns: Int) -> String {
        guard width(text) > columns else { return text }
        guard columns > 0 else { return "" }
        var out = ""
        var used = 0
        for character in text {
            let w = width(String(character))
            if used + w > columns - 1 { break }
            out.append(character)
            used += w
        }
        return out + "…"
    }

    /// Pads with spaces to exactly `columns` (after truncating), measured in terminal columns.
    public static func padded(_ text: String, columns: Int, alignRight: Bool = false) -> String {
        let cut = truncated(text, columns: columns)
        let padding = String(repeating: " ", count: max(0, columns - width(cut)))
        return alignRight ? padding + cut : cut + padding
    }

    /// The text without the blanks that padding left at its end.
    public static func trimmedRight(_ text: String) -> String {
        String(text[..<(text.lastIndex { $0 != " " }.map(text.index(after:)) ?? text.startIndex)])
    }

    /// Splits escaped `text` into lines of at most `columns` terminal columns, so long values stay
    /// readable instead of being cut; continuation lines start with `indent` spaces. With `atSpaces`,
    /// prose breaks after a space where the line has one, as a person would break it.
    public static func wrapped(_ text: String, columns: Int, indent: Int = 0, atSpaces: Bool = false) -> [String] {
        let safe = escaped(text)
        guard columns > 0, width(safe) > columns else { return [safe] }
        let indent = min(indent, columns / 2)
        var lines: [String] = []
        var line = ""
        var used = 0
        for character in safe {
            let w = width(String(character))
            if used + w > columns, used > 0 {
                var carried = ""
                if atSpaces, character != " ", let space = line.lastIndex(of: " "), line[..<space].contains(where: { $0 != " " }) {
                    carried = String(line[line.index(after: space)...])
                    line = String(line[..<space])
                }
                lines.append(line)
                line = String(repeating: " ", count: indent) + carried
                used = indent + width(carried)
                if atSpaces, character == " " { continue }
            }
            line.append(character)
            used += w
        }
        lines.append(line)
        return lines
    }
}
