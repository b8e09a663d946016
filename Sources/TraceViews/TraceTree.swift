import TraceModel

/// Parent/child links of a trace's spans; spans whose parent never arrived become extra roots.
public struct TraceTree: Sendable {
    public let trace: Trace
    /// Indexes into `trace.spans`, children in start order.
    public let children: [Int: [Int]]
    public let roots: [Int]

    public init(_ trace: Trace) {
        self.trace = trace
        var indexByID: [SpanID: Int] = [:]
        for (index, span) in trace.spans.enumerated() { indexByID[span.spanID] = index }
        var children: [Int: [Int]] = [:]
        var roots: [Int] = []
        for (index, span) in trace.spans.enumerated() {
            if let parent = span.parentSpanID, let parentIndex = indexByID[parent], parentIndex != index {
                children[parentIndex, default: []].append(index)
            } else {
                roots.append(index)
            }
        }
        self.children = children
        self.roots = roots
    }

    /// Depth-first order with depths: the order a waterfall lists spans in.
    public func depthFirst(collapsed: Set<SpanID> = []) -> [(index: Int, depth: Int)] {
        var out: [(Int, Int)] = []
        out.reserveCapacity(trace.spans.count)
        var stack: [(Int, Int)] = roots.reversed().map { ($0, 0) }
        var visited = Set<Int>()
        while let (index, depth) = stack.popLast() {
            guard visited.insert(index).inserted else { continue }
            out.append((index, depth))
            if collapsed.contains(trace.spans[index].spanID) { continue }
            for child in (children[index] ?? []).reversed() { stack.append((child, depth + 1)) }
        }
        return out
    }
}
