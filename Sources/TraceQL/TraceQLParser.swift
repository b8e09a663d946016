import TraceModel

/// Recursive descent over the tokens, loosest first: `||`, `&&`, then `>` and `>>` between
/// selectors; inside a selector `||`, then `&&`, then comparisons.
struct TraceQLParser {
    private let tokens: [TraceQLToken]
    private let source: String
    private var position = 0

    static func parse(_ source: String) throws(TraceQLSyntaxError) -> TraceQLQuery {
        var parser = TraceQLParser(tokens: try TraceQLLexer.tokens(source), source: source)
        return try parser.query()
    }

    private init(tokens: [TraceQLToken], source: String) {
        self.tokens = tokens
        self.source = source
    }

    private var current: TraceQLToken { tokens[position] }

    private func fail(_ message: String, at token: TraceQLToken? = nil) -> TraceQLSyntaxError {
        TraceQLSyntaxError(message: message, offset: (token ?? current).offset, source: source)
    }

    private func expected(_ what: String) -> TraceQLSyntaxError {
        fail("expected \(what), found \(current.kind.spelled)")
    }

    private mutating func advance() -> TraceQLToken {
        defer { position += 1 }
        return tokens[position]
    }

    private mutating func take(_ kind: TraceQLToken.Kind) -> Bool {
        guard current.kind == kind else { return false }
        position += 1
        return true
    }

    private mutating func query() throws(TraceQLSyntaxError) -> TraceQLQuery {
        guard current.kind != .end else { throw expected("a query such as { name = \"backend call\" }") }
        let spansets = try spansetOr()
        var pipeline: [PipelineStage] = []
        while take(.pipe) { pipeline.append(try stage()) }
        guard current.kind == .end else {
            throw expected(pipeline.isEmpty ? "&&, ||, >, >> or | after a selector" : "| or the end of the query")
        }
        return TraceQLQuery(spansets: spansets, pipeline: pipeline, source: source)
    }

    // MARK: Spansets

    private mutating func spansetOr() throws(TraceQLSyntaxError) -> SpansetExpression {
        var left = try spansetAnd()
        while take(.or) { left = .or(left, try spansetAnd()) }
        return left
    }

    private mutating func spansetAnd() throws(TraceQLSyntaxError) -> SpansetExpression {
        var left = try spansetStructural()
        while take(.and) { left = .and(left, try spansetStructural()) }
        return left
    }

    private mutating func spansetStructural() throws(TraceQLSyntaxError) -> SpansetExpression {
        var left = try spansetPrimary()
        while true {
            if take(.op(.greater)) {
                left = .child(left, try spansetPrimary())
            } else if take(.descendant) {
                left = .descendant(left, try spansetPrimary())
            } else {
                return left
            }
        }
    }

    private mutating func spansetPrimary() throws(TraceQLSyntaxError) -> SpansetExpression {
        if take(.openParen) {
            let inner = try spansetOr()
            guard take(.closeParen) else { throw expected("')'") }
            return inner
        }
        guard take(.openBrace) else { throw expected("'{' to start a span selector") }
        if take(.closeBrace) { return .selector(.always) }
        let condition = try conditionOr()
        guard take(.closeBrace) else { throw expected("'}', && or || inside the selector") }
        return .selector(condition)
    }

    // MARK: Conditions

    private mutating func conditionOr() throws(TraceQLSyntaxError) -> SpanCondition {
        var left = try conditionAnd()
        while take(.or) { left = .or(left, try conditionAnd()) }
        return left
    }

    private mutating func conditionAnd() throws(TraceQLSyntaxError) -> SpanCondition {
        var left = try conditionPrimary()
        while take(.and) { left = .and(left, try conditionPrimary()) }
        return left
    }

