import TraceModel

/// A group of a trace's spans the query kept: the whole match, or one `by(...)` group of it.
public struct Spanset: Sendable, Equatable {
    /// The `by(...)` value the spans share (nil without a `by` stage, or for spans without the field).
    public var group: AttributeValue?
    /// Indices into the trace's `spans`, ascending.
    public var spans: [Int]
}

/// Runs one query over traces, one at a time. Not shared between threads: it remembers what
/// each regular expression answered for each text (span names repeat across traces).
public final class TraceQLEvaluator {
    public let query: TraceQLQuery
    private var patternAnswers: [ObjectIdentifier: [String: Bool]] = [:]

    public init(_ query: TraceQLQuery) {
        self.query = query
    }

    /// Whether the trace matches, and which of its spans did (indices into `spans`, ascending).
    public func matchedSpans(in trace: Trace) -> [Int] {
        let sets = spansets(in: trace)
        if sets.count == 1 { return sets[0].spans }
        return sets.reduce(into: [Int]()) { $0 = Self.union($0, $1.spans) }
    }

    /// The spansets left after the pipeline; none when the trace does not match.
    public func spansets(in trace: Trace) -> [Spanset] {
        var context = TraceContext(trace: trace)
        let matched = evaluate(query.spansets, &context)
        guard !matched.isEmpty else { return [] }
        var sets = [Spanset(group: nil, spans: matched)]
        for stage in query.pipeline {
            switch stage {
            case .by(let field):
                sets = sets.flatMap { set in
                    var order: [AttributeValue?] = []
                    var groups: [AttributeValue?: [Int]] = [:]
                    for index in set.spans {
                        let key = groupValue(field, index, &context)
                        if groups[key] == nil { order.append(key) }
                        groups[key, default: []].append(index)
                    }
                    return order.map { Spanset(group: $0, spans: groups[$0]!) }
                }
            case .count(let op, let threshold):
                sets = sets.filter { Self.holds(Double($0.spans.count), op, threshold) }
            case .aggregate(let aggregate, let field, let op, let threshold):
                sets = sets.filter { set in
                    let values = set.spans.compactMap { numericValue(field, $0, &context) }
                    guard !values.isEmpty else { return false }
                    let total: Double = switch aggregate {
                    case .avg: values.reduce(0, +) / Double(values.count)
                    case .sum: values.reduce(0, +)
                    case .min: values.min()!
                    case .max: values.max()!
                    }
                    return Self.holds(total, op, threshold)
                }
            }
            if sets.isEmpty { return [] }
        }
        return sets
    }

    // MARK: Spansets

    private func evaluate(_ expression: SpansetExpression, _ context: inout TraceContext) -> [Int] {
        switch expression {
        case .selector(let condition):
            return context.trace.spans.indices.filter { holds(condition, $0, &context) }
        case .and(let a, let b):
            let left = evaluate(a, &context)
            guard !left.isEmpty else { return [] }
            let right = evaluate(b, &context)
            return right.isEmpty ? [] : Self.union(left, right)
        case .or(let a, let b):
            return Self.union(evaluate(a, &context), evaluate(b, &context))
        case .child(let a, let b):
            let parents = evaluate(a, &context)
            guard !parents.isEmpty else { return [] }
            let isParent = Set(parents)
            return evaluate(b, &context).filter { context.parent(of: $0).map(isParent.contains) ?? false }
        case .descendant(let a, let b):
            let ancestors = evaluate(a, &context)
            guard !ancestors.isEmpty else { return [] }
            let isAncestor = Set(ancestors)
            return evaluate(b, &context).filter { index in
                var seen = 0
                var current = context.parent(of: index)
                // A cycle of parent ids (a broken sender) ends after as many steps as there are spans.
                while let parent = current, seen < context.trace.spans.count {
                    if isAncestor.contains(parent) { return true }
                    current = context.parent(of: parent)
                    seen += 1
                }
                return false
            }
        }
    }

    static func union(_ a: [Int], _ b: [Int]) -> [Int] {
        if a.isEmpty { return b }
        if b.isEmpty { return a }
        var merged: [Int] = []
        merged.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count || j < b.count {
            if j == b.count || (i < a.count && a[i] < b[j]) {
                merged.append(a[i]); i += 1
            } else if i == a.count || b[j] < a[i] {
                merged.append(b[j]); j += 1
            } else {
                merged.append(a[i]); i += 1; j += 1
            }
        }
        return merged
    }

