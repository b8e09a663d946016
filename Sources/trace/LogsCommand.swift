import ArgumentParser
import Dispatch
import Foundation
import TraceModel
import TraceStore
import TraceViews

struct LogsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logs",
        abstract: "List stored log records, newest first; or follow them as they are stored.",
        discussion: """
            One line a record: local time, severity, service, body, and the first 8 hex digits of \
            its trace id when it has one (open the trace with `trace show`, which lists each record \
            under its span).

              trace logs --severity warn            WARN and above
              trace logs --grep "payment declined"  records whose body has both words
              trace logs --trace 4bf92f35           one trace's records
              trace logs --follow                   new records as they arrive, until Ctrl-C

            Severity levels are OpenTelemetry's: trace, debug, info, warn, error, fatal (any case). \
            --follow prints the last --limit records oldest first, then each new one as it is \
            stored. With --json, an array of objects (with --follow, one object per line) with \
            the keys time, severity, severityNumber, body, service, traceId, spanId, attributes.
            """)

    @Option(name: .customLong("trace"), help: ArgumentHelp("Only this trace's records: its id, or enough of its start to be unique.", valueName: "trace-id"))
    var traceID: String?

    @Option(help: ArgumentHelp("Only records from this service (its service.name).", valueName: "name"))
    var service: String?

    @Option(help: ArgumentHelp("Only records at this level or above: trace, debug, info, warn, error or fatal.", valueName: "level"))
    var severity: String?

    @Option(help: ArgumentHelp("Only records whose body has all these words (a full-text search: whole words, any case).", valueName: "words"))
    var grep: String?

    @Option(help: ArgumentHelp("Only records from within this long ago, e.g. 15m.", valueName: "duration"))
    var since: DurationArgument?

    @Option(help: "Show at most this many records.")
    var limit = 50

    @Option(help: "Width of the output in columns (default: the terminal's).")
    var width: Int?

    @Flag(help: "Print a JSON array instead of lines (with --follow, one object per line).")
    var json = false

    @Flag(name: [.customShort("f"), .long], help: "Keep printing records as they are stored, until Ctrl-C.")
    var follow = false

    @OptionGroup var runSelection: RunOption

    @OptionGroup var database: DatabaseOptions

    func validate() throws {
        guard limit >= 1 else { throw ValidationError("--limit must be at least 1, got \(limit)") }
        if let traceID { try TraceIDPrefix.validate(traceID) }
        if let severity, Severity(name: severity) == nil {
            throw ValidationError("unknown severity '\(TerminalText.escaped(severity))': use one of trace, debug, info, warn, error, fatal")
        }
        if let grep, grep.split(whereSeparator: { !($0.isLetter || $0.isNumber) }).isEmpty {
            throw ValidationError("--grep needs at least one word to search for")
        }
        if let width, !(40...1000).contains(width) { throw ValidationError("--width must be from 40 to 1000, got \(width)") }
    }

    func run() throws {
        let store = try database.openForReading(concurrentReads: false)
        defer { try? store.close() }
        var query = LogQuery(
            traceID: try traceID.map { try TraceIDPrefix.resolveID($0, in: store, allowingUnstored: true) },
            service: service,
            minimumSeverityNumber: severity.flatMap(Severity.init(name:))?.lowestNumber,
            words: grep.map { [$0] } ?? [],
            since: since.map { since in
                let now = UInt64(Date().timeIntervalSince1970 * 1e9)
                return now > since.nanos ? now - since.nanos : 0
            },
            limit: limit)
        if let run = try runSelection.resolve(in: store) { query = query.within(run) }
        if follow { return try follow(store, query: &query) }
        let records = try store.logRecords(matching: query).map(\.record)
        if json {
            print(LogText.jsonArray(records))
        } else if records.isEmpty {
            Terminal.printNote("no log records match in \(store.path)")
        } else {
            print(LogText.lines(records, width: width ?? Terminal.width, style: Terminal.style).joined(separator: "\n"))
        }
    }

    private func follow(_ store: TraceStore, query: inout LogQuery) throws {
        let stop = DispatchSemaphore(value: 0)
        let interrupt = InterruptSignal(onInterrupt: { stop.signal() })
        var last = try store.lastStoredLogID()
        let style = Terminal.style
        let width = width ?? Terminal.width
        func show(_ records: [StoredLogRecord]) {
            // Written straight to the descriptor, unbuffered: a pipe sees each record as it is printed.
            for stored in records {
                let line = json ? LogText.jsonLine(stored.record) : LogText.line(stored.record, serviceWidth: 10, width: width, style: style)
                FileHandle.standardOutput.write(Data((line + "\n").utf8))
            }
        }
        query.storedThrough = last
        show(try store.logRecords(matching: query).reversed())
        query.limit = nil
        // Four looks a second, as `trace list --follow`; each reads only what arrived since the
        // last look, whether or not the filters kept any of it.
        while stop.wait(timeout: .now() + .milliseconds(250)) == .timedOut {
            let newest = try store.lastStoredLogID()
            guard newest > last else { continue }
            (query.storedAfter, query.storedThrough) = (last, newest)
            show(try store.logRecords(matching: query))
            last = newest
        }
        _ = interrupt
    }
}
