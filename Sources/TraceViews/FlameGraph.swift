import TraceModel

/// Many traces merged into one tree of frames: spans with the same path of `service: span name`
/// from their root become one frame, with their count and their time summed three ways. A server
/// span sits under the client step that waited for it (`http.wait`), as on the critical path, so
/// time is not counted twice.
public struct FlameGraph: Sendable {
    /// What a frame's width stands for.
    public enum Measure: String, Sendable, CaseIterable {
        /// The spans' durations: a frame is as wide as the time spent in it and under it.
        case total
        /// Time on each trace's critical path spent in the frame's spans and under them.
        case critical
        /// The spans' own time (duration minus the union of children), and its children's under it.
        case `self`
    }

    public struct Frame: Sendable {
        /// `service: span name`.
        public var label: String
        public var depth: Int
        public var parent: Int?
        /// Frames under this one, in first-seen order.
        public var children: [Int] = []
        public var count = 0
        public var totalNanos: UInt64 = 0
        public var selfNanos: UInt64 = 0
        /// Critical-path time spent in this frame's own spans (not under them).
        public var criticalSelfNanos: UInt64 = 0
        /// Every span's duration, for the median; 8 bytes a span.
        var durations: [UInt64] = []

        /// The median span duration.
        public var p50Nanos: UInt64 { Percentiles(durations).value(at: 50) ?? 0 }
    }

    /// Frame 0 is the synthetic root above every trace's roots; the rest in first-seen order.
    public private(set) var frames: [Frame] = [Frame(label: "all", depth: 0, parent: nil)]
    public private(set) var traceCount = 0
    private var childByLabel: [Int: [String: Int]] = [:]

    public init() {}

    public mutating func add(_ trace: Trace) {
        guard !trace.spans.isEmpty else { return }
        traceCount += 1
        let tree = TraceTree(trace)
        let (childrenOf, _) = CriticalPath.waiting(tree)
        let spans = trace.spans
        var criticalBySpan: [SpanID: UInt64] = [:]
        for segment in CriticalPath(tree: tree).segments { criticalBySpan[segment.spanID, default: 0] += segment.nanos }
        // Depth first with an explicit stack: a chain 100,000 deep is a valid trace.
        var stack: [(span: Int, parentFrame: Int)] = tree.roots.reversed().map { ($0, 0) }
        while let (index, parentFrame) = stack.popLast() {
            let span = spans[index]
            let frame = self.frame(labelled: "\(span.serviceName): \(span.name)", under: parentFrame)
            let children = childrenOf[index]
            frames[frame].count += 1
            frames[frame].totalNanos += span.durationNanos
            frames[frame].selfNanos += LatencyBreakdown.selfNanos(of: index, children: children, in: spans)
            frames[frame].criticalSelfNanos += criticalBySpan[span.spanID] ?? 0
            frames[frame].durations.append(span.durationNanos)
            stack += children.reversed().map { ($0, frame) }
        }
        frames[0].count += 1
        frames[0].totalNanos += trace.durationNanos
        frames[0].durations.append(trace.durationNanos)
    }

    private mutating func frame(labelled label: String, under parent: Int) -> Int {
        if let existing = childByLabel[parent]?[label] { return existing }
        frames.append(Frame(label: label, depth: frames[parent].depth + 1, parent: parent))
        let index = frames.count - 1
        frames[parent].children.append(index)
        childByLabel[parent, default: [:]][label] = index
        return index
    }

    /// A frame's width under `measure`: its own share plus everything under it. For `total` the
    /// root's is the traces' summed duration (its roots' durations summed when they overlap less).
    public func nanos(_ frame: Int, by measure: Measure) -> UInt64 {
        switch measure {
        case .total: frame == 0 ? max(frames[0].totalNanos, frames[0].children.reduce(0) { $0 + frames[$1].totalNanos }) : frames[frame].totalNanos
        case .critical, .self: subtree(frame, own: measure == .critical ? \.criticalSelfNanos : \.selfNanos)
        }
    }

    /// A frame's own time under `measure`: what folded stacks carry (flame graph tools add up the rest).
    public func ownNanos(_ frame: Int, by measure: Measure) -> UInt64 {
        switch measure {
        case .total, .self: frame == 0 ? 0 : frames[frame].selfNanos
        case .critical: frames[frame].criticalSelfNanos
        }
    }

    private func subtree(_ root: Int, own: KeyPath<Frame, UInt64>) -> UInt64 {
        var total: UInt64 = 0
        var stack = [root]
        while let frame = stack.popLast() {
            total += frames[frame][keyPath: own]
            stack += frames[frame].children
        }
        return total
    }

    /// The labels from the top frame down to `frame` (the synthetic root left out).
    public func path(to frame: Int) -> [String] {
        var labels: [String] = []
        var current: Int? = frame
        while let index = current, index != 0 {
            labels.append(frames[index].label)
            current = frames[index].parent
        }
        return labels.reversed()
    }
}
