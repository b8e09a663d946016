import ArgumentParser
import Foundation
import TraceModel
import TraceStore
import TraceViews

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List stored traces, newest first.")

    @Option(help: "Show at most this many traces.")
    var limit = 20

    @OptionGroup var filters: TraceFilterOptions

    @Option(help: ArgumentHelp("Order by start (newest first) or duration (slowest first).", valueName: "start|duration"))
    var sort: TraceQuery.Order = .start

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() throws {
        let store = try database.openForReading()
        let traces = try store.traces(matching: filters.query(limit: limit, order: sort))
        if json {
            print(String(decoding: try TraceListText.json(traces), as: UTF8.self))
        } else if traces.isEmpty {
            Terminal.printNote("no traces match in \(store.path)")
        } else {
            print(TraceListText.table(traces, style: Terminal.style), terminator: "")
        }
    }
}

extension TraceQuery.Order: ExpressibleByArgument {}
