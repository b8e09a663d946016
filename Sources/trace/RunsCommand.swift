import ArgumentParser
import TraceViews

struct RunsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs",
        abstract: "List the runs recorded in the file: each trace run, exec and collect.",
        discussion: """
            Every `trace run`, `trace exec` and `trace collect` records a run: when it started and \
            ended, its command line, its exit code and what it recorded. A run's telemetry is what \
            started between its start and end, so two sessions writing the same file at once share \
            what arrived while both ran.

            --run selects one run on list, stats, flame, map, logs, export and prune: its id, its \
            --label (the newest run with it), last, or last~1 for the one before.

              trace runs
              trace stats --run last
              trace compare last~1 last
            """)

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func run() async throws {
        let store = try database.openForReading(concurrentReads: false)
        defer { try? store.close() }
        let runs = try store.runs()
        if json {
            print(String(decoding: try RunListText.json(runs), as: UTF8.self))
        } else if runs.isEmpty {
            Terminal.printNote("no runs recorded in \(store.path) yet: trace run, trace exec and trace collect each record one")
        } else {
            print(RunListText.table(runs, style: Terminal.style), terminator: "")
        }
    }
}
