import TraceModel

/// Parent/child links of a trace's spans; spans whose parent never arrived become extra roots,
/// and a parent cycle (A's parent B, B's parent A) is cut where it closes, so every span is in
/// the tree exactly once.
public struct TraceTree: Sendable {
    public let trace: Trace
    /// Each span's children (indexes into `trace.spans`, in start order), by the span's index:
    /// an array rather than a dictionary, as this is built for every trace a whole-file read sees.
    public let children: [[Int]]
    /// Spans without a parent here and the spans where a cycle was cut, in start order.
    public let roots: [Int]
    /// Spans whose stored parent closed a cycle (itself included): shown as roots, and marked.
    public let cycleBreaks: Set<Int>

    public init(_ trace: Trace) {
        self.trace = trace
        let spans = trace.spans
        // A small trace (most are) finds parents by a scan, cheaper than hashing every id; of
        // spans sharing an id, the last is the parent either way.
        var indexByID: [SpanID: Int] = [:]
        let scans = spans.count <= 16
        if !scans {
            indexByID.reserveCapacity(spans.count)
            for (index, span) in spans.enumerated() { indexByID[span.spanID] = index }
        }
        func index(of id: SpanID) -> Int? {
            scans ? spans.lastIndex { $0.spanID == id } : indexByID[id]
        }
        // -1 for none: an array of Int needs no generic metadata looked up at run time.
        var parent = [Int](repeating: -1, count: spans.count)
        var children = [[Int]](repeating: [], count: spans.count)
        var roots: [Int] = []
        var cycleBreaks = Set<Int>()
        for (index, span) in spans.enumerated() {
            let parentIndex = span.parentSpanID.flatMap(index(of:))
            if let parentIndex, parentIndex != index {
                parent[index] = parentIndex
                children[parentIndex].append(index)
            } else {
                roots.append(index)
                if parentIndex == index { cycleBreaks.insert(index) }
            }
        }
        var reached = [Bool](repeating: false, count: spans.count)
        var reachedCount = 0
        var stack: [Int] = []
        func reach(from root: Int) {
            stack.append(root)
            while let index = stack.popLast() {
                guard !reached[index] else { continue }
                reached[index] = true
                reachedCount += 1
                stack += children[index]
            }
        }
        roots.forEach(reach)
        // A span no root reaches hangs below a cycle: its ancestors are unreached too, so walking
        // up from it comes round to a span seen on this walk. The cycle is cut above its earliest span.
        let rootsInOrder = roots.count
        var walkedFrom = reachedCount == spans.count ? [] : [Int](repeating: -1, count: spans.count)
        for start in spans.indices where reachedCount < spans.count && !reached[start] {
            var member = start
            while walkedFrom[member] != start, case let up = parent[member], up >= 0 {
                walkedFrom[member] = start
                member = up
            }
            var cut = member
            var next = parent[member]
            while next != member {
                cut = min(cut, next)
                next = parent[next]
            }
            children[parent[cut]].removeAll { $0 == cut }
            parent[cut] = -1
            roots.append(cut)
            cycleBreaks.insert(cut)
            reach(from: cut)
        }
        self.children = children
        // Roots are found in index order; only the cycles' cuts come after.
        self.roots = roots.count == rootsInOrder ? roots : roots.sorted()
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
            for child in children[index].reversed() { stack.append((child, depth + 1)) }
        }
        return out
    }
}
