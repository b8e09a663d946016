import Foundation
import Testing
import TraceFixtures
import TraceModel
import TraceQL
import TraceSearch
@testable import TraceStore

/// Random traces and random queries: the store-backed engine (indexes, then the evaluator) and the
/// evaluator alone must agree with a plain oracle written here from the documented rules.
@Suite struct TraceQLDifferentialTests {
    // MARK: Queries the oracle understands

    indirect enum Q {
        case select([Cond], joinedByOr: Bool)
        case and(Q, Q), or(Q, Q), child(Q, Q), descendant(Q, Q)
    }

    struct Cond {
        var field: String
        var op: String
        var literal: String
        /// The oracle's test of one span.
        var test: (Span, Trace) -> Bool
    }

    enum Stage {
        case count(String, Int)
        case avgDuration(String, UInt64)
        case byService
    }

    static func text(_ q: Q) -> String {
        switch q {
        case .select(let conditions, let or):
            conditions.isEmpty ? "{ }" : "{ " + conditions.map { "\($0.field) \($0.op) \($0.literal)" }.joined(separator: or ? " || " : " && ") + " }"
        case .and(let a, let b): "(\(text(a)) && \(text(b)))"
        case .or(let a, let b): "(\(text(a)) || \(text(b)))"
        case .child(let a, let b): "(\(text(a)) > \(text(b)))"
        case .descendant(let a, let b): "(\(text(a)) >> \(text(b)))"
        }
    }

    // MARK: The oracle

    static func compare<T: Comparable>(_ a: T, _ op: String, _ b: T) -> Bool {
        switch op {
        case "=": a == b
        case "!=": a != b
        case ">": a > b
        case ">=": a >= b
        case "<": a < b
        case "<=": a <= b
        default: false
        }
    }

    enum Lit { case int(Int64), double(Double), string(String), bool(Bool) }

    /// One scalar against a literal: other types never match.
    static func scalar(_ value: AttributeValue, _ op: String, _ literal: Lit) -> Bool {
        switch (value, literal) {
        case (.int(let a), .int(let b)): compare(a, op, b)
        case (.int(let a), .double(let b)): compare(Double(a), op, b)
        case (.double(let a), .int(let b)): compare(a, op, Double(b))
        case (.double(let a), .double(let b)): compare(a, op, b)
        case (.string(let a), .string(let b)): op == "=~" ? regex(a, b) : compare(a, op, b)
        case (.bool(let a), .bool(let b)): op == "=" ? a == b : op == "!=" ? a != b : false
        default: false
        }
    }

    static func regex(_ text: String, _ pattern: String) -> Bool {
        text.range(of: "^(?:\(pattern))$", options: .regularExpression) != nil
    }

    /// An attribute against a literal: an array by its elements (!= when none is equal).
    static func attribute(_ value: AttributeValue?, _ op: String, _ literal: Lit) -> Bool {
        guard let value else { return false }
        if case .array(let elements) = value {
            if op == "!=" { return !elements.contains { scalar($0, "=", literal) } }
            return elements.contains { scalar($0, op, literal) }
        }
        return scalar(value, op, literal)
    }

    static func root(_ trace: Trace) -> Span? { trace.spans.first { $0.parentSpanID == nil } }

    static func spans(_ q: Q, _ trace: Trace) -> Set<Int> {
        let all = Set(trace.spans.indices)
        func parent(_ i: Int) -> Int? {
            guard let id = trace.spans[i].parentSpanID else { return nil }
            return trace.spans.firstIndex { $0.spanID == id }
        }
        switch q {
        case .select(let conditions, let or):
            return all.filter { i in
                if conditions.isEmpty { return true }
                let results = conditions.map { $0.test(trace.spans[i], trace) }
                return or ? results.contains(true) : !results.contains(false)
            }
        case .and(let a, let b):
            let (x, y) = (spans(a, trace), spans(b, trace))
            return x.isEmpty || y.isEmpty ? [] : x.union(y)
        case .or(let a, let b): return spans(a, trace).union(spans(b, trace))
        case .child(let a, let b):
            let x = spans(a, trace)
            return spans(b, trace).filter { parent($0).map(x.contains) ?? false }
        case .descendant(let a, let b):
            let x = spans(a, trace)
            return spans(b, trace).filter { i in
                var current = parent(i)
                var steps = 0
                while let p = current, steps <= trace.spans.count {
                    if x.contains(p) { return true }
                    current = parent(p)
                    steps += 1
                }
                return false
            }
        }
    }

