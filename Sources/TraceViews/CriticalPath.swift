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
        // A span's time can be cut by each child's, so about two segments a span at most; room
        // made once rather than grown by doubling, for every trace of a whole-file read.
        segments.reserveCapacity(2 * spans.count)
        segmentSpans.reserveCapacity(2 * spans.count)
        walk(root, until: spans[root].endTimeUnixNano, spans: spans, children: children, waiting: waitsOnAnotherService)
        segments.reverse()
        segmentSpans.reverse()
    }

    /// The tree as time reads it: the client's own step in which the remote server span ran
    /// (`http.wait` around `GET /`) was waiting on that server, so the server counts as the
    /// step's child. Also the spans whose time is the network's: clients waiting on another
    /// service and their steps (DNS, connect, send, wait, receive).
    static func waiting(_ tree: TraceTree) -> (children: [[Int]], network: [Bool]) {
        let spans = tree.trace.spans
        var children = tree.children
        var network = [Bool](repeating: false, count: spans.count)
        for (client, kids) in tree.children.enumerated() where !kids.isEmpty {
            func isHop(_ child: Int) -> Bool {
                LatencyBreakdown.isHop(clientService: spans[client].serviceName, clientKind: spans[client].kind,
                                       serverService: spans[child].serviceName, serverKind: spans[child].kind)
            }
            guard kids.contains(where: isHop) else { continue }
            network[client] = true
            for step in kids where !isHop(step) { network[step] = true }
            for server in kids where isHop(server) {
                // The step the server's time falls in most: usually it lies inside the wait, but
                // its start can precede the wait's when the request was still being sent.
                func overlap(_ step: Int) -> UInt64 {
                    let start = max(spans[step].startTimeUnixNano, spans[server].startTimeUnixNano)
                    let end = min(spans[step].endTimeUnixNano, spans[server].endTimeUnixNano)
                    return end > start ? end - start : 0
                }
                // Of equal overlaps the shortest step, then the first.
                var wait: (step: Int, overlap: UInt64)?
                for step in kids where !isHop(step) {
                    let stepOverlap = overlap(step)
                    guard stepOverlap > 0 else { continue }
                    let isBetter = wait.map { best in
                        stepOverlap > best.overlap || (stepOverlap == best.overlap && spans[step].durationNanos < spans[best.step].durationNanos)
                    } ?? true
                    if isBetter { wait = (step, stepOverlap) }
                }
                guard let wait = wait?.step else { continue }
                children[client].removeAll { $0 == server }
                children[wait].append(server)
            }
        }
        return (children, network)
    }

    /// Span ids with any time on the path.
    public var spanIDs: Set<SpanID> { Set(segments.map(\.spanID)) }

    public var totalNanos: UInt64 { segments.reduce(0) { $0 + $1.nanos } }

    /// Time on the path per service, with a client's wait on another service under `.network`.
    public var nanosByBucket: [TimeBucket: UInt64] {
        // Summed in a short list first: a path has many segments but few buckets, and hashing a
        // bucket hashes its service name.
        var totals: [(bucket: TimeBucket, nanos: UInt64)] = []
        for segment in segments {
            let bucket: TimeBucket = segment.isNetwork ? .network : .service(segment.service)
            if let at = totals.firstIndex(where: { $0.bucket == bucket }) { totals[at].nanos += segment.nanos } else { totals.append((bucket, segment.nanos)) }
        }
        return Dictionary(uniqueKeysWithValues: totals)
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
        var byEnd: [(index: Int, end: UInt64, position: Int)]
        var next = 0
    }

    private mutating func walk(_ root: Int, until end: UInt64, spans: [Span], children: [[Int]], waiting: [Bool]) {
        func frame(_ index: Int, until end: UInt64, from floor: UInt64) -> Frame {
            let cursor = min(end, spans[index].endTimeUnixNano)
            let children = children[index]
            guard !children.isEmpty else {
                return Frame(index: index, cursor: cursor, floor: max(floor, spans[index].startTimeUnixNano), byEnd: [])
            }
            var byEnd = children.enumerated().map { (index: $1, end: min(spans[$1].endTimeUnixNano, cursor), position: $0) }
            byEnd.sort { a, b in
                (a.end, spans[b.index].startTimeUnixNano, b.position) > (b.end, spans[a.index].startTimeUnixNano, a.position)
            }
            return Frame(index: index, cursor: cursor, floor: max(floor, spans[index].startTimeUnixNano), byEnd: byEnd)
        }
        // An explicit stack: a chain 100,000 deep is a valid trace.
        var stack = [frame(root, until: end, from: spans[root].startTimeUnixNano)]
        while !stack.isEmpty {
            let top = stack.count - 1
            let spanIndex = stack[top].index
            let isNetwork = waiting[spanIndex]
            let (cursor, floor) = (stack[top].cursor, stack[top].floor)
            // The child that finished last at or before the cursor, started before it, and ended
            // after this span's window began. Children ending later overlap what came after: off the path.
            var next: (index: Int, end: UInt64)?
            while cursor > floor, stack[top].next < stack[top].byEnd.count {
                let candidate = stack[top].byEnd[stack[top].next]
                stack[top].next += 1
                if candidate.end <= cursor, spans[candidate.index].startTimeUnixNano < cursor, candidate.end > floor {
                    next = (candidate.index, candidate.end)
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
