import TraceModel

/// Where each span of a trace sits on one shared time axis: the model both `trace show`
/// and the TUI draw from.
public struct WaterfallLayout: Sendable {
    public struct Row: Sendable {
        public var span: Span
        /// The span's position in `trace.spans`.
        public var index: Int
        public var depth: Int
        /// Start relative to the trace's start.
        public var offsetNanos: UInt64
        public var hasChildren: Bool
        /// The span's stored parent closed a parent cycle, so it is drawn as a root instead.
        public var closesCycle: Bool
    }

    public let traceStartNanos: UInt64
    public let totalNanos: UInt64
    public let rows: [Row]

    public init(trace: Trace, collapsed: Set<SpanID> = []) {
        self.init(tree: TraceTree(trace), collapsed: collapsed)
    }

    public init(tree: TraceTree, collapsed: Set<SpanID> = []) {
        let trace = tree.trace
        let start = trace.startTimeUnixNano
        traceStartNanos = start
        totalNanos = max(trace.durationNanos, 1)
        rows = tree.depthFirst(collapsed: collapsed).map { index, depth in
            let span = trace.spans[index]
            return Row(span: span, index: index, depth: depth, offsetNanos: span.startTimeUnixNano &- start, hasChildren: !tree.children[index].isEmpty,
                       closesCycle: tree.cycleBreaks.contains(index))
        }
    }

    /// Two spaces a level, up to a depth past which a name column would hold nothing but spaces;
    /// deeper rows say their depth instead (a chain can be 100,000 deep).
    public static func indentation(depth: Int) -> String {
        depth <= maxIndentedDepth ? String(repeating: "  ", count: depth) : "    ⋯\(depth) "
    }

    static let maxIndentedDepth = 8

    /// Marks a span whose parent link was cut to break a cycle.
    public static let cycleMark = " ↺"

    /// A bar's extent in cells of a `width`-cell axis, with fractional ends for eighth-block drawing.
    public func barCells(for row: Row, width: Int) -> (start: Double, end: Double) {
        let scale = Double(width) / Double(totalNanos)
        let start = Double(row.offsetNanos) * scale
        let end = Double(row.offsetNanos + row.span.durationNanos) * scale
        return (min(start, Double(width)), min(max(end, start), Double(width)))
    }

    /// The cell an instant falls in, for event marks.
    public func cell(forUnixNano instant: UInt64, width: Int) -> Int {
        let offset = instant > traceStartNanos ? instant - traceStartNanos : 0
        return min(width - 1, Int(Double(offset) / Double(totalNanos) * Double(width)))
    }

    /// A bar drawn with full blocks and a left-eighth block for the fractional end, never empty.
    public static func barString(start: Double, end: Double, width: Int) -> [Character] {
        var cells = [Character](repeating: " ", count: width)
        guard width > 0 else { return cells }
        let first = min(Int(start), width - 1)
        let eighths = max(1, Int(((end - Double(first)) * 8).rounded()))
        let full = eighths / 8
        for cell in first..<min(width, first + full) { cells[cell] = "█" }
        let remainder = eighths % 8
        if remainder > 0, first + full < width { cells[first + full] = Self.leftEighths[remainder] }
        return cells
    }

    static let leftEighths: [Character] = [" ", "▏", "▎", "▍", "▌", "▋", "▊", "▉"]
}
