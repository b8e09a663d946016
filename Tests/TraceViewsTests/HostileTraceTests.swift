import Foundation
import Testing
import TraceFixtures
import TraceModel
@testable import TraceViews

/// Traces a sender can store that no well-behaved SDK makes: chains deeper than any stack, parent
/// cycles, huge fan-outs. Every view must finish and show every span.
@Suite struct HostileTraceTests {
    static let traceID = TraceID(high: 9, low: 9)

    static func span(_ id: UInt64, parent: UInt64?, _ name: String = "work", service: String = "svc", kind: SpanKind = .internal,
                     start: UInt64, end: UInt64) -> Span {
        Span(traceID: traceID, spanID: SpanID(id), parentSpanID: parent.map(SpanID.init), name: name, kind: kind,
             startTimeUnixNano: 1_700_000_000_000_000_000 + start, endTimeUnixNano: 1_700_000_000_000_000_000 + end,
             resource: Resource(attributes: [Attribute("service.name", .string(service))]))
    }

    /// Span n is the child of span n-1, each nested one nanosecond inside its parent.
    static func chain(depth: Int) -> Trace {
        Trace(traceID: traceID, spans: (1...depth).map { n in
            span(UInt64(n), parent: n == 1 ? nil : UInt64(n - 1), "level \(n)", service: n.isMultiple(of: 2) ? "a" : "b",
                 kind: n.isMultiple(of: 2) ? .server : .client, start: UInt64(n), end: UInt64(4 * depth - n))
        })
    }

    @Test func aChainDeeperThanAnyStackIsShownWhole() {
        let depth = 100_000
        let trace = Self.chain(depth: depth)
        let layout = WaterfallLayout(trace: trace)
        #expect(layout.rows.count == depth)
        #expect(layout.rows.last?.depth == depth - 1)
        let breakdown = LatencyBreakdown(trace: trace)
        #expect(breakdown.hops.count == depth - 1)
        #expect(breakdown.totalNanos == trace.durationNanos)
        let path = CriticalPath(trace: trace)
        #expect(path.totalNanos == trace.durationNanos)
        #expect(path.spanIDs.count == depth)
        let diff = TraceDiff(trace, trace)
        #expect(diff.rows.count == depth && diff.rows.allSatisfy { $0.a != nil && $0.b != nil })
        let text = WaterfallText.render(trace: trace, width: 100, verbose: false, style: .plain, criticalPath: true)
        // Deep rows say their depth instead of indenting past the name column.
        #expect(text.contains("⋯99999 level 100000"))
        let deepest = text.split(separator: "\n").first { $0.contains("⋯99999 level 100000") }.map(String.init) ?? ""
        #expect(TerminalText.width(deepest) <= 100)
    }

    @Test func spansInAParentCycleAreShownOnceAndTheCutIsMarked() {
        // b's parent is c and c's parent is b; a third span hangs below the cycle.
        let trace = Trace(traceID: Self.traceID, spans: [
            Self.span(2, parent: 3, "b", start: 10, end: 50),
            Self.span(3, parent: 2, "c", start: 20, end: 40),
            Self.span(4, parent: 3, "d", start: 25, end: 30),
            Self.span(5, parent: 5, "self", start: 60, end: 70),
        ])
        let tree = TraceTree(trace)
        #expect(tree.cycleBreaks.map { trace.spans[$0].name }.sorted() == ["b", "self"])
        let layout = WaterfallLayout(trace: trace)
        #expect(layout.rows.map(\.span.name) == ["b", "c", "d", "self"])
        #expect(layout.rows.map(\.depth) == [0, 1, 2, 0])
        #expect(layout.rows.map(\.closesCycle) == [true, false, false, true])
        let text = WaterfallText.render(trace: trace, width: 100, verbose: true, style: .plain)
        #expect(text.contains("Spans 4"))
        #expect(text.contains("b ↺"))
        #expect(text.contains("parent \(SpanID(3).hex) closes a parent cycle; shown as a root"))
        #expect(CriticalPath(trace: trace).totalNanos > 0)
        // Two roots: the path runs through the later one, the rest of the 60 ns lies outside it.
        let breakdown = LatencyBreakdown(trace: trace)
        #expect(breakdown.totalNanos == 60)
        #expect(breakdown.pathNanos[.outsideRootSpan] == 50)
    }

