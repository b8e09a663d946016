import ArgumentParser
import Foundation
import TraceStore
import TraceViews

struct FlameCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "flame",
        abstract: "A flame graph over many traces: where time goes, by path of service and span name.",
        discussion: """
            Merges the spans of the traces the filters select (all by default) by their path of \
            `service: span name` from the root, and prints an icicle chart (the root on top) and a table \
            of every frame with its span count, median duration, total, self and critical-path time. \
            --by picks what the widths stand for: total (span durations), critical (time on each trace's \
            critical path) or self (each span's own time, children's under it). --folded prints folded \
            stacks instead (one `frame;frame;frame nanoseconds` line per frame, its own time under --by) \
            for flamegraph.pl, speedscope or inferno.
            """)

    @OptionGroup var filters: TraceFilterOptions

    @Option(help: ArgumentHelp("What widths stand for: total, critical or self.", valueName: "measure"))
    var by: FlameGraph.Measure = .total

    @Flag(help: "Print folded stacks (Brendan Gregg's format) instead of the chart.")
    var folded = false

    @Option(help: "Width of the chart in columns (default: the terminal's).")
    var width: Int?

    @OptionGroup var skew: ClockSkewOption

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let width, !(40...1000).contains(width) { throw ValidationError("--width must be from 40 to 1000, got \(width)") }
    }

    func run() async throws {
        let store = try database.openForReading()
        defer { try? store.close() }
        let selection = try await filters.selection(in: store)
        var graph = FlameGraph()
        var tally = ClockSkewTally()
        try store.forEachTrace(matching: selection) { trace in
            let (adjusted, moved) = skew.apply(trace)
            graph.add(adjusted)
            tally.add(moved)
        }
        if skew.adjustSkew { Terminal.printNote(tally.note) }
        if graph.traceCount == 0 {
            Terminal.printNote("no traces match in \(store.path)")
        } else if folded {
            print(FlameText.folded(graph, by: by), terminator: "")
        } else {
            print(FlameText.render(graph, by: by, width: width ?? Terminal.width, style: Terminal.style), terminator: "")
        }
    }
}

extension FlameGraph.Measure: ExpressibleByArgument {}
