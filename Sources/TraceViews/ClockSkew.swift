import TraceModel

/// Opt-in clock-skew correction, Zipkin's way: a server span in another service that lies
/// outside its client span's window was timed by another host's clock, so it and everything under
/// it move into the window, half the slack on each side. Never applied unless asked for, and every
/// moved span is reported with how far it moved.
public struct ClockSkew: Sendable {
    /// The trace with the moved subtrees in their client's window.
    public let trace: Trace
    /// How far each moved span was shifted (positive: later).
    public let shifts: [SpanID: Int64]
    /// The server spans whose subtrees were moved, with their shift: one line each in the views.
    public let adjustments: [Adjustment]

    public struct Adjustment: Sendable, Equatable {
        public var server: SpanID
        public var shift: Int64
    }

    public init(adjusting trace: Trace) {
        let tree = TraceTree(trace)
        var spans = trace.spans
        var shifts: [SpanID: Int64] = [:]
        var adjustments: [Adjustment] = []
        // Top down with an explicit stack, so a subtree is moved before the hops inside it are judged.
        var stack = tree.roots.reversed() as [Int]
        while let index = stack.popLast() {
            let children = tree.children[index]
            let client = spans[index]
            for child in children where LatencyBreakdown.isHop(client: client, server: spans[child]) && spans[child].serviceName != client.serviceName {
                let server = spans[child]
                let outside = server.startTimeUnixNano < client.startTimeUnixNano || server.endTimeUnixNano > client.endTimeUnixNano
                // A server longer than its client cannot fit whatever the shift: left as it is.
                guard outside, server.durationNanos <= client.durationNanos else { continue }
                let slack = client.durationNanos - server.durationNanos
                let shift = Int64(bitPattern: (client.startTimeUnixNano &+ slack / 2) &- server.startTimeUnixNano)
                guard shift != 0 else { continue }
                adjustments.append(Adjustment(server: server.spanID, shift: shift))
                var subtree = [child]
                while let moved = subtree.popLast() {
                    spans[moved].startTimeUnixNano = spans[moved].startTimeUnixNano &+ UInt64(bitPattern: shift)
                    spans[moved].endTimeUnixNano = spans[moved].endTimeUnixNano &+ UInt64(bitPattern: shift)
                    shifts[spans[moved].spanID, default: 0] += shift
                    subtree += tree.children[moved]
                }
            }
            stack += children.reversed()
        }
        self.trace = adjustments.isEmpty ? trace : Trace(traceID: trace.traceID, spans: spans)
        self.shifts = shifts
        self.adjustments = adjustments
    }
}
