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
        let tree = TraceTree(trace)
        // The root whose subtree ends last decides the trace's duration; orphans are ignored.
        guard let root = tree.roots.max(by: { trace.spans[$0].endTimeUnixNano < trace.spans[$1].endTimeUnixNano }) else { return }
        walk(root, until: trace.spans[root].endTimeUnixNano, tree: tree)
        segments.reverse()
    }

    /// Span ids with any time on the path.
    public var spanIDs: Set<SpanID> { Set(segments.map(\.spanID)) }

    public var totalNanos: UInt64 { segments.reduce(0) { $0 + $1.nanos } }

    /// Time on the path per service, with a client's wait on another service under `LatencyBreakdown.network`.
    public var nanosByBucket: [String: UInt64] {
        segments.reduce(into: [:]) { totals, segment in totals[segment.isNetwork ? LatencyBreakdown.network : segment.service, default: 0] += segment.nanos }
    }

    private mutating func walk(_ index: Int, until end: UInt64, tree: TraceTree) {
        let span = tree.trace.spans[index]
        let children = tree.children[index] ?? []
        let waitsOnAnotherService = children.contains { LatencyBreakdown.isHop(client: span, server: tree.trace.spans[$0]) }
        var cursor = min(end, span.endTimeUnixNano)
        var remaining = children
        while cursor > span.startTimeUnixNano {
            // The child still running latest before the cursor; ties go to the one that started last.
            let candidates = remaining.filter {
                tree.trace.spans[$0].startTimeUnixNano < cursor && tree.trace.spans[$0].endTimeUnixNano > span.startTimeUnixNano
            }
            guard let next = candidates.max(by: { a, b in
                let (sa, sb) = (tree.trace.spans[a], tree.trace.spans[b])
                return (min(sa.endTimeUnixNano, cursor), sa.startTimeUnixNano) < (min(sb.endTimeUnixNano, cursor), sb.startTimeUnixNano)
            }) else { break }
            remaining.removeAll { $0 == next }
            let child = tree.trace.spans[next]
            let childEnd = min(child.endTimeUnixNano, cursor)
            if childEnd < cursor { append(span, from: childEnd, to: cursor, isNetwork: waitsOnAnotherService) }
            walk(next, until: childEnd, tree: tree)
            cursor = max(child.startTimeUnixNano, span.startTimeUnixNano)
        }
        if cursor > span.startTimeUnixNano { append(span, from: span.startTimeUnixNano, to: cursor, isNetwork: waitsOnAnotherService) }
    }

    /// Segments are collected backwards in time; `init` reverses them.
    private mutating func append(_ span: Span, from start: UInt64, to end: UInt64, isNetwork: Bool) {
        segments.append(Segment(spanID: span.spanID, service: span.serviceName, startUnixNano: start, endUnixNano: end, isNetwork: isNetwork))
    }
}
