import ArgumentParser
import Foundation
import TraceSearch
import TraceStore
import TraceViews

struct PruneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete old traces and give their space back.",
        discussion: """
            Deletes whole traces (never part of one) with their log records in one transaction, \
            then compacts the file; --older-than also deletes the log records of no stored trace \
            and the metric points from before then. Best run while nothing else writes to the \
            file: another writer waits up to 10 s for it.

              trace prune --older-than 7d
              trace prune --keep 1000 --dry-run
              trace prune --query '{ resource.service.name = "load-test" }'
              trace prune --older-than 1d --query '{ status != error }'
              trace prune --run last~1

            --run deletes what one run recorded (see trace runs): its traces, and the log records             and metric points of its time; alone, the run is forgotten too.
            """)

    @Option(help: ArgumentHelp("Delete traces that started longer ago than this, e.g. 24h.", valueName: "duration"))
    var olderThan: DurationArgument?

    @Option(help: ArgumentHelp("Keep only the newest N traces.", valueName: "N"))
    var keep: Int?

    @Option(name: .customLong("query"), help: ArgumentHelp("Delete the traces this TraceQL query matches (with --older-than, only the older ones).", valueName: "traceql"))
    var traceQLText: String?

    @OptionGroup var runSelection: RunOption

    @Flag(help: "Only say what would be deleted.")
    var dryRun = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        if traceQLText != nil, keep != nil { throw ValidationError("--query and --keep do not combine; use --query alone or with --older-than") }
        if runSelection.selector != nil, keep != nil { throw ValidationError("--run and --keep do not combine; use --run alone or with --query or --older-than") }
        guard (olderThan == nil) != (keep == nil) || ((traceQLText != nil || runSelection.selector != nil) && keep == nil) else {
            throw ValidationError("give --older-than DURATION, --keep N, --query TRACEQL or --run RUN")
        }
        if let keep, keep < 0 { throw ValidationError("--keep must be 0 or more, got \(keep)") }
    }

    func run() async throws {
        let traceQL = try traceQLText.map(TraceQLArgument.parse)
        // Pruning never creates a database: the file must already be a trace database.
        let reader = try database.openForReading()
        let path = reader.path
        try reader.close()
        let store: TraceStore
        do { store = try TraceStore.openForWriting(path: path) } catch { throw UserFacingError.wrapping(error) }
        defer { try? store.close() }
        let selection: PruneSelection
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let before = olderThan.map { now > $0.nanos ? now - $0.nanos : 0 }
        let run = try runSelection.resolve(in: store)
        if let traceQL {
            var older = TraceQuery()
            older.startedBeforeUnixNano = before
            if let run { older = older.within(run) }
            selection = .traces(try await TraceSearch(traceQL, in: store).matchingTraces(among: older))
        } else if let run {
            selection = .startedWithin(atOrAfterUnixNano: run.startUnixNano, beforeUnixNano: min(run.endExclusiveUnixNano ?? .max, before ?? .max))
        } else if let before {
            selection = .startedBefore(unixNano: before)
        } else {
            selection = .allButNewest(count: keep ?? 0)
        }
        let sizeBefore = Self.size(of: path)
        let outcome = try store.prune(selection, dryRun: dryRun)
        if dryRun {
            print("would delete \(counted(outcome.traces, "trace")) (\(counted(outcome.spans, "span"))) and keep \(outcome.remaining)")
            return
        }
        // A run pruned whole is forgotten; one pruned in part keeps its record.
        let forgotten = run.flatMap { traceQL == nil && before == nil ? $0 : nil }
        if let forgotten { try store.deleteRun(forgotten.id) }
        if outcome.traces > 0 { try store.reclaimSpace() }
        print("deleted \(counted(outcome.traces, "trace")) (\(counted(outcome.spans, "span"))), kept \(outcome.remaining)"
            + (forgotten.map { "; forgot run \($0.id)" } ?? "") + "; \(path) \(Self.megabytes(sizeBefore)) → \(Self.megabytes(Self.size(of: path)))")
    }

    /// The database file and its WAL together.
    static func size(of path: String) -> Int {
        ["", "-wal"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: path + $1)[.size] as? Int) ?? 0) }
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
