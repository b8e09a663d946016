import TraceModel
import TraceQL
import TraceStore

/// A TraceQL query answered from a store: the indexes narrow the traces to candidates, then
/// each candidate is read and the evaluator decides, two halves at once.
public struct TraceSearch: Sendable {
    public let query: TraceQLQuery
    public let store: TraceStore

    public init(_ query: TraceQLQuery, in store: TraceStore) {
        self.query = query
        self.store = store
    }

    /// The traces that match, among those `base` selects (its limit and order are not used).
    public func matchingTraces(among base: TraceQuery = TraceQuery()) async throws -> TraceSet {
        let parts = try await forEachMatch(among: base, start: { [TraceRef]() }, add: { found, ref, _, _ in found.append(ref) })
        return TraceSet(parts.joined())
    }

    /// `matchingTraces` in one reader on the calling thread, for callers that cannot wait
    /// asynchronously (the TUI's key loop).
    public func matchingTracesInOneReader(among base: TraceQuery = TraceQuery()) throws -> TraceSet {
        let selection = try selection(among: base)
        guard selection.candidates != TraceCandidates.none else { return TraceSet([]) }
        let evaluator = TraceQLEvaluator(query)
        var found: [TraceRef] = []
        try store.forEachStoredTrace(matching: selection, details: Self.details(for: query)) { ref, trace in
            if !evaluator.spansets(in: trace).isEmpty { found.append(ref) }
        }
        return TraceSet(found)
    }

    /// `base` without its page, narrowed to the candidates.
    private func selection(among base: TraceQuery) throws -> TraceQuery {
        var selection = base
        selection.limit = nil
        selection.offset = 0
        let planned = try candidates()
        selection.candidates = selection.candidates.map { .and([$0, planned]).simplified } ?? planned
        return selection
    }

    /// Calls `add` with every matching trace among those `base` selects and the spansets it
    /// kept, in two parts read at once, each filling its own accumulator.
    public func forEachMatch<Partial: Sendable>(
        among base: TraceQuery, start: @escaping @Sendable () -> Partial,
        add: @escaping @Sendable (inout Partial, TraceRef, Trace, [Spanset]) -> Void, finish: @escaping @Sendable (inout Partial) -> Void = { _ in }
    ) async throws -> [Partial] {
        let selection = try selection(among: base)
        if selection.candidates == TraceCandidates.none {
            var empty = start()
            finish(&empty)
            return [empty]
        }
        let query = self.query
        let parts = try await store.forEachStoredTrace(
            matching: selection, inParallel: 2, details: Self.details(for: query),
            start: { Matching(partial: start(), evaluator: TraceQLEvaluator(query)) },
            add: { part, ref, trace in
                let spansets = part.evaluator.spansets(in: trace)
                if !spansets.isEmpty { add(&part.partial, ref, trace, spansets) }
            }, finish: { finish(&$0.partial) })
        return parts.map(\.partial)
    }

    /// One part's accumulator and its own evaluator, which only that part's task touches.
    private struct Matching<Partial: Sendable>: @unchecked Sendable {
        var partial: Partial
        let evaluator: TraceQLEvaluator
    }

    /// The parts of each span evaluating `query` reads: the attributes it names, events if it asks.
    public static func details(for query: TraceQLQuery) -> SpanDetails {
        SpanDetails(attributeKeys: query.spanAttributeKeys, events: query.readsEvents, links: false, logs: query.readsLogs)
    }

    /// What the indexes can rule out: a superset of the matching traces.
    public func candidates() throws -> TraceCandidates {
        let planner = CandidatePlanner(store: store, evaluator: TraceQLEvaluator(query))
        return try planner.candidates(query.spansets).simplified
    }
}

/// Turns a query into what the store's indexes answer. Every rule gives a superset: a span that
/// satisfies the condition is in a trace the candidates keep.
private struct CandidatePlanner {
    let store: TraceStore
    let evaluator: TraceQLEvaluator

    func candidates(_ expression: SpansetExpression) throws -> TraceCandidates {
        switch expression {
        case .selector(let condition): try candidates(condition)
        // Each side must find spans in the trace.
        case .and(let a, let b), .child(let a, let b), .descendant(let a, let b): .and([try candidates(a), try candidates(b)])
        case .or(let a, let b): .or([try candidates(a), try candidates(b)])
        }
    }