    // MARK: Conditions

    private func holds(_ condition: SpanCondition, _ index: Int, _ context: inout TraceContext) -> Bool {
        switch condition {
        case .always: true
        case .and(let a, let b): holds(a, index, &context) && holds(b, index, &context)
        case .or(let a, let b): holds(a, index, &context) || holds(b, index, &context)
        case .comparison(let comparison): holds(comparison, index, &context)
        }
    }

    private func holds(_ comparison: Comparison, _ index: Int, _ context: inout TraceContext) -> Bool {
        let span = context.trace.spans[index]
        switch comparison.field {
        case .attribute(let scope, let key):
            // Looked up in place: this runs for every span a search reads.
            let inSpan = scope == .resource ? nil : span.attributes[key]
            let inResource = scope == .span ? nil : span.resource.attributes[key]
            if comparison.literal == .nil { return (comparison.op == .equal) == (inSpan == nil && inResource == nil) }
            return inSpan.map { attributeHolds($0, comparison) } == true || inResource.map { attributeHolds($0, comparison) } == true
        case .intrinsic(let intrinsic):
            switch intrinsic {
            case .name: return textHolds(span.name, comparison)
            case .statusMessage: return textHolds(span.status.message, comparison)
            case .rootService: return context.root.map { textHolds($0.serviceName, comparison) } ?? false
            case .rootName: return context.root.map { textHolds($0.name, comparison) } ?? false
            case .eventName:
                let any = span.events.contains { textHolds($0.name, comparison, positive: true) }
                return comparison.op.isNegative ? !any : any
            case .logBody:
                let any = context.logs(of: span).contains { textHolds($0.bodyText, comparison, positive: true) }
                return comparison.op.isNegative ? !any : any
            case .logSeverity:
                // A level compares by range: `= warn` is any of WARN..WARN4, `>= warn` is WARN and worse.
                guard case .severity(let lowest) = comparison.literal else { return false }
                let level = (lowest - 1) / 4
                let any = context.logs(of: span).contains { record in
                    record.severityNumber > 0 && Self.ordered((record.severityNumber - 1) / 4, level, comparison.op.positive)
                }
                return comparison.op.isNegative ? !any : any
            case .status:
                guard case .status(let code) = comparison.literal else { return false }
                return (span.status.code == code) == (comparison.op == .equal)
            case .kind:
                guard case .kind(let kind) = comparison.literal else { return false }
                return (span.kind == kind) == (comparison.op == .equal)
            case .duration, .traceDuration:
                guard case .duration(let nanos) = comparison.literal else { return false }
                let value = intrinsic == .duration ? span.durationNanos : context.trace.durationNanos
                return Self.ordered(Int64(clamping: value), nanos, comparison.op)
            }
        }
    }

    private func attributeHolds(_ value: AttributeValue, _ comparison: Comparison) -> Bool {
        if case .array(let elements) = value {
            let any = elements.contains { scalarHolds($0, comparison, op: comparison.op.positive) }
            return comparison.op.isNegative ? !any : any
        }
        return scalarHolds(value, comparison, op: comparison.op)
    }

    /// Whether one attribute value satisfies the comparison, as a span's attribute would.
    public func holds(_ comparison: Comparison, for value: AttributeValue) -> Bool {
        attributeHolds(value, comparison)
    }

    /// Whether a text (a span name, a service) satisfies the comparison, as `name` would.
    public func holds(_ comparison: Comparison, forText text: String) -> Bool {
        textHolds(text, comparison)
    }

    /// A value of another type than the literal never matches, whatever the operator.
    private func scalarHolds(_ value: AttributeValue, _ comparison: Comparison, op: ComparisonOperator) -> Bool {
        switch (value, comparison.literal) {
        case (.string(let text), .string):
            return textHolds(text, comparison, op: op)
        case (.int(let a), .int(let b)): return Self.ordered(a, b, op)
        case (.int(let a), .float(let b)): return Self.ordered(Double(a), b, op)
        case (.double(let a), .int(let b)): return Self.ordered(a, Double(b), op)
        case (.double(let a), .float(let b)): return Self.ordered(a, b, op)
        case (.bool(let a), .bool(let b)): return op == .equal ? a == b : op == .notEqual ? a != b : false
        default: return false
        }
    }