    static func matches(_ q: Q, _ stages: [Stage], _ trace: Trace) -> Bool {
        let found = spans(q, trace)
        guard !found.isEmpty else { return false }
        var sets = [Array(found)]
        for stage in stages {
            switch stage {
            case .byService:
                sets = sets.flatMap { set in Dictionary(grouping: set) { trace.spans[$0].serviceName }.values.map { $0 } }
            case .count(let op, let n):
                sets = sets.filter { compare($0.count, op, n) }
            case .avgDuration(let op, let nanos):
                sets = sets.filter { set in compare(set.map { Double(trace.spans[$0].durationNanos) }.reduce(0, +) / Double(set.count), op, Double(nanos)) }
            }
        }
        return !sets.isEmpty
    }

    // MARK: Generators

    static let names = ["a", "b", "GET /", "db query", "c.d"]
    static let services = ["front", "back", "db"]
    static let ops = ["=", "!=", ">", ">=", "<", "<="]

    static func trace(_ n: UInt64, _ random: inout SeededRandom) -> Trace {
        let traceID = TraceID(high: n, low: 7)
        let count = Int.random(in: 1...7, using: &random)
        var spans: [Span] = []
        let base: UInt64 = 1_700_000_000_000_000_000 + n * 1_000_000_000
        for i in 0..<count {
            let parent: SpanID? = i == 0 ? nil : Int.random(in: 0..<10, using: &random) == 0 ? SpanID(0xDEAD) : spans.randomElement(using: &random)!.spanID
            var attributes: [Attribute] = []
            func maybe(_ key: String, _ value: () -> AttributeValue) { if Bool.random(using: &random) { attributes.append(Attribute(key, value())) } }
            maybe("k.int") { .int(Int64.random(in: 0...5, using: &random)) }
            maybe("k.str") { .string(["x", "y", "z", "xy"].randomElement(using: &random)!) }
            maybe("k.dbl") { .double([0.5, 1.0, 1.5, 2.0].randomElement(using: &random)!) }
            maybe("k.bool") { .bool(Bool.random(using: &random)) }
            maybe("k.arr") { .array((0..<Int.random(in: 0...3, using: &random)).map { _ in Bool.random(using: &random) ? .string(["x", "y"].randomElement(using: &random)!) : .int(Int64.random(in: 0...3, using: &random)) }) }
            maybe("k.mix") { [.int(1), .string("1"), .double(1.0), .string("x")].randomElement(using: &random)! }
            var resourceAttributes = [Attribute("service.name", .string(services.randomElement(using: &random)!))]
            if Bool.random(using: &random) { resourceAttributes.append(Attribute("region", .string(["eu", "us"].randomElement(using: &random)!))) }
            if Int.random(in: 0..<4, using: &random) == 0 { resourceAttributes.append(Attribute("k.int", .int(Int64.random(in: 0...5, using: &random)))) }
            let start = base + UInt64.random(in: 0...50, using: &random) * 1_000_000
            let events = (0..<Int.random(in: 0...2, using: &random)).map { _ in SpanEvent(timeUnixNano: start, name: ["retry", "done"].randomElement(using: &random)!) }
            spans.append(Span(
                traceID: traceID, spanID: SpanID(n << 8 | UInt64(i + 1)), parentSpanID: parent, name: names.randomElement(using: &random)!,
                kind: SpanKind.allCases.randomElement(using: &random)!, startTimeUnixNano: start,
                endTimeUnixNano: start + UInt64.random(in: 0...30, using: &random) * 1_000_000, attributes: attributes, events: events,
                status: SpanStatus(code: [.unset, .unset, .ok, .error].randomElement(using: &random)!),
                resource: Resource(attributes: resourceAttributes)))
        }
        return Trace(traceID: traceID, spans: spans)
    }

