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
        let spans = trace.spans
        // A client's own phase span that encloses the remote server span (`http.wait` around `GET /`)
        // was waiting on that server, so the server counts as the phase span's child here.
        var children = tree.children
        var waitsOnAnotherService = Set<Int>()
        for (client, kids) in tree.children {
            for server in kids where LatencyBreakdown.isHop(client: spans[client], server: spans[server]) {
                waitsOnAnotherService.insert(client)
                let enclosing = kids.filter {
                    $0 != server && !LatencyBreakdown.isHop(client: spans[client], server: spans[$0])
                        && spans[$0].startTimeUnixNano <= spans[server].startTimeUnixNano && spans[server].endTimeUnixNano <= spans[$0].endTimeUnixNano
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

    private mutating func walk(_ index: Int, until end: UInt64, spans: [Span], children: [Int: [Int]], waiting: Set<Int>) {
        let span = spans[index]
        let isNetwork = waiting.contains(index)
        var cursor = min(end, span.endTimeUnixNano)
        var remaining = children[index] ?? []
        while cursor > span.startTimeUnixNano {
            // The child still running latest before the cursor; ties go to the one that started last.
            let candidates = remaining.filter { spans[$0].startTimeUnixNano < cursor && spans[$0].endTimeUnixNano > span.startTimeUnixNano }
            guard let next = candidates.max(by: { a, b in
                (min(spans[a].endTimeUnixNano, cursor), spans[a].startTimeUnixNano) < (min(spans[b].endTimeUnixNano, cursor), spans[b].startTimeUnixNano)
            }) else { break }
            remaining.removeAll { $0 == next }
            let child = spans[next]
            let childEnd = min(child.endTimeUnixNano, cursor)
            if childEnd < cursor { append(span, from: childEnd, to: cursor, isNetwork: isNetwork) }
            walk(next, until: childEnd, spans: spans, children: children, waiting: waiting)
            cursor = max(child.startTimeUnixNano, span.startTimeUnixNano)
        }
        if cursor > span.startTimeUnixNano { append(span, from: span.startTimeUnixNano, to: cursor, isNetwork: isNetwork) }
    }

    /// Segments are collected backwards in time; `init` reverses them.
    private mutating func append(_ span: Span, from start: UInt64, to end: UInt64, isNetwork: Bool) {
        segments.append(Segment(spanID: span.spanID, service: span.serviceName, startUnixNano: start, endUnixNano: end, isNetwork: isNetwork))
    }
}
