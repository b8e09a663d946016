import Foundation
import TraceModel

/// `trace flame` output: an icicle chart (the root on top, callees below, widths by the chosen
/// measure), a table of every frame, or folded stacks for flamegraph.pl, speedscope and inferno.
public enum FlameText {
    public static func render(_ graph: FlameGraph, by measure: FlameGraph.Measure, width: Int, style: TextStyle, maxDepth: Int = 24) -> String {
        guard graph.traceCount > 0 else { return "" }
        let rootNanos = graph.nanos(0, by: measure)
        var lines = [style.bold("Flame graph") + " of \(counted(graph.traceCount, "trace")), widths by \(description(measure)), "
            + "\(DurationFormat.string(nanos: rootNanos)) in all"]
        lines += icicle(graph, by: measure, width: max(20, width), style: style, maxDepth: maxDepth)
        lines.append("")
        lines += table(graph, by: measure, style: style, rootNanos: rootNanos)
        return lines.joined(separator: "\n") + "\n"
    }

    static func description(_ measure: FlameGraph.Measure) -> String {
        switch measure {
        case .total: "total time (span durations)"
        case .critical: "time on the critical path"
        case .self: "self time (duration minus children)"
        }
    }

    /// Brendan Gregg's folded stacks: `frame;frame;frame value` per line, the value the frame's
    /// own nanoseconds under `measure` (the tools add up what is under a frame themselves).
    public static func folded(_ graph: FlameGraph, by measure: FlameGraph.Measure) -> String {
        var out = ""
        var stack = [0]
        while let frame = stack.popLast() {
            let own = graph.ownNanos(frame, by: measure)
            if frame != 0, own > 0 {
                // `;` separates frames and the last space the value, so neither may appear inside one.
                let path = graph.path(to: frame).map { TerminalText.escaped($0).replacingOccurrences(of: ";", with: ":") }
                out += path.joined(separator: ";").replacingOccurrences(of: "\n", with: " ") + " \(own)\n"
            }
            stack += graph.frames[frame].children.reversed()
        }
        return out
    }

    /// Children largest first, each as wide as its share of the parent (scaled down when, run in
    /// parallel, they add up to more than the parent).
    private static func icicle(_ graph: FlameGraph, by measure: FlameGraph.Measure, width: Int, style: TextStyle, maxDepth: Int) -> [String] {
        var rows: [[Character]] = []
        var colours: [[(range: Range<Int>, service: String)]] = []
        var stack: [(frame: Int, start: Double, width: Double)] = [(0, 0, Double(width))]
        var deepest = 0
        while let (frame, start, span) = stack.popLast() {
            let depth = graph.frames[frame].depth
            guard depth <= maxDepth else { continue }
            let from = Int(start.rounded()), to = min(width, Int((start + span).rounded()))
            guard to > from else { continue }
            while rows.count <= depth { rows.append(Array(repeating: " ", count: width)); colours.append([]) }
            deepest = max(deepest, depth)
            let label = frame == 0 ? "all" : graph.frames[frame].label
            let text = Array(TerminalText.escaped(label).prefix(max(0, to - from - 1)))
            rows[depth][from] = "▕"
            for (offset, character) in text.enumerated() { rows[depth][from + 1 + offset] = character }
            for column in (from + 1 + text.count)..<max(from + 1 + text.count, to) { rows[depth][column] = "▁" }
            if frame != 0, let service = label.split(separator: ":").first { colours[depth].append((from..<to, String(service))) }
            let own = graph.nanos(frame, by: measure)
            let children = graph.frames[frame].children.map { ($0, graph.nanos($0, by: measure)) }.filter { $0.1 > 0 }.sorted { $0.1 > $1.1 }
            let sum = children.reduce(0) { $0 + $1.1 }
            let scale = span / Double(max(own, sum, 1))
            var cursor = start
            for (child, nanos) in children {
                stack.append((child, cursor, Double(nanos) * scale))
                cursor += Double(nanos) * scale
            }
        }
        return rows.prefix(deepest + 1).enumerated().map { depth, row in
            // Coloured a frame at a time, by its service, when colours are on.
            guard style.colors else { return String(row).replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression) }
            var line = ""
            var column = 0
            for (range, service) in colours[depth].sorted(by: { $0.range.lowerBound < $1.range.lowerBound }) {
                if range.lowerBound > column { line += String(row[column..<range.lowerBound]) }
                line += style.service(String(row[range]), service: service)
                column = range.upperBound
            }
            if column < row.count { line += String(row[column...]) }
            return line.replacingOccurrences(of: "\\s+$", with: "", options: .regularExpression)
        }
    }

    private static func table(_ graph: FlameGraph, by measure: FlameGraph.Measure, style: TextStyle, rootNanos: UInt64) -> [String] {
        let d: (UInt64) -> String = DurationFormat.string(nanos:)
        var table = TextTable(header: ["FRAME", "COUNT", "P50", "TOTAL", "SELF", "CRITICAL", "SHARE"], rightAligned: Set(1...6), maximumWidths: [0: 72])
        var stack = [0]
        while let frame = stack.popLast() {
            let node = graph.frames[frame]
            let label = frame == 0 ? "all traces" : String(repeating: "  ", count: min(node.depth - 1, 12)) + TerminalText.escaped(node.label)
            let share = rootNanos > 0 ? Double(graph.nanos(frame, by: measure)) / Double(rootNanos) * 100 : 0
            table.append([label, String(node.count), d(node.p50Nanos), d(frame == 0 ? graph.nanos(0, by: .total) : node.totalNanos),
                          d(node.selfNanos), d(graph.nanos(frame, by: .critical)), String(format: "%.1f%%", share)])
            stack += node.children.sorted { graph.nanos($0, by: measure) < graph.nanos($1, by: measure) }
        }
        let lines = table.lines()
        return [style.dim(lines.header)] + lines.rows
    }
}
