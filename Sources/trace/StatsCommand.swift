import ArgumentParser
import Foundation
import TraceModel
import TraceSearch
import TraceStore
import TraceViews

struct StatsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "stats",
        abstract: "Latency statistics over many traces: percentiles, self time, network time per hop, a histogram.",
        discussion: """
            Reads the traces the filters select (all by default) in one streaming pass, two halves at once. Percentiles are exact \
            (nearest rank); self time is a span's duration minus the union of its children. A hop is a client \
            span and the server span it caused in another service: their difference is time on the wire and in \
            queues, split into the request leg (client start to server start) and the response leg (server end \
            to client end).
            """)

    @OptionGroup var filters: TraceFilterOptions

    @Option(help: ArgumentHelp("Group spans by service and span name (name), by service, or show root operations only (root).", valueName: "name|service|root"))
    var by: TraceStatistics.Grouping = .name

    @Option(help: "Width of the histogram in columns (default: the terminal's).")
    var width: Int?

    @Flag(help: "Print JSON instead of tables (durations in milliseconds).")
    var json = false

    @OptionGroup var skew: ClockSkewOption

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if let width, !(40...1000).contains(width) { throw ValidationError("--width must be from 40 to 1000, got \(width)") }
    }

    func run() async throws {
        let traceQL = try filters.traceQL()
        let store = try database.openForReading()
        defer { try? store.close() }
        let parts: [(TraceStatistics, ClockSkewTally, SpanGroupStatistics?)]
        let by = self.by, skew = self.skew
        @Sendable func add(_ part: inout (TraceStatistics, ClockSkewTally, SpanGroupStatistics?), _ trace: Trace) {
            let (adjusted, moved) = skew.apply(trace)
            part.0.add(adjusted)
            part.1.add(moved)
        }
        if let traceQL {
            // The query's spansets come with each trace; `by(...)` groups tally them as well.
            let field = traceQL.grouping.map(\.description)
            parts = try await TraceSearch(traceQL, in: store).forEachMatch(
                among: try filters.query(in: store), start: { (TraceStatistics(grouping: by), ClockSkewTally(), field.map(SpanGroupStatistics.init)) },
                add: { part, _, trace, spansets in
                    add(&part, trace)
                    for spanset in spansets where part.2 != nil {
                        part.2!.add(label: spanset.group?.description ?? "nil", spans: spanset.spans.map { trace.spans[$0] })
                    }
                }, finish: { $0.0.sortSamples() })
        } else if !skew.adjustSkew {
            // Two readers, one a core, reading only what timing needs.
            parts = try await store.forEachTraceTimings(
                matching: try filters.query(in: store), inParallel: 2, start: { TimingStatistics(grouping: by) }, add: { $0.add($1) },
                finish: { part, names in
                    var statistics = part.statistics(names: names)
                    statistics.sortSamples()
                    return (statistics, ClockSkewTally(), nil)
                })
        } else {
            // Two readers, one a core.
            parts = try await store.forEachTrace(
                matching: try filters.query(in: store), inParallel: 2, start: { (TraceStatistics(grouping: by), ClockSkewTally(), nil) }, add: add,
                finish: { $0.0.sortSamples() })
        }
        // Each part sorts its own samples, so merging costs a merge, not a sort.
        let stats = parts.reduce(into: TraceStatistics(grouping: by)) { $0.merge($1.0) }
        let groups = parts.compactMap(\.2).reduce(into: nil as SpanGroupStatistics?) { total, part in
            if total == nil { total = part } else { total!.merge(part) }
        }
        if skew.adjustSkew {
            Terminal.printNote(parts.reduce(into: ClockSkewTally()) { $0.merge($1.1) }.note)
        }
        if json {
            print(String(decoding: try StatsText.json(stats, groups: groups), as: UTF8.self))
        } else if stats.traceCount == 0 {
            Terminal.printNote("no traces match in \(store.path)")
        } else {
            print(StatsText.render(stats, width: width ?? Terminal.width, style: Terminal.style, groups: groups), terminator: "")
        }
    }
}

extension TraceStatistics.Grouping: ExpressibleByArgument {}
