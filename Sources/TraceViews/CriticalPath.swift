import HeapModule
import TraceModel

/// The chain of work that set a trace's end-to-end duration: walking back from the end, at each
/// moment the child that finished last is what the parent was waiting for; gaps between such
/// children are the parent's own time. Parallel work that finished earlier is off the path.
public struct CriticalPath: Sendable, Equatable {
    /// A stretch of time on the path, spent in one span (not in any of its children).
    public struct Segment: Sendable, Equatable {
        public var spanID: SpanID
        public var service: String
        public var startUnixNano: UInt64
        public var endUnixNano: UInt64
        /// True when the span is a client waiting on another service: time on the wire and in queues.
        public var isNetwork: Bool
        public var nanos: UInt64 { endUnixNano - startUnixNano }
    }

    /// Segments in time order; together they cover the trace from its first root's start to its end.
    public private(set) var segments: [Segment] = []

    public init(trace: Trace) {
        self.init(tree: TraceTree(trace))
    }

    public init(tree: TraceTree) {
        let trace = tree.trace
        // The root whose subtree ends last decides the trace's duration; orphans are ignored.
        guard let root = tree.roots.max(by: { trace.spans[$0].endTimeUnixNano < trace.spans[$1].endTimeUnixNano }) else { return }
        let spans = trace.spans
        // A client's own phase span that encloses the remote server span (`http.wait` around `GET /`)
        // was waiting on that server, so the server counts as the phase span's child here.
        var children = tree.children
        var waitsOnAnotherService = Set<Int>()
        for (client, kids) in tree.children {
            let servers = kids.filter { LatencyBreakdown.isHop(client: spans[client], server: spans[$0]) }
            guard !servers.isEmpty else { continue }
            let steps = kids.filter { !LatencyBreakdown.isHop(client: spans[client], server: spans[$0]) }
            for server in servers {
                waitsOnAnotherService.insert(client)
                let enclosing = steps.filter {
                    spans[$0].startTimeUnixNano <= spans[server].startTimeUnixNano && spans[server].endTimeUnixNano <= spans[$0].endTimeUnixNano
                }
                guard let wait = enclosing.min(by: { spans[$0].durationNanos < spans[$1].durationNanos }) else { continue }
                children[client]?.removeAll { $0 == server }
                children[wait, default: []].append(server)
                waitsOnAnotherService.insert(wait)
            }
        }
        walk(root, until: spans[root].endTimeUnixNano, spans: spans, children: children, waiting: waitsOnAnotherService)
        segments.reverse()
    }

    /// Span ids with any time on the path.
    public var spanIDs: Set<SpanID> { Set(segments.map(\.spanID)) }

    public var totalNanos: UInt64 { segments.reduce(0) { $0 + $1.nanos } }

    /// Time on the path per service, with a client's wait on another service under `.network`.
    public var nanosByBucket: [TimeBucket: UInt64] {
        segments.reduce(into: [:]) { totals, segment in totals[segment.isNetwork ? .network : .service(segment.service), default: 0] += segment.nanos }
    }

    /// One span being walked back from `cursor` to its start. Its children are taken latest-ending
    /// first: those still running at the cursor (ending at or after it) wait in a heap by start, the
    /// rest in end order, so each step costs a logarithm however many children a span has.
    private struct Frame {
        var index: Int
        var cursor: UInt64
        /// Children, latest end first; of equal ends the latest start, then the first listed.
        var byEnd: [Int]
        var positions: [Int]
        var nextByEnd = 0
        var running = Heap<Running>()
    }

    private struct Running: Comparable {
        var start: UInt64
        /// Position among the parent's children: of equal starts, the first listed is the greatest.
        var position: Int
        var index: Int
        static func < (a: Running, b: Running) -> Bool { (a.start, b.position) < (b.start, a.position) }
    }

    private mutating func walk(_ root: Int, until end: UInt64, spans: [Span], children: [Int: [Int]], waiting: Set<Int>) {
        func frame(_ index: Int, until end: UInt64) -> Frame {
            let kids = children[index] ?? []
            let byEnd = kids.indices.sorted { a, b in
                (spans[kids[a]].endTimeUnixNano, spans[kids[a]].startTimeUnixNano, b) > (spans[kids[b]].endTimeUnixNano, spans[kids[b]].startTimeUnixNano, a)
            }
            return Frame(index: index, cursor: min(end, spans[index].endTimeUnixNano), byEnd: byEnd.map { kids[$0] }, positions: byEnd)
        }
        // An explicit stack: a chain 100,000 deep is a valid trace.
        var stack = [frame(root, until: end)]
        while !stack.isEmpty {
            let top = stack.count - 1
            let span = spans[stack[top].index]
            let isNetwork = waiting.contains(stack[top].index)
            // The child still running latest before the cursor; ties go to the one that started last.
            var next: Int?
            if stack[top].cursor > span.startTimeUnixNano {
                let cursor = stack[top].cursor
                while stack[top].nextByEnd < stack[top].byEnd.count, spans[stack[top].byEnd[stack[top].nextByEnd]].endTimeUnixNano >= cursor {
                    let child = stack[top].byEnd[stack[top].nextByEnd]
                    stack[top].running.insert(Running(start: spans[child].startTimeUnixNano, position: stack[top].positions[stack[top].nextByEnd], index: child))
                    stack[top].nextByEnd += 1
                }
                while let latest = stack[top].running.max, latest.start >= cursor { _ = stack[top].running.popMax() }
                if let latest = stack[top].running.popMax() {
                    next = latest.index
                } else {
                    while stack[top].nextByEnd < stack[top].byEnd.count, spans[stack[top].byEnd[stack[top].nextByEnd]].startTimeUnixNano >= cursor {
                        stack[top].nextByEnd += 1
                    }
                    if stack[top].nextByEnd < stack[top].byEnd.count, spans[stack[top].byEnd[stack[top].nextByEnd]].endTimeUnixNano > span.startTimeUnixNano {
                        next = stack[top].byEnd[stack[top].nextByEnd]
                        stack[top].nextByEnd += 1
                    }
                }
            }
            guard let next else {
                if stack[top].cursor > span.startTimeUnixNano {
                    append(span, from: span.startTimeUnixNano, to: stack[top].cursor, isNetwork: isNetwork)
                }
                stack.removeLast()
                continue
            }
            let child = spans[next]
            let childEnd = min(child.endTimeUnixNano, stack[top].cursor)
            if childEnd < stack[top].cursor { append(span, from: childEnd, to: stack[top].cursor, isNetwork: isNetwork) }
            stack[top].cursor = max(child.startTimeUnixNano, span.startTimeUnixNano)
            stack.append(frame(next, until: childEnd))
        }
    }

    /// Segments are collected backwards in time; `init` reverses them.
    private mutating func append(_ span: Span, from start: UInt64, to end: UInt64, isNetwork: Bool) {
        segments.append(Segment(spanID: span.spanID, service: span.serviceName, startUnixNano: start, endUnixNano: end, isNetwork: isNetwork))
    }
}
