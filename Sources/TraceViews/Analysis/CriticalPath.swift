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
        let spans = tree.trace.spans
        var workspace = TimingWorkspace<String>()
        workspace.walkCriticalPath(spans, tree.links)
        for piece in workspace.pieces {
            segments.append(Segment(spanID: spans[piece.index].spanID, service: spans[piece.index].serviceName,
                                    startUnixNano: piece.start, endUnixNano: piece.end, isNetwork: piece.isNetwork))
            segmentSpans.append(piece.index)
        }
    }

    /// The tree as time reads it: the client's own step in which the remote server span ran
    /// (`http.wait` around `GET /`) was waiting on that server, so the server counts as the
    /// step's child. Also the spans whose time is the network's: clients waiting on another
    /// service and their steps (DNS, connect, send, wait, receive).
    static func waiting(_ tree: TraceTree) -> (children: [[Int]], network: [Bool]) {
        var workspace = TimingWorkspace<String>()
        workspace.wait(tree.trace.spans, tree.links)
        return (workspace.waitingChildren, workspace.network)
    }

    /// Span ids with any time on the path.
    public var spanIDs: Set<SpanID> { Set(segments.map(\.spanID)) }

    public var totalNanos: UInt64 { segments.reduce(0) { $0 + $1.nanos } }

    /// Time on the path per service, with a client's wait on another service under `.network`.
    public var nanosByBucket: [TimeBucket: UInt64] {
        var totals: [TimeBucket: UInt64] = [:]
        for segment in segments { totals[segment.isNetwork ? .network : .service(segment.service), default: 0] += segment.nanos }
        return totals
    }
}