    private mutating func conditionPrimary() throws(TraceQLSyntaxError) -> SpanCondition {
        if take(.openParen) {
            let inner = try conditionOr()
            guard take(.closeParen) else { throw expected("')'") }
            return inner
        }
        if current.kind == .word("true") {
            position += 1
            return .always
        }
        let field = try self.field()
        let opToken = current
        guard case .op(let op) = advance().kind else {
            position -= 1
            throw expected("an operator (= != > >= < <= =~ !~) after \(field)")
        }
        let literalToken = current
        let literal = try self.literal(for: field)
        return .comparison(try Self.checked(Comparison(field: field, op: op, literal: literal), opToken: opToken, literalToken: literalToken, source: source))
    }

    private mutating func field() throws(TraceQLSyntaxError) -> Field {
        let token = advance()
        switch token.kind {
        case .attribute(let scope, let key): return .attribute(scope, key)
        case .word(let word):
            if let intrinsic = Intrinsic(rawValue: word) ?? Intrinsic.aliases[word] { return .intrinsic(intrinsic) }
            let known = Intrinsic.allCases.map(\.rawValue).joined(separator: ", ")
            throw fail("unknown intrinsic '\(word)' (known: \(known)); an attribute needs a scope: span.\(word), resource.\(word) or .\(word)", at: token)
        default:
            position -= 1
            throw expected("a field: an attribute like span.http.route or .key, or an intrinsic like name or duration")
        }
    }

    private mutating func literal(for field: Field) throws(TraceQLSyntaxError) -> Literal {
        let token = advance()
        switch token.kind {
        case .string(let text): return .string(text)
        case .number(let value, let isInteger, let text):
            if isInteger, let int = Int64(text) { return .int(int) }
            return .float(value)
        case .duration(let nanos): return .duration(nanos)
        case .word(let word) where field == .intrinsic(.logSeverity):
            guard let level = Severity(name: word) else {
                throw fail("log:severity is a level (trace, debug, info, warn, error, fatal) or a number from 1 to 24, not '\(word)'", at: token)
            }
            return .severity(level.lowestNumber)
        case .word("true"): return .bool(true)
        case .word("false"): return .bool(false)
        case .word("nil"): return .nil
        case .word("ok"): return .status(.ok)
        case .word("error"): return .status(.error)
        case .word("unset"): return .status(.unset)
        case .word(let word):
            if let kind = SpanKind.allCases.first(where: { $0.name == word }) { return .kind(kind) }
            switch field {
            case .intrinsic(.status): throw fail("status is ok, error or unset, not '\(word)'", at: token)
            case .intrinsic(.kind): throw fail("kind is one of \(SpanKind.allCases.map(\.name).joined(separator: ", ")), not '\(word)'", at: token)
            default: break
            }
            throw fail("expected a value (a \"string\", number, duration like 5ms, true, false, nil, a status or a kind), found '\(word)'", at: token)
        default:
            position -= 1
            throw expected("a value (a \"string\", number, duration like 5ms, true, false, nil, a status or a kind)")
        }
    }