    static func condition(_ random: inout SeededRandom) -> Cond {
        let op = ops.randomElement(using: &random)!
        switch Int.random(in: 0..<13, using: &random) {
        case 0:
            let name = names.randomElement(using: &random)!
            if Bool.random(using: &random) {
                let pattern = ["a|b", ".*query", "GET.*", "c\\.d"].randomElement(using: &random)!
                let negative = Bool.random(using: &random)
                let quoted = pattern.replacingOccurrences(of: "\\", with: "\\\\")
                return Cond(field: "name", op: negative ? "!~" : "=~", literal: "\"\(quoted)\"") { span, _ in regex(span.name, pattern) != negative }
            }
            return Cond(field: "name", op: op, literal: "\"\(name)\"") { span, _ in compare(span.name, op, name) }
        case 1:
            let code = [SpanStatus.Code.unset, .ok, .error].randomElement(using: &random)!
            let equal = Bool.random(using: &random)
            return Cond(field: "status", op: equal ? "=" : "!=", literal: ["unset", "ok", "error"][code.rawValue]) { span, _ in (span.status.code == code) == equal }
        case 2:
            let kind = SpanKind.allCases.randomElement(using: &random)!
            let equal = Bool.random(using: &random)
            return Cond(field: "kind", op: equal ? "=" : "!=", literal: kind.name) { span, _ in (span.kind == kind) == equal }
        case 3:
            let ms = UInt64.random(in: 0...30, using: &random)
            return Cond(field: "duration", op: op, literal: "\(ms)ms") { span, _ in compare(span.durationNanos, op, ms * 1_000_000) }
        case 4:
            let ms = UInt64.random(in: 0...80, using: &random)
            return Cond(field: "trace:duration", op: op, literal: "\(ms)ms") { _, trace in compare(trace.durationNanos, op, ms * 1_000_000) }
        case 5:
            let service = services.randomElement(using: &random)!
            let (field, test): (String, (Span, Trace) -> Bool) = switch Int.random(in: 0..<3, using: &random) {
            case 0: ("resource.service.name", { span, _ in compare(span.serviceName, op, service) })
            case 1: ("trace:rootService", { _, trace in root(trace).map { compare($0.serviceName, op, service) } ?? false })
            default: (".service.name", { span, _ in compare(span.serviceName, op, service) })
            }
            return Cond(field: field, op: op, literal: "\"\(service)\"", test: test)
        case 6:
            let name = ["retry", "done"].randomElement(using: &random)!
            let equal = Bool.random(using: &random)
            return Cond(field: "event:name", op: equal ? "=" : "!=", literal: "\"\(name)\"") { span, _ in span.events.contains { $0.name == name } == equal }
        case 7:
            let isNil = Bool.random(using: &random)
            let key = ["k.int", "k.str", "k.arr", "region"].randomElement(using: &random)!
            let scope = ["span.", "resource.", "."].randomElement(using: &random)!
            return Cond(field: scope + key, op: isNil ? "=" : "!=", literal: "nil") { span, _ in
                let present = (scope != "resource." && span.attributes[key] != nil) || (scope != "span." && span.resource.attributes[key] != nil)
                return present != isNil
            }
        default:
            // A typed attribute comparison, in one of the scopes.
            let key = ["k.int", "k.str", "k.dbl", "k.bool", "k.arr", "k.mix", "region"].randomElement(using: &random)!
            let (literal, text): (Lit, String) = switch Int.random(in: 0..<4, using: &random) {
            case 0: { let v = Int64.random(in: 0...5, using: &random); return (.int(v), String(v)) }()
            case 1: { let v = [0.5, 1.0, 1.5].randomElement(using: &random)!; return (.double(v), String(v)) }()
            case 2: { let v = ["x", "y", "1", "eu"].randomElement(using: &random)!; return (.string(v), "\"\(v)\"") }()
            default: { let v = Bool.random(using: &random); return (.bool(v), String(v)) }()
            }
            var op = op
            if case .bool = literal { op = Bool.random(using: &random) ? "=" : "!=" }
            if case .string = literal, Int.random(in: 0..<4, using: &random) == 0 { op = "=~" }
            let scope = ["span.", "span.", "resource.", "."].randomElement(using: &random)!
            let finalOp = op
            return Cond(field: scope + key, op: op, literal: op == "=~" ? "\"x|1\"" : text) { span, _ in
                let lit: Lit = finalOp == "=~" ? .string("x|1") : literal
                let inSpan = scope != "resource." && attribute(span.attributes[key], finalOp, lit)
                let inResource = scope != "span." && attribute(span.resource.attributes[key], finalOp, lit)
                return inSpan || inResource
            }
        }
    }