    @Test func aTwoHundredThousandChildFanOutHasItsCriticalPath() {
        // 200,000 children under one root, overlapping at random (the time it takes is for
        // scripts/bench-hostile-traces.sh to judge); the path covers the root and agrees with the
        // plain walk on the first 2,000.
        var random = SeededRandom(seed: 200_000)
        var spans = [Self.span(1, parent: nil, "root", start: 0, end: 10_000_000)]
        for id in 2...200_001 {
            let start = UInt64.random(in: 0..<9_000_000, using: &random)
            spans.append(Self.span(UInt64(id), parent: 1, start: start, end: start + UInt64.random(in: 0..<1_000_000, using: &random)))
        }
        let trace = Trace(traceID: Self.traceID, spans: spans)
        let path = CriticalPath(trace: trace)
        #expect(path.totalNanos == 10_000_000)
        #expect(ReferenceCriticalPath.segments(of: Trace(traceID: Self.traceID, spans: Array(spans.prefix(2_000))))
            == CriticalPath(trace: Trace(traceID: Self.traceID, spans: Array(spans.prefix(2_000)))).segments)
    }

    /// The indexed walk against the plain recursive one, on thousands of small random trees with
    /// many ties, two services and hops: the same segments, in the same order.
    @Test func theCriticalPathMatchesThePlainWalkOnRandomTraces() {
        var random = SeededRandom(seed: 12)
        for round in 0..<3_000 {
            let count = Int.random(in: 1...12, using: &random)
            var spans: [Span] = []
            for id in 1...count {
                let parent: UInt64? = id == 1 || Int.random(in: 0..<8, using: &random) == 0 ? nil : UInt64.random(in: 1..<UInt64(id), using: &random)
                let start = UInt64.random(in: 0...20, using: &random)
                let service = Bool.random(using: &random) ? "front" : "back"
                let kind: SpanKind = [.client, .server, .internal].randomElement(using: &random)!
                spans.append(Self.span(UInt64(id), parent: parent, "s\(id)", service: service, kind: kind,
                                       start: start, end: start + UInt64.random(in: 0...12, using: &random)))
            }
            let trace = Trace(traceID: Self.traceID, spans: spans)
            let expected = ReferenceCriticalPath.segments(of: trace)
            let actual = CriticalPath(trace: trace).segments
            #expect(actual == expected, "round \(round): \(spans.map { "\($0.name)<-\($0.parentSpanID.map { "\($0.value)" } ?? "-") \($0.startTimeUnixNano % 1000)-\($0.endTimeUnixNano % 1000)" })")
            if actual != expected { break }
        }
    }
}

/// The critical path written as Jaeger's `computeCriticalPath` reads: recursive, rescanning the
/// children at every step for the last one to finish before the point reached. Slow and
/// stack-bound, but plainly right; the test oracle for the indexed walk.
enum ReferenceCriticalPath {
    static func segments(of trace: Trace) -> [CriticalPath.Segment] {
        let tree = TraceTree(trace)
        guard let root = tree.roots.max(by: { trace.spans[$0].endTimeUnixNano < trace.spans[$1].endTimeUnixNano }) else { return [] }
        let spans = trace.spans
        var children = tree.children
        var waiting = Set<Int>()
        for (client, kids) in tree.children.enumerated() {
            for server in kids where LatencyBreakdown.isHop(client: spans[client], server: spans[server]) {
                waiting.insert(client)
                waiting.formUnion(kids.filter { !LatencyBreakdown.isHop(client: spans[client], server: spans[$0]) })
                // The step overlapping the server most (of equal overlaps, the shortest, then the first).
                let overlaps = kids.filter { $0 != server && !LatencyBreakdown.isHop(client: spans[client], server: spans[$0]) }.map { step in
                    (step, Int64(min(spans[step].endTimeUnixNano, spans[server].endTimeUnixNano)) - Int64(max(spans[step].startTimeUnixNano, spans[server].startTimeUnixNano)))
                }.filter { $0.1 > 0 }
                guard let wait = overlaps.max(by: { a, b in
                    (a.1, -Int64(spans[a.0].durationNanos)) < (b.1, -Int64(spans[b.0].durationNanos))
                })?.0 else { continue }
                children[client].removeAll { $0 == server }
                children[wait].append(server)
                waiting.insert(wait)
            }
        }
        var segments: [CriticalPath.Segment] = []
        func walk(_ index: Int, until end: UInt64, from parentFloor: UInt64) {
            let span = spans[index]
            var cursor = min(end, span.endTimeUnixNano)
            // A child counts only within its parent's window, at the start as at the end.
            let floor = max(parentFloor, span.startTimeUnixNano)
            var remaining = children[index]
            func append(from start: UInt64, to end: UInt64) {
                segments.append(CriticalPath.Segment(spanID: span.spanID, service: span.serviceName, startUnixNano: start, endUnixNano: end,
                                                     isNetwork: waiting.contains(index)))
            }
            let spanEnd = cursor
            // A child's end counts up to this span's (effective) end.
            func effectiveEnd(_ child: Int) -> UInt64 { min(spans[child].endTimeUnixNano, spanEnd) }
            while cursor > floor {
                let candidates = remaining.filter {
                    effectiveEnd($0) <= cursor && spans[$0].startTimeUnixNano < cursor && effectiveEnd($0) > floor
                }
                guard let next = candidates.max(by: { a, b in
                    (effectiveEnd(a), spans[b].startTimeUnixNano) < (effectiveEnd(b), spans[a].startTimeUnixNano)
                }) else { break }
                remaining.removeAll { $0 == next }
                let child = spans[next]
                let childEnd = min(child.endTimeUnixNano, cursor)
                if childEnd < cursor { append(from: childEnd, to: cursor) }
                walk(next, until: childEnd, from: floor)
                cursor = max(child.startTimeUnixNano, floor)
            }
            if cursor > floor { append(from: floor, to: cursor) }
        }
        walk(root, until: spans[root].endTimeUnixNano, from: spans[root].startTimeUnixNano)
        return segments.reversed()
    }
}