    /// Types are checked here, so a query that could never match says why instead of listing nothing.
    private static func checked(_ comparison: Comparison, opToken: TraceQLToken, literalToken: TraceQLToken, source: String) throws(TraceQLSyntaxError) -> Comparison {
        var comparison = comparison
        func fail(_ message: String, _ token: TraceQLToken) -> TraceQLSyntaxError { TraceQLSyntaxError(message: message, offset: token.offset, source: source) }
        let op = comparison.op, literal = comparison.literal, field = comparison.field
        if op == .matches || op == .notMatches {
            guard case .string(let pattern) = literal else { throw fail("\(op.rawValue) takes a regular expression in a \"string\"", literalToken) }
            do { comparison.pattern = try AnchoredPattern(pattern) } catch { throw fail("the regular expression \"\(pattern)\" does not compile: \(error.reason)", literalToken) }
        }
        if literal == .nil, op != .equal, op != .notEqual { throw fail("nil compares with = or != only", opToken) }
        switch field {
        case .attribute:
            switch literal {
            case .status, .kind: throw fail("\(literal) is a \(literal.isStatus ? "status" : "kind"); compare it with \(literal.isStatus ? "status" : "kind"), e.g. { \(literal.isStatus ? "status" : "kind") = \(literal) }", literalToken)
            case .duration: throw fail("a duration compares with duration or trace:duration, not with an attribute (write the number of nanoseconds)", literalToken)
            case .bool where op.isOrdering: throw fail("true and false compare with = or != only", opToken)
            default: break
            }
        case .intrinsic(let intrinsic):
            let name = intrinsic.rawValue
            switch intrinsic.valueType {
            case .string:
                guard case .string = literal else { throw fail("\(name) is text: compare it with a \"string\"", literalToken) }
            case .status:
                guard case .status = literal else { throw fail("status is ok, error or unset, e.g. { status = error }", literalToken) }
                guard op == .equal || op == .notEqual else { throw fail("status compares with = or != only", opToken) }
            case .kind:
                guard case .kind = literal else { throw fail("kind is one of \(SpanKind.allCases.map(\.name).joined(separator: ", ")), e.g. { kind = server }", literalToken) }
                guard op == .equal || op == .notEqual else { throw fail("kind compares with = or != only", opToken) }
            case .duration:
                guard case .duration = literal else { throw fail("\(name) compares with a duration like 250us, 5ms or 1.5s", literalToken) }
                guard op != .matches, op != .notMatches else { throw fail("\(name) is a duration; =~ and !~ take text", opToken) }
            case .severity:
                switch literal {
                case .severity: break
                case .int(let number) where (1...24).contains(number): comparison.literal = .severity(Int(number))
                default: throw fail("log:severity compares with a level (trace, debug, info, warn, error, fatal) or a number from 1 to 24", literalToken)
                }
                guard op != .matches, op != .notMatches else { throw fail("log:severity is a level; =~ and !~ take text", opToken) }
            }
        }
        return comparison
    }

    // MARK: Pipeline

    private mutating func stage() throws(TraceQLSyntaxError) -> PipelineStage {
        let token = advance()
        guard case .word(let function) = token.kind else {
            position -= 1
            throw expected("a pipeline stage: count(), avg(field), min(field), max(field), sum(field) or by(field)")
        }
        guard take(.openParen) else { throw expected("'(' after \(function)") }
        switch function {
        case "count":
            guard take(.closeParen) else { throw expected("')': count() takes nothing") }
            let (op, value) = try threshold(for: nil)
            return .count(op, value)
        case "by":
            let field = try self.field()
            guard take(.closeParen) else { throw expected("')'") }
            return .by(field)
        default:
            guard let aggregate = Aggregate(rawValue: function) else {
                throw fail("unknown pipeline function '\(function)' (known: count, avg, min, max, sum, by)", at: token)
            }
            let fieldToken = current
            let field = try self.field()
            if case .intrinsic(let intrinsic) = field, intrinsic.valueType != .duration {
                throw fail("\(function)() needs a number: duration, trace:duration or a numeric attribute, not \(intrinsic.rawValue)", at: fieldToken)
            }
            guard take(.closeParen) else { throw expected("')'") }
            let (op, value) = try threshold(for: field)
            return .aggregate(aggregate, field, op, value)
        }
    }

    /// `> 3` or `> 20ms` after a pipeline function, as a number (durations in nanoseconds).
    private mutating func threshold(for field: Field?) throws(TraceQLSyntaxError) -> (ComparisonOperator, Double) {
        let opToken = current
        guard case .op(let op) = advance().kind else {
            position -= 1
            throw expected("a comparison such as > 3")
        }
        guard op != .matches, op != .notMatches else { throw fail("expected one of = != > >= < <=", at: opToken) }
        let valueToken = advance()
        let isDurationField = if case .intrinsic = field { true } else { false }
        switch valueToken.kind {
        case .number(let value, _, _) where !isDurationField: return (op, value)
        case .duration(let nanos) where field != nil && isDurationField: return (op, Double(nanos))
        case .number where isDurationField, .duration where !isDurationField:
            throw fail(isDurationField ? "\(field!) aggregates to a duration: compare it with one like 20ms" : "expected a number", at: valueToken)
        default:
            position -= 1
            throw expected(isDurationField ? "a duration like 20ms" : "a number")
        }
    }
}

extension Literal {
    var isStatus: Bool { if case .status = self { true } else { false } }
}
