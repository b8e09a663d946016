import ArgumentParser
import Dispatch
import Foundation
import TraceModel
import TraceStore
import TraceViews

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List stored traces, newest first; or follow them as they are stored.",
        discussion: """
            --follow prints the last --limit traces oldest first, then every new trace the filters \
            select as it is stored, like `tail -f`, until Ctrl-C. A trace is printed once its root span \
            has arrived and no span joined it for a moment (or after 5 s without a root). With --json, \
            one JSON object per line.
            """)

    @Option(help: "Show at most this many traces.")
    var limit = 20

    @OptionGroup var filters: TraceFilterOptions

    @Option(help: ArgumentHelp("Order by start (newest first) or duration (slowest first).", valueName: "start|duration"))
    var sort: TraceQuery.Order = .start

    @Flag(help: "Print a JSON array instead of a table (with --follow, one object per line).")
    var json = false

    @Flag(name: [.customShort("f"), .long], help: "Keep printing traces as they are stored, until Ctrl-C.")
    var follow = false

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    func run() throws {
        let store = try database.openForReading()
        if follow { return try followTraces(in: store) }
        let traces = try store.traces(matching: filters.query(limit: limit, order: sort))
        if json {
            print(String(decoding: try TraceListText.json(traces), as: UTF8.self))
        } else if traces.isEmpty {
            Terminal.printNote("no traces match in \(store.path)")
        } else {
            print(TraceListText.table(traces, style: Terminal.style), terminator: "")
        }
    }

    private func followTraces(in store: TraceStore) throws {
        let stop = DispatchSemaphore(value: 0)
        let interrupt = InterruptSignal(onInterrupt: { stop.signal() })
        let cursor = try store.arrivalCursor()
        let recent = try store.traces(matching: filters.query(limit: limit, order: .start)).reversed()
        var follower = TraceFollower(store: store, query: filters.query(), after: cursor, alreadyShown: Set(recent.map(\.traceID)))
        let style = Terminal.style
        if !json { FileHandle.standardOutput.write(Data((TraceListText.followHeader(style: style) + "\n").utf8)) }
        func show(_ traces: some Sequence<TraceSummary>) throws {
            // Written straight to the descriptor, unbuffered: a pipe sees each trace as it is printed.
            for trace in traces {
                let line = json ? String(decoding: try TraceListText.jsonLine(trace), as: UTF8.self) : TraceListText.followLine(trace, style: style)
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        }
        try show(recent)
        // Four looks a second: a trace is printed within about half a second of settling.
        while stop.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
            try show(try follower.poll())
        }
        _ = interrupt
    }
}

extension TraceQuery.Order: ExpressibleByArgument {}
