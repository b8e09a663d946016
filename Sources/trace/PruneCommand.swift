import ArgumentParser
import Foundation
import TraceStore
import TraceViews

struct PruneCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "prune",
        abstract: "Delete old traces and give their space back.",
        discussion: """
            Deletes whole traces (never part of one) in one transaction, then compacts the file. \
            Best run while nothing else writes to the file: another writer waits up to 10 s for it.

              trace prune --older-than 7d
              trace prune --keep 1000 --dry-run
            """)

    @Option(help: ArgumentHelp("Delete traces that started longer ago than this, e.g. 24h.", valueName: "duration"))
    var olderThan: DurationArgument?

    @Option(help: ArgumentHelp("Keep only the newest N traces.", valueName: "N"))
    var keep: Int?

    @Flag(help: "Only say what would be deleted.")
    var dryRun = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard (olderThan == nil) != (keep == nil) else { throw ValidationError("give exactly one of --older-than DURATION and --keep N") }
        if let keep, keep < 0 { throw ValidationError("--keep must be 0 or more, got \(keep)") }
    }

    func run() throws {
        // Pruning never creates a database: the file must already be a trace database.
        let path = try database.openForReading().path
        let store: TraceStore
        do { store = try TraceStore.openForWriting(path: path) } catch { throw UserFacingError.wrapping(error) }
        let selection: PruneSelection
        if let olderThan {
            let now = UInt64(Date().timeIntervalSince1970 * 1e9)
            selection = .startedBefore(unixNano: now > olderThan.nanos ? now - olderThan.nanos : 0)
        } else {
            selection = .allButNewest(count: keep ?? 0)
        }
        let sizeBefore = Self.size(of: path)
        let outcome = try store.prune(selection, dryRun: dryRun)
        if dryRun {
            print("would delete \(counted(outcome.traces, "trace")) (\(counted(outcome.spans, "span"))) and keep \(outcome.remaining)")
            return
        }
        if outcome.traces > 0 { try store.reclaimSpace() }
        print("deleted \(counted(outcome.traces, "trace")) (\(counted(outcome.spans, "span"))), kept \(outcome.remaining); \(path) \(Self.megabytes(sizeBefore)) → \(Self.megabytes(Self.size(of: path)))")
    }

    /// The database file and its WAL together.
    static func size(of path: String) -> Int {
        ["", "-wal"].reduce(0) { $0 + ((try? FileManager.default.attributesOfItem(atPath: path + $1)[.size] as? Int) ?? 0) }
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1e6) }
}
