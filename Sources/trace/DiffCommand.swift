import ArgumentParser
import Foundation
import TraceModel
import TraceStore
import TraceViews

struct DiffCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "diff",
        abstract: "Compare two traces span by span and say where the difference in duration comes from.",
        discussion: """
            Spans pair up by service and name under their paired parents (repeated names pair in start order). \
            Each span's Δ is B minus A; PATH Δ is the change in the span's own time on the trace's critical path, \
            which adds up to the change in duration, and the verdict names the spans that explain most of it.

              trace diff 4bf92f35 9c1e0a77
              trace diff --against median 9c1e0a77
              trace diff --against median --query '{ trace:duration < 10ms }' 9c1e0a77

            With --query, A is the median-duration trace among those the query matches instead.
            """)

    enum Baseline: String, ExpressibleByArgument, CaseIterable {
        case median
    }

    @Argument(help: ArgumentHelp("Trace A (the baseline) and trace B, as ids or unique prefixes; one trace with --against.", valueName: "trace-id"))
    var traceIDs: [String] = []

    @Option(help: ArgumentHelp("Compare the one trace given (as B) with the median-duration trace of the same root operation (as A).", valueName: "median"))
    var against: Baseline?

    @Option(name: .customLong("query"), help: ArgumentHelp("With --against median: the median among the traces this TraceQL query matches.", valueName: "traceql"))
    var traceQLText: String?

    @Option(help: "Width of the output in columns (default: the terminal's).")
    var width: Int?

    @OptionGroup var skew: ClockSkewOption

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        let expected = against == nil ? 2 : 1
        guard traceIDs.count == expected else {
            throw ValidationError(against == nil
                ? "give two traces to compare (or one with --against median), got \(traceIDs.count)"
                : "--against median compares one trace with the median, got \(traceIDs.count)")
        }
        if traceQLText != nil, against == nil { throw ValidationError("--query chooses the median of --against median; give --against median too") }
        try traceIDs.forEach(TraceIDPrefix.validate)
        if let width, !(60...1000).contains(width) { throw ValidationError("--width must be from 60 to 1000, got \(width)") }
    }

    func run() async throws {
        let traceQL = try traceQLText.map(TraceQLArgument.parse)
        let store = try database.openForReading()
        defer { try? store.close() }
        let traces = try traceIDs.map { try TraceIDPrefix.resolve($0, in: store) }
        let a: Trace, b: Trace
        if against == .median {
            b = traces[0]
            let found = if let traceQL {
                try store.medianTrace(matching: try await TraceQLArgument.selection(TraceQuery(), query: traceQL, in: store))
            } else {
                try store.medianTrace(sameRootAs: b.traceID)
            }
            guard let median = found else {
                throw UserFacingError(traceQL == nil ? "trace \(b.traceID.hex) has no root span, so it has no root operation to take a median of"
                                                     : "no trace matches the query, so there is no median to compare with")
            }
            guard let trace = median.traceID == b.traceID ? b : try store.trace(median.traceID) else {
                throw UserFacingError("trace \(median.traceID.hex) disappeared while reading")
            }
            a = trace
            Terminal.printNote("A is the median of \(median.among) traces " + (traceQL == nil ? "with the same root operation" : "the query matches")
                + (median.traceID == b.traceID ? " (B itself)" : ""))
        } else {
            (a, b) = (traces[0], traces[1])
        }
        let (adjustedA, movedA) = skew.apply(a), (adjustedB, movedB) = skew.apply(b)
        if skew.adjustSkew {
            for (name, trace, moved) in [("A", adjustedA, movedA), ("B", adjustedB, movedB)] {
                guard let moved else { continue }
                for line in WaterfallText.skewLines(moved, trace: trace, style: .plain) { Terminal.printNote("\(name): \(line)") }
            }
        }
        print(DiffText.render(TraceDiff(adjustedA, adjustedB), width: width ?? Terminal.width, style: Terminal.style), terminator: "")
    }
}