    private func candidates(_ condition: SpanCondition) throws -> TraceCandidates {
        switch condition {
        case .always: .all
        case .and(let a, let b): .and([try candidates(a), try candidates(b)])
        case .or(let a, let b): .or([try candidates(a), try candidates(b)])
        case .comparison(let comparison): try candidates(comparison)
        }
    }

    private func candidates(_ comparison: Comparison) throws -> TraceCandidates {
        switch comparison.field {
        case .attribute(let scope, let key):
            // A missing attribute, or an array with no such element, is not in the index.
            guard comparison.literal != .nil, !comparison.op.isNegative else { return .all }
            let inSpans = try spanAttributeCandidates(key, comparison)
            let inResources = key == "service.name" ? try .services(store.serviceNames().filter { evaluator.holds(comparison, for: .string($0)) }) : TraceCandidates.all
            return switch scope {
            case .span: inSpans
            case .resource: inResources
            case .any: .or([inSpans, inResources])
            }
        case .intrinsic(let intrinsic):
            switch intrinsic {
            case .name:
                return .spanNames(try store.spanNames().filter { evaluator.holds(comparison, forText: $0) })
            case .status:
                return comparison.literal == .status(.error) && comparison.op == .equal ? .errors : .all
            case .duration, .traceDuration:
                // A span lies within its trace: a trace is at least as long as its longest span.
                guard case .duration(let nanos) = comparison.literal else { return .all }
                let value = UInt64(max(0, nanos))
                switch (comparison.op, intrinsic) {
                case (.greater, _), (.greaterOrEqual, _), (.equal, .duration): return .traceDuration(min: value, max: nil)
                case (.equal, _): return .traceDuration(min: value, max: value)
                case (.less, .traceDuration), (.lessOrEqual, .traceDuration): return .traceDuration(min: nil, max: value)
                default: return .all
                }
            case .kind, .statusMessage, .rootService, .rootName, .eventName:
                return .all
            case .logSeverity:
                // Only ordering up or equality narrows: a span with a record at or above a level.
                guard case .severity(let lowest) = comparison.literal else { return .all }
                switch comparison.op {
                case .greater: return .logs(minimumSeverity: lowest + 4, words: [])
                case .greaterOrEqual, .equal: return .logs(minimumSeverity: lowest, words: [])
                default: return comparison.op.isNegative ? .all : .logs(minimumSeverity: 1, words: [])
                }
            case .logBody:
                guard !comparison.op.isNegative else { return .all }
                return .logs(minimumSeverity: nil, words: Self.leadingWord(of: comparison).map { [$0] } ?? [])
            }
        }
    }

    /// A word every matching body has a word starting with, from an `=` text or a `=~` pattern
    /// that begins with letters or digits (the pattern is anchored, so the body begins with them).
    static func leadingWord(of comparison: Comparison) -> String? {
        guard case .string(let text) = comparison.literal else { return nil }
        if comparison.op == .matches, text.contains("|") { return nil }
        var word = String(text.prefix { $0.isLetter || $0.isNumber })
        if comparison.op == .matches, let next = text.dropFirst(word.count).first, "?*{".contains(next) { word = String(word.dropLast()) }
        guard comparison.op == .equal || comparison.op == .matches, !word.isEmpty else { return nil }
        return word
    }

    private func spanAttributeCandidates(_ key: String, _ comparison: Comparison) throws -> TraceCandidates {
        switch try store.indexedValues(ofAttribute: key) {
        case .unknownKey: .none
        case .unindexed: .all
        case .values(let values): .attribute(key: key, values: values.filter { evaluator.holds(comparison, for: $0) })
        }
    }
}

extension TraceCandidates {
    /// The same candidates with `all` and `none` folded away.
    var simplified: TraceCandidates {
        switch self {
        case .and(let parts):
            let kept = parts.map(\.simplified).filter { $0 != .all }
            if kept.contains(.none) { return .none }
            return kept.isEmpty ? .all : kept.count == 1 ? kept[0] : .and(kept)
        case .or(let parts):
            let kept = parts.map(\.simplified).filter { $0 != .none }
            if kept.contains(.all) { return .all }
            return kept.isEmpty ? .none : kept.count == 1 ? kept[0] : .or(kept)
        default: return self
        }
    }
}
