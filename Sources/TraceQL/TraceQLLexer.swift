import TraceModel

/// The words and marks of a query, each with the offset it starts at.
struct TraceQLToken: Equatable {
    enum Kind: Equatable {
        case openBrace, closeBrace, openParen, closeParen, pipe, comma
        case and, or, not
        case op(ComparisonOperator)
        /// `>>`; a lone `>` is `.op(.greater)`, read as "child of" between selectors.
        case descendant
        case string(String)
        case number(Double, isInteger: Bool, text: String)
        case duration(Int64)
        /// A bare word: an intrinsic, a keyword or a function name.
        case word(String)
        case attribute(AttributeScope, String)
        case end
    }

    var kind: Kind
    var offset: Int
}

enum TraceQLLexer {
    static func isAttributeCharacter(_ c: Character) -> Bool {
        c.isLetter || c.isNumber || c == "_" || c == "." || c == "-" || c == "/" || c == ":" || c == "@"
    }

    static func tokens(_ source: String) throws(TraceQLSyntaxError) -> [TraceQLToken] {
        let chars = Array(source)
        var tokens: [TraceQLToken] = []
        var i = 0
        func fail(_ message: String, at offset: Int) -> TraceQLSyntaxError { TraceQLSyntaxError(message: message, offset: offset, source: source) }
        func peek(_ ahead: Int = 0) -> Character? { i + ahead < chars.count ? chars[i + ahead] : nil }

        func readString(quote: Character) throws(TraceQLSyntaxError) -> String {
            let start = i
            i += 1
            var text = ""
            while true {
                guard let c = peek() else { throw fail("this string has no closing \(quote)", at: start) }
                i += 1
                if c == quote { return text }
                if c == "\\" && quote == "\"" {
                    guard let escaped = peek() else { throw fail("this string has no closing \(quote)", at: start) }
                    i += 1
                    switch escaped {
                    case "n": text.append("\n")
                    case "t": text.append("\t")
                    case "\\", "\"": text.append(escaped)
                    default: text.append("\\"); text.append(escaped)  // regex escapes like \d pass through
                    }
                } else {
                    text.append(c)
                }
            }
        }

        while i < chars.count {
            let c = chars[i]
            let start = i
            if c.isWhitespace { i += 1; continue }
            func add(_ kind: TraceQLToken.Kind, length: Int) { tokens.append(TraceQLToken(kind: kind, offset: start)); i += length }
            switch (c, peek(1)) {
            case ("{", _): add(.openBrace, length: 1)
            case ("}", _): add(.closeBrace, length: 1)
            case ("(", _): add(.openParen, length: 1)
            case (")", _): add(.closeParen, length: 1)
            case (",", _): add(.comma, length: 1)
            case ("|", "|"): add(.or, length: 2)
            case ("|", _): add(.pipe, length: 1)
            case ("&", "&"): add(.and, length: 2)
            case ("&", _): throw fail("expected && (a lone & is not an operator)", at: start)
            case ("=", "~"): add(.op(.matches), length: 2)
            case ("=", "="): add(.op(.equal), length: 2)
            case ("=", _): add(.op(.equal), length: 1)
            case ("!", "="): add(.op(.notEqual), length: 2)
            case ("!", "~"): add(.op(.notMatches), length: 2)
            case ("!", _): add(.not, length: 1)
            case (">", ">"): add(.descendant, length: 2)
            case (">", "="): add(.op(.greaterOrEqual), length: 2)
            case (">", _): add(.op(.greater), length: 1)
            case ("<", "="): add(.op(.lessOrEqual), length: 2)
            case ("<", _): add(.op(.less), length: 1)
            case ("\"", _), ("`", _):
                tokens.append(TraceQLToken(kind: .string(try readString(quote: c)), offset: start))
            case _ where c.isNumber || (c == "-" && (peek(1)?.isNumber ?? false)) || (c == "." && (peek(1)?.isNumber ?? false) && !(tokens.last.map(\.kind.isField) ?? false)):
                i += 1
                while let next = peek(), next.isNumber || next == "." || next == "_" || ((next == "e" || next == "E") && (peek(1)?.isNumber ?? false || peek(1) == "-" || peek(1) == "+")) {
                    if next == "e" || next == "E" { i += 1 }
                    i += 1
                }
                let number = String(chars[start..<i]).replacingOccurrences(of: "_", with: "")
                var unitEnd = i
                while unitEnd < chars.count, chars[unitEnd].isLetter { unitEnd += 1 }
                let unit = String(chars[i..<unitEnd])
                if !unit.isEmpty {
                    guard let nanos = Self.nanoseconds(number, unit: unit) else {
                        throw fail("'\(number)\(unit)' is not a duration; durations look like 250us, 5ms, 1.5s, 2m, 1h", at: start)
                    }
                    i = unitEnd
                    tokens.append(TraceQLToken(kind: .duration(nanos), offset: start))
                } else {
                    guard let value = Double(number) else { throw fail("'\(number)' is not a number", at: start) }
                    tokens.append(TraceQLToken(kind: .number(value, isInteger: Int64(number) != nil, text: number), offset: start))
                }
            case _ where c.isLetter || c == "_" || c == ".":
                while let next = peek(), isAttributeCharacter(next) { i += 1 }
                let word = String(chars[start..<i])
                let scopes: [(String, AttributeScope)] = [("span.", .span), ("resource.", .resource), (".", .any)]
                if let (prefix, scope) = scopes.first(where: { word.hasPrefix($0.0) }) {
                    var key = String(word.dropFirst(prefix.count))
                    if key.isEmpty, peek() == "\"" {
                        key = try readString(quote: "\"")
                    }
                    guard !key.isEmpty else { throw fail("expected an attribute name after '\(prefix)'", at: start) }
                    tokens.append(TraceQLToken(kind: .attribute(scope, key), offset: start))
                } else {
                    tokens.append(TraceQLToken(kind: .word(word), offset: start))
                }
            default:
                throw fail("unexpected character '\(c)'", at: start)
            }
        }
        tokens.append(TraceQLToken(kind: .end, offset: chars.count))
        return tokens
    }

    /// `5ms`, `1.5s`, `250us`... as nanoseconds; nil for an unknown unit.
    static func nanoseconds(_ number: String, unit: String) -> Int64? {
        let scale: Double
        switch unit {
        case "ns": scale = 1
        case "us", "µs": scale = 1e3
        case "ms": scale = 1e6
        case "s": scale = 1e9
        case "m": scale = 60e9
        case "h": scale = 3600e9
        default: return nil
        }
        guard let value = Double(number) else { return nil }
        let nanos = (value * scale).rounded()
        guard nanos.magnitude < 9.2e18 else { return nil }
        return Int64(nanos)
    }
}

extension TraceQLToken.Kind {
    var isField: Bool {
        switch self {
        case .attribute, .word: true
        default: false
        }
    }

    /// How the token reads in an error message.
    var spelled: String {
        switch self {
        case .openBrace: "'{'"
        case .closeBrace: "'}'"
        case .openParen: "'('"
        case .closeParen: "')'"
        case .pipe: "'|'"
        case .comma: "','"
        case .and: "'&&'"
        case .or: "'||'"
        case .not: "'!'"
        case .op(let op): "'\(op.rawValue)'"
        case .descendant: "'>>'"
        case .string(let text): "the string \"\(text)\""
        case .number(_, _, let text): "the number \(text)"
        case .duration: "a duration"
        case .word(let word): "'\(word)'"
        case .attribute(let scope, let key): "'\(Field.attribute(scope, key))'"
        case .end: "the end of the query"
        }
    }
}
