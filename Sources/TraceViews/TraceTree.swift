import TraceModel

/// Parent/child links of a trace's spans; spans whose parent never arrived become extra roots,
/// and a parent cycle (A's parent B, B's parent A) is cut where it closes, so every span is in
/// the tree exactly once.
public struct TraceTree: Sendable {
    public let trace: Trace
    /// Indexes into `trace.spans`, children in start order.
    public let children: [Int: [Int]]
    /// Spans without a parent here and the spans where a cycle was cut, in start order.
    public let roots: [Int]
    /// Spans whose stored parent closed a cycle (itself included): shown as roots, and marked.
    public let cycleBreaks: Set<Int>

    public init(_ trace: Trace) {
        self.trace = trace
        let spans = trace.spans
        var indexByID: [SpanID: Int] = [:]
        indexByID.reserveCapacity(spans.count)
        for (index, span) in spans.enumerated() { indexByID[span.spanID] = index }
        var parent = [Int?](repeating: nil, count: spans.count)
        var children: [Int: [Int]] = [:]
        var roots: [Int] = []
        var cycleBreaks = Set<Int>()
        for (index, span) in spans.enumerated() {
            let parentIndex = span.parentSpanID.flatMap { indexByID[$0] }
            if let parentIndex, parentIndex != index {
                parent[index] = parentIndex
                children[parentIndex, default: []].append(index)
            } else {
                roots.append(index)
                if parentIndex == index { cycleBreaks.insert(index) }
            }
        }
        var reached = [Bool](repeating: false, count: spans.count)
        func reach(from root: Int) {
            var stack = [root]
            while let index = stack.popLast() {
                guard !reached[index] else { continue }
                reached[index] = true
                stack += children[index] ?? []
            }
        }
        roots.forEach(reach)
        // A span no root reaches hangs below a cycle: its ancestors are unreached too, so walking
        // up from it comes round to a span seen on this walk. The cycle is cut above its earliest span.
        var walkedFrom = [Int](repeating: -1, count: spans.count)
        for start in spans.indices where !reached[start] {
            var member = start
            while walkedFrom[member] != start, let up = parent[member] {
                walkedFrom[member] = start
                member = up
            }
            var cut = member
            var next = parent[member]!
            while next != member {
                cut = min(cut, next)
                next = parent[next]!
            }
            children[parent[cut]!]?.removeAll { $0 == cut }
            parent[cut] = nil
            roots.append(cut)
            cycleBreaks.insert(cut)
            reach(from: cut)
        }
        self.children = children.filter { !$0.value.isEmpty }
        self.roots = roots.sorted()
        self.cycleBreaks = cycleBreaks
    }

    /// Depth-first order with depths: the order a waterfall lists spans in.
    public func depthFirst(collapsed: Set<SpanID> = []) -> [(index: Int, depth: Int)] {
        var out: [(Int, Int)] = []
        out.reserveCapacity(trace.spans.count)
        var stack: [(Int, Int)] = roots.reversed().map { ($0, 0) }
        while let (index, depth) = stack.popLast() {
            out.append((index, depth))
            if collapsed.contains(trace.spans[index].spanID) { continue }
            for child in (children[index] ?? []).reversed() { stack.append((child, depth + 1)) }
        }
        return out
    }
}
