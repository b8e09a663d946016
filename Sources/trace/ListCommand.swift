import ArgumentParser
import Dispatch
import Foundation
import TraceModel
import TraceQL
import TraceSearch
import TraceStore
import TraceViews

struct ListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List stored traces, newest first; or follow them as they are stored.",
        discussion: """
            --follow prints the last --limit traces oldest first, then every new trace the filters \
            select as it is stored, like `tail -f`, until Ctrl-C. A trace is printed once its root span \
            has arrived and no span joined it for a moment (or after 5 s without a root). With --json, \
            one JSON object per line.

            A TraceQL query picks traces by what their spans hold, as Grafana Tempo's does:

              trace list '{ status = error }'
              trace list '{ span.http.response.status_code >= 500 }'
              trace list '{ kind = client && duration > 20ms } >> { status = error }'
              trace list '{ } | count() > 4'

            Selectors { ... } test each span. Fields: span.KEY, resource.KEY, .KEY (either), \
            name, status (ok|error|unset), kind, duration, statusMessage, trace:duration, \
            trace:rootService, trace:rootName, event:name, log:severity (a level: info, warn, error...), \
            log:body. Operators: = != > >= < <= =~ !~ (a regex \
            matches the whole text). Values: "strings", numbers, true, false, nil, durations like \
            250us, 5ms or 1.5s. Selectors join with && (both in the trace), || (either), > (child \
            of) and >> (descendant of); then | count() > N, | avg(duration) > 20ms (also min, max, \
            sum) and | by(field). `man trace` has the rules.
            """)

    @Argument(help: ArgumentHelp("A TraceQL query, e.g. '{ status = error }' (same as --query).", valueName: "traceql"))
    var traceQLArgument: String?

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
        if traceQLArgument != nil, filters.traceQLText != nil { throw ValidationError("give the query once: as the argument or as --query") }
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
    }

    /// On the main actor, where `main` already runs: the listing starts without a hop to another
    /// thread (about 0.4 ms of a `trace list`, timed inside the process).
    @MainActor func run() async throws {
        let traceQL = try (traceQLArgument ?? filters.traceQLText).map(TraceQLArgument.parse)
        // A query is answered by two readers at once; a listing alone reads once.
        let store = try database.openForReading(concurrentReads: traceQL != nil)
        defer { try? store.close() }
        if follow { return try await followTraces(in: store, traceQL: traceQL) }
        let traces = try store.traces(matching: try await TraceQLArgument.selection(filters.query(in: store, limit: limit, order: sort), query: traceQL, in: store))
        if json {
            print(String(decoding: try TraceListText.json(traces), as: UTF8.self))
        } else if traces.isEmpty {
            Terminal.printNote("no traces match in \(store.path)")
        } else {
            print(TraceListText.table(traces, style: Terminal.style), terminator: "")
        }
    }

    private func followTraces(in store: TraceStore, traceQL: TraceQLQuery?) async throws {
        let stop = DispatchSemaphore(value: 0)
        let interrupt = InterruptSignal(onInterrupt: { stop.signal() })
        let cursor = try store.arrivalCursor()
        let recent = try store.traces(matching: try await TraceQLArgument.selection(filters.query(in: store, limit: limit, order: .start), query: traceQL, in: store)).reversed()
        // New traces are tested one by one as they settle, each read once.
        let evaluator = traceQL.map(TraceQLEvaluator.init)
        func matching(_ settled: [TraceSummary]) throws -> [TraceSummary] {
            guard let evaluator, !settled.isEmpty else { return settled }
            let matched = Set(try store.traces(withIDs: settled.map(\.traceID), details: TraceSearch.details(for: evaluator.query))
                .filter { !evaluator.matchedSpans(in: $0).isEmpty }.map(\.traceID))
            return settled.filter { matched.contains($0.traceID) }
        }
        var follower = TraceFollower(store: store, query: try filters.query(in: store), after: cursor, alreadyShown: Set(recent.map(\.traceID)))
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
            try show(try matching(try follower.poll()))
        }
        _ = interrupt
    }
}

extension TraceQuery.Order: ExpressibleByArgument {}
