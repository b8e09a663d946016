import TraceModel

/// Parent/child links of a trace's spans; spans whose parent never arrived become extra roots,
/// and a parent cycle (A's parent B, B's parent A) is cut where it closes, so every span is in
/// the tree exactly once.
public struct TraceTree: Sendable {
    public let trace: Trace
    /// Each span's children (indexes into `trace.spans`, in start order), by the span's index:
    /// an array rather than a dictionary, as this is built for every trace a whole-file read sees.
    public var children: [[Int]] { links.children }
    /// Spans without a parent here and the spans where a cycle was cut, in start order.
    public var roots: [Int] { links.roots }
    /// Spans whose stored parent closed a cycle (itself included): shown as roots, and marked.
    public var cycleBreaks: Set<Int> { links.cycleBreaks }
    let links: SpanLinks

    public init(_ trace: Trace) {
        self.trace = trace
        links = SpanLinks(trace.spans)
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

/// `TraceTree`'s links, for any spans that time is read from. `rebuild` keeps the arrays' room
/// from one trace to the next: a whole-file read links a million spans.
struct SpanLinks: Sendable {
    private(set) var children: [[Int]] = []
    private(set) var roots: [Int] = []
    private(set) var cycleBreaks = Set<Int>()
    /// -1 for none: an array of Int needs no generic metadata looked up at run time.
    private var parent: [Int] = []
    private var indexByID: [SpanID: Int] = [:]

    init() {}

    init<S: TimedSpan>(_ spans: [S]) {
        rebuild(spans)
    }

    mutating func rebuild<S: TimedSpan>(_ spans: [S]) {
        let count = spans.count
        // A small trace (most are) finds parents by a scan, cheaper than hashing every id; of
        // spans sharing an id, the last is the parent either way.
        let scans = count <= 16
        indexByID.removeAll(keepingCapacity: true)
        if !scans {
            indexByID.reserveCapacity(count)
            for (index, span) in spans.enumerated() { indexByID[span.spanID] = index }
        }
        func index(of id: SpanID) -> Int? {
            scans ? spans.lastIndex { $0.spanID == id } : indexByID[id]
        }
        parent.removeAll(keepingCapacity: true)
        parent.append(contentsOf: repeatElement(-1, count: count))
        if children.count > count { children.removeLast(children.count - count) }
        for index in children.indices { children[index].removeAll(keepingCapacity: true) }
        children.append(contentsOf: repeatElement([], count: count - children.count))
        roots.removeAll(keepingCapacity: true)
        cycleBreaks.removeAll(keepingCapacity: true)
        // Parents listed before their children (started earlier, as they mostly do) cannot close a cycle.
        var parentsComeFirst = true
        for (index, span) in spans.enumerated() {
            let parentIndex = span.parentSpanID.flatMap(index(of:))
            if let parentIndex, parentIndex != index {
                parent[index] = parentIndex
                children[parentIndex].append(index)
                if parentIndex > index { parentsComeFirst = false }
            } else {
                roots.append(index)
                if parentIndex == index { cycleBreaks.insert(index) }
            }
        }
        if !parentsComeFirst { cutCycles(count) }
    }

    private mutating func cutCycles(_ count: Int) {
        var reached = [Bool](repeating: false, count: count)
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
        var walkedFrom = reachedCount == count ? [] : [Int](repeating: -1, count: count)
        for start in 0..<count where reachedCount < count && !reached[start] {
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
        // Roots are found in index order; only the cycles' cuts come after.
        if roots.count != rootsInOrder { roots.sort() }
    }
}
