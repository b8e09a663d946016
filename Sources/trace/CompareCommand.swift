import ArgumentParser
import Foundation
import TraceCheck
import TraceModel
import TraceQL
import TraceStore
import TraceViews

struct CompareCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "compare",
        abstract: "Compare two runs operation by operation: what got slower, faster, or only noisier.",
        discussion: """
            A and B are runs (an id, a label, last, last~1; see trace runs) or two database files; \
            by default the last two runs. For each operation (service and span name, or each value \
            of --by), both runs' count, p50, p90, p99 and error rate, and a verdict. A run's spans are \
            not independent (a busy moment slows them all), so each run is cut into stretches of time \
            (5 at the default --confidence 0.99) and the stretches' medians are compared by an exact \
            rank-sum (Mann-Whitney) test: slower or faster when it finds a difference at --confidence, \
            the median moved by at least 25% (and 50µs), and by more than either run's own stretches \
            differ by; same otherwise; too few below 10 spans a side. Operations only one run has, and \
            error kinds new in B, are listed under the table.

              trace compare
              trace compare before after
              trace compare last~1 last --by span.http.route
              trace compare old.db new.db --json
            """)

    @Argument(help: ArgumentHelp("The baseline and the candidate: runs or database files (default: the last two runs).", valueName: "run|file"))
    var sides: [String] = []

    @Option(help: ArgumentHelp("Group spans by this TraceQL field instead of service and name, e.g. span.http.route.", valueName: "field"))
    var by: String?

    @Option(help: ArgumentHelp("How sure the test must be before it calls a change, from 0.5 to 0.9999.", valueName: "level"))
    var confidence = 0.99

    @Flag(help: "Print JSON instead of a table.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard sides.count <= 2 else { throw ValidationError("give at most two runs or files to compare, got \(sides.count)") }
        guard (0.5...0.9999).contains(confidence) else { throw ValidationError("--confidence must be from 0.5 to 0.9999, got \(confidence)") }
    }

    /// One side: a run in the --db file, or a whole other file.
    struct Source {
        var store: TraceStore
        var run: RecordedRun?
        var name: String
        var jsonObject: [String: Any]
    }

    func run() async throws {
        let grouping = try by.map { try TraceQLArgument.parse("{ } | by(\($0))") }
        let named = sides.isEmpty ? ["last~1", "last"] : sides.count == 1 ? [sides[0], "last"] : sides
        let baseline = try source(named[0]), candidate = try source(named[1])
        defer {
            try? baseline.store.close()
            try? candidate.store.close()
        }
        let comparison = RunComparison(baseline: try await gather(baseline, grouping: grouping),
                                       candidate: try await gather(candidate, grouping: grouping), confidence: confidence)
        if json {
            print(String(decoding: try RunComparisonText.json(comparison, baseline: baseline.jsonObject, candidate: candidate.jsonObject), as: UTF8.self))
        } else {
            print(RunComparisonText.table(comparison, baseline: baseline.name, candidate: candidate.name, style: Terminal.style), terminator: "")
        }
    }

    /// A file when the text names one, else a run in the --db file.
    func source(_ text: String) throws -> Source {
        if text.contains("/") || text.hasSuffix(".db") {
            guard FileManager.default.fileExists(atPath: text) else { throw UserFacingError("no trace database at \(text)") }
            let store: TraceStore
            do { store = try TraceStore.openForReading(path: text) } catch { throw UserFacingError.wrapping(error) }
            return Source(store: store, run: nil, name: "\(text) (every trace)", jsonObject: ["file": text])
        }
        guard let selector = RunSelector(text) else { throw UserFacingError("'\(text)' names no run or file") }
        let store = try database.openForReading()
        let run = try RunOption.resolve(selector, in: store)
        let label = run.label.map { " \"\($0)\"" } ?? ""
        let traces = run.totals.map { ", \(counted($0.traces, "trace"))" } ?? ", recording"
        return Source(store: store, run: run, name: "run \(run.id)\(label): \(run.commandLine)\(traces)",
                      jsonObject: ["run": run.id, "label": run.label ?? NSNull(), "command": run.commandLine])
    }

    func gather(_ source: Source, grouping: TraceQLQuery?) async throws -> RunComparison.Side {
        try await RunSpans.side(in: source.store, matching: source.run.map { TraceQuery().within($0) } ?? TraceQuery(), grouping: grouping)
    }
}