    static func query(_ random: inout SeededRandom, depth: Int = 0) -> Q {
        if depth < 2, Int.random(in: 0..<3, using: &random) == 0 {
            let (a, b) = (query(&random, depth: depth + 1), query(&random, depth: depth + 1))
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return .and(a, b)
            case 1: return .or(a, b)
            case 2: return .child(a, b)
            default: return .descendant(a, b)
            }
        }
        let count = Int.random(in: 0...3, using: &random)
        return .select((0..<count).map { _ in condition(&random) }, joinedByOr: Bool.random(using: &random))
    }

    static func stages(_ random: inout SeededRandom) -> ([Stage], String) {
        switch Int.random(in: 0..<6, using: &random) {
        case 0: let n = Int.random(in: 0...4, using: &random); let op = ops.randomElement(using: &random)!; return ([.count(op, n)], " | count() \(op) \(n)")
        case 1: let ms = UInt64.random(in: 0...30, using: &random); let op = ops.randomElement(using: &random)!; return ([.avgDuration(op, ms * 1_000_000)], " | avg(duration) \(op) \(ms)ms")
        case 2: return ([.byService, .count(">", 1)], " | by(resource.service.name) | count() > 1")
        default: return ([], "")
        }
    }

    @Test func theEngineAgreesWithTheOracle() async throws {
        var random = SeededRandom(seed: 20261130)
        let traces = (1...2_000).map { Self.trace(UInt64($0), &random) }
        let directory = try makeTemporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try TraceStore.openForWriting(path: directory.appendingPathComponent("t.db").path)
        // Half the traces are in the attribute index, written every few hundred spans; the rest
        // lie past its mark.
        store.storeWriter.indexFlushSpans = 300
        store.storeWriter.indexFlushInterval = .seconds(3600)
        for trace in traces[..<1_000] { try await store.insert(trace.spans) }
        try store.writePendingIndexes()
        store.storeWriter.indexFlushSpans = .max
        for trace in traces[1_000...] { try await store.insert(trace.spans) }
        var nonEmpty = 0
        for _ in 0..<300 {
            let q = Self.query(&random)
            let (pipeline, pipelineText) = Self.stages(&random)
            let text = Self.text(q) + pipelineText
            let parsed = try TraceQLQuery(text)
            let expected = Set(traces.filter { Self.matches(q, pipeline, $0) }.map(\.traceID))
            var selection = TraceQuery()
            selection.within = try await TraceSearch(parsed, in: store).matchingTraces()
            let found = Set(try store.traceIDs(matching: selection))
            // Compared as the differences, so a failure names a few traces rather than thousands.
            let missed = expected.subtracting(found).map(\.hex).sorted().prefix(3), extra = found.subtracting(expected).map(\.hex).sorted().prefix(3)
            #expect(missed.isEmpty && extra.isEmpty, "\(text): engine \(found.count), oracle \(expected.count); missed \(missed), extra \(extra)")
            // The spans marked as matched: the evaluator's, against the oracle's before the pipeline.
            if pipeline.isEmpty {
                let evaluator = TraceQLEvaluator(parsed)
                for trace in traces.prefix(200) {
                    #expect(Set(evaluator.matchedSpans(in: trace)) == Self.spans(q, trace), "\(text) in \(trace.traceID.hex)")
                }
            }
            if !expected.isEmpty && expected.count < traces.count { nonEmpty += 1 }
        }
        // Most queries select some traces but not all, or agreeing would prove little.
        #expect(nonEmpty > 100, "only \(nonEmpty) queries selected some but not all traces")
    }
}
