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

    @Option(help: "Only traces with a span from this service.")
    var service: String?

    @Option(help: ArgumentHelp("Only traces with a span whose name contains this text.", valueName: "text"))
    var name: String?

    @Option(help: ArgumentHelp("Only traces at least this long, e.g. 10ms.", valueName: "duration"))
    var minDuration: DurationArgument?

    @Option(help: ArgumentHelp("Only traces at most this long.", valueName: "duration"))
    var maxDuration: DurationArgument?

    @Flag(help: "Only traces with an error span.")
    var errors = false

    @Option(help: ArgumentHelp("Only traces that started within this long ago, e.g. 15m.", valueName: "duration"))
    var since: DurationArgument?

    @Option(help: ArgumentHelp("Order by start (newest first) or duration (slowest first).", valueName: "start|duration"))
    var sort: TraceQuery.Order = .start

    @Flag(help: "Print a JSON array instead of a table.")
    var json = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let minDuration, let maxDuration, minDuration.nanos > maxDuration.nanos {
            throw ValidationError("--min-duration is longer than --max-duration")
        }
    }

    func run() throws {
        let store = try database.openForReading()
        let now = UInt64(Date().timeIntervalSince1970 * 1e9)
        let query = TraceQuery(
            limit: limit, service: service, nameContains: name, minDurationNanos: minDuration?.nanos, maxDurationNanos: maxDuration?.nanos,
            errorsOnly: errors, startedAtOrAfterUnixNano: since.map { now > $0.nanos ? now - $0.nanos : 0 }, order: sort)
        let traces = try store.traces(matching: query)
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
