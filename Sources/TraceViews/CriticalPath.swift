import TraceModel

/// The chain of work that set a trace's end-to-end duration, as Jaeger computes it: walking back
/// from the end, a span waited on the child that finished last before the point reached (a child
/// still running then overlaps the child it returned from, so shortening it would not shorten the
/// trace); gaps are the span's own time. A child running past its parent's end counts up to that
/// end; one starting after it is off the path.
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
    /// Each segment's span, by its index in `trace.spans`.
    private(set) var segmentSpans: [Int] = []

    public init(trace: Trace) {
        self.init(tree: TraceTree(trace))
    }

    public init(tree: TraceTree) {
        let trace = tree.trace
        // The root whose subtree ends last decides the trace's duration; orphans are ignored.
        guard let root = tree.roots.max(by: { trace.spans[$0].endTimeUnixNano < trace.spans[$1].endTimeUnixNano }) else { return }
        let spans = trace.spans
        let (children, waitsOnAnotherService) = Self.waiting(tree)
        walk(root, until: spans[root].endTimeUnixNano, spans: spans, children: children, waiting: waitsOnAnotherService)
        segments.reverse()
        segmentSpans.reverse()
    }

    /// The tree as time reads it: the client's own step in which the remote server span ran
    /// (`http.wait` around `GET /`) was waiting on that server, so the server counts as the
    /// step's child. Also the spans whose time is the network's: clients waiting on another
    /// service and their steps (DNS, connect, send, wait, receive).
    static func waiting(_ tree: TraceTree) -> (children: [Int: [Int]], network: Set<Int>) {
        let spans = tree.trace.spans
        var children = tree.children
        var network = Set<Int>()
        for (client, kids) in tree.children {
            // Fields read in place: a Span copy retains a dozen references.
            func isHop(_ child: Int) -> Bool {
                LatencyBreakdown.isHop(clientService: spans[client].serviceName, clientKind: spans[client].kind,
                                       serverService: spans[child].serviceName, serverKind: spans[child].kind)
            }
            let servers = kids.filter(isHop)
            guard !servers.isEmpty else { continue }
            let steps = kids.filter { !isHop($0) }
            network.insert(client)
            network.formUnion(steps)
            for server in servers {
                // The step the server's time falls in most: usually it lies inside the wait, but
                // its start can precede the wait's when the request was still being sent.
                func overlap(_ step: Int) -> UInt64 {
                    let start = max(spans[step].startTimeUnixNano, spans[server].startTimeUnixNano)
                    let end = min(spans[step].endTimeUnixNano, spans[server].endTimeUnixNano)
                    return end > start ? end - start : 0
                }
                guard let wait = steps.filter({ overlap($0) > 0 }).min(by: {
                    (UInt64.max - overlap($0), spans[$0].durationNanos) < (UInt64.max - overlap($1), spans[$1].durationNanos)
                }) else { continue }
                children[client]?.removeAll { $0 == server }
                children[wait, default: []].append(server)
            }
        }
        return (children, network)
    }

    /// Span ids with any time on the path.
    public var spanIDs: Set<SpanID> { Set(segments.map(\.spanID)) }

    public var totalNanos: UInt64 { segments.reduce(0) { $0 + $1.nanos } }

    /// Time on the path per service, with a client's wait on another service under `.network`.
    public var nanosByBucket: [TimeBucket: UInt64] {
        segments.reduce(into: [:]) { totals, segment in totals[segment.isNetwork ? .network : .service(segment.service), default: 0] += segment.nanos }
    }

    /// One span being walked back from `cursor` to its start (or its parent's, if later: a child
    /// counts only within its parent's window, as its end does), its children latest-ending first
    /// (ends cut at the span's own end; of equal ends the earliest start, which explains more of
    /// the wait, then the first listed). The cursor only moves back, so each child is passed over
    /// at most once.
    private struct Frame {
        var index: Int
        var cursor: UInt64
        var floor: UInt64
        var byEnd: [(index: Int, end: UInt64)]
        var next = 0
    }

    private mutating func walk(_ root: Int, until end: UInt64, spans: [Span], children: [Int: [Int]], waiting: Set<Int>) {
        func frame(_ index: Int, until end: UInt64, from floor: UInt64) -> Frame {
            let cursor = min(end, spans[index].endTimeUnixNano)
            guard let children = children[index], !children.isEmpty else {
                return Frame(index: index, cursor: cursor, floor: max(floor, spans[index].startTimeUnixNano), byEnd: [])
            }
            let kids = children.enumerated().map { (index: $1, end: min(spans[$1].endTimeUnixNano, cursor), position: $0) }
            let byEnd = kids.sorted { a, b in
                (a.end, spans[b.index].startTimeUnixNano, b.position) > (b.end, spans[a.index].startTimeUnixNano, a.position)
            }
            return Frame(index: index, cursor: cursor, floor: max(floor, spans[index].startTimeUnixNano), byEnd: byEnd.map { ($0.index, $0.end) })
        }
        // An explicit stack: a chain 100,000 deep is a valid trace.
        var stack = [frame(root, until: end, from: spans[root].startTimeUnixNano)]
        while !stack.isEmpty {
            let top = stack.count - 1
            // Fields read in place: a Span copy retains a dozen references, and this runs per step.
            let spanIndex = stack[top].index
            let isNetwork = waiting.contains(spanIndex)
            let (cursor, floor) = (stack[top].cursor, stack[top].floor)
            // The child that finished last at or before the cursor, started before it, and ended
            // after this span's window began. Children ending later overlap what came after: off the path.
            var next: (index: Int, end: UInt64)?
            while cursor > floor, stack[top].next < stack[top].byEnd.count {
                let candidate = stack[top].byEnd[stack[top].next]
                stack[top].next += 1
                if candidate.end <= cursor, spans[candidate.index].startTimeUnixNano < cursor, candidate.end > floor {
                    next = candidate
                    break
                }
            }
            guard let next else {
                if cursor > floor { append(spans, spanIndex, from: floor, to: cursor, isNetwork: isNetwork) }
                stack.removeLast()
                continue
            }
            if next.end < cursor { append(spans, spanIndex, from: next.end, to: cursor, isNetwork: isNetwork) }
            stack[top].cursor = max(spans[next.index].startTimeUnixNano, floor)
            stack.append(frame(next.index, until: next.end, from: floor))
        }
    }

    /// Segments are collected backwards in time; `init` reverses them.
    private mutating func append(_ spans: [Span], _ index: Int, from start: UInt64, to end: UInt64, isNetwork: Bool) {
        segments.append(Segment(spanID: spans[index].spanID, service: spans[index].serviceName, startUnixNano: start, endUnixNano: end, isNetwork: isNetwork))
        segmentSpans.append(index)
    }
}
