import TraceModel

/// Splits a trace's time between the services and the network between them, answering
/// "where did the time go?": the duration along the critical path, which adds up to the trace's
/// duration, and beside it the work that ran in parallel, off the path.
public struct LatencyBreakdown: Sendable, Equatable {
    /// A client span and the server span it caused in another service.
    public struct Hop: Sendable, Equatable {
        public var clientService: String
        public var clientName: String
        public var clientNanos: UInt64
        public var serverService: String
        public var serverName: String
        public var serverNanos: UInt64
        /// The client's other child spans (its network steps, e.g. `http.connect`), in start order.
        public var clientSteps: [Step] = []
        /// Client time not covered by the server span: on the wire and in queues.
        public var networkNanos: UInt64 { clientNanos > serverNanos ? clientNanos - serverNanos : 0 }
    }

    public struct Step: Sendable, Equatable {
        public var name: String
        public var nanos: UInt64
    }

    public var hops: [Hop] = []
    /// The trace's duration along its critical path, per service, with a client's wait on another
    /// service under `.network` and time the root span does not cover (other roots, orphans)
    /// under `.outsideRootSpan`: the values add up to the trace's duration.
    public var pathNanos: [TimeBucket: UInt64] = [:]
    /// Own time (duration minus the union of children) of the spans with no time on the critical
    /// path: work that ran in parallel with it, which shortening would not have made the trace shorter.
    public var parallelNanos: [TimeBucket: UInt64] = [:]

    public init(trace: Trace) {
        self.init(tree: TraceTree(trace))
    }

    public init(tree: TraceTree) {
        self.init(tree: tree, hops: true)
    }

    /// Without `hops`, only the time: what run-wide totals need, per trace of a whole file.
    init(tree: TraceTree, hops withHops: Bool) {
        let trace = tree.trace
        let spans = trace.spans
        let path = CriticalPath(tree: tree)
        pathNanos = path.nanosByBucket
        if trace.durationNanos > path.totalNanos { pathNanos[.outsideRootSpan, default: 0] += trace.durationNanos - path.totalNanos }
        var onPath = [Bool](repeating: false, count: spans.count)
        for index in path.segmentSpans { onPath[index] = true }
        // Depth first with an explicit stack: a chain 100,000 deep is a valid trace. A server span
        // carries the hop that reached it, recorded when it is visited, in the order a recursion would.
        // This runs for every span of every trace `stats` reads: no arrays are made for the
        // common case, a span without a hop below it.
        var stack: [(index: Int, hop: Hop?)] = tree.roots.reversed().map { ($0, nil) }
        while let (index, hop) = stack.popLast() {
            if let hop, withHops { hops.append(hop) }
            let span = spans[index]
            let children = tree.children[index]
            func isServer(_ child: Int) -> Bool {
                Self.isHop(clientService: span.serviceName, clientKind: span.kind, serverService: spans[child].serviceName, serverKind: spans[child].kind)
            }
            let hasServers = children.contains(where: isServer)
            if !onPath[index] {
                let bucket: TimeBucket = hasServers ? .network : .service(span.serviceName)
                let covered = Self.unionNanos(
                    of: children.lazy.filter { !hasServers || isServer($0) }.map { (start: spans[$0].startTimeUnixNano, end: spans[$0].endTimeUnixNano) },
                    within: (span.startTimeUnixNano, span.endTimeUnixNano))
                parallelNanos[bucket, default: 0] += span.durationNanos - covered
            }
            guard hasServers, withHops else {
                for child in children.reversed() where !hasServers || isServer(child) { stack.append((child, nil)) }
                continue
            }
            let servers = children.filter(isServer)
            let serverSet = Set(servers)
            let steps = children.filter { !serverSet.contains($0) }.map { Step(name: spans[$0].name, nanos: spans[$0].durationNanos) }
            stack += servers.reversed().map { server in
                (server, Hop(clientService: spans[index].serviceName, clientName: spans[index].name, clientNanos: spans[index].durationNanos,
                             serverService: spans[server].serviceName, serverName: spans[server].name, serverNanos: spans[server].durationNanos,
                             clientSteps: steps))
            }
        }
        parallelNanos = parallelNanos.filter { $0.value > 0 }
    }

    public init() {}

    /// The trace's duration, as the path accounts for it.
    public var totalNanos: UInt64 { pathNanos.values.reduce(0, +) }

    static func isHop(client: Span, server: Span) -> Bool {
        isHop(clientService: client.serviceName, clientKind: client.kind, serverService: server.serviceName, serverKind: server.kind)
    }

    /// A call from one service to another, or a client span with a server span under it.
    static func isHop(clientService: String, clientKind: SpanKind, serverService: String, serverKind: SpanKind) -> Bool {
        serverService != clientService || (clientKind == .client && serverKind == .server)
    }

    /// A span's own time: its duration less the union of its children's (`spans` indexes).
    static func selfNanos(of index: Int, children: [Int], in spans: [Span]) -> UInt64 {
        spans[index].durationNanos - unionNanos(
            of: children.lazy.map { (start: spans[$0].startTimeUnixNano, end: spans[$0].endTimeUnixNano) },
            within: (spans[index].startTimeUnixNano, spans[index].endTimeUnixNano))
    }

    /// Length of the union of `[start, end)` intervals, clipped to `parent`'s (so never more
    /// than its length). No array is made for none or one: this runs per span.
    static func unionNanos(of spans: some Sequence<(start: UInt64, end: UInt64)>, within parent: (start: UInt64, end: UInt64)) -> UInt64 {
        var first: (UInt64, UInt64)?
        var intervals: [(UInt64, UInt64)] = []
        for span in spans {
            let clipped = (max(span.start, parent.start), min(span.end, parent.end))
            guard clipped.0 < clipped.1 else { continue }
            if first == nil { first = clipped } else { intervals.append(clipped) }
        }
        guard let first else { return 0 }
        guard !intervals.isEmpty else { return first.1 - first.0 }
        intervals.append(first)
        intervals.sort { $0.0 < $1.0 }
        var total: UInt64 = 0
        var current: (UInt64, UInt64)?
        for interval in intervals {
            if let open = current, interval.0 <= open.1 {
                current = (open.0, max(open.1, interval.1))
            } else {
                if let open = current { total += open.1 - open.0 }
                current = interval
            }
        }
        if let open = current { total += open.1 - open.0 }
        return total
    }
}
