import TraceModel

/// Splits a trace's time between the services and the network between them, answering
/// "where did the time go?".
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
    /// Exclusive time per service (duration minus the union of children); the time of a hop's
    /// client span outside its server span is counted under `.network` instead.
    public var selfNanos: [TimeBucket: UInt64] = [:]

    public init(trace: Trace) {
        self.init(tree: TraceTree(trace))
    }

    public init(tree: TraceTree) {
        let spans = tree.trace.spans
        // Depth first with an explicit stack: a chain 100,000 deep is a valid trace. A server span
        // carries the hop that reached it, recorded when it is visited, in the order a recursion would.
        var stack: [(index: Int, hop: Hop?)] = tree.roots.reversed().map { ($0, nil) }
        while let (index, hop) = stack.popLast() {
            if let hop { hops.append(hop) }
            let span = spans[index]
            let children = tree.children[index] ?? []
            let servers = children.filter { Self.isHop(client: span, server: spans[$0]) }
            if servers.isEmpty {
                let covered = Self.unionNanos(children.map { spans[$0] }, within: span)
                selfNanos[.service(span.serviceName), default: 0] += span.durationNanos - covered
                stack += children.reversed().map { ($0, nil) }
                continue
            }
            let covered = Self.unionNanos(servers.map { spans[$0] }, within: span)
            selfNanos[.network, default: 0] += span.durationNanos - covered
            let serverSet = Set(servers)
            let steps = children.filter { !serverSet.contains($0) }.map { Step(name: spans[$0].name, nanos: spans[$0].durationNanos) }
            stack += servers.reversed().map { server in
                (server, Hop(clientService: span.serviceName, clientName: span.name, clientNanos: span.durationNanos,
                             serverService: spans[server].serviceName, serverName: spans[server].name, serverNanos: spans[server].durationNanos,
                             clientSteps: steps))
            }
        }
    }

    public init() {}

    public var totalNanos: UInt64 { selfNanos.values.reduce(0, +) }

    /// Adds another trace's numbers, for run-wide totals.
    public mutating func add(_ other: LatencyBreakdown) {
        hops += other.hops
        for (bucket, nanos) in other.selfNanos { selfNanos[bucket, default: 0] += nanos }
    }

    static func isHop(client: Span, server: Span) -> Bool {
        isHop(clientService: client.serviceName, clientKind: client.kind, serverService: server.serviceName, serverKind: server.kind)
    }

    /// A call from one service to another, or a client span with a server span under it.
    static func isHop(clientService: String, clientKind: SpanKind, serverService: String, serverKind: SpanKind) -> Bool {
        serverService != clientService || (clientKind == .client && serverKind == .server)
    }

    /// Length of the union of the spans' intervals, clipped to `parent`.
    static func unionNanos(_ spans: [Span], within parent: Span) -> UInt64 {
        unionNanos(of: spans.map { ($0.startTimeUnixNano, $0.endTimeUnixNano) }, within: (parent.startTimeUnixNano, parent.endTimeUnixNano))
    }

    /// Length of the union of `[start, end)` intervals, clipped to `parent`'s.
    static func unionNanos(of spans: [(start: UInt64, end: UInt64)], within parent: (start: UInt64, end: UInt64)) -> UInt64 {
        let intervals = spans.map { (max($0.start, parent.start), min($0.end, parent.end)) }
            .filter { $0.0 < $0.1 }
            .sorted { $0.0 < $1.0 }
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
        return min(total, parent.end >= parent.start ? parent.end - parent.start : 0)
    }
}
