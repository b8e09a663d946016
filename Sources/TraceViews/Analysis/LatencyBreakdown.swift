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
        var workspace = TimingWorkspace<String>()
        workspace.time(tree.trace.spans, tree.links, durationNanos: tree.trace.durationNanos)
        pathNanos = Dictionary(uniqueKeysWithValues: workspace.path.map { (TimeBucket($0.bucket), $0.nanos) })
        parallelNanos = Dictionary(uniqueKeysWithValues: workspace.parallel.map { (TimeBucket($0.bucket), $0.nanos) })
        hops = Self.hops(tree)
    }

    /// The trace's hops, in the order a depth-first walk from the roots meets their server spans.
    private static func hops(_ tree: TraceTree) -> [Hop] {
        let spans = tree.trace.spans
        var hops: [Hop] = []
        // Depth first with an explicit stack. A server span carries the hop that reached it,
        // recorded when it is visited, in the order a recursion would.
        var stack: [(index: Int, hop: Hop?)] = tree.roots.reversed().map { ($0, nil) }
        while let (index, hop) = stack.popLast() {
            if let hop { hops.append(hop) }
            let span = spans[index]
            let children = tree.children[index]
            func isServer(_ child: Int) -> Bool { isHop(client: span, server: spans[child]) }
            guard children.contains(where: isServer) else {
                for child in children.reversed() { stack.append((child, nil)) }
                continue
            }
            let servers = children.filter(isServer)
            let serverSet = Set(servers)
            let steps = children.filter { !serverSet.contains($0) }.map { Step(name: spans[$0].name, nanos: spans[$0].durationNanos) }
            stack += servers.reversed().map { server in
                (server, Hop(clientService: span.serviceName, clientName: span.name, clientNanos: span.durationNanos,
                             serverService: spans[server].serviceName, serverName: spans[server].name, serverNanos: spans[server].durationNanos,
                             clientSteps: steps))
            }
        }
        return hops
    }

    public init() {}

    /// The trace's duration, as the path accounts for it.
    public var totalNanos: UInt64 { pathNanos.values.reduce(0, +) }

    static func isHop(client: Span, server: Span) -> Bool {
        isHop(clientService: client.serviceName, clientKind: client.kind, serverService: server.serviceName, serverKind: server.kind)
    }

    /// A call from one service to another, or a client span with a server span under it.
    static func isHop<Key: Equatable>(clientService: Key, clientKind: SpanKind, serverService: Key, serverKind: SpanKind) -> Bool {
        serverService != clientService || (clientKind == .client && serverKind == .server)
    }

    /// A span's own time: its duration less the union of its children's (`spans` indexes).
    static func selfNanos<S: TimedSpan>(of index: Int, children: [Int], in spans: [S]) -> UInt64 {
        spans[index].durationNanos - unionNanos(
            of: children.lazy.map { (start: spans[$0].startTimeUnixNano, end: spans[$0].endTimeUnixNano) },
            within: (spans[index].startTimeUnixNano, spans[index].endTimeUnixNano))
    }

    /// Length of the union of `[start, end)` intervals, clipped to `parent`'s (so never more
    /// than its length). Children come in start order, so this runs per span with no array made
    /// unless they do not.
    static func unionNanos(of spans: some Collection<(start: UInt64, end: UInt64)>, within parent: (start: UInt64, end: UInt64)) -> UInt64 {
        var total: UInt64 = 0
        var open: (start: UInt64, end: UInt64)?
        for span in spans {
            let clipped = (start: max(span.start, parent.start), end: min(span.end, parent.end))
            guard clipped.start < clipped.end else { continue }
            if let current = open, clipped.start < current.start { return unsortedUnionNanos(of: spans, within: parent) }
            if let current = open, clipped.start <= current.end {
                open = (current.start, max(current.end, clipped.end))
            } else {
                if let current = open { total += current.end - current.start }
                open = clipped
            }
        }
        if let current = open { total += current.end - current.start }
        return total
    }

    private static func unsortedUnionNanos(of spans: some Sequence<(start: UInt64, end: UInt64)>, within parent: (start: UInt64, end: UInt64)) -> UInt64 {
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