    private func textHolds(_ text: String, _ comparison: Comparison, positive: Bool = false) -> Bool {
        textHolds(text, comparison, op: positive ? comparison.op.positive : comparison.op)
    }

    private func textHolds(_ text: String, _ comparison: Comparison, op: ComparisonOperator) -> Bool {
        switch op {
        case .matches, .notMatches:
            guard let pattern = comparison.pattern else { return false }
            return patternMatches(pattern, text) == (op == .matches)
        default:
            guard case .string(let literal) = comparison.literal else { return false }
            return Self.ordered(text, literal, op)
        }
    }

    private func patternMatches(_ pattern: AnchoredPattern, _ text: String) -> Bool {
        let id = ObjectIdentifier(pattern)
        if let known = patternAnswers[id]?[text] { return known }
        let answer = pattern.matches(text)
        // Remembered for texts that repeat (names, routes); a stream of unique ones starts it over.
        if patternAnswers[id, default: [:]].count >= 50_000 { patternAnswers[id] = [:] }
        patternAnswers[id, default: [:]][text] = answer
        return answer
    }

    static func ordered<T: Comparable>(_ a: T, _ b: T, _ op: ComparisonOperator) -> Bool {
        switch op {
        case .equal: a == b
        case .notEqual: a != b
        case .greater: a > b
        case .greaterOrEqual: a >= b
        case .less: a < b
        case .lessOrEqual: a <= b
        case .matches, .notMatches: false
        }
    }

    static func holds(_ value: Double, _ op: ComparisonOperator, _ threshold: Double) -> Bool { ordered(value, threshold, op) }

    // MARK: Values for the pipeline

    private func groupValue(_ field: Field, _ index: Int, _ context: inout TraceContext) -> AttributeValue? {
        let span = context.trace.spans[index]
        switch field {
        case .attribute(.span, let key): return span.attributes[key]
        case .attribute(.resource, let key): return span.resource.attributes[key]
        case .attribute(.any, let key): return span.attributes[key] ?? span.resource.attributes[key]
        case .intrinsic(let intrinsic):
            switch intrinsic {
            case .name: return .string(span.name)
            case .statusMessage: return .string(span.status.message)
            case .status: return .string(["unset", "ok", "error"][span.status.code.rawValue])
            case .kind: return .string(span.kind.name)
            case .duration: return .int(Int64(clamping: span.durationNanos))
            case .traceDuration: return .int(Int64(clamping: context.trace.durationNanos))
            case .rootService: return context.root.map { .string($0.serviceName) }
            case .rootName: return context.root.map { .string($0.name) }
            case .eventName: return span.events.first.map { .string($0.name) }
            case .logBody: return context.logs(of: span).first.map { .string($0.bodyText) }
            case .logSeverity: return context.logs(of: span).map(\.severityNumber).max().map { .int(Int64($0)) }
            }
        }
    }

    private func numericValue(_ field: Field, _ index: Int, _ context: inout TraceContext) -> Double? {
        switch groupValue(field, index, &context) {
        case .int(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }
}

/// What a trace's spans need from each other, worked out when first asked for.
struct TraceContext {
    let trace: Trace
    private var parents: [Int?]?
    private var rootIndex: Int??
    private var logsBySpan: [SpanID: [LogRecord]]?

    /// The log records logged in a span, grouped once a trace.
    mutating func logs(of span: Span) -> [LogRecord] {
        if logsBySpan == nil {
            logsBySpan = trace.logsBySpan
        }
        return logsBySpan?[span.spanID] ?? []
    }

    init(trace: Trace) {
        self.trace = trace
    }

    /// The first span without a parent, as the store's summary names it.
    var root: Span? {
        mutating get {
            if let rootIndex { return rootIndex.map { trace.spans[$0] } }
            let found = trace.spans.firstIndex { $0.parentSpanID == nil }
            rootIndex = .some(found)
            return found.map { trace.spans[$0] }
        }
    }

    mutating func parent(of index: Int) -> Int? {
        if parents == nil {
            var byID: [SpanID: Int] = [:]
            byID.reserveCapacity(trace.spans.count)
            for (i, span) in trace.spans.enumerated() where byID[span.spanID] == nil { byID[span.spanID] = i }
            parents = trace.spans.map { span in span.parentSpanID.flatMap { byID[$0] } }
        }
        return parents![index]
    }
}
